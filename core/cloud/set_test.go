package cloud_test

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/guardgo/guard/core/cloud"
)

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

func TestSetEdges(t *testing.T) {
	set := cloud.NewSet(map[cloud.Provider][]netip.Prefix{
		cloud.AWS:        mustPrefixes("10.0.0.0/8", "10.1.0.0/16", "255.255.255.0/24", "2001:db8::/32", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120"),
		cloud.GCP:        mustPrefixes("10.1.2.0/24", "0.0.0.0/32", "::/128"),
		cloud.Azure:      mustPrefixes("192.0.2.77/32", "2001:db8:0:0:8000::/65", "::ffff:198.51.100.0/120"),
		cloud.Cloudflare: mustPrefixes("1.2.3.4/16"), // unmasked input
		0:                mustPrefixes("8.8.8.0/24"), // invalid provider: ignored
		cloud.Vultr:      {netip.Prefix{}},           // invalid prefix: ignored
	})
	tests := []struct {
		ip   string
		want cloud.Providers
	}{
		{"9.255.255.255", 0},
		{"10.0.0.0", cloud.Of(cloud.AWS)},
		{"10.1.1.255", cloud.Of(cloud.AWS)},
		{"10.1.2.0", cloud.Of(cloud.AWS, cloud.GCP)},
		{"10.1.2.255", cloud.Of(cloud.AWS, cloud.GCP)},
		{"10.1.3.0", cloud.Of(cloud.AWS)},
		{"10.255.255.255", cloud.Of(cloud.AWS)},
		{"11.0.0.0", 0},
		{"0.0.0.0", cloud.Of(cloud.GCP)},
		{"0.0.0.1", 0},
		{"255.255.255.255", cloud.Of(cloud.AWS)},
		{"255.255.254.255", 0},
		{"192.0.2.76", 0},
		{"192.0.2.77", cloud.Of(cloud.Azure)},
		{"192.0.2.78", 0},
		{"198.51.100.9", cloud.Of(cloud.Azure)},
		{"::ffff:198.51.100.9", cloud.Of(cloud.Azure)},
		{"1.2.200.1", cloud.Of(cloud.Cloudflare)},
		{"8.8.8.8", 0},
		{"::", cloud.Of(cloud.GCP)},
		{"::1", 0},
		{"2001:db8::1", cloud.Of(cloud.AWS)},
		{"2001:db8:0:0:7fff:ffff:ffff:ffff", cloud.Of(cloud.AWS)},
		{"2001:db8:0:0:8000::", cloud.Of(cloud.AWS, cloud.Azure)},
		{"2001:db8:0:0:ffff:ffff:ffff:ffff", cloud.Of(cloud.AWS, cloud.Azure)},
		{"2001:db8:0:1::", cloud.Of(cloud.AWS)},
		{"2001:db9::", 0},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", cloud.Of(cloud.AWS)},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:feff", 0},
		{"fe80::1%eth0", 0},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			ip := netip.MustParseAddr(tt.ip)
			if got := set.Match(ip); got != tt.want {
				t.Fatalf("Match(%s) = %v, want %v", tt.ip, got, tt.want)
			}
			if got := set.Contains(ip, cloud.All()); got != (tt.want != 0) {
				t.Fatalf("Contains(%s, All) = %v", tt.ip, got)
			}
		})
	}
	if !set.Contains(netip.MustParseAddr("10.1.2.3"), cloud.Of(cloud.GCP)) || set.Contains(netip.MustParseAddr("10.0.0.1"), cloud.Of(cloud.GCP)) {
		t.Fatal("Contains does not honour the subset")
	}
	if p, _ := set.Lookup(netip.MustParseAddr("10.1.2.3")); p != cloud.AWS {
		t.Fatalf("Lookup on overlap = %v, want the first in canonical order (AWS)", p)
	}
	if set.Len(cloud.AWS) != 5 || set.Len(cloud.Vultr) != 0 || set.Len(0) != 0 {
		t.Fatalf("Len: AWS=%d Vultr=%d", set.Len(cloud.AWS), set.Len(cloud.Vultr))
	}
	if got := set.Providers(); got != cloud.Of(cloud.AWS, cloud.GCP, cloud.Azure, cloud.Cloudflare) {
		t.Fatalf("Providers = %v", got)
	}
	if set.Match(netip.Addr{}) != 0 {
		t.Fatal("invalid address matched")
	}
}

func TestSetWholeSpace(t *testing.T) {
	set := cloud.NewSet(map[cloud.Provider][]netip.Prefix{cloud.Linode: mustPrefixes("0.0.0.0/0", "::/0")})
	for _, s := range []string{"0.0.0.0", "128.0.0.1", "255.255.255.255", "::", "8000::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"} {
		if p, ok := set.Lookup(netip.MustParseAddr(s)); !ok || p != cloud.Linode {
			t.Fatalf("Lookup(%s) = %v, %v", s, p, ok)
		}
	}
	var nilSet *cloud.Set
	if _, ok := nilSet.Lookup(netip.MustParseAddr("1.1.1.1")); ok || nilSet.Len(cloud.AWS) != 0 {
		t.Fatal("nil set matched")
	}
}

// TestSetMatchesLinearScan compares the prefix structure with the obvious
// linear scan over random, heavily overlapping prefixes.
func TestSetMatchesLinearScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 20; round++ {
		ranges := map[cloud.Provider][]netip.Prefix{}
		for i := 0; i < 300; i++ {
			p := cloud.Provider(1 + rng.IntN(7))
			ranges[p] = append(ranges[p], randomPrefix(rng))
		}
		set := cloud.NewSet(ranges)
		for i := 0; i < 3000; i++ {
			var ip netip.Addr
			if i%2 == 0 {
				// An address inside or at the edge of a random prefix.
				p := ranges[cloud.Provider(1+rng.IntN(7))]
				if len(p) == 0 {
					continue
				}
				ip = edgeAddr(rng, p[rng.IntN(len(p))])
			} else {
				ip = randomAddr(rng)
			}
			var want cloud.Providers
			for prov, ps := range ranges {
				for _, pfx := range ps {
					if pfx.Masked().Contains(ip) {
						want = want.With(prov)
					}
				}
			}
			if got := set.Match(ip); got != want {
				t.Fatalf("round %d: Match(%s) = %v, want %v", round, ip, got, want)
			}
		}
	}
}

func randomAddr(rng *rand.Rand) netip.Addr {
	if rng.IntN(2) == 0 {
		var b [4]byte
		for i := range b {
			b[i] = byte(rng.IntN(4)) // a small space so prefixes collide
		}
		return netip.AddrFrom4(b)
	}
	var b [16]byte
	b[0] = 0x20
	for i := 1; i < 16; i++ {
		b[i] = byte(rng.IntN(3))
	}
	return netip.AddrFrom16(b)
}

func randomPrefix(rng *rand.Rand) netip.Prefix {
	a := randomAddr(rng)
	bits := rng.IntN(a.BitLen() + 1)
	return netip.PrefixFrom(a, bits).Masked()
}

// edgeAddr returns the first or last address of p, or one just outside it.
func edgeAddr(rng *rand.Rand, p netip.Prefix) netip.Addr {
	p = p.Masked()
	first := p.Addr()
	b := first.AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	last, _ := netip.AddrFromSlice(b)
	switch rng.IntN(4) {
	case 0:
		return first
	case 1:
		if prev := first.Prev(); prev.IsValid() {
			return prev
		}
		return first
	case 2:
		if next := last.Next(); next.IsValid() {
			return next
		}
		return last
	}
	return last
}
