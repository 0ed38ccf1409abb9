// Package ipset holds Set, an immutable set of IP addresses and CIDR prefixes
// (IPv4 and IPv6) with logarithmic, allocation-free lookups.
//
// IPv4 entries also match the IPv4-mapped IPv6 form of the same address
// (::ffff:192.0.2.1), and vice versa: addresses are compared in their
// unmapped form, so a client cannot slip past a list by switching notation.
package ipset

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// u128 is an address as a 128-bit number: IPv4 addresses live in the
// IPv4-mapped range ::ffff:0:0/96.
type u128 struct{ hi, lo uint64 }

func (a u128) less(b u128) bool { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }

func (a u128) next() (u128, bool) {
	if a.lo == ^uint64(0) {
		if a.hi == ^uint64(0) {
			return a, false
		}
		return u128{a.hi + 1, 0}, true
	}
	return u128{a.hi, a.lo + 1}, true
}

func fromAddr(a netip.Addr) u128 {
	b := a.As16()
	var hi, lo uint64
	for i := 0; i < 8; i++ {
		hi = hi<<8 | uint64(b[i])
		lo = lo<<8 | uint64(b[i+8])
	}
	return u128{hi, lo}
}

type span struct{ first, last u128 }

// Set is an immutable set of addresses and prefixes. The zero value is empty
// and ready to use. A Set is safe for concurrent use.
type Set struct {
	spans []span // sorted, non-overlapping, non-adjacent
	n     int
}

// ParsePrefix parses "192.0.2.1", "2001:db8::1", "10.0.0.0/8" or
// "2001:db8::/32" into a prefix (a bare address is a full-length prefix).
// Host bits are allowed and masked, IPv4-mapped IPv6 forms are unmapped, and
// zones are rejected.
func ParsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return netip.Prefix{}, fmt.Errorf("empty address")
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("invalid CIDR %q", s)
		}
		a := p.Addr()
		if a.Zone() != "" {
			return netip.Prefix{}, fmt.Errorf("invalid CIDR %q: zones are not allowed", s)
		}
		if a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("invalid IP address %q", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Parse builds a Set from address and CIDR strings. It reports every invalid
// entry, joined, and builds nothing if any entry is invalid.
func Parse(entries []string) (*Set, error) {
	prefixes := make([]netip.Prefix, 0, len(entries))
	var bad []string
	for _, e := range entries {
		p, err := ParsePrefix(e)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		prefixes = append(prefixes, p)
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	return New(prefixes), nil
}

// MustParse is Parse for tests and constants; it panics on invalid input.
func MustParse(entries ...string) *Set {
	s, err := Parse(entries)
	if err != nil {
		panic(err)
	}
	return s
}

// New builds a Set from prefixes.
func New(prefixes []netip.Prefix) *Set {
	spans := make([]span, 0, len(prefixes))
	for _, p := range prefixes {
		if !p.IsValid() {
			continue
		}
		a := p.Addr().Unmap()
		bits := p.Bits()
		if p.Addr().Is4In6() && bits >= 96 {
			bits -= 96
		} else if p.Addr().Is4In6() {
			a = p.Addr() // a short mapped prefix spans beyond IPv4; keep it as IPv6
		}
		p = netip.PrefixFrom(a, bits).Masked()
		first := fromAddr(p.Addr())
		last := first
		hostBits := p.Addr().BitLen() - p.Bits()
		// set the low hostBits bits of last
		if hostBits >= 64 {
			last.lo = ^uint64(0)
			last.hi |= lowMask(hostBits - 64)
		} else {
			last.lo |= lowMask(hostBits)
		}
		spans = append(spans, span{first, last})
	}
	slices.SortFunc(spans, func(a, b span) int {
		if a.first == b.first {
			return 0
		}
		if a.first.less(b.first) {
			return -1
		}
		return 1
	})
	merged := spans[:0]
	for _, s := range spans {
		if n := len(merged); n > 0 {
			prev := &merged[n-1]
			nx, ok := prev.last.next()
			if !ok || !nx.less(s.first) { // overlapping or adjacent
				if prev.last.less(s.last) {
					prev.last = s.last
				}
				continue
			}
		}
		merged = append(merged, s)
	}
	return &Set{spans: slices.Clip(merged), n: len(prefixes)}
}

func lowMask(bits int) uint64 {
	if bits >= 64 {
		return ^uint64(0)
	}
	return (uint64(1) << uint(bits)) - 1
}

// Contains reports whether a is in the set. Invalid addresses are never in
// the set.
func (s *Set) Contains(a netip.Addr) bool {
	if s == nil || len(s.spans) == 0 || !a.IsValid() {
		return false
	}
	x := fromAddr(a.Unmap())
	i, _ := slices.BinarySearchFunc(s.spans, x, func(sp span, t u128) int {
		switch {
		case t.less(sp.first):
			return 1
		case sp.last.less(t):
			return -1
		}
		return 0
	})
	if i < len(s.spans) {
		sp := s.spans[i]
		return !x.less(sp.first) && !sp.last.less(x)
	}
	return false
}

// Empty reports whether the set holds no addresses.
func (s *Set) Empty() bool { return s == nil || len(s.spans) == 0 }

// Len returns the number of entries the set was built from.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return s.n
}
