// Package cloud knows which IP ranges belong to which cloud and hosting
// providers: AWS, GCP, Azure, DigitalOcean, Linode, Vultr and Cloudflare. It
// parses each provider's own published format (IPv4 and IPv6), compiles the
// ranges into an immutable prefix structure (Set) answered in tens of
// nanoseconds without allocating, and keeps them fresh in the background
// (Manager), keeping the last good set when a download fails.
//
// Guard uses it for block_cloud_providers (global) and block_clouds (per
// route): requests from a cloud provider are usually automation.
//
// Security caveat: blocking clouds is a coarse abuse filter, not an access
// control. Attackers rent residential proxies too, and legitimate clients
// (webhooks, monitoring, corporate egress through a cloud VPN) live in
// these ranges. The lists also lag reality by up to the refresh interval.
package cloud

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"
)

// Provider identifies one cloud or hosting provider.
type Provider uint8

// The supported providers. The zero Provider is invalid.
const (
	AWS Provider = iota + 1
	GCP
	Azure
	DigitalOcean
	Linode
	Vultr
	Cloudflare
	numProviders = iota // count of valid providers
)

// ErrUnknownProvider is matched (errors.Is) by errors for unknown provider
// names.
var ErrUnknownProvider = errors.New("unknown cloud provider")

// String returns the canonical name ("AWS", "GCP", "Azure", "DigitalOcean",
// "Linode", "Vultr", "Cloudflare"), or "Provider(n)" for an invalid value.
func (p Provider) String() string {
	switch p {
	case AWS:
		return "AWS"
	case GCP:
		return "GCP"
	case Azure:
		return "Azure"
	case DigitalOcean:
		return "DigitalOcean"
	case Linode:
		return "Linode"
	case Vultr:
		return "Vultr"
	case Cloudflare:
		return "Cloudflare"
	}
	return fmt.Sprintf("Provider(%d)", uint8(p))
}

// Valid reports whether p is one of the supported providers.
func (p Provider) Valid() bool { return p >= AWS && p <= Cloudflare }

// MarshalText implements encoding.TextMarshaler with the canonical name.
func (p Provider) MarshalText() ([]byte, error) {
	if !p.Valid() {
		return nil, fmt.Errorf("cloud: %w: %d", ErrUnknownProvider, uint8(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseProvider, so a
// Provider can be a YAML/JSON value or map key.
func (p *Provider) UnmarshalText(b []byte) error {
	v, err := ParseProvider(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// ParseProvider parses a provider name case-insensitively ("aws", "AWS",
// "digitalocean"). Surrounding white space is ignored. An unknown name is an
// error matching ErrUnknownProvider that lists the valid names.
func ParseProvider(s string) (Provider, error) {
	name := strings.TrimSpace(s)
	for p := AWS; p <= Cloudflare; p++ {
		if strings.EqualFold(name, p.String()) {
			return p, nil
		}
	}
	return 0, fmt.Errorf("cloud: %w %q (valid: %s)", ErrUnknownProvider, s, All())
}

// Providers is a set of providers (a bit set; the zero value is empty).
type Providers uint16

// All returns the set of every supported provider.
func All() Providers { return Providers(1<<(numProviders+1) - 2) }

// Of returns the set holding the given providers; invalid ones are ignored.
func Of(ps ...Provider) Providers {
	var s Providers
	for _, p := range ps {
		s = s.With(p)
	}
	return s
}

// ParseProviders parses every name with ParseProvider and returns the set.
// All unknown names are reported at once (errors.Join).
func ParseProviders(names []string) (Providers, error) {
	var s Providers
	var errs []error
	for _, n := range names {
		p, err := ParseProvider(n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s = s.With(p)
	}
	if len(errs) > 0 {
		return 0, errors.Join(errs...)
	}
	return s, nil
}

// ParseSources converts the config form of cloud_ranges (provider name →
// location list) into Options.Sources. Unknown provider names and empty
// locations are reported at once (errors.Join).
func ParseSources(in map[string]string) (map[Provider]string, error) {
	out := make(map[Provider]string, len(in))
	var errs []error
	for name, loc := range in {
		p, err := ParseProvider(name)
		if err != nil {
			errs = append(errs, fmt.Errorf("cloud_ranges.%s: %w", name, err))
			continue
		}
		if strings.TrimSpace(loc) == "" {
			errs = append(errs, fmt.Errorf("cloud_ranges.%s: empty location", name))
			continue
		}
		if _, dup := out[p]; dup {
			errs = append(errs, fmt.Errorf("cloud_ranges.%s: %s listed twice (names are case-insensitive)", name, p))
			continue
		}
		out[p] = loc
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// With returns s plus p (s itself if p is invalid).
func (s Providers) With(p Provider) Providers {
	if !p.Valid() {
		return s
	}
	return s | 1<<p
}

// Has reports whether p is in s.
func (s Providers) Has(p Provider) bool { return p.Valid() && s&(1<<p) != 0 }

// Empty reports whether s holds no provider.
func (s Providers) Empty() bool { return s == 0 }

// Len returns the number of providers in s.
func (s Providers) Len() int { return bits.OnesCount16(uint16(s)) }

// List returns the providers in s in canonical order.
func (s Providers) List() []Provider {
	out := make([]Provider, 0, s.Len())
	for p := AWS; p <= Cloudflare; p++ {
		if s.Has(p) {
			out = append(out, p)
		}
	}
	return out
}

// First returns the provider of s with the lowest value (canonical order), or
// false if s is empty.
func (s Providers) First() (Provider, bool) {
	if s&All() == 0 {
		return 0, false
	}
	return Provider(bits.TrailingZeros16(uint16(s & All()))), true
}

// String lists the canonical names, comma-separated ("AWS,GCP").
func (s Providers) String() string {
	names := make([]string, 0, s.Len())
	for _, p := range s.List() {
		names = append(names, p.String())
	}
	return strings.Join(names, ",")
}

// DefaultSource returns the public location each provider publishes its
// ranges at. Several locations are separated by commas (Cloudflare publishes
// IPv4 and IPv6 lists separately). The Azure default is the Service Tags
// download page; the Manager follows its link to the current weekly
// ServiceTags_Public_*.json file.
func DefaultSource(p Provider) string {
	switch p {
	case AWS:
		return "https://ip-ranges.amazonaws.com/ip-ranges.json"
	case GCP:
		return "https://www.gstatic.com/ipranges/cloud.json"
	case Azure:
		return "https://www.microsoft.com/en-us/download/details.aspx?id=56519"
	case DigitalOcean:
		return "https://digitalocean.com/geo/google.csv"
	case Linode:
		return "https://geoip.linode.com/"
	case Vultr:
		return "https://geofeed.constant.com/?json"
	case Cloudflare:
		return "https://www.cloudflare.com/ips-v4,https://www.cloudflare.com/ips-v6"
	}
	return ""
}
