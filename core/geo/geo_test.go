package geo_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/guardgo/guard/core/geo"
)

func TestNormalizeCountry(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{in: "US", want: "US"},
		{in: "us", want: "US"},
		{in: " de ", want: "DE"},
		{in: "xk", want: "XK"},
		{in: "Gb", want: "GB"},
		{in: "UK", wantErr: `the United Kingdom is "GB"`},
		{in: "ZZ", wantErr: "not an assigned"},
		{in: "USA", wantErr: "alpha-2"},
		{in: "", wantErr: "alpha-2"},
		{in: "U1", wantErr: "alpha-2"},
		{in: "*", wantErr: "alpha-2"},
		{in: "ÜS", wantErr: "alpha-2"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := geo.NormalizeCountry(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NormalizeCountry(%q) error = %v, want containing %q", tt.in, err, tt.wantErr)
				}
				if !errors.Is(err, geo.ErrInvalidCountry) {
					t.Fatalf("error %v does not match ErrInvalidCountry", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("NormalizeCountry(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestNormalizeCountryAcceptsAllAssignedCodes(t *testing.T) {
	n := 0
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			if _, err := geo.NormalizeCountry(string([]rune{a, b})); err == nil {
				n++
			}
		}
	}
	// 249 officially assigned ISO 3166-1 alpha-2 codes plus XK.
	if n != 250 {
		t.Fatalf("accepted %d codes, want 250", n)
	}
}

func TestNormalizeCountries(t *testing.T) {
	got, err := geo.NormalizeCountries([]string{"cn", "RU", "CN"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "CN,RU" {
		t.Fatalf("got %v, want [CN RU]", got)
	}
	_, err = geo.NormalizeCountries([]string{"XX", "US", "QQ"})
	if err == nil || !strings.Contains(err.Error(), `"XX"`) || !strings.Contains(err.Error(), `"QQ"`) {
		t.Fatalf("want both bad codes reported, got %v", err)
	}
}

func testResolver(t *testing.T) geo.Resolver {
	t.Helper()
	r, err := geo.NewStaticResolver(map[netip.Prefix]string{
		netip.MustParsePrefix("203.0.113.0/24"):  "US",
		netip.MustParsePrefix("198.51.100.0/24"): "CN",
		netip.MustParsePrefix("192.0.2.0/24"):    "DE",
		netip.MustParsePrefix("192.0.2.128/25"):  "FR", // more specific wins
		netip.MustParsePrefix("2001:db8:1::/48"): "RU",
		netip.MustParsePrefix("10.1.0.0/16"):     "GB", // a private range the database happens to know
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestStaticResolver(t *testing.T) {
	r := testResolver(t)
	tests := []struct {
		ip     string
		want   string
		wantOK bool
	}{
		{"203.0.113.7", "US", true},
		{"::ffff:203.0.113.7", "US", true},
		{"192.0.2.1", "DE", true},
		{"192.0.2.200", "FR", true},
		{"2001:db8:1::5", "RU", true},
		{"2001:db8:2::5", "", false},
		{"8.8.8.8", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			got, ok := r.Country(netip.MustParseAddr(tt.ip))
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("Country(%s) = %q, %v; want %q, %v", tt.ip, got, ok, tt.want, tt.wantOK)
			}
		})
	}
	if _, err := geo.NewStaticResolver(map[netip.Prefix]string{netip.MustParsePrefix("1.0.0.0/8"): "XX"}); !errors.Is(err, geo.ErrInvalidCountry) {
		t.Fatalf("bad code accepted: %v", err)
	}
	var nilR *geo.StaticResolver
	if _, ok := nilR.Country(netip.MustParseAddr("203.0.113.7")); ok {
		t.Fatal("nil resolver resolved")
	}
}

func TestPolicyDecide(t *testing.T) {
	r := testResolver(t)
	tests := []struct {
		name       string
		cfg        geo.PolicyConfig
		noResolver bool
		ip         string
		blocked    bool
		country    string
		reason     geo.Reason
	}{
		{name: "no rules", cfg: geo.PolicyConfig{}, ip: "198.51.100.1", reason: geo.ReasonNoRules},
		{name: "blocked country", cfg: geo.PolicyConfig{Blocked: []string{"cn"}}, ip: "198.51.100.1", blocked: true, country: "CN", reason: geo.ReasonBlocked},
		{name: "blocked country via mapped v6", cfg: geo.PolicyConfig{Blocked: []string{"CN"}}, ip: "::ffff:198.51.100.1", blocked: true, country: "CN", reason: geo.ReasonBlocked},
		{name: "other country passes block list", cfg: geo.PolicyConfig{Blocked: []string{"CN"}}, ip: "203.0.113.1", country: "US", reason: geo.ReasonAllowed},
		{name: "unresolved passes block list", cfg: geo.PolicyConfig{Blocked: []string{"CN"}}, ip: "8.8.8.8", reason: geo.ReasonAllowed},
		{name: "ipv6 blocked", cfg: geo.PolicyConfig{Blocked: []string{"RU"}}, ip: "2001:db8:1::1", blocked: true, country: "RU", reason: geo.ReasonBlocked},
		{name: "allow list admits", cfg: geo.PolicyConfig{Allowed: []string{"US"}}, ip: "203.0.113.1", country: "US", reason: geo.ReasonAllowed},
		{name: "allow list refuses others", cfg: geo.PolicyConfig{Allowed: []string{"US"}}, ip: "192.0.2.1", blocked: true, country: "DE", reason: geo.ReasonNotAllowed},
		{name: "allow list refuses unresolved", cfg: geo.PolicyConfig{Allowed: []string{"US"}}, ip: "8.8.8.8", blocked: true, reason: geo.ReasonUnresolved},
		{name: "allow list wins over block list", cfg: geo.PolicyConfig{Allowed: []string{"US"}, Blocked: []string{"US", "CN"}}, ip: "203.0.113.1", country: "US", reason: geo.ReasonAllowed},
		{name: "both lists, blocked country", cfg: geo.PolicyConfig{Allowed: []string{"US"}, Blocked: []string{"CN"}}, ip: "198.51.100.9", blocked: true, country: "CN", reason: geo.ReasonBlocked},
		{name: "loopback v4 exempt", cfg: geo.PolicyConfig{Allowed: []string{"US"}}, ip: "127.0.0.1", reason: geo.ReasonExempt},
		{name: "loopback v6 exempt", cfg: geo.PolicyConfig{Allowed: []string{"US"}}, ip: "::1", reason: geo.ReasonExempt},
		{name: "mapped loopback exempt", cfg: geo.PolicyConfig{Allowed: []string{"US"}}, ip: "::ffff:127.0.0.1", reason: geo.ReasonExempt},
		{name: "private not exempt by default", cfg: geo.PolicyConfig{Allowed: []string{"US"}}, ip: "10.9.8.7", blocked: true, reason: geo.ReasonUnresolved},
		{name: "private exempt when asked", cfg: geo.PolicyConfig{Allowed: []string{"US"}, ExemptPrivate: true}, ip: "10.9.8.7", reason: geo.ReasonExempt},
		{name: "CGNAT exempt when asked", cfg: geo.PolicyConfig{Allowed: []string{"US"}, ExemptPrivate: true}, ip: "100.100.1.1", reason: geo.ReasonExempt},
		{name: "ULA exempt when asked", cfg: geo.PolicyConfig{Allowed: []string{"US"}, ExemptPrivate: true}, ip: "fd00::1", reason: geo.ReasonExempt},
		{name: "private resolved by database, not exempt", cfg: geo.PolicyConfig{Blocked: []string{"GB"}}, ip: "10.1.2.3", blocked: true, country: "GB", reason: geo.ReasonBlocked},
		{name: "public not exempt with ExemptPrivate", cfg: geo.PolicyConfig{Blocked: []string{"CN"}, ExemptPrivate: true}, ip: "198.51.100.1", blocked: true, country: "CN", reason: geo.ReasonBlocked},
		{name: "nil resolver fails closed with allow list", cfg: geo.PolicyConfig{Allowed: []string{"US"}}, noResolver: true, ip: "203.0.113.1", blocked: true, reason: geo.ReasonUnresolved},
		{name: "invalid address is unresolved", cfg: geo.PolicyConfig{Allowed: []string{"US"}}, ip: "", blocked: true, reason: geo.ReasonUnresolved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := geo.NewPolicy(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			res := r
			if tt.noResolver {
				res = nil
			}
			var ip netip.Addr
			if tt.ip != "" {
				ip = netip.MustParseAddr(tt.ip)
			}
			got := p.Decide(res, ip)
			want := geo.Verdict{Blocked: tt.blocked, Country: tt.country, Reason: tt.reason}
			if got != want {
				t.Fatalf("Decide(%s) = %+v, want %+v", tt.ip, got, want)
			}
		})
	}
}

func TestPolicyValidation(t *testing.T) {
	_, err := geo.NewPolicy(geo.PolicyConfig{Blocked: []string{"CN", "XX"}, Allowed: []string{"USA"}})
	if !errors.Is(err, geo.ErrInvalidCountry) {
		t.Fatalf("want ErrInvalidCountry, got %v", err)
	}
	for _, want := range []string{`"XX"`, `"USA"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestPolicyEmptyAndLists(t *testing.T) {
	var nilP *geo.Policy
	if !nilP.Empty() || nilP.Decide(nil, netip.MustParseAddr("1.2.3.4")).Blocked {
		t.Fatal("nil policy must be empty and block nothing")
	}
	p, err := geo.NewPolicy(geo.PolicyConfig{Blocked: []string{"cn", "ru"}, Allowed: []string{"us"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Empty() {
		t.Fatal("policy with rules reported empty")
	}
	b := p.Blocked()
	b[0] = "mutated"
	if got := p.Blocked(); strings.Join(got, ",") != "CN,RU" {
		t.Fatalf("Blocked() = %v (copy not isolated?)", got)
	}
	if got := p.Allowed(); strings.Join(got, ",") != "US" {
		t.Fatalf("Allowed() = %v", got)
	}
}

func TestResolverFunc(t *testing.T) {
	var r geo.Resolver = geo.ResolverFunc(func(netip.Addr) (string, bool) { return "JP", true })
	p, _ := geo.NewPolicy(geo.PolicyConfig{Blocked: []string{"JP"}})
	if v := p.Decide(r, netip.MustParseAddr("192.0.2.1")); !v.Blocked || v.Country != "JP" {
		t.Fatalf("got %+v", v)
	}
}

func TestCountryMap(t *testing.T) {
	m, err := geo.NewCountryMap(map[string]int{"us": 100, "*": 10, "DE": 50})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		country string
		want    int
		key     string
		ok      bool
	}{
		{"US", 100, "US", true},
		{"DE", 50, "DE", true},
		{"CN", 10, "*", true},
		{"", 10, "*", true},
	}
	for _, tt := range tests {
		t.Run(tt.country, func(t *testing.T) {
			v, k, ok := m.Lookup(tt.country)
			if v != tt.want || k != tt.key || ok != tt.ok {
				t.Fatalf("Lookup(%q) = %d, %q, %v", tt.country, v, k, ok)
			}
		})
	}
	if m.Len() != 3 {
		t.Fatalf("Len = %d", m.Len())
	}
	noWild, _ := geo.NewCountryMap(map[string]int{"US": 1})
	if _, _, ok := noWild.Lookup("CN"); ok {
		t.Fatal("lookup without wildcard matched")
	}
	if _, err := geo.NewCountryMap(map[string]int{"US": 1, "us": 2}); err == nil {
		t.Fatal("duplicate keys accepted")
	}
	if _, err := geo.NewCountryMap(map[string]int{"XX": 1}); !errors.Is(err, geo.ErrInvalidCountry) {
		t.Fatalf("bad key: %v", err)
	}
}
