package guard

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/guardgo/guard/core/behavior"
	"github.com/guardgo/guard/core/cloud"
	"github.com/guardgo/guard/core/ipset"
	"github.com/guardgo/guard/core/store"
	"github.com/guardgo/guard/core/uarules"
)

// normalizeTemplate turns the route templates of the supported routers into
// one form where every parameter is "{}" and a trailing wildcard is "{...}":
// "/items/:id", "/items/{id}", "/items/{id:[0-9]+}" all become "/items/{}";
// "/files/*filepath", "/files/*" and "/files/{path...}" become "/files/{...}".
func normalizeTemplate(t string) string {
	if t == "" {
		return ""
	}
	t = patternPath(t)
	if !strings.ContainsAny(t, ":{*") {
		return t
	}
	segs := strings.Split(t, "/")
	for i, s := range segs {
		switch {
		case s == "":
		case strings.HasPrefix(s, ":"):
			segs[i] = "{}"
		case strings.HasPrefix(s, "*"):
			segs[i] = "{...}"
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
			inner := s[1 : len(s)-1]
			if strings.HasSuffix(inner, "...") {
				segs[i] = "{...}"
			} else if inner == "$" {
				segs[i] = ""
			} else {
				segs[i] = "{}"
			}
		}
	}
	return strings.Join(segs, "/")
}

// compiledRoute is a route policy compiled once in New.
type compiledRoute struct {
	template string   // normalised
	display  string   // as configured
	field    string   // where it was declared: "routes[2]" or `policy "/x"`
	segs     []string // template split on '/', for path matching
	methods  []string // upper case; empty = all

	whitelist, blacklist *ipset.Set
	hasIPLists           bool
	blockCountries       map[string]bool
	allowCountries       map[string]bool
	blockClouds          cloud.Providers // set when blockCloudsSet; [] in config = every provider
	blockCloudsSet       bool

	bypass bypassSet

	excludeHeaders []string
	excludeParams  []string
	excludeFields  []string

	rateLimit    *store.Limit
	geoLimits    map[string]store.Limit
	userAgents   *uarules.Matcher
	contentTypes []string
	maxSize      int64

	requireHeaders map[string]string
	authScheme     string
	apiKeyHeader   string
	apiKeys        []string
	referrers      []string
	requireHTTPS   bool

	timeWindow *timeWindow

	suspiciousDetection bool
	honeypot            []string

	policy *Policy // code-level extras (verifiers, validators)

	behavior *behavior.Set // route rules plus global rules; nil when none
}

type bypassSet uint16

const (
	bypassIP bypassSet = 1 << iota
	bypassIPBan
	bypassClouds
	bypassCountries
	bypassRateLimit
	bypassPenetration
	bypassUserAgent
	bypassHTTPS
	bypassBehavior
	bypassAll bypassSet = 1<<16 - 1
)

func (b bypassSet) has(x bypassSet) bool { return b&x != 0 }

func parseBypass(names []string) bypassSet {
	var b bypassSet
	for _, n := range names {
		switch strings.ToLower(n) {
		case "all":
			b |= bypassAll
		case "ip":
			b |= bypassIP | bypassCountries
		case "ip_ban":
			b |= bypassIPBan
		case "clouds":
			b |= bypassClouds
		case "countries":
			b |= bypassCountries
		case "rate_limit":
			b |= bypassRateLimit
		case "penetration":
			b |= bypassPenetration
		case "user_agent":
			b |= bypassUserAgent
		case "https":
			b |= bypassHTTPS
		case "behavior":
			b |= bypassBehavior
		}
	}
	return b
}

type timeWindow struct {
	start, end time.Duration
	loc        *time.Location
}

// allows reports whether t falls within the window (end exclusive); a window
// whose end is before its start spans midnight.
func (w *timeWindow) allows(t time.Time) bool {
	t = t.In(w.loc)
	h, m, s := t.Clock()
	now := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second
	if w.start <= w.end {
		return now >= w.start && now < w.end
	}
	return now >= w.start || now < w.end
}

// matches reports whether the route applies to method.
func (r *compiledRoute) matchesMethod(method string) bool {
	if len(r.methods) == 0 {
		return true
	}
	for _, m := range r.methods {
		if m == method || (m == "GET" && method == "HEAD") {
			return true
		}
	}
	return false
}

