// Package geo holds guard's country rules: the Resolver interface that maps an
// IP address to an ISO 3166-1 alpha-2 country code, country-code validation,
// and Policy, the compiled allow/block country sets evaluated by pipeline
// step 6.
//
// The package is pure: it reads no files and starts no goroutines. A
// MaxMind-format database reader and downloader implementing Resolver lives
// in the separate module github.com/guardgo/guard/core/geo/maxmind, so users
// who do not block by country never download its dependencies.
//
// Security caveat: geolocation is a heuristic. Databases are wrong for a few
// percent of addresses, VPNs and proxies move a client to any country it
// likes, and an address that resolves to no country is common for new
// allocations. Country rules raise the cost of abuse; they are not access
// control.
package geo

import (
	"net/netip"
)

// Resolver maps an IP address to the country it is located in.
//
// Country returns the ISO 3166-1 alpha-2 code in upper case ("US", "DE") and
// true, or "" and false when the address is not in the database or the
// database is not loaded yet. Implementations must be safe for concurrent use
// and should not allocate: Country runs on every request that has country
// rules.
type Resolver interface {
	Country(ip netip.Addr) (iso string, ok bool)
}

// ResolverFunc adapts a function to the Resolver interface.
type ResolverFunc func(ip netip.Addr) (string, bool)

// Country calls f(ip).
func (f ResolverFunc) Country(ip netip.Addr) (string, bool) { return f(ip) }

// StaticResolver is a Resolver over a fixed table of prefixes, for tests and
// small deployments. The most specific prefix containing the address wins.
// Build it with NewStaticResolver; the zero value resolves nothing.
type StaticResolver struct {
	entries []staticEntry // sorted by prefix length, longest first
}

type staticEntry struct {
	prefix  netip.Prefix
	country string
}

var _ Resolver = (*StaticResolver)(nil)

// NewStaticResolver builds a StaticResolver from prefix → country code. Every
// code is validated with NormalizeCountry and every prefix is canonicalised
// (masked, IPv4-mapped IPv6 prefixes turned into IPv4).
func NewStaticResolver(table map[netip.Prefix]string) (*StaticResolver, error) {
	r := &StaticResolver{entries: make([]staticEntry, 0, len(table))}
	var errs []error
	for p, c := range table {
		code, err := NormalizeCountry(c)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !p.IsValid() {
			errs = append(errs, &CountryError{Code: c, Reason: "invalid prefix for country"})
			continue
		}
		r.entries = append(r.entries, staticEntry{prefix: canonicalPrefix(p), country: code})
	}
	if err := joinErrors(errs); err != nil {
		return nil, err
	}
	// Longest prefix first so the first match is the most specific.
	sortEntries(r.entries)
	return r, nil
}

// Country implements Resolver.
func (r *StaticResolver) Country(ip netip.Addr) (string, bool) {
	if r == nil {
		return "", false
	}
	ip = ip.Unmap().WithZone("")
	for _, e := range r.entries {
		if e.prefix.Contains(ip) {
			return e.country, true
		}
	}
	return "", false
}

func canonicalPrefix(p netip.Prefix) netip.Prefix {
	a := p.Addr()
	if a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked()
}

func sortEntries(es []staticEntry) {
	// Insertion sort is enough for the small tables this type is meant for,
	// and keeps the order deterministic for equal lengths.
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && less(es[j], es[j-1]); j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

func less(a, b staticEntry) bool {
	if a.prefix.Bits() != b.prefix.Bits() {
		return a.prefix.Bits() > b.prefix.Bits()
	}
	return a.prefix.Addr().Less(b.prefix.Addr())
}
