package guard

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/guardgo/guard/core/detect"
	"time"
)

// fakeClock is an injected, manually advanced clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// okHandler echoes the request body so tests can check it arrives intact.
var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write(b)
})

type req struct {
	method, target, remote, body string
	header                       map[string]string
}

func (r req) build() *http.Request {
	m := r.method
	if m == "" {
		m = http.MethodGet
	}
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr := httptest.NewRequest(m, r.target, body)
	if r.remote != "" {
		hr.RemoteAddr = r.remote
	} else {
		hr.RemoteAddr = "198.51.100.10:5555"
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	return hr
}

func newTestEngine(t *testing.T, mutate func(*Config), opts ...Option) (*Engine, *fakeClock) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	if mutate != nil {
		mutate(&cfg)
	}
	clk := newClock()
	e, err := New(cfg, append([]Option{WithClock(clk.Now), WithDetector(sharedDetector(t))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, clk
}

var (
	sharedDetectorOnce sync.Once
	sharedDetectorVal  *detect.Detector
	sharedDetectorErr  error
)

// sharedDetector is one default detector for the package's tests: building
// the detection engine compiles every pattern, which is worth doing once.
// Tests that change the detector (custom patterns) build their own.
func sharedDetector(t *testing.T) *detect.Detector {
	t.Helper()
	sharedDetectorOnce.Do(func() {
		cfg := DefaultConfig()
		d, err := newDefaultDetector(&cfg, nil)
		if err == nil {
			sharedDetectorVal = d.(*detect.Detector)
		}
		sharedDetectorErr = err
	})
	if sharedDetectorErr != nil {
		t.Fatal(sharedDetectorErr)
	}
	return sharedDetectorVal
}

// ownDetector builds a detector for one engine.
func ownDetector(t *testing.T) Option {
	t.Helper()
	cfg := DefaultConfig()
	d, err := newDefaultDetector(&cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return WithDetector(d)
}

func serve(e *Engine, r req) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.Serve(w, r.build(), "", okHandler)
	return w
}

func TestIPLists(t *testing.T) {
	tests := []struct {
		name   string
		cfg    func(*Config)
		remote string
		want   int
	}{
		{"blacklisted v4", func(c *Config) { c.Blacklist = []string{"198.51.100.10"} }, "", 403},
		{"blacklisted cidr", func(c *Config) { c.Blacklist = []string{"198.51.100.0/24"} }, "", 403},
		{"not blacklisted", func(c *Config) { c.Blacklist = []string{"198.51.101.0/24"} }, "", 200},
		{"blacklisted v6 cidr", func(c *Config) { c.Blacklist = []string{"2001:db8::/32"} }, "[2001:db8::5]:1", 403},
		{"mapped v4 peer hits v4 list", func(c *Config) { c.Blacklist = []string{"192.0.2.1"} }, "[::ffff:192.0.2.1]:1", 403},
		{"whitelist restrictive", func(c *Config) { c.Whitelist = []string{"10.0.0.0/8"} }, "", 403},
		{"whitelist allows", func(c *Config) { c.Whitelist = []string{"198.51.100.0/24"} }, "", 200},
		{"whitelist wins over blacklist", func(c *Config) {
			c.Whitelist = []string{"198.51.100.10"}
			c.Blacklist = []string{"198.51.100.10"}
		}, "", 200},
		{"exempt still blacklisted", func(c *Config) {
			c.ExemptIPs = []string{"198.51.100.10"}
			c.Blacklist = []string{"198.51.100.10"}
		}, "", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := newTestEngine(t, tt.cfg)
			w := serve(e, req{target: "/", remote: tt.remote})
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d (%s)", w.Code, tt.want, w.Body)
			}
		})
	}
}

func TestTrustedProxies(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) {
		c.TrustedProxies = []string{"127.0.0.1"}
		c.Blacklist = []string{"203.0.113.9"}
	})
	tests := []struct {
		name   string
		remote string
		xff    string
		want   int
	}{
		{"client behind trusted proxy blocked", "127.0.0.1:1", "203.0.113.9", 403},
		{"spoof from untrusted peer ignored", "198.51.100.1:1", "203.0.113.9", 200},
		{"spoof on the left ignored", "127.0.0.1:1", "203.0.113.9, 198.51.100.77", 200},
		{"garbage falls back to the proxy", "127.0.0.1:1", "garbage", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(e, req{target: "/", remote: tt.remote, header: map[string]string{"X-Forwarded-For": tt.xff}})
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d", w.Code, tt.want)
			}
		})
	}
}

