package guard

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/guardgo/guard/core/clientip"
	"github.com/guardgo/guard/core/store"
)

// Check runs the request side of the pipeline (design §4, steps 1–12) and
// returns the decision. It never panics on malformed input.
func (e *Engine) Check(ctx context.Context, req Request) *Decision {
	d := &Decision{Allowed: true, req: req}
	e.check(ctx, req, d, &e.routes)
	return d
}

// check fills d, looking route policies up in routes (the engine's own
// table, or an attached policy's table that starts with it). The first
// blocking check wins; in passive mode blocks are recorded in d.Passive and
// the pipeline continues.
func (e *Engine) check(ctx context.Context, req Request, d *Decision, routes *routeTable) {
	if e.metrics != nil {
		e.metrics.RequestChecked()
	}
	h := req.Header()
	method := req.Method()
	rawPath := req.Path()

	// 1. Route policy.
	cleanPath := normalizePath(rawPath)
	route := routes.lookup(req.Route(), cleanPath, method)
	d.route = route
	d.endpoint = cleanPath
	var bypass bypassSet
	if route != nil {
		bypass = route.bypass
		d.maxBody = route.maxSize
	}

	// 2. Client IP.
	peer := clientip.ParsePeer(req.RemoteAddr())
	client := e.resolver.Resolve(peer, h["X-Forwarded-For"])
	d.Client = client
	d.clientKey = client.String()
	if e.cors != nil {
		if o := headerFirst(h, "Origin"); o != "" && e.cors.OriginAllowed(o) {
			d.origin = o
		}
	}

	// 3. Emergency mode.
	if e.cfg.EmergencyMode && !e.emergencyWL.Contains(client) {
		if e.block(ctx, d, http.StatusServiceUnavailable, ReasonEmergencyMode, "emergency", "Service temporarily unavailable", nil) {
			return
		}
	}

	// 4. HTTPS.
	if !bypass.has(bypassHTTPS) && ((route != nil && route.requireHTTPS) || e.cfg.EnforceHTTPS) && !e.isHTTPS(req, peer) {
		if loc, ok := httpsURL(req); ok {
			if e.block(ctx, d, http.StatusMovedPermanently, ReasonHTTPSRequired, "https", "", http.Header{"Location": {loc}}) {
				return
			}
		} else if e.block(ctx, d, http.StatusBadRequest, ReasonHTTPSRequired, "https", "HTTPS required", nil) {
			return // no usable Host to redirect to: refuse rather than serve over HTTP
		}
	}

	// 5. Route content rules. A CORS preflight never carries credentials,
	// custom headers or a body (Fetch), so these rules apply to the actual
	// request that follows, not to the preflight.
	preflight := e.cors != nil && method == http.MethodOptions && headerFirst(h, "Origin") != "" && headerFirst(h, "Access-Control-Request-Method") != ""
	if route != nil && !preflight {
		if e.checkRouteContent(ctx, req, d, route) {
			return
		}
	}

	// 6. IP security.
	if e.cfg.EnableIPBanning && !bypass.has(bypassIPBan) {
		ban, banned, err := e.store.Banned(ctx, d.clientKey, e.now())
		if err != nil {
			if e.internalError(ctx, d, "ip_ban", err) {
				return
			}
		} else if banned {
			if e.block(ctx, d, http.StatusForbidden, ReasonIPBanned, "ip_ban", "IP address banned", nil, "ban_reason", ban.Reason) {
				return
			}
		}
	}
	whitelisted := false
	if !bypass.has(bypassIP) {
		var blocked bool
		whitelisted, blocked = e.checkIPLists(ctx, d, route, client)
		if blocked {
			return
		}
	}
	if !whitelisted && !bypass.has(bypassCountries) && e.geo != nil && !client.IsLoopback() {
		if e.checkCountries(ctx, d, route, client) {
			return
		}
	}
	exempt := whitelisted || e.exempt.Contains(client)

	if !whitelisted {
		// 7. Cloud providers.
		if !bypass.has(bypassClouds) && e.clouds != nil {
			if e.checkClouds(ctx, d, route, client) {
				return
			}
		}
		// 8. User agent.
		if !exempt && !bypass.has(bypassUserAgent) {
			if e.checkUserAgent(ctx, d, route, headerFirst(h, "User-Agent")) {
				return
			}
		}
		// 9. Rate limits (and the behavioural counters, in one store call).
		if e.countRequest(ctx, d, route, client, cleanPath, exempt, bypass) {
			return
		}
		// 10. Penetration detection.
		if e.detector != nil && e.cfg.EnablePenetrationDetection && !bypass.has(bypassPenetration) &&
			(route == nil || route.suspiciousDetection) && !e.excluded(cleanPath) {
			if e.checkDetection(ctx, req, d, route, client) {
				return
			}
		}
	}

	// 12. Custom request check.
	if e.reqCheck != nil {
		if cd := e.reqCheck(ctx, req, client); cd != nil && !cd.Allowed {
			status := cd.Status
			if status == 0 {
				status = http.StatusForbidden
			}
			reason := cd.Reason
			if reason == "" {
				reason = ReasonCustomCheck
			}
			if e.block(ctx, d, status, reason, "custom_check", cd.Message, cd.Header) {
				return
			}
		}
	}

	// CORS preflight: answered by the engine once every check has passed.
	if preflight {
		hdr := http.Header{}
		if e.cors.Preflight(h, hdr) {
			d.Allowed, d.preflight, d.Status, d.Message, d.Header, d.Reason, d.Check = false, true, http.StatusOK, "OK", hdr, ReasonCORSPreflight, "cors"
			return
		}
		e.block(ctx, d, http.StatusBadRequest, ReasonCORSRejected, "cors", "Disallowed CORS origin, method or headers", nil)
	}
}

