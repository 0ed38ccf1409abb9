package maxmind

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// randomDB builds a database with n random networks, some nested, over a few
// countries.
func randomDB(t *testing.T, rng *rand.Rand, recordSize, ipVersion, n int) []byte {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType: "GeoLite2-Country", Description: map[string]string{"en": "random"},
		RecordSize: recordSize, IPVersion: ipVersion, IncludeReservedNetworks: true, BuildEpoch: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	codes := []string{"US", "DE", "JP", "BR", "FR"}
	for i := 0; i < n; i++ {
		var ip net.IP
		var bits int
		if ipVersion == 4 || rng.IntN(2) == 0 {
			ip = net.IPv4(byte(rng.IntN(4)), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())).To4()
			bits = 1 + rng.IntN(32)
		} else {
			ip = make(net.IP, 16)
			ip[0], ip[1], ip[2] = 0x2a, byte(rng.IntN(3)), byte(rng.Uint32())
			bits = 8 + rng.IntN(121)
		}
		mask := net.CIDRMask(bits, len(ip)*8)
		rec := mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String(codes[rng.IntN(len(codes))])}}
		if err := tree.Insert(&net.IPNet{IP: ip.Mask(mask), Mask: mask}, rec); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := tree.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestTreeMatchesMaxminddb compares the jump-table walk with
// maxminddb-golang's own lookup on random databases of every record size.
func TestTreeMatchesMaxminddb(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct{ recordSize, ipVersion int }{{24, 6}, {28, 6}, {32, 6}, {24, 4}, {28, 4}} {
		t.Run(fmt.Sprintf("record%d-ipv%d", tc.recordSize, tc.ipVersion), func(t *testing.T) {
			r, err := OpenBytes(randomDB(t, rng, tc.recordSize, tc.ipVersion, 3000))
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 20000; i++ {
				var ip netip.Addr
				if i%10 == 1 { // IPv4 aliases in IPv6 databases: 6to4 and Teredo
					var b [16]byte
					b[0], b[1] = 0x20, byte(1+rng.IntN(2))
					for j := 2; j < 16; j++ {
						if b[1] == 2 || j >= 4 {
							b[j] = byte(rng.IntN(5))
						}
					}
					ip = netip.AddrFrom16(b)
				} else if i%2 == 0 {
					ip = netip.AddrFrom4([4]byte{byte(rng.IntN(5)), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())})
				} else {
					var b [16]byte
					b[0], b[1], b[2] = 0x2a, byte(rng.IntN(4)), byte(rng.Uint32())
					for j := 3; j < 16; j++ {
						b[j] = byte(rng.Uint32())
					}
					ip = netip.AddrFrom16(b)
				}
				want := r.db.Lookup(ip)
				off, found := r.tree.lookup(ip)
				if found != want.Found() || (found && off != want.Offset()) {
					t.Fatalf("lookup(%s) = %d, %v; maxminddb: %d, %v", ip, off, found, want.Offset(), want.Found())
				}
				if found {
					var code string
					_ = want.DecodePath(&code, "country", "iso_code")
					if got, _ := r.Country(ip); got != code {
						t.Fatalf("Country(%s) = %q, want %q", ip, got, code)
					}
				}
			}
		})
	}
}

func TestNewTreeRejectsBadMetadata(t *testing.T) {
	buf := make([]byte, 60)
	for _, tc := range []struct {
		name                   string
		nodes, record, version uint
	}{
		{"record size", 1, 20, 6},
		{"no nodes", 0, 24, 6},
		{"tree larger than file", 11, 24, 6},
	} {
		if _, err := newTree(buf, tc.nodes, tc.record, tc.version); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	if _, err := newTree(buf, 10, 24, 6); err != nil {
		t.Errorf("valid size rejected: %v", err)
	}
}
