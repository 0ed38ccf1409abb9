package guardtest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/cloud"
	"github.com/guardgo/guard/core/detect"
)

// Factory builds the adapter under test: Routes served behind the adapter's
// middleware for e. attached maps a route template (as in Routes) to the
// policy to attach to that route in code, the framework's way (ginguard.Policy,
// chiguard.Policy, echoguard.Handler, httpguard.Route). It returns the error
// the adapter reports for the engine's route policies at start-up (its
// Verify), if any.
type Factory func(t testing.TB, e *guard.Engine, attached map[string]*guard.Attached) (http.Handler, error)

// Case is one scenario: a configuration, code-level policies, and requests
// sent in order to one server.
type Case struct {
	Name string
	// Config is YAML over guard.DefaultConfig. Unless it sets them, the
	// suite trusts the loopback proxy (clients are named with
	// X-Forwarded-For), silences event logging and names a placeholder
	// country database (the suite resolves countries itself, see Geo).
	Config string
	// Policies are code-level policies registered by template
	// (guard.WithRoutePolicy).
	Policies []CodePolicy
	// Attached are code-level policies attached to a route of Routes by the
	// adapter (Pattern is the route's template; see Factory).
	Attached []CodePolicy
	// Options are extra engine options.
	Options []guard.Option
	// Start is the injected clock's start (default 2026-03-02 12:00 UTC).
	Start time.Time
	// WantErr, when set, is a substring every start-up error must contain
	// (from the configuration, the engine or the adapter's Verify); the case
	// then sends no request.
	WantErr []string
	Steps   []Step
}

// CodePolicy is a guard.WithRoutePolicy registration.
type CodePolicy struct {
	Pattern string
	Methods []string
	Policy  *guard.Policy
}

// Step is one request and its expected response.
type Step struct {
	// Advance moves the clock before the request.
	Advance time.Duration
	// Repeat sends the request this many times (default 1), each expecting
	// the same response.
	Repeat int

	Method string // default GET
	Target string // path and query
	// IP is the client, sent as X-Forwarded-For from the trusted loopback
	// proxy (default 198.51.100.7, a US address for Geo). "-" sends none.
	IP     string
	Host   string // Host header (default: the server's address)
	Header map[string]string
	Body   string
	// Chunked sends the body without Content-Length.
	Chunked bool

	Status int
	// Body is the exact expected body; BodyContains substrings of it.
	WantBody     *string
	BodyContains []string
	// WantHeader holds exact expected header values; "" means absent.
	WantHeader map[string]string
}

// Geo is the suite's country table: 203.0.113.0/24 CN, 198.51.100.0/24 US,
// 192.0.2.0/24 DE; anything else unresolved.
type Geo struct{}

// Country implements guard.GeoResolver.
func (Geo) Country(ip netip.Addr) (string, bool) {
	switch {
	case netip.MustParsePrefix("203.0.113.0/24").Contains(ip):
		return "CN", true
	case netip.MustParsePrefix("198.51.100.0/24").Contains(ip):
		return "US", true
	case netip.MustParsePrefix("192.0.2.0/24").Contains(ip):
		return "DE", true
	}
	return "", false
}

// Clouds is the suite's cloud table: 52.95.0.0/16 is AWS, 34.64.0.0/10 GCP.
type Clouds struct{}

// Match implements guard.CloudMatcher.
func (Clouds) Match(ip netip.Addr) cloud.Providers {
	switch {
	case netip.MustParsePrefix("52.95.0.0/16").Contains(ip):
		return cloud.Of(cloud.AWS)
	case netip.MustParsePrefix("34.64.0.0/10").Contains(ip):
		return cloud.Of(cloud.GCP)
	}
	return 0
}

