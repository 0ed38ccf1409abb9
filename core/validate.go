package guard

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/guardgo/guard/core/cloud"
	"github.com/guardgo/guard/core/geo"
	"github.com/guardgo/guard/core/ipset"
)

// ErrInvalidConfig matches (with errors.Is) every configuration problem
// reported by Validate and New.
var ErrInvalidConfig = errors.New("invalid configuration")

// FieldError is one configuration problem, naming the offending field by its
// configuration path, e.g. "routes[2].rate_limit.window".
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Is makes every FieldError match ErrInvalidConfig.
func (e *FieldError) Is(target error) bool { return target == ErrInvalidConfig }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// joinErrors is errors.Join that returns nil for no errors.
func joinErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}

// validator accumulates field errors.
type validator struct{ errs []error }

func (v *validator) add(field, format string, args ...any) {
	v.errs = append(v.errs, fieldErr(field, format, args...))
}

func (v *validator) ips(field string, entries []string) {
	for i, e := range entries {
		if _, err := ipset.ParsePrefix(e); err != nil {
			v.add(fmt.Sprintf("%s[%d]", field, i), "%v", err)
		}
	}
}

func (v *validator) regexps(field string, exprs []string) {
	for i, e := range exprs {
		if strings.TrimSpace(e) == "" {
			v.add(fmt.Sprintf("%s[%d]", field, i), "empty pattern")
			continue
		}
		if _, err := regexp.Compile("(?i)" + e); err != nil {
			v.add(fmt.Sprintf("%s[%d]", field, i), "invalid regular expression %q: %v", e, err)
		}
	}
}

func (v *validator) positiveWindow(field string, d time.Duration) {
	if d <= 0 {
		v.add(field, "must be > 0")
	}
}

func (v *validator) headerValue(field, val string) {
	if strings.ContainsAny(val, "\r\n\x00") {
		v.add(field, "header value must not contain CR, LF or NUL")
	}
}

func (v *validator) headerName(field, name string) {
	if name == "" || strings.IndexFunc(name, func(r rune) bool {
		return r <= ' ' || r >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", r)
	}) >= 0 {
		v.add(field, "invalid header name %q", name)
	}
}

func (v *validator) countries(field string, codes []string) {
	for i, c := range codes {
		if _, err := geo.NormalizeCountry(c); err != nil {
			v.add(fmt.Sprintf("%s[%d]", field, i), "%v", err)
		}
	}
}

var logLevels = map[string]bool{"": true, "NONE": true, "DEBUG": true, "INFO": true, "WARNING": true, "WARN": true, "ERROR": true, "CRITICAL": true}

