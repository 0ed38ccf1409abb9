package ipset

import (
	"net/netip"
	"strings"
	"testing"
)

func TestContains(t *testing.T) {
	set := MustParse("10.0.0.0/8", "192.168.1.7", "2001:db8::/32", "::1", "172.16.0.0/12", "10.1.0.0/16", "203.0.113.255")
	tests := []struct {
		addr string
		want bool
	}{
		{"10.0.0.0", true},
		{"10.255.255.255", true},
		{"11.0.0.0", false},
		{"9.255.255.255", false},
		{"192.168.1.7", true},
		{"192.168.1.8", false},
		{"::ffff:10.2.3.4", true}, // IPv4-mapped form of a listed IPv4
		{"::ffff:192.168.1.7", true},
		{"2001:db8::1", true},
		{"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true},
		{"2001:db9::", false},
		{"::1", true},
		{"::2", false},
		{"172.31.255.255", true},
		{"172.32.0.0", false},
		{"203.0.113.255", true},
		{"203.0.114.0", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := set.Contains(netip.MustParseAddr(tt.addr)); got != tt.want {
				t.Fatalf("Contains(%s) = %v, want %v", tt.addr, got, tt.want)
			}
		})
	}
	if set.Contains(netip.Addr{}) {
		t.Fatal("invalid address must not be contained")
	}
}

func TestMappedEntries(t *testing.T) {
	set := MustParse("::ffff:198.51.100.0/120", "::ffff:192.0.2.1")
	for _, a := range []string{"198.51.100.9", "::ffff:198.51.100.9", "192.0.2.1"} {
		if !set.Contains(netip.MustParseAddr(a)) {
			t.Errorf("%s not contained", a)
		}
	}
	if set.Contains(netip.MustParseAddr("198.51.101.1")) {
		t.Error("198.51.101.1 contained")
	}
}

func TestParseErrorsListEveryBadEntry(t *testing.T) {
	_, err := Parse([]string{"10.0.0.0/8", "300.1.1.1", "not-an-ip", "10.0.0.0/33", "fe80::1%eth0", ""})
	if err == nil {
		t.Fatal("want error")
	}
	for _, want := range []string{"300.1.1.1", "not-an-ip", "10.0.0.0/33", "fe80::1%eth0", "empty"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestEmptyAndNil(t *testing.T) {
	var s *Set
	if s.Contains(netip.MustParseAddr("1.2.3.4")) || !s.Empty() || s.Len() != 0 {
		t.Fatal("nil set must be empty")
	}
	e := MustParse()
	if !e.Empty() {
		t.Fatal("empty set")
	}
}

func TestMergesAdjacentAndAll(t *testing.T) {
	s := MustParse("0.0.0.0/1", "128.0.0.0/1", "::/0")
	if len(s.spans) != 1 {
		t.Fatalf("spans = %d, want 1 (everything)", len(s.spans))
	}
	if !s.Contains(netip.MustParseAddr("255.255.255.255")) || !s.Contains(netip.MustParseAddr("ffff::1")) {
		t.Fatal("full range lookups")
	}
}

func BenchmarkContains(b *testing.B) {
	entries := make([]string, 0, 5000)
	for i := 0; i < 5000; i++ {
		entries = append(entries, netip.AddrFrom4([4]byte{byte(i >> 8), byte(i), 0, 0}).String()+"/24")
	}
	s := MustParse(entries...)
	a := netip.MustParseAddr("19.136.0.77")
	b.ReportAllocs()
	for b.Loop() {
		s.Contains(a)
	}
}