// block records a blocking outcome. It returns true when the pipeline must
// stop (not in passive mode). kv are event details as key/value pairs.
func (e *Engine) block(ctx context.Context, d *Decision, status int, reason Reason, check, msg string, hdr http.Header, kv ...any) bool {
	ev := Event{Type: "request_blocked", Client: d.Client, Method: d.req.Method(), Path: d.req.Path(),
		Route: displayTemplate(d.req.Route()), Check: check, Reason: reason, Status: status, Passive: e.passive, Severity: warnLevel}
	if len(kv) > 0 {
		ev.Details = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			if k, ok := kv[i].(string); ok {
				ev.Details[k] = kv[i+1]
			}
		}
	}
	e.emit(ctx, ev)
	if e.metrics != nil {
		e.metrics.RequestBlocked(reason, check, e.passive)
	}
	if e.passive {
		d.Passive = append(d.Passive, reason)
		return false
	}
	d.Allowed = false
	d.Status, d.Reason, d.Check, d.Message = status, reason, check, msg
	if hdr != nil {
		d.Header = hdr
	}
	return true
}

// internalError applies fail_secure: with it a failing check blocks with
// 500, without it the request passes.
func (e *Engine) internalError(ctx context.Context, d *Decision, check string, err error) bool {
	e.log.LogAttrs(ctx, errorLevel, "guard: check failed", slogStr("check", check), slogErr(err))
	if e.metrics != nil {
		e.metrics.StoreError(check)
	}
	if errors.Is(err, store.ErrUnavailable) {
		// A store that fails closed (redis_fail_open: false) is down.
		d.Err = err
		return e.block(ctx, d, http.StatusServiceUnavailable, ReasonStoreUnavailable, check, "Service temporarily unavailable", nil)
	}
	if !e.cfg.FailSecure {
		return false
	}
	d.Err = err
	return e.block(ctx, d, http.StatusInternalServerError, ReasonInternalError, check, "Internal server error", nil)
}

func (e *Engine) isHTTPS(req Request, peer netip.Addr) bool {
	if req.TLS() {
		return true
	}
	if e.cfg.TrustXForwardedProto && e.resolver.TrustsPeer(peer) {
		return strings.EqualFold(strings.TrimSpace(headerFirst(req.Header(), "X-Forwarded-Proto")), "https")
	}
	return false
}

// httpsURL builds the redirect target; it refuses hosts that are not a
// plain host[:port], so a forged Host cannot inject into Location.
func httpsURL(req Request) (string, bool) {
	host := req.Host()
	if host == "" || strings.ContainsAny(host, "/\\@?#\r\n\t ") {
		return "", false
	}
	if h, port, ok := strings.Cut(host, ":"); ok && !strings.HasPrefix(host, "[") {
		if port == "80" {
			host = h
		}
	}
	u := "https://" + host + req.Path()
	if q := req.RawQuery(); q != "" {
		u += "?" + q
	}
	return u, true
}

func (e *Engine) checkIPLists(ctx context.Context, d *Decision, route *compiledRoute, client netip.Addr) (whitelisted, blocked bool) {
	if route != nil && route.hasIPLists {
		if !route.whitelist.Empty() {
			if !route.whitelist.Contains(client) {
				return false, e.block(ctx, d, http.StatusForbidden, ReasonIPNotWhitelisted, "route_ip", "Forbidden", nil)
			}
			whitelisted = true
		}
		if route.blacklist.Contains(client) {
			return false, e.block(ctx, d, http.StatusForbidden, ReasonIPBlacklisted, "route_ip", "Forbidden", nil)
		}
	}
	if !e.whitelist.Empty() {
		if e.whitelist.Contains(client) {
			return true, false // a non-empty whitelist wins over the blacklist
		}
		if !whitelisted {
			return false, e.block(ctx, d, http.StatusForbidden, ReasonIPNotWhitelisted, "ip", "Forbidden", nil)
		}
	}
	if !whitelisted && e.blacklist.Contains(client) {
		return false, e.block(ctx, d, http.StatusForbidden, ReasonIPBlacklisted, "ip", "Forbidden", nil)
	}
	return whitelisted, false
}

