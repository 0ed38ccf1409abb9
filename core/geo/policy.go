package geo

import (
	"net/netip"
)

// PolicyConfig is the plain-data form of a set of country rules: the global
// blocked_countries / whitelist_countries, or a route's block_countries /
// allow_countries.
type PolicyConfig struct {
	// Blocked lists countries whose clients are refused.
	Blocked []string
	// Allowed, when non-empty, is restrictive: only clients resolved to one
	// of these countries pass, and clients whose country cannot be resolved
	// are refused.
	Allowed []string
	// ExemptPrivate exempts private (RFC 1918, RFC 4193), link-local,
	// carrier-grade NAT (100.64.0.0/10) and unspecified addresses from the
	// rules, as loopback always is. Off by default: such addresses resolve to
	// no country, so with an allow list they are refused, which is what you
	// want when guard sits behind a proxy that trusted_proxies does not name
	// (every client then looks private, and exempting them would silently
	// disable the rules). Turn it on for internal health checks that reach the
	// service directly.
	ExemptPrivate bool
}

// Reason is the stable, machine-readable outcome of Policy.Decide.
type Reason string

// Decide's outcomes.
const (
	// ReasonNoRules: the policy has no country rules; nothing was resolved.
	ReasonNoRules Reason = "no_country_rules"
	// ReasonExempt: the address is loopback (or private with ExemptPrivate).
	ReasonExempt Reason = "country_exempt"
	// ReasonAllowed: the country is on the allow list, or on no list while
	// only a block list is set, or unresolved while only a block list is set.
	ReasonAllowed Reason = "country_allowed"
	// ReasonBlocked: the country is on the block list (and not on the allow
	// list).
	ReasonBlocked Reason = "country_blocked"
	// ReasonNotAllowed: an allow list is set and the country is not on it.
	ReasonNotAllowed Reason = "country_not_allowed"
	// ReasonUnresolved: an allow list is set and the address resolves to no
	// country (or the resolver is nil / not loaded yet).
	ReasonUnresolved Reason = "country_unresolved"
)

// Verdict is the outcome of Policy.Decide.
type Verdict struct {
	// Blocked reports whether the request must be refused (403).
	Blocked bool
	// Country is the resolved ISO code, "" if unresolved or not looked up.
	Country string
	// Reason says why; see the Reason constants.
	Reason Reason
}

// Policy is a compiled set of country rules. Build it with NewPolicy; it is
// immutable and safe for concurrent use. The zero value and a nil *Policy
// have no rules and block nothing.
//
// Evaluation order (Decide):
//  1. no rules → allowed, nothing resolved;
//  2. loopback address (and private ones with ExemptPrivate) → exempt; an
//     invalid address is not exempt and simply resolves to no country;
//  3. resolve the country; on the allow list → allowed (the allow list wins
//     over the block list, as in the reference);
//  4. on the block list → blocked;
//  5. an allow list is set → blocked (unresolved countries included);
//  6. otherwise allowed (an unresolved country passes a block list).
//
// IPv4-mapped IPv6 addresses are treated as the IPv4 address they carry.
type Policy struct {
	blocked       []string
	allowed       []string
	exemptPrivate bool
}

// NewPolicy validates and compiles cfg. Every bad code is reported at once
// (errors.Join of errors matching ErrInvalidCountry).
func NewPolicy(cfg PolicyConfig) (*Policy, error) {
	blocked, errB := NormalizeCountries(cfg.Blocked)
	allowed, errA := NormalizeCountries(cfg.Allowed)
	if err := joinErrors(nonNil(errB, errA)); err != nil {
		return nil, err
	}
	return &Policy{blocked: blocked, allowed: allowed, exemptPrivate: cfg.ExemptPrivate}, nil
}

func nonNil(errs ...error) []error {
	out := errs[:0]
	for _, e := range errs {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

// Empty reports whether the policy has no country rules, in which case
// Decide never consults a resolver. Engines use it to pick a route policy
// over the global one, and to reject country rules configured without a
// database.
func (p *Policy) Empty() bool {
	return p == nil || (len(p.blocked) == 0 && len(p.allowed) == 0)
}

// Blocked returns a copy of the normalised block list.
func (p *Policy) Blocked() []string {
	if p == nil {
		return nil
	}
	return append([]string(nil), p.blocked...)
}

// Allowed returns a copy of the normalised allow list.
func (p *Policy) Allowed() []string {
	if p == nil {
		return nil
	}
	return append([]string(nil), p.allowed...)
}

// Decide evaluates the rules for ip, resolving its country with r. A nil r
// resolves nothing (so an allow list then blocks every non-exempt client:
// fail closed). Decide does not allocate.
func (p *Policy) Decide(r Resolver, ip netip.Addr) Verdict {
	if p.Empty() {
		return Verdict{Reason: ReasonNoRules}
	}
	ip = ip.Unmap()
	if ip.IsValid() && (ip.IsLoopback() || (p.exemptPrivate && isPrivate(ip))) {
		return Verdict{Reason: ReasonExempt}
	}
	var country string
	var ok bool
	if r != nil {
		country, ok = r.Country(ip)
	}
	if ok && contains(p.allowed, country) {
		return Verdict{Country: country, Reason: ReasonAllowed}
	}
	if ok && contains(p.blocked, country) {
		return Verdict{Blocked: true, Country: country, Reason: ReasonBlocked}
	}
	if len(p.allowed) > 0 {
		if !ok {
			return Verdict{Blocked: true, Reason: ReasonUnresolved}
		}
		return Verdict{Blocked: true, Country: country, Reason: ReasonNotAllowed}
	}
	return Verdict{Country: country, Reason: ReasonAllowed}
}

// contains is a linear scan: lists are short (a handful of countries), and a
// scan over a few two-byte strings beats hashing.
func contains(list []string, c string) bool {
	for _, v := range list {
		if v == c {
			return true
		}
	}
	return false
}

func isPrivate(ip netip.Addr) bool {
	if ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() {
		return true
	}
	if ip.Is4() {
		b := ip.As4()
		return b[0] == 100 && b[1]&0xC0 == 64 // 100.64.0.0/10, carrier-grade NAT
	}
	return false
}