// Validate checks the whole configuration and returns every problem at once,
// joined (errors.Join); each is a *FieldError matching ErrInvalidConfig.
func (c *Config) Validate() error {
	v := &validator{}
	v.ips("whitelist", c.Whitelist)
	v.ips("blacklist", c.Blacklist)
	v.ips("exempt_ips", c.ExemptIPs)
	v.ips("trusted_proxies", c.TrustedProxies)
	v.ips("emergency_whitelist", c.EmergencyWhitelist)
	if c.TrustedProxyDepth < 1 {
		v.add("trusted_proxy_depth", "must be >= 1")
	}
	if c.TrustXForwardedProto && len(c.TrustedProxies) == 0 {
		v.add("trust_x_forwarded_proto", "needs trusted_proxies: X-Forwarded-Proto is only believed from a trusted proxy")
	}
	v.regexps("blocked_user_agents", c.BlockedUserAgents)
	if c.EnableIPBanning {
		if c.AutoBanThreshold < 1 {
			v.add("auto_ban_threshold", "must be >= 1")
		}
		v.positiveWindow("auto_ban_duration", c.AutoBanDuration.D())
	}
	if c.EnableRateLimiting {
		if c.RateLimit < 1 {
			v.add("rate_limit", "must be >= 1 (set enable_rate_limiting: false to disable)")
		}
		v.positiveWindow("rate_limit_window", c.RateLimitWindow.D())
	}
	for path, l := range c.EndpointRateLimits {
		f := fmt.Sprintf("endpoint_rate_limits[%q]", path)
		if !strings.HasPrefix(path, "/") {
			v.add(f, "path must start with /")
		}
		if l.Requests < 1 {
			v.add(f+".requests", "must be >= 1")
		}
		v.positiveWindow(f+".window", l.Window.D())
	}
	c.validateHeaders(v)
	c.validateCORS(v)
	v.countries("blocked_countries", c.BlockedCountries)
	v.countries("whitelist_countries", c.WhitelistCountries)
	for i, p := range c.BlockCloudProviders {
		if _, err := cloud.ParseProvider(p); err != nil {
			v.add(fmt.Sprintf("block_cloud_providers[%d]", i), "unknown cloud provider %q (known: %s)", p, cloud.All())
		}
	}
	for name, src := range c.CloudRanges {
		if _, err := cloud.ParseProvider(name); err != nil {
			v.add(fmt.Sprintf("cloud_ranges[%q]", name), "unknown cloud provider %q (known: %s)", name, cloud.All())
		}
		if strings.TrimSpace(src) == "" {
			v.add(fmt.Sprintf("cloud_ranges[%q]", name), "empty source: give a URL or a file path")
		}
	}
	if (len(c.BlockCloudProviders) > 0 || c.routesUseClouds()) && c.CloudIPRefreshInterval.D() <= 0 {
		v.add("cloud_ip_refresh_interval", "must be > 0")
	}
	if (len(c.BlockedCountries) > 0 || len(c.WhitelistCountries) > 0 || c.routesUseCountries()) && !c.HasGeoSource() {
		v.add("geoip_database", "country rules (blocked_countries, whitelist_countries, routes' block_countries/allow_countries/geo_rate_limit) need a country database: set geoip_database or geoip_license_key/geoip_download_url")
	}
	if c.GeoIPLicenseKey != "" || c.GeoIPDownloadURL != "" {
		v.positiveWindow("geoip_refresh_interval", c.GeoIPRefreshInterval.D())
	}
	for i, p := range c.ExcludePaths {
		if !strings.HasPrefix(p, "/") {
			v.add(fmt.Sprintf("exclude_paths[%d]", i), "path %q must start with /", p)
		}
	}
	for status, msg := range c.CustomErrorResponses {
		if status < 400 || status > 599 {
			v.add(fmt.Sprintf("custom_error_responses[%d]", status), "status must be 400-599")
		}
		_ = msg
	}
	for i, h := range c.ExcludedDetectionHeaders {
		v.headerName(fmt.Sprintf("excluded_detection_headers[%d]", i), h)
	}
	if c.DetectionMaxContentLength < 1 {
		v.add("detection_max_content_length", "must be >= 1")
	}
	if c.DetectionMaxRequestBytes < 1 {
		v.add("detection_max_request_bytes", "must be >= 1")
	}
	if c.DetectionSemanticThreshold < 0 || c.DetectionSemanticThreshold > 1 {
		v.add("detection_semantic_threshold", "must be between 0 and 1")
	}
	if c.MaxBodyBytes < 0 {
		v.add("max_body_bytes", "must be >= 0")
	}
	if c.BehaviorMaxBodyBytes < 0 {
		v.add("behavior_max_body_bytes", "must be >= 0")
	}
	if !logLevels[strings.ToUpper(c.LogSuspiciousLevel)] {
		v.add("log_suspicious_level", "unknown level %q (DEBUG, INFO, WARNING, ERROR, CRITICAL, NONE)", c.LogSuspiciousLevel)
	}
	if !logLevels[strings.ToUpper(c.LogRequestLevel)] {
		v.add("log_request_level", "unknown level %q (DEBUG, INFO, WARNING, ERROR, CRITICAL, NONE)", c.LogRequestLevel)
	}
	if c.EnableRedis {
		if !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") && !strings.HasPrefix(c.RedisURL, "unix://") {
			v.add("redis_url", "must be a redis://, rediss:// or unix:// URL")
		}
	}
	validateBehaviorRules(v, "global_behavior_rules", c.GlobalBehaviorRules)
	seen := map[string]int{}
	for i := range c.Routes {
		c.Routes[i].validate(v, fmt.Sprintf("routes[%d]", i))
		r := &c.Routes[i]
		key := normalizeTemplate(r.Path) + " " + strings.ToUpper(strings.Join(r.Methods, ","))
		if j, dup := seen[key]; dup {
			v.add(fmt.Sprintf("routes[%d].path", i), "duplicate of routes[%d] (%s)", j, r.Path)
		}
		seen[key] = i
	}
	return joinErrors(v.errs)
}