// matchPath matches a concrete (decoded) path against the template.
func (r *compiledRoute) matchPath(path string) bool {
	segs := r.segs
	for i, s := range segs {
		if i == 0 {
			if !strings.HasPrefix(path, "/") {
				return false
			}
			path = path[1:]
			continue
		}
		if s == "{...}" {
			return true
		}
		var cur string
		if j := strings.IndexByte(path, '/'); j >= 0 {
			cur, path = path[:j], path[j+1:]
			if i == len(segs)-1 {
				return false // more segments than the template
			}
		} else {
			cur, path = path, ""
			if i != len(segs)-1 {
				return false
			}
		}
		if s == "{}" {
			if cur == "" {
				return false
			}
			continue
		}
		if s != cur {
			return false
		}
	}
	return true
}

// routeTable finds the policy of a request: by the framework's template when
// the adapter knows it, else by matching the path against the templates.
type routeTable struct {
	byTemplate map[string][]*compiledRoute
	all        []*compiledRoute
}

func (t *routeTable) lookup(template, path, method string) *compiledRoute {
	if len(t.all) == 0 {
		return nil
	}
	if template != "" {
		for _, r := range t.byTemplate[normalizeTemplate(template)] {
			if r.matchesMethod(method) {
				return r
			}
		}
	}
	// Exact paths first, then templates, in configuration order.
	for _, r := range t.byTemplate[path] {
		if r.matchesMethod(method) {
			return r
		}
	}
	for _, r := range t.all {
		if strings.Contains(r.template, "{") && r.matchesMethod(method) && r.matchPath(path) {
			return r
		}
	}
	return nil
}

func (t *routeTable) add(r *compiledRoute) {
	if t.byTemplate == nil {
		t.byTemplate = map[string][]*compiledRoute{}
	}
	t.byTemplate[r.template] = append(t.byTemplate[r.template], r)
	t.all = append(t.all, r)
}

func upperSet(codes []string) map[string]bool {
	if len(codes) == 0 {
		return nil
	}
	m := make(map[string]bool, len(codes))
	for _, c := range codes {
		m[strings.ToUpper(strings.TrimSpace(c))] = true
	}
	return m
}

