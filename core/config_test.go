package guard

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseConfigYAMLAndJSON(t *testing.T) {
	yml := `
whitelist: [10.0.0.0/8]
rate_limit: 5
rate_limit_window: "90s"
auto_ban_duration: 120
endpoint_rate_limits:
  /login: [3, 60]
  /api: {requests: 7, window: 1m}
security_headers:
  hsts: {max_age: 100}
custom_error_responses:
  403: "nope"
`
	cfg, err := ParseConfig([]byte(yml), false)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RateLimit != 5 || cfg.RateLimitWindow.D() != 90*time.Second || cfg.AutoBanDuration.D() != 120*time.Second {
		t.Fatalf("scalars: %+v", cfg)
	}
	if l := cfg.EndpointRateLimits["/login"]; l.Requests != 3 || l.Window.D() != time.Minute {
		t.Fatalf("pair form: %+v", l)
	}
	if l := cfg.EndpointRateLimits["/api"]; l.Requests != 7 || l.Window.D() != time.Minute {
		t.Fatalf("map form: %+v", l)
	}
	// Partial nested blocks keep the other defaults.
	if cfg.SecurityHeaders.HSTS.MaxAge != 100 || !cfg.SecurityHeaders.HSTS.IncludeSubdomains || !cfg.SecurityHeaders.Enabled || cfg.SecurityHeaders.FrameOptions != "SAMEORIGIN" {
		t.Fatalf("nested defaults lost: %+v", cfg.SecurityHeaders)
	}
	if cfg.CustomErrorResponses[403] != "nope" {
		t.Fatal("custom_error_responses")
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}

	js := `{"blacklist": ["1.2.3.4"], "rate_limit_window": 30, "endpoint_rate_limits": {"/x": [1, 2]}}`
	cfg, err = ParseConfig([]byte(js), true)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RateLimitWindow.D() != 30*time.Second || cfg.EndpointRateLimits["/x"].Requests != 1 || cfg.Blacklist[0] != "1.2.3.4" {
		t.Fatalf("json: %+v", cfg)
	}
}

func TestUnknownFieldsAreErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		data   string
		isJSON bool
	}{
		"yaml top":   {"rate_limt: 5\n", false},
		"yaml route": {"routes:\n  - path: /x\n    rate_limits: {requests: 1, window: 1}\n", false},
		"json top":   {`{"rate_limt": 5}`, true},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseConfig([]byte(tc.data), tc.isJSON); err == nil {
				t.Fatal("unknown field accepted")
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Whitelist = []string{"10.0.0.0/33"}
	cfg.Blacklist = []string{"bogus"}
	cfg.RateLimit = 0
	cfg.RateLimitWindow = 0
	cfg.BlockedUserAgents = []string{"(unclosed"}
	cfg.EnableCORS = true
	cfg.CORSAllowOrigins = []string{"*"}
	cfg.CORSAllowCredentials = true
	cfg.SecurityHeaders.Custom = map[string]string{"X-Evil": "a\r\nSet-Cookie: x"}
	cfg.BlockCloudProviders = []string{"AWS", "Hetzner"}
	cfg.BlockedCountries = []string{"US"}
	cfg.Routes = []RouteConfig{
		{Path: "/a", RateLimit: &RouteRateLimit{Requests: 1}},
		{Path: "/b", TimeWindow: &TimeWindow{Start: "25:00", End: "10:00", Timezone: "Mars/Olympus"}},
		{Path: "c", RequireIP: &IPListConfig{Whitelist: []string{"1.2.3"}}},
	}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("want errors")
	}
	if !errors.Is(err, ErrInvalidConfig) {
		t.Fatal("errors.Is(err, ErrInvalidConfig) = false")
	}
	for _, want := range []string{
		"whitelist[0]", "blacklist[0]", "rate_limit:", "rate_limit_window", "blocked_user_agents[0]",
		"cors_allow_origins[0]", `security_headers.custom["X-Evil"]`, "block_cloud_providers[1]", "Hetzner",
		"geoip_database", "routes[0].rate_limit.window", "routes[1].time_window.start",
		"routes[1].time_window.timezone", "routes[2].path", "routes[2].require_ip.whitelist[0]",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %q:\n%v", want, err)
		}
	}
}

