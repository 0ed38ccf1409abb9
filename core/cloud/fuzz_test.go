package cloud_test

import (
	"net/netip"
	"testing"

	"github.com/guardgo/guard/core/cloud"
)

func FuzzParse(f *testing.F) {
	f.Add(uint8(cloud.AWS), []byte(`{"prefixes":[{"ip_prefix":"3.5.140.0/22"}],"ipv6_prefixes":[{"ipv6_prefix":"2600:1f14::/35"}]}`))
	f.Add(uint8(cloud.GCP), []byte(`{"prefixes":[{"ipv4Prefix":"34.80.0.0/15"},{"ipv6Prefix":"2600:1900::/28"}]}`))
	f.Add(uint8(cloud.Azure), []byte(`{"values":[{"properties":{"addressPrefixes":["20.42.0.0/17"]}}]}`))
	f.Add(uint8(cloud.Linode), []byte("# c\n45.33.0.0/24,US,US-TX,Richardson,\n"))
	f.Add(uint8(cloud.Vultr), []byte(`{"subnets":[{"ip_prefix":"45.32.0.0/21"}]}`))
	f.Add(uint8(cloud.Cloudflare), []byte("173.245.48.0/20\n::ffff:1.2.3.0/120\n"))
	f.Fuzz(func(t *testing.T, p uint8, data []byte) {
		prov := cloud.Provider(p % 9)
		res, err := cloud.Parse(prov, data)
		if err != nil {
			return
		}
		if len(res.Prefixes) == 0 {
			t.Fatal("success without prefixes")
		}
		set := cloud.NewSet(map[cloud.Provider][]netip.Prefix{prov: res.Prefixes})
		for _, pfx := range res.Prefixes {
			if pfx != pfx.Masked() || pfx.Addr().Is4In6() || pfx.Addr().Zone() != "" {
				t.Fatalf("non-canonical prefix %v", pfx)
			}
			if got, ok := set.Lookup(pfx.Addr()); !ok || got != prov {
				t.Fatalf("prefix %v not found in its own set", pfx)
			}
		}
	})
}