func TestRateLimitWindowAndRetryAfter(t *testing.T) {
	e, clk := newTestEngine(t, func(c *Config) {
		c.RateLimit = 3
		c.RateLimitWindow = 10 * 1e9
	})
	for i := 0; i < 3; i++ {
		if w := serve(e, req{target: "/"}); w.Code != 200 {
			t.Fatalf("request %d: %d", i, w.Code)
		}
		clk.Advance(time.Second)
	}
	w := serve(e, req{target: "/"})
	if w.Code != 429 {
		t.Fatalf("4th request: %d", w.Code)
	}
	if ra := w.Header().Get("Retry-After"); ra != "7" {
		t.Fatalf("Retry-After %q, want 7", ra)
	}
	if w.Header().Get("X-Frame-Options") == "" {
		t.Fatal("security headers missing on a 429")
	}
	// Another client is not affected.
	if w := serve(e, req{target: "/", remote: "198.51.100.11:1"}); w.Code != 200 {
		t.Fatalf("other client: %d", w.Code)
	}
	clk.Advance(7 * time.Second) // the first request leaves the window
	if w := serve(e, req{target: "/"}); w.Code != 200 {
		t.Fatalf("after window: %d", w.Code)
	}
	if w := serve(e, req{target: "/"}); w.Code != 429 {
		t.Fatalf("window full again: %d", w.Code)
	}
}

func TestEndpointAndGlobalTiersBothCount(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) {
		c.RateLimit = 5
		c.EndpointRateLimits = map[string]EndpointLimit{"/login": {Requests: 2, Window: 60 * 1e9}}
	})
	codes := []int{}
	for i := 0; i < 3; i++ {
		codes = append(codes, serve(e, req{method: "POST", target: "/login", body: "u=a"}).Code)
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != 429 {
		t.Fatalf("endpoint tier: %v", codes)
	}
	// Global tier: 2 admitted so far; 3 more fit, the 6th is refused.
	for i := 0; i < 3; i++ {
		if w := serve(e, req{target: "/"}); w.Code != 200 {
			t.Fatalf("global %d: %d", i, w.Code)
		}
	}
	if w := serve(e, req{target: "/"}); w.Code != 429 {
		t.Fatalf("global tier not enforced: %d", w.Code)
	}
}

func TestExemptIPsSkipRateLimitsAndUA(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) {
		c.RateLimit = 1
		c.ExemptIPs = []string{"198.51.100.10"}
		c.BlockedUserAgents = []string{"curl"}
	})
	for i := 0; i < 3; i++ {
		if w := serve(e, req{target: "/", header: map[string]string{"User-Agent": "curl/8"}}); w.Code != 200 {
			t.Fatalf("exempt request %d: %d", i, w.Code)
		}
	}
}

func TestUserAgents(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) { c.BlockedUserAgents = []string{"sqlmap", `^python-requests/`} })
	for ua, want := range map[string]int{"SQLMap/1.0": 403, "python-requests/2.31": 403, "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15": 200, "": 200, "my python-requests/2": 200} {
		if w := serve(e, req{target: "/", remote: "198.51.100.20:1", header: map[string]string{"User-Agent": ua}}); w.Code != want {
			t.Errorf("UA %q: %d, want %d", ua, w.Code, want)
		}
	}
}

func TestEmergencyMode(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) {
		c.EmergencyMode = true
		c.EmergencyWhitelist = []string{"10.0.0.0/8"}
	})
	if w := serve(e, req{target: "/"}); w.Code != 503 {
		t.Fatalf("emergency: %d", w.Code)
	}
	if w := serve(e, req{target: "/", remote: "10.1.2.3:4"}); w.Code != 200 {
		t.Fatalf("emergency whitelist: %d", w.Code)
	}
}

func TestHTTPSRedirect(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) {
		c.EnforceHTTPS = true
		c.TrustedProxies = []string{"127.0.0.1"}
		c.TrustXForwardedProto = true
	})
	w := serve(e, req{target: "http://example.com/a/b?x=1"})
	if w.Code != 301 || w.Header().Get("Location") != "https://example.com/a/b?x=1" {
		t.Fatalf("redirect: %d %q", w.Code, w.Header().Get("Location"))
	}
	if w := serve(e, req{target: "http://example.com/", remote: "127.0.0.1:9", header: map[string]string{"X-Forwarded-Proto": "https"}}); w.Code != 200 {
		t.Fatalf("trusted proto: %d", w.Code)
	}
	if w := serve(e, req{target: "http://example.com/", header: map[string]string{"X-Forwarded-Proto": "https"}}); w.Code != 301 {
		t.Fatalf("untrusted proto believed: %d", w.Code)
	}
}