func (c *Config) validateHeaders(v *validator) {
	h := &c.SecurityHeaders
	v.headerValue("security_headers.frame_options", h.FrameOptions)
	v.headerValue("security_headers.content_type_options", h.ContentTypeOptions)
	v.headerValue("security_headers.xss_protection", h.XSSProtection)
	v.headerValue("security_headers.referrer_policy", h.ReferrerPolicy)
	v.headerValue("security_headers.permissions_policy", h.PermissionsPolicy)
	if fo := strings.ToUpper(h.FrameOptions); fo != "" && fo != "DENY" && fo != "SAMEORIGIN" {
		v.add("security_headers.frame_options", "must be DENY or SAMEORIGIN, got %q", h.FrameOptions)
	}
	if h.HSTS.MaxAge < 0 {
		v.add("security_headers.hsts.max_age", "must be >= 0")
	}
	for dir, srcs := range h.CSP {
		f := fmt.Sprintf("security_headers.csp[%q]", dir)
		if dir == "" || strings.ContainsAny(dir, " ;,\r\n") {
			v.add(f, "invalid directive name")
		}
		for i, s := range srcs {
			if strings.ContainsAny(s, ";,\r\n\x00") {
				v.add(fmt.Sprintf("%s[%d]", f, i), "source must not contain ';', ',', CR, LF or NUL")
			}
		}
	}
	for name, val := range h.Custom {
		f := fmt.Sprintf("security_headers.custom[%q]", name)
		v.headerName(f, name)
		v.headerValue(f, val)
	}
}

func (c *Config) validateCORS(v *validator) {
	if !c.EnableCORS {
		return
	}
	for i, o := range c.CORSAllowOrigins {
		f := fmt.Sprintf("cors_allow_origins[%d]", i)
		v.headerValue(f, o)
		if o == "*" && c.CORSAllowCredentials {
			v.add(f, "wildcard origin \"*\" cannot be combined with cors_allow_credentials: list the allowed origins")
		}
		if o != "*" && !strings.Contains(o, "://") {
			v.add(f, "origin %q must be \"*\" or scheme://host[:port]", o)
		}
	}
	for i, m := range c.CORSAllowMethods {
		if m != "*" && !validToken(m) {
			v.add(fmt.Sprintf("cors_allow_methods[%d]", i), "invalid method %q", m)
		}
	}
	for i, hn := range c.CORSAllowHeaders {
		if hn != "*" {
			v.headerName(fmt.Sprintf("cors_allow_headers[%d]", i), hn)
		}
	}
	for i, hn := range c.CORSExposeHeaders {
		if hn != "*" {
			v.headerName(fmt.Sprintf("cors_expose_headers[%d]", i), hn)
		}
	}
	if c.CORSMaxAge < 0 {
		v.add("cors_max_age", "must be >= 0")
	}
}

func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b <= ' ' || b >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", b) >= 0 {
			return false
		}
	}
	return true
}

// HasGeoSource reports whether a country database is configured.
func (c *Config) HasGeoSource() bool {
	return c.GeoIPDatabase != "" || c.GeoIPLicenseKey != "" || c.GeoIPDownloadURL != ""
}

func (c *Config) routesUseCountries() bool {
	for i := range c.Routes {
		r := &c.Routes[i]
		if len(r.BlockCountries) > 0 || len(r.AllowCountries) > 0 || len(r.GeoRateLimit) > 0 {
			return true
		}
	}
	return false
}

func (c *Config) routesUseClouds() bool {
	for i := range c.Routes {
		if c.Routes[i].BlockClouds != nil {
			return true
		}
	}
	return false
}

var bypassNames = map[string]bool{"all": true, "ip": true, "ip_ban": true, "clouds": true, "countries": true, "rate_limit": true, "penetration": true, "user_agent": true, "https": true, "behavior": true, "emergency": false}