func TestLoadConfigEnvOverride(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(p, []byte("rate_limit: 5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GUARD_RATE_LIMIT", "42")
	t.Setenv("GUARD_REDIS_URL", "redis://10.0.0.1:6380/2")
	cfg, err := LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RateLimit != 42 || cfg.RedisURL != "redis://10.0.0.1:6380/2" {
		t.Fatalf("env not applied: %d %s", cfg.RateLimit, cfg.RedisURL)
	}
	t.Setenv("GUARD_RATE_LIMIT", "many")
	if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), "GUARD_RATE_LIMIT") {
		t.Fatalf("bad env value: %v", err)
	}
}

func TestNormalizeTemplate(t *testing.T) {
	tests := map[string]string{
		"/items/{id}":         "/items/{}",
		"/items/:id":          "/items/{}",
		"/items/{id:[0-9]+}":  "/items/{}",
		"GET /items/{id}":     "/items/{}",
		"/files/*filepath":    "/files/{...}",
		"/files/*":            "/files/{...}",
		"/files/{path...}":    "/files/{...}",
		"/":                   "/",
		"/{$}":                "/",
		"/a/b":                "/a/b",
		"/u/:id/posts/:post":  "/u/{}/posts/{}",
		"example.com/items/x": "/items/x",
	}
	for in, want := range tests {
		if got := normalizeTemplate(in); got != want {
			t.Errorf("normalizeTemplate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTimeWindow(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	day := &timeWindow{start: 9 * time.Hour, end: 17 * time.Hour, loc: berlin}
	night := &timeWindow{start: 22 * time.Hour, end: 6 * time.Hour, loc: time.UTC}
	tests := []struct {
		name string
		w    *timeWindow
		at   time.Time
		want bool
	}{
		{"berlin 10:00 local (08:00Z winter)", day, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), true},
		{"berlin 08:30 local", day, time.Date(2026, 1, 5, 7, 30, 0, 0, time.UTC), false},
		{"berlin 17:00 local is closed", day, time.Date(2026, 1, 5, 16, 0, 0, 0, time.UTC), false},
		{"night 23:00", night, time.Date(2026, 1, 5, 23, 0, 0, 0, time.UTC), true},
		{"night 03:00", night, time.Date(2026, 1, 5, 3, 0, 0, 0, time.UTC), true},
		{"night 12:00", night, time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.w.allows(tt.at); got != tt.want {
				t.Fatalf("allows = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLoadConfigListsSyntaxAndValueErrorsTogether(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.yaml")
	bad := `
blacklist: [10.0.0.0/33]
rate_limt: 5
rate_limit_window: soon
endpoint_rate_limits:
  /login: [1, 2, 3]
routes:
  - path: /x
    rate_limit: {requests: 0, window: 1}
    unknown_decorator: true
`
	if err := os.WriteFile(p, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadConfig(p)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"rate_limt: line 3: unknown field", "rate_limit_window: line 4: invalid duration \"soon\"",
		`endpoint_rate_limits["/login"]: line 6: want [limit, window]`, "routes[0].unknown_decorator: line 10: unknown field",
		"blacklist[0]", "routes[0].rate_limit.requests"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if !errors.Is(err, ErrInvalidConfig) {
		t.Error("not ErrInvalidConfig")
	}
	// JSON goes through the same decoder.
	pj := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(pj, []byte(`{"rate_limt": 1, "blacklist": ["x"], "rate_limit_window": 30, "rate_limit": "many", "routes": [{"path": "/x", "rate_limit": {"requests": "two", "window": 1}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = LoadConfig(pj)
	for _, want := range []string{"rate_limt: line 1: unknown field", "blacklist[0]", "rate_limit: line 1:", `"many"`, "routes[0].rate_limit.requests: line 1:"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("json: missing %q in %v", want, err)
		}
	}
}
