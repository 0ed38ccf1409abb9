// Package clientip resolves the address of the client behind trusted reverse
// proxies.
//
// Security model, bluntly: X-Forwarded-For is attacker-controlled unless the
// TCP peer is a proxy you run. Resolver therefore reads the header only when
// the peer address is in the trusted set, reads it right to left (the right
// end was written by your proxy, the left end by whoever sent the request),
// and picks the entry depth hops from the right. Anything that does not parse
// as an IP address is never used: on garbage the peer address is returned, so
// a malformed header degrades to "the proxy is the client" (stricter limits)
// rather than to an address of the attacker's choosing.
package clientip

import (
	"net"
	"net/netip"
	"strings"

	"github.com/guardgo/guard/core/ipset"
)

// Resolver picks the client address of a request. The zero value trusts no
// proxy and always returns the peer address.
type Resolver struct {
	trusted *ipset.Set
	depth   int
}

// New returns a Resolver trusting X-Forwarded-For from peers in trusted, with
// depth proxies in front of the application (depth < 1 is treated as 1).
func New(trusted *ipset.Set, depth int) Resolver {
	if depth < 1 {
		depth = 1
	}
	return Resolver{trusted: trusted, depth: depth}
}

// TrustsPeer reports whether peer is a trusted proxy.
func (r Resolver) TrustsPeer(peer netip.Addr) bool { return r.trusted.Contains(peer) }

// ParsePeer parses a net/http RemoteAddr ("host:port", "[v6]:port" or a bare
// address) into an unmapped address. It returns the zero Addr on failure.
func ParsePeer(remoteAddr string) netip.Addr {
	if ap, err := netip.ParseAddrPort(remoteAddr); err == nil {
		return ap.Addr().Unmap().WithZone("")
	}
	host := remoteAddr
	if h, _, err := net.SplitHostPort(remoteAddr); err == nil {
		host = h
	}
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap().WithZone("")
}

// Resolve returns the client address given the peer address and the values
// of every X-Forwarded-For header line, in order.
func (r Resolver) Resolve(peer netip.Addr, forwardedFor []string) netip.Addr {
	if len(forwardedFor) == 0 || !r.trusted.Contains(peer) {
		return peer
	}
	// Walk right to left across all header lines without allocating.
	need := r.depth
	for i := len(forwardedFor) - 1; i >= 0; i-- {
		line := forwardedFor[i]
		if strings.TrimSpace(line) == "" {
			continue
		}
		for {
			j := strings.LastIndexByte(line, ',')
			a, ok := parseEntry(strings.TrimSpace(line[j+1:]))
			if !ok {
				return peer // garbage (or an empty element) is never trusted
			}
			if need--; need == 0 {
				return a
			}
			if j < 0 {
				break
			}
			line = line[:j]
		}
	}
	// Fewer entries than proxies: the chain is not what was configured.
	return peer
}

// parseEntry accepts an address, optionally bracketed or with a port, as some
// proxies write them. Zones are dropped and IPv4-mapped forms unmapped.
func parseEntry(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return netip.Addr{}, false
		}
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), true
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		return parseEntry(s[1 : len(s)-1])
	}
	return netip.Addr{}, false
}
