// Package policy builds per-route guard policies from the reference's
// decorators, as functional options:
//
//	admin := policy.New(
//		policy.RequireIP([]string{"10.0.0.0/8"}, nil),
//		policy.RateLimit(5, time.Minute),
//	)
//	engine, err := guard.New(cfg, guard.WithRoutePolicy("/admin", admin))
//
// Each option has the meaning of the `routes:` key of the same name in the
// configuration file (docs/routes.md); a policy is validated when the engine
// compiles it, so a bad CIDR, regular expression or time zone is a start-up
// error naming the policy.
package policy

import (
	"context"
	"time"

	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/behavior"
	"github.com/guardgo/guard/core/units"
)

// Option sets one decorator of a code-level guard.Policy. The options are
// the reference's decorators; each has the same meaning as the `routes:`
// key of the same name (docs/routes.md).
type Option func(*guard.Policy)

// New builds a guard.Policy from decorator options. The policy is validated
// when an engine compiles it (guard.New with guard.WithRoutePolicy).
func New(opts ...Option) *guard.Policy {
	p := &guard.Policy{}
	for _, o := range opts {
		o(p)
	}
	return p
}

// RequireIP restricts the route to the whitelist (when non-empty) and
// refuses the blacklist (IPs or CIDRs) → 403.
func RequireIP(whitelist, blacklist []string) Option {
	return func(p *guard.Policy) {
		p.Route.RequireIP = &guard.IPListConfig{Whitelist: whitelist, Blacklist: blacklist}
	}
}

// BlockCountries refuses clients from these countries (ISO 3166 alpha-2)
// → 403. Needs a country resolver on the engine.
func BlockCountries(codes ...string) Option {
	return func(p *guard.Policy) { p.Route.BlockCountries = append(p.Route.BlockCountries, codes...) }
}

// AllowCountries admits only clients from these countries → 403 otherwise
// (unresolved countries included). Needs a country resolver on the engine.
func AllowCountries(codes ...string) Option {
	return func(p *guard.Policy) { p.Route.AllowCountries = append(p.Route.AllowCountries, codes...) }
}

// BlockClouds refuses clients in these cloud providers' ranges → 403; no
// argument means every known provider. Needs a cloud matcher on the engine.
func BlockClouds(providers ...string) Option {
	return func(p *guard.Policy) {
		if p.Route.BlockClouds == nil {
			p.Route.BlockClouds = []string{}
		}
		p.Route.BlockClouds = append(p.Route.BlockClouds, providers...)
	}
}

// Bypass skips the named global checks on the route: all, ip, ip_ban,
// clouds, countries, rate_limit, penetration, user_agent, https, behavior.
func Bypass(checks ...string) Option {
	return func(p *guard.Policy) { p.Route.Bypass = append(p.Route.Bypass, checks...) }
}

// RateLimit limits each client to requests per window on the route → 429
// with Retry-After. The global limit still applies (every tier counts).
func RateLimit(requests int, window time.Duration) Option {
	return func(p *guard.Policy) {
		p.Route.RateLimit = &guard.RouteRateLimit{Requests: requests, Window: units.Duration(window)}
	}
}

// GeoRateLimit sets the route's limit for clients of one country ("*" for
// every other country). Call it once per country.
func GeoRateLimit(country string, requests int, window time.Duration) Option {
	return func(p *guard.Policy) {
		if p.Route.GeoRateLimit == nil {
			p.Route.GeoRateLimit = map[string]guard.EndpointLimit{}
		}
		p.Route.GeoRateLimit[country] = guard.EndpointLimit{Requests: requests, Window: units.Duration(window)}
	}
}

// BlockUserAgents refuses user agents matching these case-insensitive RE2
// expressions → 403, before the global list.
func BlockUserAgents(patterns ...string) Option {
	return func(p *guard.Policy) { p.Route.BlockUserAgents = append(p.Route.BlockUserAgents, patterns...) }
}

// ContentTypeFilter admits only these media types ("application/json",
// "text/*") → 415 otherwise.
func ContentTypeFilter(types ...string) Option {
	return func(p *guard.Policy) { p.Route.ContentTypeFilter = append(p.Route.ContentTypeFilter, types...) }
}

// MaxRequestSize refuses bodies over n bytes → 413, by Content-Length and by
// the bytes actually read (a handler reading past n gets ErrBodyTooLarge).
func MaxRequestSize(n int64) Option {
	return func(p *guard.Policy) { p.Route.MaxRequestSize = n }
}

// RequireHeader demands a header → 400 when missing; value "" or
// "required" checks presence only, anything else demands that exact value.
func RequireHeader(name, value string) Option {
	return func(p *guard.Policy) {
		if p.Route.RequireHeaders == nil {
			p.Route.RequireHeaders = map[string]string{}
		}
		p.Route.RequireHeaders[name] = value
	}
}