// compileRoute builds a compiledRoute from a validated RouteConfig.
func compileRoute(cfg *Config, rc *RouteConfig, pol *Policy, field string) (*compiledRoute, error) {
	r := &compiledRoute{
		template:            normalizeTemplate(rc.Path),
		display:             rc.Path,
		field:               field,
		suspiciousDetection: true,
		policy:              pol,
	}
	r.segs = strings.Split(r.template, "/")
	for _, m := range rc.Methods {
		r.methods = append(r.methods, strings.ToUpper(m))
	}
	var err error
	if rc.RequireIP != nil {
		if r.whitelist, err = ipset.Parse(rc.RequireIP.Whitelist); err != nil {
			return nil, fieldErr(field+".require_ip.whitelist", "%v", err)
		}
		if r.blacklist, err = ipset.Parse(rc.RequireIP.Blacklist); err != nil {
			return nil, fieldErr(field+".require_ip.blacklist", "%v", err)
		}
		r.hasIPLists = true
	}
	r.blockCountries = upperSet(rc.BlockCountries)
	r.allowCountries = upperSet(rc.AllowCountries)
	if rc.BlockClouds != nil {
		r.blockCloudsSet = true
		r.blockClouds = routeClouds(rc.BlockClouds)
	}
	r.bypass = parseBypass(rc.Bypass)
	// The global excluded_detection_headers apply on every route too.
	r.excludeHeaders = cfg.ExcludedDetectionHeaders
	if d := rc.DetectionExclusion; d != nil {
		r.excludeHeaders = append(slices.Clip(d.Headers), cfg.ExcludedDetectionHeaders...)
		r.excludeParams, r.excludeFields = d.Params, d.BodyFields
	}
	if rl := rc.RateLimit; rl != nil {
		r.rateLimit = &store.Limit{Key: "rt:" + r.template, Max: rl.Requests, Window: rl.Window.D()}
	}
	if len(rc.GeoRateLimit) > 0 {
		r.geoLimits = make(map[string]store.Limit, len(rc.GeoRateLimit))
		for cc, l := range rc.GeoRateLimit {
			cc = strings.ToUpper(cc)
			r.geoLimits[cc] = store.Limit{Key: "geo:" + cc + ":" + r.template, Max: l.Requests, Window: l.Window.D()}
		}
	}
	if r.userAgents, err = uarules.Compile(rc.BlockUserAgents); err != nil {
		return nil, fieldErr(field+".block_user_agents", "%v", err)
	}
	for _, ct := range rc.ContentTypeFilter {
		r.contentTypes = append(r.contentTypes, strings.ToLower(strings.TrimSpace(ct)))
	}
	r.maxSize = rc.MaxRequestSize
	if len(rc.RequireHeaders) > 0 {
		r.requireHeaders = make(map[string]string, len(rc.RequireHeaders))
		for k, v := range rc.RequireHeaders {
			r.requireHeaders[canonicalHeader(k)] = v
		}
	}
	if a := rc.RequireAuth; a != nil {
		r.authScheme = strings.ToLower(a.Type)
	}
	if a := rc.APIKeyAuth; a != nil {
		r.apiKeyHeader = canonicalHeader(a.Header)
		r.apiKeys = a.Keys
	}
	for _, ref := range rc.RequireReferrer {
		r.referrers = append(r.referrers, strings.ToLower(strings.TrimSpace(ref)))
	}
	r.requireHTTPS = rc.RequireHTTPS
	if tw := rc.TimeWindow; tw != nil {
		start, _ := parseClock(tw.Start)
		end, _ := parseClock(tw.End)
		loc := time.UTC
		if tw.Timezone != "" {
			if loc, err = time.LoadLocation(tw.Timezone); err != nil {
				return nil, fieldErr(field+".time_window.timezone", "unknown time zone %q", tw.Timezone)
			}
		}
		r.timeWindow = &timeWindow{start: start, end: end, loc: loc}
	}
	if rc.SuspiciousDetection != nil {
		r.suspiciousDetection = *rc.SuspiciousDetection
	}
	r.honeypot = rc.HoneypotDetection
	rules := rc.behaviorRules()
	for i, g := range cfg.GlobalBehaviorRules {
		if g.Source == "" {
			g.Source = fmt.Sprintf("global_behavior_rules[%d]", i)
		}
		rules = append(rules, g)
	}
	if r.behavior, err = cfg.compileBehavior(rules, field, r.template); err != nil {
		return nil, err
	}
	return r, nil
}

func canonicalHeader(k string) string {
	return textprotoCanonical(strings.TrimSpace(k))
}

// clientInSet is a nil-safe Contains.
func clientInSet(s *ipset.Set, a netip.Addr) bool { return s != nil && s.Contains(a) }

var _ = fmt.Sprintf

// displayTemplate writes a framework's route template in one form for
// events and logs: "{param}" parameters, no method or host prefix, so the
// same route reads the same on every adapter ("GET /items/{id}",
// "/items/:id" and "/items/{id:[0-9]+}" all become "/items/{id}").
func displayTemplate(t string) string {
	if t == "" {
		return ""
	}
	t = patternPath(t)
	if !strings.ContainsAny(t, ":{*") {
		return t
	}
	segs := strings.Split(t, "/")
	for i, s := range segs {
		switch {
		case s == "{$}":
			segs[i] = ""
		case strings.HasPrefix(s, ":"):
			segs[i] = "{" + s[1:] + "}"
		case strings.HasPrefix(s, "*"):
			name := s[1:]
			if name == "" {
				name = "path"
			}
			segs[i] = "{" + name + "...}"
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
			if name, _, ok := strings.Cut(s[1:len(s)-1], ":"); ok {
				segs[i] = "{" + name + "}"
			}
		}
	}
	return strings.Join(segs, "/")
}

// patternPath drops what precedes the path in a net/http pattern: the
// method ("GET /x") and the host ("example.com/x").
func patternPath(t string) string {
	if i := strings.IndexByte(t, ' '); i >= 0 {
		t = strings.TrimSpace(t[i+1:])
	}
	if i := strings.IndexByte(t, '/'); i > 0 {
		t = t[i:]
	}
	return t
}
