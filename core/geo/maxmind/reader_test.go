package maxmind_test

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/guardgo/guard/core/geo"
	"github.com/guardgo/guard/core/geo/maxmind"
	"github.com/guardgo/guard/core/geo/maxmind/internal/mmdbfixture"
)

func testdataDir(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate test file")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "geo")
}

// fixtureLookups is the table in testdata/geo/README.md: addresses and the
// country every fixture database must return ("" = not in the database).
var fixtureLookups = []struct {
	ip      string
	country string
}{
	{"192.0.2.1", "US"},
	{"192.0.2.33", "CN"},
	{"192.0.2.65", "RU"},
	{"192.0.2.97", "DE"},
	{"192.0.2.129", "FR"},
	{"192.0.2.161", "GB"},
	{"192.0.2.193", "JP"},
	{"192.0.2.209", "BR"},
	{"192.0.2.225", ""},
	{"198.51.100.7", "US"},
	{"203.0.113.7", "CN"},
	{"203.0.113.200", "NL"}, // MaxMind layout: registered_country only
	{"::ffff:192.0.2.33", "CN"},
	{"2001:db8:1::1", "US"},
	{"2001:db8:2::1", "CN"},
	{"2001:db8:3::1", "RU"},
	{"2001:db8:4::1", "DE"},
	{"2001:db8:5::1", "FR"},
	{"2001:db8:6::1", "GB"},
	{"2001:db8:7::1", "JP"},
	{"2001:db8:8::1", "BR"},
	{"2001:db8:ff::1", ""},
	{"8.8.8.8", ""},
	{"10.0.0.1", ""},
	{"127.0.0.1", ""},
	{"::1", ""},
}

func TestFixtureLookups(t *testing.T) {
	for name := range mmdbfixture.Files() {
		t.Run(name, func(t *testing.T) {
			r, err := maxmind.Open(filepath.Join(testdataDir(t), name))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for _, tt := range fixtureLookups {
				// Twice: the first decodes, the second hits the cache.
				for i := 0; i < 2; i++ {
					got, ok := r.Country(netip.MustParseAddr(tt.ip))
					if got != tt.country || ok != (tt.country != "") {
						t.Fatalf("Country(%s) = %q, %v; want %q", tt.ip, got, ok, tt.country)
					}
				}
			}
			if err := r.Verify(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestFixtureTableMatchesGenerator(t *testing.T) {
	// Every generated network is covered by the documented lookups.
	for _, n := range mmdbfixture.Networks() {
		p := netip.MustParsePrefix(n.Prefix)
		found := false
		for _, tt := range fixtureLookups {
			if p.Contains(netip.MustParseAddr(tt.ip).Unmap()) {
				found = true
			}
		}
		if !found {
			t.Errorf("network %s has no documented lookup", n.Prefix)
		}
	}
}

// TestFixturesUpToDate regenerates the databases and compares them with the
// committed files. Run `go run ./internal/mkfixture` after changing the
// generator.
func TestFixturesUpToDate(t *testing.T) {
	for name, layout := range mmdbfixture.Files() {
		t.Run(name, func(t *testing.T) {
			want, err := mmdbfixture.Build(layout)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(testdataDir(t), name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("testdata/geo/%s is stale: run `go run ./internal/mkfixture` in core/geo/maxmind", name)
			}
		})
	}
}

func TestMetadata(t *testing.T) {
	r, err := maxmind.Open(filepath.Join(testdataDir(t), "country.mmdb"))
	if err != nil {
		t.Fatal(err)
	}
	if r.DatabaseType() != "GeoLite2-Country" || r.BuildTime().Unix() != mmdbfixture.BuildEpoch {
		t.Fatalf("metadata: %q %v", r.DatabaseType(), r.BuildTime())
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.mmdb")
	garbage := filepath.Join(dir, "garbage.mmdb")
	_ = os.WriteFile(empty, nil, 0o600)
	_ = os.WriteFile(garbage, bytes.Repeat([]byte("not a database "), 100), 0o600)
	tests := []struct {
		name, path string
	}{
		{"missing", filepath.Join(dir, "missing.mmdb")},
		{"empty", empty},
		{"garbage", garbage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r, err := maxmind.Open(tt.path); err == nil {
				r.Close()
				t.Fatal("Open succeeded")
			}
		})
	}
	if _, err := maxmind.OpenBytes(nil); err == nil {
		t.Fatal("OpenBytes(nil) succeeded")
	}
	if _, err := maxmind.Open(filepath.Join(dir, "missing.mmdb")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file error %v does not match os.ErrNotExist", err)
	}
}

func TestCloseAndNil(t *testing.T) {
	r, err := maxmind.Open(filepath.Join(testdataDir(t), "country.mmdb"))
	if err != nil {
		t.Fatal(err)
	}
	ip := netip.MustParseAddr("192.0.2.1")
	if _, ok := r.Country(ip); !ok {
		t.Fatal("not resolved before Close")
	}
	_ = r.Close()
	_ = r.Close()
	if _, ok := r.Country(ip); ok {
		t.Fatal("resolved after Close")
	}
	var nilR *maxmind.Reader
	if _, ok := nilR.Country(ip); ok {
		t.Fatal("nil reader resolved")
	}
	if _, ok := r.Country(netip.Addr{}); ok {
		t.Fatal("invalid address resolved")
	}
}

func TestPolicyWithReader(t *testing.T) {
	r, err := maxmind.Open(filepath.Join(testdataDir(t), "ipinfo-lite.mmdb"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := geo.NewPolicy(geo.PolicyConfig{Blocked: []string{"CN", "RU"}})
	if err != nil {
		t.Fatal(err)
	}
	if v := p.Decide(r, netip.MustParseAddr("2001:db8:3::9")); !v.Blocked || v.Country != "RU" {
		t.Fatalf("verdict %+v", v)
	}
	if v := p.Decide(r, netip.MustParseAddr("192.0.2.1")); v.Blocked {
		t.Fatalf("verdict %+v", v)
	}
}

func TestConcurrentLookups(t *testing.T) {
	r, err := maxmind.Open(filepath.Join(testdataDir(t), "country.mmdb"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Go(func() {
			for i := 0; i < 500; i++ {
				for _, tt := range fixtureLookups {
					if got, _ := r.Country(netip.MustParseAddr(tt.ip)); got != tt.country {
						t.Errorf("Country(%s) = %q under concurrency", tt.ip, got)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}
