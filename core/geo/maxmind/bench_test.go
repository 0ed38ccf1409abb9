package maxmind_test

import (
	"bytes"
	"math/rand/v2"
	"net"
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/guardgo/guard/core/geo/maxmind"
	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// bigDatabase builds a GeoLite2-Country-like database: nv4 IPv4 and nv6 IPv6
// random networks over 240 countries, MaxMind layout with names in eight
// languages (GeoLite2-Country has ~450,000 networks and ~250 countries; the
// lookup cost grows with tree depth, not network count).
func bigDatabase(b *testing.B, nv4, nv6 int) ([]byte, []netip.Addr) {
	b.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-Country", RecordSize: 28, BuildEpoch: 1, IncludeReservedNetworks: true})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	records := make([]mmdbtype.Map, 0, 240)
	for a := 'A'; a <= 'Z' && len(records) < 240; a++ {
		for c := 'A'; c <= 'Z' && len(records) < 240; c++ {
			names := mmdbtype.Map{}
			for _, l := range []string{"de", "en", "es", "fr", "ja", "pt-BR", "ru", "zh-CN"} {
				names[mmdbtype.String(l)] = mmdbtype.String("Country " + string([]rune{a, c}) + " " + l)
			}
			country := mmdbtype.Map{"iso_code": mmdbtype.String(string([]rune{a, c})), "geoname_id": mmdbtype.Uint32(rng.Uint32()), "names": names}
			records = append(records, mmdbtype.Map{
				"country":            country,
				"registered_country": country,
				"continent":          mmdbtype.Map{"code": mmdbtype.String("EU"), "names": names},
			})
		}
	}
	var addrs []netip.Addr
	for i := 0; i < nv4+nv6; i++ {
		var ip net.IP
		var bits int
		if i < nv4 {
			ip = net.IPv4(byte(1+rng.IntN(222)), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())).To4()
			bits = 16 + rng.IntN(13)
		} else {
			ip = make(net.IP, 16)
			ip[0], ip[1] = 0x2a, byte(rng.Uint32())
			for j := 2; j < 8; j++ {
				ip[j] = byte(rng.Uint32())
			}
			bits = 32 + rng.IntN(17)
		}
		n := &net.IPNet{IP: ip.Mask(net.CIDRMask(bits, len(ip)*8)), Mask: net.CIDRMask(bits, len(ip)*8)}
		if err := tree.Insert(n, records[rng.IntN(len(records))]); err != nil {
			b.Fatal(err)
		}
		a, _ := netip.AddrFromSlice(ip)
		addrs = append(addrs, a)
	}
	var buf bytes.Buffer
	if _, err := tree.WriteTo(&buf); err != nil {
		b.Fatal(err)
	}
	// Mix in addresses that are not in the database.
	for i := 0; i < len(addrs)/4; i++ {
		addrs = append(addrs, netip.AddrFrom4([4]byte{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())}))
	}
	rng.Shuffle(len(addrs), func(i, j int) { addrs[i], addrs[j] = addrs[j], addrs[i] })
	return buf.Bytes(), addrs
}

func BenchmarkCountry(b *testing.B) {
	data, addrs := bigDatabase(b, 250000, 100000)
	r, err := maxmind.OpenBytes(data)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("GeoLite2-size", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			r.Country(addrs[i%len(addrs)])
			i++
		}
	})
}

func BenchmarkCountryFixture(b *testing.B) {
	for _, name := range []string{"country.mmdb", "ipinfo-country.mmdb", "ipinfo-lite.mmdb"} {
		r, err := maxmind.Open(filepath.Join(testdataDir(b), name))
		if err != nil {
			b.Fatal(err)
		}
		ip := netip.MustParseAddr("2001:db8:4::1")
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if c, _ := r.Country(ip); c != "DE" {
					b.Fatal(c)
				}
			}
		})
	}
}
