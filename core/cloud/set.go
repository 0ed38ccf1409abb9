package cloud

import (
	"encoding/binary"
	"net/netip"
	"slices"
)

// Set is an immutable map from IP address to the providers whose published
// ranges contain it. Build it with NewSet; a nil *Set is empty.
//
// Representation: for each address family, the address space is cut into
// maximal runs in which the set of matching providers is constant; the runs'
// start addresses are kept sorted in one array and their provider sets in a
// parallel one. A lookup is one binary search over the starts (about 14
// comparisons for AWS's ~10,000 prefixes), never a linear scan, and does not
// allocate. Overlapping prefixes, of one provider or several, are merged at
// build time; an address in two providers' ranges reports both.
type Set struct {
	v4Start []uint32
	v4Match []Providers
	v6Start []u128
	v6Match []Providers
	counts  [numProviders + 1]int
}

// u128 is an IPv6 address as two big-endian halves.
type u128 struct{ hi, lo uint64 }

func (a u128) less(b u128) bool { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }

func (a u128) cmp(b u128) int {
	switch {
	case a.less(b):
		return -1
	case b.less(a):
		return 1
	}
	return 0
}

func (a u128) addOne() (u128, bool) {
	lo := a.lo + 1
	hi := a.hi
	if lo == 0 {
		hi++
		if hi == 0 {
			return u128{}, true // overflow: a was the last address
		}
	}
	return u128{hi, lo}, false
}

func v6Key(ip netip.Addr) u128 {
	b := ip.As16()
	return u128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

func v4Key(ip netip.Addr) uint32 {
	b := ip.As4()
	return binary.BigEndian.Uint32(b[:])
}

type event struct {
	at    u128
	p     Provider
	delta int
}

// NewSet compiles the given prefixes per provider. Prefixes are canonicalised
// (masked; IPv4-mapped IPv6 prefixes become IPv4); invalid prefixes and
// invalid providers are ignored.
func NewSet(ranges map[Provider][]netip.Prefix) *Set {
	s := &Set{}
	var ev4, ev6 []event
	for p, prefixes := range ranges {
		if !p.Valid() {
			continue
		}
		for _, pfx := range prefixes {
			if !pfx.IsValid() {
				continue
			}
			a := pfx.Addr()
			if a.Is4In6() {
				if pfx.Bits() < 96 {
					continue
				}
				pfx = netip.PrefixFrom(a.Unmap(), pfx.Bits()-96)
			}
			pfx = pfx.Masked()
			s.counts[p]++
			if pfx.Addr().Is4() {
				start := uint64(v4Key(pfx.Addr()))
				end := start + (uint64(1) << (32 - pfx.Bits()))
				ev4 = append(ev4, event{at: u128{lo: start}, p: p, delta: 1})
				if end <= 0xFFFFFFFF {
					ev4 = append(ev4, event{at: u128{lo: end}, p: p, delta: -1})
				}
				continue
			}
			start := v6Key(pfx.Addr())
			last := start
			host := 128 - pfx.Bits()
			switch {
			case host >= 64:
				last.lo = ^uint64(0)
				if host > 64 {
					last.hi |= (uint64(1) << (host - 64)) - 1
				}
			case host > 0:
				last.lo |= (uint64(1) << host) - 1
			}
			ev6 = append(ev6, event{at: start, p: p, delta: 1})
			if end, overflow := last.addOne(); !overflow {
				ev6 = append(ev6, event{at: end, p: p, delta: -1})
			}
		}
	}
	starts4, match4 := sweep(ev4)
	s.v4Start = make([]uint32, len(starts4))
	for i, a := range starts4 {
		s.v4Start[i] = uint32(a.lo)
	}
	s.v4Match = match4
	s.v6Start, s.v6Match = sweep(ev6)
	return s
}

// sweep turns +1/-1 events into runs of constant provider sets. The first run
// always starts at address 0.
func sweep(ev []event) ([]u128, []Providers) {
	slices.SortFunc(ev, func(a, b event) int { return a.at.cmp(b.at) })
	starts := []u128{{}}
	match := []Providers{0}
	var counts [numProviders + 1]int
	for i := 0; i < len(ev); {
		at := ev[i].at
		for ; i < len(ev) && ev[i].at == at; i++ {
			counts[ev[i].p] += ev[i].delta
		}
		var m Providers
		for p := AWS; p <= Cloudflare; p++ {
			if counts[p] > 0 {
				m = m.With(p)
			}
		}
		last := len(starts) - 1
		switch {
		case m == match[last]:
			// no change
		case starts[last] == at:
			match[last] = m
			if last > 0 && match[last-1] == m {
				starts, match = starts[:last], match[:last]
			}
		default:
			starts = append(starts, at)
			match = append(match, m)
		}
	}
	return slices.Clip(starts), slices.Clip(match)
}

// Match returns every provider whose ranges contain ip (empty if none).
// IPv4-mapped IPv6 addresses are looked up as IPv4; zones are ignored.
func (s *Set) Match(ip netip.Addr) Providers {
	if s == nil || !ip.IsValid() {
		return 0
	}
	ip = ip.Unmap()
	if ip.Is4() {
		x := v4Key(ip)
		starts := s.v4Start
		lo, hi := 0, len(starts)
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if starts[mid] <= x {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo == 0 {
			return 0
		}
		return s.v4Match[lo-1]
	}
	x := v6Key(ip)
	starts := s.v6Start
	lo, hi := 0, len(starts)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if st := starts[mid]; st.hi < x.hi || (st.hi == x.hi && st.lo <= x.lo) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return 0
	}
	return s.v6Match[lo-1]
}

// Lookup returns the provider whose ranges contain ip. When the ranges of
// several providers overlap at ip, the first in canonical order is returned;
// use Match to see them all.
func (s *Set) Lookup(ip netip.Addr) (Provider, bool) {
	return s.Match(ip).First()
}

// Contains reports whether ip is in the ranges of any provider in among.
func (s *Set) Contains(ip netip.Addr, among Providers) bool {
	return s.Match(ip)&among != 0
}

// Len returns how many prefixes provider p contributed (before merging).
func (s *Set) Len(p Provider) int {
	if s == nil || !p.Valid() {
		return 0
	}
	return s.counts[p]
}

// Providers returns the set of providers that contributed at least one
// prefix.
func (s *Set) Providers() Providers {
	var out Providers
	for p := AWS; p <= Cloudflare; p++ {
		if s.Len(p) > 0 {
			out = out.With(p)
		}
	}
	return out
}