// Clock is a manually advanced clock for guard.WithClock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// DefaultStart is the clock's default start: a Monday, 12:00 UTC.
var DefaultStart = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// Run runs every case of Cases through the adapter built by mk, each
// against its own real HTTP server.
func Run(t *testing.T, mk Factory) {
	t.Helper()
	// Compiling the detection patterns is the slow part of an engine: the
	// suite compiles them once, with the default configuration, and shares
	// the detector (it is safe for concurrent use and keeps no per-engine
	// state).
	cfg := guard.DefaultConfig()
	d, err := detect.New(detect.Config{
		SemanticThreshold:    cfg.DetectionSemanticThreshold,
		MaxContentLength:     cfg.DetectionMaxContentLength,
		MaxRequestBytes:      cfg.DetectionMaxRequestBytes,
		SlowPatternThreshold: cfg.DetectionSlowPatternThreshold.D(),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Cases() {
		c.Options = append([]guard.Option{guard.WithDetector(d)}, c.Options...)
		t.Run(c.Name, func(t *testing.T) { RunCase(t, mk, c) })
	}
}

// Build parses the case's configuration, applies the suite's defaults and
// builds the engine with the case's clock. It returns the first start-up
// error (configuration or engine).
func Build(c Case, clk *Clock) (*guard.Engine, error) {
	cfg, err := guard.ParseConfig([]byte(c.Config), false)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(c.Config, "trusted_proxies") {
		cfg.TrustedProxies = []string{"127.0.0.1", "::1"}
	}
	if !strings.Contains(c.Config, "log_suspicious_level") {
		cfg.LogSuspiciousLevel = "NONE"
	}
	if cfg.GeoIPDatabase == "" {
		cfg.GeoIPDatabase = "guardtest-static-geo"
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	opts := []guard.Option{guard.WithClock(clk.Now), guard.WithGeoResolver(Geo{}), guard.WithCloudMatcher(Clouds{})}
	for _, p := range c.Policies {
		opts = append(opts, guard.WithRoutePolicy(p.Pattern, p.Policy, p.Methods...))
	}
	opts = append(opts, c.Options...)
	return guard.New(cfg, opts...)
}

// RunCase runs one case through the adapter built by mk.
func RunCase(t *testing.T, mk Factory, c Case) {
	t.Helper()
	start := c.Start
	if start.IsZero() {
		start = DefaultStart
	}
	clk := NewClock(start)
	e, err := Build(c, clk)
	var h http.Handler
	if err == nil {
		t.Cleanup(func() { e.Close() })
		attached := map[string]*guard.Attached{}
		for _, p := range c.Attached {
			var a *guard.Attached
			if a, err = e.Attach(p.Policy, p.Methods...); err != nil {
				break
			}
			attached[p.Pattern] = a
		}
		if err == nil {
			h, err = mk(t, e, attached)
		}
	}
	if len(c.WantErr) > 0 {
		if err == nil {
			t.Fatalf("start-up succeeded; want an error containing %q", c.WantErr)
		}
		for _, want := range c.WantErr {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("start-up error %q does not contain %q", err, want)
			}
		}
		return
	}
	if err != nil {
		t.Fatalf("start-up: %v", err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for i, s := range c.Steps {
		clk.Advance(s.Advance)
		n := max(s.Repeat, 1)
		for j := range n {
			status, hdr, body := send(t, client, srv.URL, s)
			where := stepName(i, j, s)
			if status != s.Status {
				t.Errorf("%s: status %d, want %d (body %.200q)", where, status, s.Status, body)
			}
			if s.WantBody != nil && body != *s.WantBody {
				t.Errorf("%s: body %.300q, want %.300q", where, body, *s.WantBody)
			}
			for _, sub := range s.BodyContains {
				if !strings.Contains(body, sub) {
					t.Errorf("%s: body %.300q does not contain %q", where, body, sub)
				}
			}
			for k, want := range s.WantHeader {
				got := strings.Join(hdr.Values(k), ", ")
				if got != want {
					t.Errorf("%s: header %s = %q, want %q", where, k, got, want)
				}
			}
		}
	}
}

func stepName(i, j int, s Step) string {
	m := s.Method
	if m == "" {
		m = http.MethodGet
	}
	name := m + " " + s.Target
	if j > 0 {
		name += " (repeat " + itoa(j+1) + ")"
	}
	return "step " + itoa(i+1) + " " + name
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// onlyReader hides the length of a body so the client sends it chunked.
type onlyReader struct{ io.Reader }

func send(t *testing.T, client *http.Client, base string, s Step) (int, http.Header, string) {
	t.Helper()
	method := s.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if s.Body != "" {
		body = strings.NewReader(s.Body)
		if s.Chunked {
			body = onlyReader{body}
		}
	}
	req, err := http.NewRequestWithContext(context.Background(), method, base+s.Target, body)
	if err != nil {
		t.Fatal(err)
	}
	ip := s.IP
	if ip == "" {
		ip = "198.51.100.7"
	}
	if ip != "-" {
		req.Header.Set("X-Forwarded-For", ip)
	}
	if s.Host != "" {
		req.Host = s.Host
	}
	for k, v := range s.Header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, s.Target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, s.Target, err)
	}
	return resp.StatusCode, resp.Header, string(b)
}
