package maxmind_test

import (
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/guardgo/guard/core/geo/maxmind"
)

// FuzzOpenBytes feeds corrupted databases to OpenBytes and Country: they
// must fail or answer, never panic, and any answer must be a valid code.
func FuzzOpenBytes(f *testing.F) {
	for _, name := range []string{"country.mmdb", "ipinfo-country.mmdb", "ipinfo-lite.mmdb"} {
		b, err := os.ReadFile(filepath.Join(testdataDir(f), name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint16(0), byte(0))
		f.Add(b, uint16(len(b)/2), byte(0xff))
	}
	addrs := []netip.Addr{
		netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("203.0.113.200"),
		netip.MustParseAddr("2001:db8:4::1"), netip.MustParseAddr("8.8.8.8"),
	}
	f.Fuzz(func(t *testing.T, db []byte, at uint16, val byte) {
		if int(at) < len(db) {
			db = append([]byte(nil), db...)
			db[at] = val
		}
		r, err := maxmind.OpenBytes(db)
		if err != nil {
			return
		}
		for _, a := range addrs {
			if c, ok := r.Country(a); ok && (len(c) != 2 || c[0] < 'A' || c[0] > 'Z') {
				t.Fatalf("Country(%s) = %q", a, c)
			}
		}
		// Verify is not fuzzed: on corrupt metadata it may legitimately walk a huge tree.
	})
}

// TestCorruptDatabases flips random bytes of every fixture (a deterministic
// stand-in for long fuzzing runs): OpenBytes and Country must fail or answer
// a valid code, never panic or hang.
func TestCorruptDatabases(t *testing.T) {
	addrs := []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8:4::1")}
	for _, name := range []string{"country.mmdb", "ipinfo-country.mmdb", "ipinfo-lite.mmdb"} {
		orig, err := os.ReadFile(filepath.Join(testdataDir(t), name))
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(uint64(len(orig)), 9))
		for i := 0; i < 400; i++ {
			db := append([]byte(nil), orig...)
			for k := 0; k < 1+rng.IntN(4); k++ {
				db[rng.IntN(len(db))] = byte(rng.Uint32())
			}
			r, err := maxmind.OpenBytes(db)
			if err != nil {
				continue
			}
			for _, a := range addrs {
				if c, ok := r.Country(a); ok && len(c) != 2 {
					t.Fatalf("%s mutation %d: Country(%s) = %q", name, i, a, c)
				}
			}
		}
	}
}
