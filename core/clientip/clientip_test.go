package clientip

import (
	"net/netip"
	"testing"

	"github.com/guardgo/guard/core/ipset"
)

func TestResolve(t *testing.T) {
	trusted := ipset.MustParse("127.0.0.1", "10.0.0.0/8", "::1")
	tests := []struct {
		name  string
		depth int
		peer  string
		xff   []string
		want  string
	}{
		{"untrusted peer ignores header", 1, "203.0.113.5", []string{"1.2.3.4"}, "203.0.113.5"},
		{"trusted peer, one entry", 1, "127.0.0.1", []string{"1.2.3.4"}, "1.2.3.4"},
		{"rightmost wins at depth 1", 1, "127.0.0.1", []string{"6.6.6.6, 1.2.3.4"}, "1.2.3.4"},
		{"depth 2 reads second from right", 2, "10.0.0.2", []string{"1.2.3.4, 10.0.0.9"}, "1.2.3.4"},
		{"depth across header lines", 2, "10.0.0.2", []string{"1.2.3.4", "10.0.0.9"}, "1.2.3.4"},
		{"spoofed left entries ignored at depth 2", 2, "10.0.0.2", []string{"9.9.9.9, 1.2.3.4, 10.0.0.9"}, "1.2.3.4"},
		{"too few entries -> peer", 3, "10.0.0.2", []string{"1.2.3.4, 10.0.0.9"}, "10.0.0.2"},
		{"garbage -> peer", 1, "127.0.0.1", []string{"not-an-ip"}, "127.0.0.1"},
		{"garbage on the path -> peer", 2, "127.0.0.1", []string{"1.2.3.4, bogus"}, "127.0.0.1"},
		{"empty element -> peer", 1, "127.0.0.1", []string{"1.2.3.4, "}, "127.0.0.1"},
		{"ipv6 client", 1, "::1", []string{"2001:db8::7"}, "2001:db8::7"},
		{"bracketed v6 with port", 1, "::1", []string{"[2001:db8::7]:443"}, "2001:db8::7"},
		{"v4 with port", 1, "::1", []string{"1.2.3.4:5555"}, "1.2.3.4"},
		{"mapped client unmapped", 1, "127.0.0.1", []string{"::ffff:1.2.3.4"}, "1.2.3.4"},
		{"mapped trusted peer", 1, "::ffff:127.0.0.1", []string{"1.2.3.4"}, "1.2.3.4"},
		{"zone rejected", 1, "127.0.0.1", []string{"fe80::1%eth0"}, "127.0.0.1"},
		{"blank header line skipped", 1, "127.0.0.1", []string{"1.2.3.4", " "}, "1.2.3.4"},
		{"no header", 1, "127.0.0.1", nil, "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New(trusted, tt.depth)
			peer := netip.MustParseAddr(tt.peer).Unmap()
			got := r.Resolve(peer, tt.xff)
			if got != netip.MustParseAddr(tt.want) {
				t.Fatalf("Resolve = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParsePeer(t *testing.T) {
	tests := map[string]string{
		"1.2.3.4:80":            "1.2.3.4",
		"[2001:db8::1]:443":     "2001:db8::1",
		"[::ffff:1.2.3.4]:1":    "1.2.3.4",
		"1.2.3.4":               "1.2.3.4",
		"[fe80::1%eth0]:80":     "fe80::1",
		"garbage":               "invalid IP",
		"":                      "invalid IP",
		"@":                     "invalid IP",
		"unix:/var/run/x.sock":  "invalid IP",
		"999.1.1.1:80":          "invalid IP",
		"[2001:db8::1]":         "2001:db8::1",
		"2001:db8::1":           "2001:db8::1",
		"127.0.0.1:0":           "127.0.0.1",
		"::ffff:127.0.0.1":      "127.0.0.1",
		"[::ffff:10.0.0.1]:999": "10.0.0.1",
	}
	for in, want := range tests {
		if got := ParsePeer(in).String(); got != want {
			t.Errorf("ParsePeer(%q) = %s, want %s", in, got, want)
		}
	}
}

func FuzzResolve(f *testing.F) {
	f.Add("127.0.0.1", "1.2.3.4, 5.6.7.8", 2)
	f.Add("::1", ",,,", 1)
	f.Add("127.0.0.1", "[::1]:80,  ", 3)
	r := New(ipset.MustParse("0.0.0.0/0", "::/0"), 1)
	f.Fuzz(func(t *testing.T, peer, xff string, depth int) {
		r := r
		if depth > 0 && depth < 10 {
			r = New(ipset.MustParse("0.0.0.0/0", "::/0"), depth)
		}
		got := r.Resolve(ParsePeer(peer), []string{xff})
		_ = got
	})
}