func TestSecurityHeadersDefaults(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) {
		c.SecurityHeaders.CSP = map[string][]string{"default-src": {"'self'"}, "img-src": {"'self'", "data:"}}
		c.SecurityHeaders.Custom = map[string]string{"X-Custom": "v"}
	})
	w := serve(e, req{target: "/"})
	want := map[string]string{
		"X-Content-Type-Options":    "nosniff",
		"X-Frame-Options":           "SAMEORIGIN",
		"X-Xss-Protection":          "1; mode=block",
		"Referrer-Policy":           "strict-origin-when-cross-origin",
		"Strict-Transport-Security": "max-age=31536000; includeSubDomains",
		"Content-Security-Policy":   "default-src 'self'; img-src 'self' data:",
		"X-Custom":                  "v",
		"Permissions-Policy":        "geolocation=(), microphone=(), camera=()",
	}
	for k, v := range want {
		if got := w.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestCORS(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) {
		c.EnableCORS = true
		c.CORSAllowOrigins = []string{"https://app.example"}
		c.CORSAllowMethods = []string{"GET", "POST"}
		c.CORSAllowHeaders = []string{"X-Token"}
		c.CORSAllowCredentials = true
		c.CORSExposeHeaders = []string{"X-Total"}
	})
	pre := serve(e, req{method: "OPTIONS", target: "/", header: map[string]string{
		"Origin": "https://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-token"}})
	if pre.Code != 200 || pre.Header().Get("Access-Control-Allow-Origin") != "https://app.example" ||
		pre.Header().Get("Access-Control-Allow-Credentials") != "true" || !strings.Contains(pre.Header().Get("Access-Control-Allow-Methods"), "POST") {
		t.Fatalf("preflight: %d %v", pre.Code, pre.Header())
	}
	bad := serve(e, req{method: "OPTIONS", target: "/", header: map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}})
	if bad.Code != 400 || bad.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("bad preflight: %d %v", bad.Code, bad.Header())
	}
	badMethod := serve(e, req{method: "OPTIONS", target: "/", header: map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "DELETE"}})
	if badMethod.Code != 400 {
		t.Fatalf("bad method preflight: %d", badMethod.Code)
	}
	simple := serve(e, req{target: "/", header: map[string]string{"Origin": "https://app.example"}})
	if simple.Header().Get("Access-Control-Allow-Origin") != "https://app.example" || simple.Header().Get("Access-Control-Expose-Headers") != "X-Total" {
		t.Fatalf("simple: %v", simple.Header())
	}
	other := serve(e, req{target: "/", header: map[string]string{"Origin": "https://evil.example"}})
	if other.Code != 200 || other.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("disallowed simple request: %d %v", other.Code, other.Header())
	}
}

func TestCustomErrorResponsesAndPassiveMode(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) {
		c.Blacklist = []string{"198.51.100.10"}
		c.CustomErrorResponses = map[int]string{403: "Go away"}
	})
	w := serve(e, req{target: "/"})
	if w.Code != 403 || w.Body.String() != "Go away" {
		t.Fatalf("custom body: %d %q", w.Code, w.Body)
	}
	var events []Event
	var mu sync.Mutex
	sink := SinkFunc(func(_ context.Context, ev Event) { mu.Lock(); events = append(events, ev); mu.Unlock() })
	p, _ := newTestEngine(t, func(c *Config) {
		c.Blacklist = []string{"198.51.100.10"}
		c.PassiveMode = true
		c.RateLimit = 1
	}, WithSink(sink))
	for i := 0; i < 3; i++ {
		if w := serve(p, req{target: "/"}); w.Code != 200 {
			t.Fatalf("passive mode blocked: %d", w.Code)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	var sawBlacklist, sawRate bool
	for _, ev := range events {
		if !ev.Passive {
			t.Errorf("event not marked passive: %+v", ev)
		}
		sawBlacklist = sawBlacklist || ev.Reason == ReasonIPBlacklisted
		sawRate = sawRate || ev.Reason == ReasonRateLimited
	}
	if !sawBlacklist || !sawRate {
		t.Fatalf("passive events missing: %+v", events)
	}
}

func TestBodyReachesHandlerExactly(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) { c.Routes = []RouteConfig{{Path: "/upload", MaxRequestSize: 1 << 20}} })
	bodies := []string{"", "a=1&b=2", strings.Repeat("x", 3<<20), "\xff\xfe\x00binary\r\n", `{"k": "%zz%"}`}
	for i, b := range bodies {
		for _, target := range []string{"/echo", "/upload"} {
			r := req{method: "POST", target: target, body: b, remote: "198.51.100.30:1"}
			hr := r.build()
			w := httptest.NewRecorder()
			e.Serve(w, hr, "", okHandler)
			if target == "/upload" && len(b) > 1<<20 {
				if w.Code != 413 {
					t.Errorf("body %d to %s: status %d, want 413", i, target, w.Code)
				}
				continue
			}
			if w.Code != 200 || w.Body.String() != b {
				t.Errorf("body %d to %s: status %d, body len %d want %d", i, target, w.Code, w.Body.Len(), len(b))
			}
		}
	}
}