func (e *Engine) checkCountries(ctx context.Context, d *Decision, route *compiledRoute, client netip.Addr) bool {
	blocked, allowed := e.blockedCC, e.allowedCC
	if route != nil && (route.blockCountries != nil || route.allowCountries != nil) {
		blocked, allowed = route.blockCountries, route.allowCountries
	}
	if len(blocked) == 0 && len(allowed) == 0 {
		return false
	}
	cc, ok := e.geo.Country(client)
	if len(allowed) > 0 && (!ok || !allowed[cc]) {
		return e.block(ctx, d, http.StatusForbidden, ReasonCountryBlocked, "country", "Forbidden", nil, "country", cc)
	}
	if ok && blocked[cc] {
		return e.block(ctx, d, http.StatusForbidden, ReasonCountryBlocked, "country", "Forbidden", nil, "country", cc)
	}
	return false
}

func (e *Engine) checkUserAgent(ctx context.Context, d *Decision, route *compiledRoute, ua string) bool {
	if route != nil {
		if rule, ok := route.userAgents.Match(ua); ok {
			return e.block(ctx, d, http.StatusForbidden, ReasonUserAgent, "user_agent", "User-Agent not allowed", nil, "pattern", rule)
		}
	}
	if rule, ok := e.userAgents.Match(ua); ok {
		return e.block(ctx, d, http.StatusForbidden, ReasonUserAgent, "user_agent", "User-Agent not allowed", nil, "pattern", rule)
	}
	return false
}

// countRequest makes the one store call of the request: every applicable
// rate-limit tier, plus the behavioural counters of the route and the global
// rules.
func (e *Engine) countRequest(ctx context.Context, d *Decision, route *compiledRoute, client netip.Addr, cleanPath string, exempt bool, bypass bypassSet) bool {
	limits := d.limitsBuf[:0]
	if e.cfg.EnableRateLimiting && !exempt && !bypass.has(bypassRateLimit) {
		if l, ok := e.endpointLimit(d.req.Route(), cleanPath); ok {
			limits = append(limits, l)
		}
		if route != nil && route.rateLimit != nil {
			limits = append(limits, *route.rateLimit)
		}
		if route != nil && route.geoLimits != nil && e.geo != nil {
			cc, _ := e.geo.Country(client)
			if l, ok := route.geoLimits[cc]; ok && cc != "" {
				limits = append(limits, l)
			} else if l, ok := route.geoLimits["*"]; ok {
				limits = append(limits, l)
			}
		}
		limits = append(limits, e.globalLimit)
	}
	counters := d.countersBuf[:0]
	if !bypass.has(bypassBehavior) {
		counters = e.behaviorCounters(d, counters)
	}
	if len(limits) == 0 && len(counters) == 0 {
		return false
	}
	res, err := e.store.Hit(ctx, store.HitRequest{Client: d.clientKey, Limits: limits, Counters: counters}, e.now())
	if err != nil {
		return e.internalError(ctx, d, "rate_limit", err)
	}
	if !res.Allowed {
		var retry time.Duration
		var which store.Limit
		for i, st := range res.Limits {
			if st.Exceeded && st.RetryAfter >= retry {
				retry, which = st.RetryAfter, limits[i]
			}
		}
		secs := int(math.Ceil(retry.Seconds()))
		if secs < 1 {
			secs = 1
		}
		d.RetryAfter = time.Duration(secs) * time.Second
		if e.block(ctx, d, http.StatusTooManyRequests, ReasonRateLimited, "rate_limit", "Too many requests",
			http.Header{"Retry-After": {strconv.Itoa(secs)}}, "limit", which.Max, "window", which.Window.String(), "tier", which.Key) {
			return true
		}
	}
	if len(counters) > 0 {
		return e.applyBehavior(ctx, d, res.Counts)
	}
	return false
}

// excluded reports whether detection is skipped for path (exclude_paths,
// matched at segment boundaries on the normalised path).
func (e *Engine) excluded(p string) bool {
	for _, x := range e.excludePaths {
		if p == x || (strings.HasPrefix(p, x) && (strings.HasSuffix(x, "/") || p[len(x)] == '/')) {
			return true
		}
	}
	return false
}

// normalizePath percent-decodes and collapses dot segments and duplicate
// slashes, for policy matching. It does not allocate for clean paths.
func normalizePath(p string) string {
	if p == "" {
		return "/"
	}
	clean := true
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '%', '\\':
			clean = false
		case '/':
			if i+1 < len(p) && (p[i+1] == '/' || p[i+1] == '.') {
				clean = false
			}
		}
	}
	if clean && p[0] == '/' {
		return p
	}
	if u, err := url.PathUnescape(p); err == nil {
		p = u
	}
	p = strings.ReplaceAll(p, "\\", "/")
	c := path.Clean("/" + p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}