// RequireAuth demands an Authorization header of scheme ("bearer",
// "basic", ...) → 401 with WWW-Authenticate. verify, when not nil, decides
// whether the credential is valid; nil checks presence and scheme only.
func RequireAuth(scheme string, verify func(ctx context.Context, scheme, credential string) bool) Option {
	return func(p *guard.Policy) {
		p.Route.RequireAuth = &guard.RequireAuth{Type: scheme}
		p.AuthVerifier = verify
	}
}

// APIKeyAuth demands an API key in header → 401. keys, when given, are the
// accepted keys (compared in constant time); verify, when not nil, decides
// as well.
func APIKeyAuth(header string, verify func(ctx context.Context, key string) bool, keys ...string) Option {
	return func(p *guard.Policy) {
		p.Route.APIKeyAuth = &guard.APIKeyAuth{Header: header, Keys: keys}
		p.APIKeyVerifier = verify
	}
}

// RequireReferrer admits only requests whose Referer host is one of these
// domains or a subdomain → 403.
func RequireReferrer(domains ...string) Option {
	return func(p *guard.Policy) { p.Route.RequireReferrer = append(p.Route.RequireReferrer, domains...) }
}

// RequireHTTPS redirects plain-HTTP requests to the route to https (301).
func RequireHTTPS() Option {
	return func(p *guard.Policy) { p.Route.RequireHTTPS = true }
}

// TimeWindow admits requests only between start and end ("HH:MM", end
// exclusive) in the IANA time zone tz ("" = UTC) → 403 outside. A window
// whose end is before its start spans midnight.
func TimeWindow(start, end, tz string) Option {
	return func(p *guard.Policy) { p.Route.TimeWindow = &guard.TimeWindow{Start: start, End: end, Timezone: tz} }
}

// SuspiciousDetection turns penetration detection on or off for the route.
func SuspiciousDetection(enabled bool) Option {
	return func(p *guard.Policy) { p.Route.SuspiciousDetection = &enabled }
}

// DetectionExclusion keeps these headers, query parameters and body fields
// out of penetration detection on the route.
func DetectionExclusion(headers, params, bodyFields []string) Option {
	return func(p *guard.Policy) {
		p.Route.DetectionExclusion = &guard.DetectionExclusion{Headers: headers, Params: params, BodyFields: bodyFields}
	}
}

// HoneypotDetection refuses requests that fill any of these fields (query,
// form or JSON body) → 403: humans never see them, bots fill them.
func HoneypotDetection(fields ...string) Option {
	return func(p *guard.Policy) { p.Route.HoneypotDetection = append(p.Route.HoneypotDetection, fields...) }
}

// UsageMonitor triggers action ("ban", "throttle", "alert", "log") when a
// client calls the route more than maxCalls times in window.
func UsageMonitor(maxCalls int, window time.Duration, action string) Option {
	return func(p *guard.Policy) {
		p.Route.UsageMonitor = &behavior.UsageMonitor{MaxCalls: maxCalls, Window: units.Duration(window), Action: behavior.Action(action)}
	}
}

// ReturnMonitor triggers action when more than maxOccurrences responses of
// the route match pattern (substring, "status:404", "regex:…", "json:a.b==v")
// for one client in window.
func ReturnMonitor(pattern string, maxOccurrences int, window time.Duration, action string) Option {
	return func(p *guard.Policy) {
		p.Route.ReturnMonitor = &behavior.ReturnMonitor{Pattern: pattern, MaxOccurrences: maxOccurrences, Window: units.Duration(window), Action: behavior.Action(action)}
	}
}

// SuspiciousFrequency triggers action when a client exceeds maxFrequency
// requests per second, averaged over window, on the route.
func SuspiciousFrequency(maxFrequency float64, window time.Duration, action string) Option {
	return func(p *guard.Policy) {
		p.Route.SuspiciousFrequency = &behavior.SuspiciousFrequency{MaxFrequency: maxFrequency, Window: units.Duration(window), Action: behavior.Action(action)}
	}
}

// BehaviorAnalysis adds behavioural rules to the route.
func BehaviorAnalysis(rules ...behavior.RuleSpec) Option {
	return func(p *guard.Policy) { p.Route.BehaviorAnalysis = append(p.Route.BehaviorAnalysis, rules...) }
}

// CustomValidator adds a check run with the route's content rules (step 5);
// returning a decision built with Block refuses the request with its status
// (403 when unset).
func CustomValidator(check guard.RequestCheck) Option {
	return func(p *guard.Policy) { p.Validators = append(p.Validators, check) }
}