func TestMaxRequestSizeCountsBytesRead(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) { c.Routes = []RouteConfig{{Path: "/upload", MaxRequestSize: 10}} })
	// Chunked body (no Content-Length) over the limit.
	r := req{method: "POST", target: "/upload", body: strings.Repeat("y", 11)}.build()
	r.ContentLength = -1
	w := httptest.NewRecorder()
	e.Serve(w, r, "", okHandler)
	if w.Code != 413 {
		t.Fatalf("chunked over limit: %d", w.Code)
	}
	// Lying Content-Length under the limit with a longer body.
	r = req{method: "POST", target: "/upload", body: strings.Repeat("y", 50)}.build()
	r.ContentLength = 5
	r.Header.Set("Content-Length", "5")
	w = httptest.NewRecorder()
	e.Serve(w, r, "", okHandler)
	if w.Code != 413 {
		t.Fatalf("lying content-length: %d", w.Code)
	}
	r = req{method: "POST", target: "/upload", body: "0123456789"}.build()
	w = httptest.NewRecorder()
	e.Serve(w, r, "", okHandler)
	if w.Code != 200 || w.Body.String() != "0123456789" {
		t.Fatalf("at limit: %d %q", w.Code, w.Body)
	}
}

func TestTwoEnginesSideBySide(t *testing.T) {
	a, _ := newTestEngine(t, func(c *Config) { c.Blacklist = []string{"198.51.100.10"} })
	b, _ := newTestEngine(t, nil)
	if serve(a, req{target: "/"}).Code != 403 || serve(b, req{target: "/"}).Code != 200 {
		t.Fatal("engines share state")
	}
}

func TestCustomCheckAndModifier(t *testing.T) {
	e, _ := newTestEngine(t, nil,
		WithRequestCheck(func(_ context.Context, r Request, _ netip.Addr) *Decision {
			if r.Header().Get("X-Block") != "" {
				return Block(418, "teapot")
			}
			return nil
		}),
		WithResponseModifier(func(_ Request, status int, h map[string][]string) int {
			h["X-Modified"] = []string{"1"}
			return status
		}))
	w := serve(e, req{target: "/", header: map[string]string{"X-Block": "1"}})
	if w.Code != 418 || w.Body.String() != "teapot" || w.Header().Get("X-Modified") != "1" {
		t.Fatalf("custom check: %d %q %v", w.Code, w.Body, w.Header())
	}
	w = serve(e, req{target: "/"})
	if w.Code != 200 || w.Header().Get("X-Modified") != "1" {
		t.Fatalf("modifier on allowed response: %d %v", w.Code, w.Header())
	}
}

func TestMalformedInputNeverPanics(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) {
		c.RateLimit = 1000
		c.Routes = []RouteConfig{{Path: "/items/{id}", RateLimit: &RouteRateLimit{Requests: 100, Window: 60 * 1e9}}}
	})
	targets := []string{"/%zz", "/items/%ff%fe", "/a/../../etc/passwd", "/?q=%", "/?%%%=&&&", "/items/\xff", "//x//y", "/items/a%2fb"}
	for _, tg := range targets {
		r := httptest.NewRequest("GET", "/", nil)
		r.URL.RawPath = tg
		r.URL.Path = tg
		r.URL.RawQuery = strings.TrimPrefix(tg, "/?")
		r.Header.Set("X-Forwarded-For", "\x00\xff, ,")
		r.Header["Weird"] = []string{"\r\n", strings.Repeat("a", 1<<16)}
		w := httptest.NewRecorder()
		e.Serve(w, r, "", okHandler)
		if w.Code >= 500 {
			t.Errorf("%q: %d", tg, w.Code)
		}
	}
}

func containsString(s, sub string) bool { return strings.Contains(s, sub) }
