package guardtest

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
	"time"

	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/policy"
)

func str(s string) *string { return &s }

// Addresses used by the table (see Geo and Clouds).
const (
	US    = "198.51.100.7"
	US2   = "198.51.100.8"
	CN    = "203.0.113.5"
	DE    = "192.0.2.9"
	AWS   = "52.95.1.1"
	Other = "100.64.0.1" // no country, no cloud
)

// Attack is a query that penetration detection must block.
const Attack = "/echo?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E"

// SecurityHeaders are the default security headers, on every response,
// allowed or blocked.
var SecurityHeaders = map[string]string{
	"X-Content-Type-Options":    "nosniff",
	"X-Frame-Options":           "SAMEORIGIN",
	"X-Xss-Protection":          "1; mode=block",
	"Referrer-Policy":           "strict-origin-when-cross-origin",
	"Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}

func withSec(extra map[string]string) map[string]string {
	m := make(map[string]string, len(SecurityHeaders)+len(extra))
	for k, v := range SecurityHeaders {
		m[k] = v
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func ok(target string) Step { return Step{Target: target, Status: http.StatusOK} }

func forbidden(target, ip string) Step {
	return Step{Target: target, IP: ip, Status: http.StatusForbidden}
}

func bigBody(n int) string {
	var b strings.Builder
	for b.Len() < n {
		b.WriteString("lorem ipsum dolor sit amet, consectetur adipiscing elit ")
	}
	return b.String()[:n]
}

// Cases returns the conformance table.
func Cases() []Case {
	exotic := "a=1&b=%ZZ\x00\xff\xfe caf\u00e9 \r\n{\"k\": [1,2]}"
	large := bigBody(300 << 10)
	huge := bigBody(3 << 20) // past max_body_bytes and the detection budget
	everything := map[string]string{"Content-Type": "text/plain", "X-Tenant": "t", "Authorization": "Bearer x", "X-API-Key": "k", "Referer": "https://example.com/"}
	return []Case{
		// ---- the application itself ----
		{Name: "hello", Steps: []Step{{Target: "/", Status: 200,
			WantBody: str(`{"message":"Hello from guard"}`), WantHeader: withSec(map[string]string{"Content-Type": "application/json"})}}},
		{Name: "item template", Steps: []Step{{Target: "/items/42", Status: 200, WantBody: str(`{"id":"42"}`)}}},
		{Name: "exact body echo", Steps: []Step{
			{Method: "POST", Target: "/echo?x=1&y=%20", Body: exotic, Header: map[string]string{"Content-Type": "text/plain"}, Status: 200,
				BodyContains: []string{`"body_length":` + itoa(len(exotic)), `"query":"x=1\u0026y=%20"`, `"body_base64":"` + b64(exotic) + `"`}},
			{Method: "POST", Target: "/echo", Body: large, Chunked: true, Header: map[string]string{"Content-Type": "text/plain"}, Status: 200,
				BodyContains: []string{`"body_length":` + itoa(len(large)), `"body_base64":"` + b64(large) + `"`}},
			{Method: "POST", Target: "/echo", Body: huge, Header: map[string]string{"Content-Type": "text/plain"}, Status: 200,
				BodyContains: []string{`"body_length":` + itoa(len(huge)), `"body_base64":"` + b64(huge) + `"`}},
		}},
		{Name: "exempt and excluded", Config: "rate_limit: 1\nexempt_ips: [198.51.100.7]\nexclude_paths: [/echo]\nblocked_user_agents: [bot]", Steps: []Step{
			{Target: "/", Header: map[string]string{"User-Agent": "bot"}, Repeat: 3, Status: 200},
			{Target: Attack, IP: US2, Status: 200},
			{Target: "/?q=%3Cscript%3Ealert(1)%3C/script%3E", IP: DE, Status: 403},
		}},
		{Name: "unknown path keeps headers", Steps: []Step{{Target: "/nope", Status: 404, WantHeader: SecurityHeaders}}},

		// ---- IP lists and proxies ----
		{Name: "blacklist", Config: "blacklist: [203.0.113.0/24]", Steps: []Step{
			{Target: "/", IP: CN, Status: 403, WantBody: str("Forbidden"), WantHeader: SecurityHeaders},
			{Target: "/", IP: US, Status: 200},
		}},
		{Name: "whitelist wins over blacklist", Config: "whitelist: [198.51.100.0/24]\nblacklist: [198.51.100.7]", Steps: []Step{
			{Target: "/", IP: US, Status: 200},
			{Target: "/", IP: DE, Status: 403, WantBody: str("Forbidden")},
		}},
		{Name: "untrusted proxy is ignored", Config: "trusted_proxies: []\nblacklist: [203.0.113.5]", Steps: []Step{
			{Target: "/", IP: CN, Status: 200},
		}},
		{Name: "forwarded chain read from the right", Config: "blacklist: [203.0.113.5]", Steps: []Step{
			{Target: "/", IP: US + ", " + CN, Status: 403},
			{Target: "/", IP: CN + ", " + US, Status: 200},
		}},
		{Name: "user agent", Config: "blocked_user_agents: [sqlmap, '^curl/']", Steps: []Step{
			{Target: "/", Header: map[string]string{"User-Agent": "sqlmap/1.7-dev"}, Status: 403, WantBody: str("User-Agent not allowed")},
			{Target: "/", Header: map[string]string{"User-Agent": "curl/8.0"}, Status: 403},
			{Target: "/", Header: map[string]string{"User-Agent": "Mozilla/5.0 curl/8"}, Status: 200},
		}},
		{Name: "countries", Config: "blocked_countries: [CN]", Steps: []Step{
			forbidden("/", CN), {Target: "/", IP: US, Status: 200}, {Target: "/", IP: Other, Status: 200},
		}},

		// ---- rate limits ----
		{Name: "rate limit and Retry-After", Config: "rate_limit: 3\nrate_limit_window: 60", Steps: []Step{
			{Target: "/", Repeat: 3, Status: 200},
			{Target: "/", Status: 429, WantBody: str("Too many requests"), WantHeader: withSec(map[string]string{"Retry-After": "60"})},
			{Target: "/", IP: US2, Status: 200},
			{Advance: 61 * time.Second, Target: "/", Status: 200},
		}},
		{Name: "custom error body", Config: "rate_limit: 1\ncustom_error_responses: {429: Slow down, 403: Go away}\nblacklist: [203.0.113.5]", Steps: []Step{
			ok("/"),
			{Target: "/", Status: 429, WantBody: str("Slow down")},
			{Target: "/", IP: CN, Status: 403, WantBody: str("Go away")},
		}},
		{Name: "endpoint rate limit", Config: "endpoint_rate_limits: {/login: [2, 60]}", Steps: []Step{
			{Method: "POST", Target: "/login", Repeat: 2, Status: 200},
			{Method: "POST", Target: "/login", Status: 429},
			ok("/"),
		}},

		// ---- modes ----
		{Name: "emergency", Config: "emergency_mode: true\nemergency_whitelist: [198.51.100.7]", Steps: []Step{
			{Target: "/", IP: US, Status: 200},
			{Target: "/", IP: DE, Status: 503, WantBody: str("Service temporarily unavailable"), WantHeader: SecurityHeaders},
		}},
		{Name: "passive mode", Config: "passive_mode: true\nblacklist: [203.0.113.5]\nrate_limit: 1", Steps: []Step{
			{Target: "/", IP: CN, Repeat: 3, Status: 200, WantBody: str(`{"message":"Hello from guard"}`)},
			{Target: Attack, Status: 200},
		}},
		{Name: "https redirect", Config: "enforce_https: true", Steps: []Step{
			{Target: "/items/5?x=1&y=2", Host: "example.com", Status: 301,
				WantHeader: withSec(map[string]string{"Location": "https://example.com/items/5?x=1&y=2"})},
			{Target: "/", Host: "example.com:80", Status: 301, WantHeader: map[string]string{"Location": "https://example.com/"}},
		}},
		{Name: "https via trusted X-Forwarded-Proto", Config: "enforce_https: true\ntrust_x_forwarded_proto: true", Steps: []Step{
			{Target: "/", Header: map[string]string{"X-Forwarded-Proto": "https"}, Status: 200},
			{Target: "/", Header: map[string]string{"X-Forwarded-Proto": "http"}, Host: "example.com", Status: 301},
		}},
		{Name: "custom security headers", Config: "security_headers: {enabled: true, frame_options: DENY, custom: {X-Guarded: 'yes'}, csp: {default-src: ['''self''']}}", Steps: []Step{
			{Target: "/", Status: 200, WantHeader: map[string]string{"X-Frame-Options": "DENY", "X-Guarded": "yes", "Content-Security-Policy": "default-src 'self'"}},
		}},
		{Name: "security headers off", Config: "security_headers: {enabled: false}", Steps: []Step{
			{Target: "/", Status: 200, WantHeader: map[string]string{"X-Frame-Options": "", "Strict-Transport-Security": ""}},
		}},

		// ---- CORS ----
		{Name: "cors", Config: "enable_cors: true\ncors_allow_origins: ['http://localhost:3000']\ncors_allow_methods: [GET, POST]\ncors_allow_headers: [Content-Type]", Steps: []Step{
			{Target: "/", Header: map[string]string{"Origin": "http://localhost:3000"}, Status: 200,
				WantHeader: map[string]string{"Access-Control-Allow-Origin": "http://localhost:3000"}},
			{Target: "/", Header: map[string]string{"Origin": "http://evil.example"}, Status: 200,
				WantHeader: map[string]string{"Access-Control-Allow-Origin": ""}},
			{Method: "OPTIONS", Target: "/echo", Header: map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"}, Status: 200,
				WantHeader: map[string]string{"Access-Control-Allow-Origin": "http://localhost:3000"}},
			{Method: "OPTIONS", Target: "/echo", Header: map[string]string{"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}, Status: 400},
		}},

		// ---- penetration detection ----
		{Name: "penetration detection", Steps: []Step{
			{Target: Attack, Status: 403, WantHeader: SecurityHeaders},
			{Target: "/echo?q=running+shoes&page=2", Status: 200},
			{Method: "POST", Target: "/echo", Body: `{"name":"x' OR 1=1 --"}`, Header: map[string]string{"Content-Type": "application/json"}, Status: 403},
		}},
		{Name: "auto ban", Config: "auto_ban_threshold: 2\nauto_ban_duration: 300", Steps: []Step{
			{Target: Attack, Repeat: 2, Status: 403},
			{Target: "/", Status: 403, WantBody: str("IP address banned")},
			{Target: "/", IP: US2, Status: 200},
			{Advance: 301 * time.Second, Target: "/", Status: 200},
		}},

		// ---- route decorators via `routes:` ----
		{Name: "routes require_ip", Config: "routes:\n- path: /items/{id}\n  require_ip: {whitelist: [192.0.2.0/24]}", Steps: []Step{
			forbidden("/items/1", US), {Target: "/items/1", IP: DE, Status: 200}, ok("/health"),
		}},
		{Name: "routes colon template and methods", Config: "routes:\n- path: /items/:id\n  methods: [GET]\n  require_ip: {blacklist: [198.51.100.7]}\n- path: /echo\n  methods: [POST]\n  require_ip: {blacklist: [198.51.100.7]}", Steps: []Step{
			forbidden("/items/9", US), ok("/echo"), {Method: "POST", Target: "/echo", Status: 403}, {Method: "POST", Target: "/echo", IP: US2, Status: 200},
		}},
		{Name: "routes block_countries", Config: "routes:\n- path: /items/{id}\n  block_countries: [CN]", Steps: []Step{
			forbidden("/items/1", CN), {Target: "/", IP: CN, Status: 200}, ok("/items/1"),
		}},
		{Name: "routes allow_countries", Config: "routes:\n- path: /lottery\n  allow_countries: [DE]", Steps: []Step{
			forbidden("/lottery", US), forbidden("/lottery", Other), {Target: "/lottery", IP: DE, Status: 200},
		}},
		{Name: "routes block_clouds", Config: "routes:\n- path: /login\n  block_clouds: [AWS]\n- path: /echo\n  block_clouds: []", Steps: []Step{
			{Method: "POST", Target: "/login", IP: AWS, Status: 403},
			{Method: "POST", Target: "/login", IP: US, Status: 200},
			{Target: "/echo", IP: "34.64.1.1", Status: 403}, {Target: "/", IP: AWS, Status: 200},
		}},
		{Name: "routes bypass rate_limit", Config: "rate_limit: 2\nroutes:\n- path: /health\n  bypass: [rate_limit]", Steps: []Step{
			{Target: "/health", Repeat: 5, Status: 200}, {Target: "/", Repeat: 2, Status: 200}, {Target: "/", Status: 429},
		}},
		{Name: "routes bypass all", Config: "blacklist: [203.0.113.5]\nblocked_user_agents: [sqlmap]\nroutes:\n- path: /health\n  bypass: [all]", Steps: []Step{
			{Target: "/health", IP: CN, Header: map[string]string{"User-Agent": "sqlmap"}, Status: 200, WantHeader: SecurityHeaders},
			{Target: "/health?q=%3Cscript%3Ealert(1)%3C/script%3E", Status: 200},
			forbidden("/", CN),
		}},
		{Name: "routes rate_limit", Config: "rate_limit: 100\nroutes:\n- path: /items/{id}\n  rate_limit: {requests: 2, window: 30}", Steps: []Step{
			ok("/items/1"), ok("/items/2"),
			{Target: "/items/3", Status: 429, WantHeader: map[string]string{"Retry-After": "30"}},
			ok("/health"), {Target: "/items/3", IP: US2, Status: 200},
			{Advance: 31 * time.Second, Target: "/items/3", Status: 200},
		}},
		{Name: "routes geo_rate_limit", Config: "routes:\n- path: /lottery\n  geo_rate_limit: {US: [1, 60], '*': [2, 60]}", Steps: []Step{
			ok("/lottery"), {Target: "/lottery", Status: 429},
			{Target: "/lottery", IP: DE, Repeat: 2, Status: 200}, {Target: "/lottery", IP: DE, Status: 429},
		}},
		{Name: "routes block_user_agents", Config: "routes:\n- path: /login\n  block_user_agents: [python-requests]", Steps: []Step{
			{Method: "POST", Target: "/login", Header: map[string]string{"User-Agent": "python-requests/2.31"}, Status: 403},
			{Target: "/", Header: map[string]string{"User-Agent": "python-requests/2.31"}, Status: 200},
		}},
		{Name: "routes content_type_filter", Config: "routes:\n- path: /echo\n  methods: [POST]\n  content_type_filter: [application/json]", Steps: []Step{
			{Method: "POST", Target: "/echo", Body: "x", Header: map[string]string{"Content-Type": "text/plain"}, Status: 415, WantBody: str("Unsupported media type")},
			{Method: "POST", Target: "/echo", Body: `{"a":1}`, Header: map[string]string{"Content-Type": "application/json; charset=utf-8"}, Status: 200,
				BodyContains: []string{`"body":"{\"a\":1}"`}},
		}},
		{Name: "routes max_request_size", Config: "routes:\n- path: /echo\n  max_request_size: 16", Steps: []Step{
			{Method: "POST", Target: "/echo", Body: "0123456789abcdef", Status: 200, BodyContains: []string{`"body":"0123456789abcdef"`}},
			{Method: "POST", Target: "/echo", Body: "0123456789abcdefg", Status: 413, WantBody: str("Request entity too large")},
			{Method: "POST", Target: "/echo", Body: "0123456789abcdefg", Chunked: true, Status: 413},
			{Method: "POST", Target: "/echo", Body: "0123456789abcdef", Chunked: true, Status: 200, BodyContains: []string{`"body_length":16`}},
		}},
		{Name: "routes require_headers", Config: "routes:\n- path: /echo\n  require_headers: {X-Tenant: required, X-Version: '2'}", Steps: []Step{
			{Target: "/echo", Header: map[string]string{"X-Version": "2"}, Status: 400, WantBody: str("Missing required header: X-Tenant")},
			{Target: "/echo", Header: map[string]string{"X-Tenant": "a", "X-Version": "3"}, Status: 400},
			{Target: "/echo", Header: map[string]string{"X-Tenant": "a", "X-Version": "2"}, Status: 200},
		}},
		{Name: "routes require_auth", Config: "routes:\n- path: /items/{id}\n  require_auth: {type: bearer}", Steps: []Step{
			{Target: "/items/1", Status: 401, WantBody: str("Authentication required"), WantHeader: map[string]string{"Www-Authenticate": "Bearer"}},
			{Target: "/items/1", Header: map[string]string{"Authorization": "Basic dTpw"}, Status: 401},
			{Target: "/items/1", Header: map[string]string{"Authorization": "Bearer abc"}, Status: 200},
		}},
		{Name: "routes api_key_auth", Config: "routes:\n- path: /echo\n  api_key_auth: {header: X-API-Key, keys: [k1, k2]}", Steps: []Step{
			{Target: "/echo", Status: 401, WantBody: str("Invalid or missing API key")},
			{Target: "/echo", Header: map[string]string{"X-API-Key": "k3"}, Status: 401},
			{Target: "/echo", Header: map[string]string{"X-API-Key": "k2"}, Status: 200},
		}},
		{Name: "routes require_referrer", Config: "routes:\n- path: /login\n  require_referrer: [example.com]", Steps: []Step{
			{Method: "POST", Target: "/login", Status: 403, WantBody: str("Invalid referrer")},
			{Method: "POST", Target: "/login", Header: map[string]string{"Referer": "https://evil-example.com/"}, Status: 403},
			{Method: "POST", Target: "/login", Header: map[string]string{"Referer": "https://app.example.com/form"}, Status: 200},
		}},
		{Name: "routes require_https", Config: "routes:\n- path: /login\n  require_https: true", Steps: []Step{
			{Method: "POST", Target: "/login?next=/", Host: "example.com", Status: 301, WantHeader: map[string]string{"Location": "https://example.com/login?next=/"}},
			ok("/"),
		}},
		{Name: "routes time_window across midnight", Config: "routes:\n- path: /lottery\n  time_window: {start: '22:00', end: '06:00', timezone: Europe/Berlin}", Steps: []Step{
			{Target: "/lottery", Status: 403, WantBody: str("Access not allowed at this time")}, // 13:00 Berlin
			{Advance: 9 * time.Hour, Target: "/lottery", Status: 200},                           // 22:00 Berlin
			{Advance: 6*time.Hour + 59*time.Minute, Target: "/lottery", Status: 200},            // 04:59 Berlin
			{Advance: 62 * time.Minute, Target: "/lottery", Status: 403},                        // 06:01 Berlin
			ok("/"),
		}},
		{Name: "routes suspicious_detection off", Config: "routes:\n- path: /echo\n  suspicious_detection: false", Steps: []Step{
			{Target: Attack, Status: 200}, {Target: "/?q=%3Cscript%3Ealert(1)%3C/script%3E", Status: 403},
		}},
		{Name: "routes detection_exclusion", Config: "routes:\n- path: /echo\n  detection_exclusion: {params: [html], headers: [X-Template]}", Steps: []Step{
			{Target: "/echo?html=%3Cscript%3Ealert(1)%3C/script%3E", Status: 200},
			{Target: "/echo", Header: map[string]string{"X-Template": "<script>alert(1)</script>"}, Status: 200},
			{Target: "/echo?q=%3Cscript%3Ealert(1)%3C/script%3E", Status: 403},
		}},
		{Name: "routes honeypot_detection", Config: "routes:\n- path: /login\n  honeypot_detection: [website]", Steps: []Step{
			{Method: "POST", Target: "/login", Body: "user=a&website=http%3A%2F%2Fspam", Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Status: 403},
			{Method: "POST", Target: "/login", Body: `{"user":"a","website":"x"}`, Header: map[string]string{"Content-Type": "application/json"}, Status: 403},
			{Method: "POST", Target: "/login", Body: "user=a&website=", Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Status: 200},
		}},
		{Name: "routes usage_monitor ban", Config: "routes:\n- path: /lottery\n  usage_monitor: {max_calls: 2, window: 60, action: ban, ban_duration: 120}", Steps: []Step{
			{Target: "/lottery", Repeat: 2, Status: 200},
			{Target: "/lottery", Status: 403},
			forbidden("/", US), {Target: "/", IP: US2, Status: 200},
			{Advance: 121 * time.Second, Target: "/", Status: 200},
		}},
		{Name: "routes return_monitor", Config: "routes:\n- path: /lottery\n  return_monitor: {pattern: 'json:result==win', max_occurrences: 1, window: 60, action: ban}", Steps: []Step{
			{Target: "/lottery?outcome=lose", Repeat: 3, Status: 200},
			{Target: "/lottery?outcome=win", Repeat: 2, Status: 200, WantBody: str(`{"result":"win"}`)},
			{Target: "/lottery?outcome=lose", Status: 403},
		}},
		{Name: "route beats global", Config: "rate_limit: 1\nblocked_user_agents: [bot]\nroutes:\n- path: /health\n  rate_limit: {requests: 3, window: 60}\n  bypass: [rate_limit, user_agent]", Steps: []Step{
			{Target: "/health", Header: map[string]string{"User-Agent": "bot"}, Repeat: 4, Status: 200},
		}},

		// ---- route decorators in code ----
		{Name: "code require_auth verifier", Policies: []CodePolicy{{Pattern: "/items/{id}", Policy: policy.New(
			policy.RequireAuth("bearer", func(_ context.Context, _, cred string) bool { return cred == "good" }))}}, Steps: []Step{
			{Target: "/items/1", Header: map[string]string{"Authorization": "Bearer bad"}, Status: 401},
			{Target: "/items/1", Header: map[string]string{"Authorization": "Bearer good"}, Status: 200},
			ok("/"),
		}},
		{Name: "code api key verifier and validator", Policies: []CodePolicy{{Pattern: "/echo", Methods: []string{"POST"}, Policy: policy.New(
			policy.APIKeyAuth("X-API-Key", func(_ context.Context, k string) bool { return strings.HasPrefix(k, "live_") }),
			policy.CustomValidator(func(_ context.Context, r guard.Request, _ netip.Addr) *guard.Decision {
				if r.Header().Get("X-Teapot") != "" {
					return guard.Block(http.StatusTeapot, "short and stout")
				}
				return nil
			}))}}, Steps: []Step{
			{Method: "POST", Target: "/echo", Header: map[string]string{"X-API-Key": "test_1"}, Status: 401},
			{Method: "POST", Target: "/echo", Header: map[string]string{"X-API-Key": "live_1", "X-Teapot": "1"}, Status: 418, WantBody: str("short and stout")},
			{Method: "POST", Target: "/echo", Header: map[string]string{"X-API-Key": "live_1"}, Status: 200},
			ok("/echo"),
		}},
		{Name: "code policy beats config route", Config: "routes:\n- path: /items/{id}\n  require_ip: {blacklist: [198.51.100.7]}", Policies: []CodePolicy{{Pattern: "/items/:id", Policy: policy.New(
			policy.RateLimit(1, time.Minute), policy.TimeWindow("09:00", "17:00", "UTC"))}}, Steps: []Step{
			ok("/items/1"), {Target: "/items/1", Status: 429},
			{Advance: 6 * time.Hour, Target: "/items/1", IP: US2, Status: 403, WantBody: str("Access not allowed at this time")},
		}},
		{Name: "code every decorator compiles", Policies: []CodePolicy{{Pattern: "/lottery", Policy: policy.New(
			policy.RequireIP([]string{"198.51.100.0/24"}, []string{"198.51.100.8"}), policy.BlockCountries("CN"), policy.AllowCountries("US"),
			policy.BlockClouds(), policy.Bypass("penetration"), policy.RateLimit(5, time.Minute), policy.GeoRateLimit("US", 5, time.Minute),
			policy.BlockUserAgents("bot"), policy.ContentTypeFilter("application/json", "text/*"), policy.MaxRequestSize(1024),
			policy.RequireHeader("X-Tenant", "required"), policy.RequireAuth("bearer", nil), policy.APIKeyAuth("X-API-Key", nil, "k"),
			policy.RequireReferrer("example.com"), policy.TimeWindow("00:00", "23:59", "Europe/Berlin"), policy.SuspiciousDetection(true),
			policy.DetectionExclusion([]string{"X-Raw"}, []string{"html"}, nil), policy.HoneypotDetection("website"),
			policy.UsageMonitor(100, time.Hour, "log"))}}, Steps: []Step{
			{Target: "/lottery?html=%3Cscript%3E", Header: everything, Status: 200},
			{Target: "/lottery", IP: US2, Header: everything, Status: 403},
			{Target: "/lottery", Header: map[string]string{"X-Tenant": "t"}, Status: 415},
			{Target: "/lottery", IP: CN, Header: everything, Status: 403},
			{Target: "/lottery", Header: map[string]string{"Content-Type": "text/plain", "X-Tenant": "t", "Authorization": "Bearer x", "X-API-Key": "k"}, Status: 403},
		}},

		// ---- route decorators attached in code as route middleware ----
		{Name: "attached policy", Attached: []CodePolicy{{Pattern: "/items/{id}", Policy: policy.New(policy.RequireHeader("X-Tenant", "required"))}}, Steps: []Step{
			{Target: "/items/1", Status: 400, WantBody: str("Missing required header: X-Tenant"), WantHeader: SecurityHeaders},
			{Target: "/items/1", Header: map[string]string{"X-Tenant": "t"}, Status: 200, WantBody: str(`{"id":"1"}`)},
			ok("/"), ok("/health"),
		}},
		{Name: "attached bypass beats global", Config: "rate_limit: 1\nblacklist: [203.0.113.0/24]", Attached: []CodePolicy{{Pattern: "/health", Policy: policy.New(policy.Bypass("rate_limit"))}}, Steps: []Step{
			{Target: "/health", Repeat: 3, Status: 200},
			forbidden("/health", CN),
			ok("/"), {Target: "/", Status: 429},
		}},
		{Name: "attached counted once", Config: "rate_limit: 2", Attached: []CodePolicy{{Pattern: "/lottery", Policy: policy.New(policy.BlockUserAgents("bot"))}}, Steps: []Step{
			{Target: "/lottery", Repeat: 2, Status: 200},
			{Target: "/lottery", Status: 429, WantHeader: map[string]string{"Retry-After": "60"}},
			{Target: "/lottery", IP: US2, Header: map[string]string{"User-Agent": "bot"}, Status: 403},
		}},
		{Name: "attached beats config route", Config: "routes:\n- path: /items/{id}\n  require_ip: {blacklist: [198.51.100.7]}", Attached: []CodePolicy{{Pattern: "/items/{id}", Policy: policy.New(policy.RateLimit(1, time.Minute))}}, Steps: []Step{
			ok("/items/1"), {Target: "/items/1", Status: 429},
		}},
		{Name: "error attached policy invalid", Attached: []CodePolicy{{Pattern: "/items/{id}", Policy: policy.New(policy.RequireIP([]string{"300.0.0.1"}, nil))}},
			WantErr: []string{"require_ip.whitelist"}},

		// ---- start-up errors ----
		{Name: "error unknown route key", Config: "routes:\n- path: /items/{id}\n  rate_limt: {requests: 1, window: 1}", WantErr: []string{"rate_limt"}},
		{Name: "error bad route CIDR", Config: "routes:\n- path: /items/{id}\n  require_ip: {whitelist: [10.0.0.0/33]}", WantErr: []string{"routes[0].require_ip.whitelist"}},
		{Name: "error bad time zone", Config: "routes:\n- path: /lottery\n  time_window: {start: '09:00', end: '17:00', timezone: Mars/Olympus}", WantErr: []string{"routes[0].time_window.timezone"}},
		{Name: "error route not served", Config: "routes:\n- path: /itemz/{id}\n  rate_limit: {requests: 1, window: 60}", WantErr: []string{"routes[0]", guard.ErrUnattachedPolicy.Error(), "/itemz/{id}"}},
		{Name: "error route method not served", Config: "routes:\n- path: /login\n  methods: [GET]\n  require_auth: {type: bearer}", WantErr: []string{"routes[0]", "GET \"/login\""}},
		{Name: "error code policy not served", Policies: []CodePolicy{{Pattern: "/admin", Policy: policy.New(policy.RequireIP([]string{"10.0.0.0/8"}, nil))}},
			WantErr: []string{`policy "/admin"`, guard.ErrUnattachedPolicy.Error()}},
		{Name: "error code policy invalid", Policies: []CodePolicy{{Pattern: "/items/{id}", Policy: policy.New(policy.TimeWindow("9am", "17:00", ""))}},
			WantErr: []string{`policy "/items/{id}"`}},
	}
}