func (r *RouteConfig) validate(v *validator, f string) {
	if !strings.HasPrefix(r.Path, "/") {
		v.add(f+".path", "must start with / (got %q)", r.Path)
	}
	for i, m := range r.Methods {
		if !validToken(m) || strings.ToUpper(m) != m && strings.ToLower(m) != m {
			v.add(fmt.Sprintf("%s.methods[%d]", f, i), "invalid method %q", m)
		}
	}
	if r.RequireIP != nil {
		v.ips(f+".require_ip.whitelist", r.RequireIP.Whitelist)
		v.ips(f+".require_ip.blacklist", r.RequireIP.Blacklist)
	}
	v.countries(f+".block_countries", r.BlockCountries)
	v.countries(f+".allow_countries", r.AllowCountries)
	for i, p := range r.BlockClouds {
		if _, err := cloud.ParseProvider(p); err != nil {
			v.add(fmt.Sprintf("%s.block_clouds[%d]", f, i), "unknown cloud provider %q (known: %s)", p, cloud.All())
		}
	}
	for i, b := range r.Bypass {
		if !bypassNames[strings.ToLower(b)] {
			v.add(fmt.Sprintf("%s.bypass[%d]", f, i), "unknown check %q (all, ip, ip_ban, clouds, countries, rate_limit, penetration, user_agent, https, behavior)", b)
		}
	}
	if d := r.DetectionExclusion; d != nil {
		for i, h := range d.Headers {
			v.headerName(fmt.Sprintf("%s.detection_exclusion.headers[%d]", f, i), h)
		}
	}
	if rl := r.RateLimit; rl != nil {
		if rl.Requests < 1 {
			v.add(f+".rate_limit.requests", "must be >= 1")
		}
		v.positiveWindow(f+".rate_limit.window", rl.Window.D())
	}
	for cc, l := range r.GeoRateLimit {
		gf := fmt.Sprintf("%s.geo_rate_limit[%q]", f, cc)
		if cc != "*" {
			if _, err := geo.NormalizeCountry(cc); err != nil {
				v.add(gf, "%v (or \"*\" for every other country)", err)
			}
		}
		if l.Requests < 1 {
			v.add(gf+".requests", "must be >= 1")
		}
		v.positiveWindow(gf+".window", l.Window.D())
	}
	v.regexps(f+".block_user_agents", r.BlockUserAgents)
	for i, ct := range r.ContentTypeFilter {
		if !strings.Contains(ct, "/") {
			v.add(fmt.Sprintf("%s.content_type_filter[%d]", f, i), "invalid media type %q", ct)
		}
	}
	if r.MaxRequestSize < 0 {
		v.add(f+".max_request_size", "must be >= 0")
	}
	for name, val := range r.RequireHeaders {
		hf := fmt.Sprintf("%s.require_headers[%q]", f, name)
		v.headerName(hf, name)
		v.headerValue(hf, val)
	}
	if a := r.RequireAuth; a != nil {
		if !validToken(a.Type) {
			v.add(f+".require_auth.type", "invalid auth scheme %q (bearer, basic, ...)", a.Type)
		}
	}
	if a := r.APIKeyAuth; a != nil {
		v.headerName(f+".api_key_auth.header", a.Header)
	}
	for i, ref := range r.RequireReferrer {
		if strings.TrimSpace(ref) == "" {
			v.add(fmt.Sprintf("%s.require_referrer[%d]", f, i), "empty domain")
		}
	}
	if tw := r.TimeWindow; tw != nil {
		if _, err := parseClock(tw.Start); err != nil {
			v.add(f+".time_window.start", "%v", err)
		}
		if _, err := parseClock(tw.End); err != nil {
			v.add(f+".time_window.end", "%v", err)
		}
		if tw.Timezone != "" {
			if _, err := time.LoadLocation(tw.Timezone); err != nil {
				v.add(f+".time_window.timezone", "unknown time zone %q", tw.Timezone)
			}
		}
	}
	for i, name := range r.HoneypotDetection {
		if strings.TrimSpace(name) == "" {
			v.add(fmt.Sprintf("%s.honeypot_detection[%d]", f, i), "empty field name")
		}
	}
	validateBehaviorRules(v, f, r.behaviorRules())
}

// parseClock parses "HH:MM" (or "HH:MM:SS") into an offset from midnight.
func parseClock(s string) (time.Duration, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, fmt.Errorf("invalid time %q: want HH:MM", s)
	}
	var vals [3]int
	limits := [3]int{24, 60, 60}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n >= limits[i] || len(p) > 2 {
			return 0, fmt.Errorf("invalid time %q: want HH:MM", s)
		}
		vals[i] = n
	}
	return time.Duration(vals[0])*time.Hour + time.Duration(vals[1])*time.Minute + time.Duration(vals[2])*time.Second, nil
}
