package cloud_test

import (
	"encoding/json"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/guardgo/guard/core/cloud"
)

// syntheticRanges builds a realistic-size range set: roughly the sizes the
// providers published in 2025 (AWS ~9,000 IPv4 + ~3,000 IPv6 prefixes,
// Azure ~40,000 Service Tags prefixes with heavy overlap between tags, GCP
// ~900, the hosting providers ~1,000 each), random but deterministic.
func syntheticRanges() map[cloud.Provider][]netip.Prefix {
	rng := rand.New(rand.NewPCG(42, 7))
	sizes := map[cloud.Provider][2]int{ // v4, v6
		cloud.AWS:          {9000, 3000},
		cloud.Azure:        {30000, 10000},
		cloud.GCP:          {700, 200},
		cloud.DigitalOcean: {600, 100},
		cloud.Linode:       {800, 200},
		cloud.Vultr:        {1200, 300},
		cloud.Cloudflare:   {15, 7},
	}
	out := map[cloud.Provider][]netip.Prefix{}
	for p, n := range sizes {
		for i := 0; i < n[0]; i++ {
			var b [4]byte
			for j := range b {
				b[j] = byte(rng.Uint32())
			}
			out[p] = append(out[p], netip.PrefixFrom(netip.AddrFrom4(b), 12+rng.IntN(21)).Masked())
		}
		for i := 0; i < n[1]; i++ {
			var b [16]byte
			b[0], b[1] = 0x20, byte(rng.Uint32())
			for j := 2; j < 8; j++ {
				b[j] = byte(rng.Uint32())
			}
			out[p] = append(out[p], netip.PrefixFrom(netip.AddrFrom16(b), 28+rng.IntN(37)).Masked())
		}
	}
	return out
}

func benchAddrs(ranges map[cloud.Provider][]netip.Prefix, v6 bool) []netip.Addr {
	rng := rand.New(rand.NewPCG(3, 4))
	var addrs []netip.Addr
	// Half inside known prefixes, half random.
	for _, ps := range ranges {
		for _, p := range ps {
			if p.Addr().Is6() == v6 && rng.IntN(20) == 0 {
				addrs = append(addrs, p.Addr())
			}
		}
	}
	for n := len(addrs); n > 0; n-- {
		if v6 {
			var b [16]byte
			b[0] = 0x20
			for j := 1; j < 16; j++ {
				b[j] = byte(rng.Uint32())
			}
			addrs = append(addrs, netip.AddrFrom16(b))
		} else {
			addrs = append(addrs, netip.AddrFrom4([4]byte{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())}))
		}
	}
	rng.Shuffle(len(addrs), func(i, j int) { addrs[i], addrs[j] = addrs[j], addrs[i] })
	return addrs
}

func BenchmarkSetLookup(b *testing.B) {
	ranges := syntheticRanges()
	set := cloud.NewSet(ranges)
	for _, fam := range []struct {
		name string
		v6   bool
	}{{"IPv4", false}, {"IPv6", true}} {
		addrs := benchAddrs(ranges, fam.v6)
		b.Run(fam.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				set.Contains(addrs[i%len(addrs)], cloud.All())
				i++
			}
		})
	}
}

// awsDocument renders prefixes as an AWS ip-ranges.json document.
func awsDocument(prefixes []netip.Prefix) []byte {
	var v4, v6 []map[string]string
	for _, p := range prefixes {
		if p.Addr().Is4() {
			v4 = append(v4, map[string]string{"ip_prefix": p.String(), "region": "us-east-1", "service": "AMAZON", "network_border_group": "us-east-1"})
		} else {
			v6 = append(v6, map[string]string{"ipv6_prefix": p.String(), "region": "us-east-1", "service": "AMAZON", "network_border_group": "us-east-1"})
		}
	}
	doc, _ := json.Marshal(map[string]any{"syncToken": "1", "createDate": "2026-01-01-00-00-00", "prefixes": v4, "ipv6_prefixes": v6})
	return doc
}

func BenchmarkManagerContains(b *testing.B) {
	// A Manager loaded from a full-size AWS file: an atomic load plus
	// Set.Contains per lookup.
	ranges := syntheticRanges()
	path := filepath.Join(b.TempDir(), "aws.json")
	if err := os.WriteFile(path, awsDocument(ranges[cloud.AWS]), 0o600); err != nil {
		b.Fatal(err)
	}
	m, err := cloud.NewManager(cloud.Options{Providers: cloud.Of(cloud.AWS), Sources: map[cloud.Provider]string{cloud.AWS: path}})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	if got := m.Set().Len(cloud.AWS); got != 12000 {
		b.Fatalf("loaded %d AWS prefixes", got)
	}
	addrs := benchAddrs(map[cloud.Provider][]netip.Prefix{cloud.AWS: ranges[cloud.AWS]}, false)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Contains(addrs[i%len(addrs)], cloud.Of(cloud.AWS))
		i++
	}
}

func BenchmarkParseAWS(b *testing.B) {
	doc := awsDocument(syntheticRanges()[cloud.AWS])
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cloud.Parse(cloud.AWS, doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewSet(b *testing.B) {
	ranges := syntheticRanges()
	b.ReportAllocs()
	for b.Loop() {
		cloud.NewSet(ranges)
	}
}
