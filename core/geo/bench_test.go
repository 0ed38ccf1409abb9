package geo_test

import (
	"net/netip"
	"testing"

	"github.com/guardgo/guard/core/geo"
)

func BenchmarkPolicyDecide(b *testing.B) {
	r := geo.ResolverFunc(func(netip.Addr) (string, bool) { return "DE", true })
	p, err := geo.NewPolicy(geo.PolicyConfig{
		Blocked: []string{"CN", "RU", "KP", "IR"},
		Allowed: []string{"US", "GB", "FR", "DE", "JP", "BR"},
	})
	if err != nil {
		b.Fatal(err)
	}
	ip := netip.MustParseAddr("192.0.2.1")
	b.ReportAllocs()
	for b.Loop() {
		if v := p.Decide(r, ip); v.Blocked {
			b.Fatal("blocked")
		}
	}
}

func BenchmarkNormalizeCountry(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := geo.NormalizeCountry("ZW"); err != nil {
			b.Fatal(err)
		}
	}
}
