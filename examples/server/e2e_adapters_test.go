package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var adapterNames = []string{"nethttp", "gin", "echo", "chi"}

// adapterConfig exercises global checks and route policies together.
const adapterConfig = `
trusted_proxies: [127.0.0.1, "::1"]
blacklist: [203.0.113.0/24]
blocked_user_agents: [sqlmap]
rate_limit: 6
rate_limit_window: 60
enable_cors: true
cors_allow_origins: ["http://localhost:3000"]
custom_error_responses: {429: "Slow down"}
routes:
  - path: /items/:id
    methods: [GET]
    rate_limit: {requests: 2, window: 60}
  - path: /echo
    methods: [POST]
    content_type_filter: [application/json, text/plain]
    max_request_size: 64
  - path: /login
    require_https: true
  - path: /lottery
    require_auth: {type: bearer}
    require_headers: {X-Tenant: required}
  - path: /health
    bypass: [all]
`

// responseKey is what must be identical across adapters.
func responseKey(resp *http.Response, body string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %q", resp.StatusCode, body)
	for _, h := range []string{"Content-Type", "Retry-After", "Location", "Www-Authenticate", "Access-Control-Allow-Origin",
		"Access-Control-Allow-Methods", "X-Content-Type-Options", "X-Frame-Options", "Strict-Transport-Security",
		"Referrer-Policy", "Permissions-Policy", "Content-Security-Policy", "Cache-Control"} {
		fmt.Fprintf(&b, " %s=%q", h, strings.Join(resp.Header.Values(h), ","))
	}
	return b.String()
}

// TestAdaptersAnswerIdentically sends one sequence of requests to the demo
// server on each adapter and requires identical status, body and headers.
func TestAdaptersAnswerIdentically(t *testing.T) {
	bigJSON := `{"data":"` + strings.Repeat("x", 100) + `"}`
	calls := []call{
		{path: "/"},
		{path: "/items/7", header: xff("198.51.100.1")},
		{path: "/items/8", header: xff("198.51.100.1")},
		{path: "/items/9", header: xff("198.51.100.1")}, // route limit → 429
		{method: "POST", path: "/echo?a=1&b=2", body: "exact \x00 body\r\n", header: map[string]string{"Content-Type": "text/plain", "X-Forwarded-For": "198.51.100.2"}},
		{method: "POST", path: "/echo", body: "<x/>", header: map[string]string{"Content-Type": "application/xml", "X-Forwarded-For": "198.51.100.2"}},
		{method: "POST", path: "/echo", body: bigJSON, header: map[string]string{"Content-Type": "application/json", "X-Forwarded-For": "198.51.100.2"}},
		{method: "POST", path: "/login?next=/home", header: map[string]string{"Host": "example.com", "X-Forwarded-For": "198.51.100.3"}},
		{path: "/lottery?outcome=win", header: xff("198.51.100.4")},
		{path: "/lottery?outcome=win", header: map[string]string{"X-Tenant": "a", "X-Forwarded-For": "198.51.100.4"}},
		{path: "/lottery?outcome=win", header: map[string]string{"Authorization": "Bearer t", "X-Tenant": "a", "X-Forwarded-For": "198.51.100.4"}},
		{path: "/health", header: map[string]string{"User-Agent": "sqlmap", "X-Forwarded-For": "203.0.113.9"}},
		{path: "/", header: xff("203.0.113.9")},
		{path: "/", header: map[string]string{"User-Agent": "sqlmap/1.0", "X-Forwarded-For": "198.51.100.5"}},
		{path: "/echo?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", header: xff("198.51.100.6")},
		{path: "/", header: map[string]string{"Origin": "http://localhost:3000", "X-Forwarded-For": "198.51.100.7"}},
		{method: "OPTIONS", path: "/echo", header: map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST", "X-Forwarded-For": "198.51.100.7"}},
		{path: "/items/1", header: xff("198.51.100.8")},
		{path: "/", header: xff("198.51.100.8")},
		{path: "/", header: xff("198.51.100.8")},
		{path: "/", header: xff("198.51.100.8")},
		{path: "/", header: xff("198.51.100.8")},
		{path: "/", header: xff("198.51.100.8")},
		{path: "/", header: xff("198.51.100.8")}, // global limit → 429 "Slow down"
	}
	results := map[string][]string{}
	for _, name := range adapterNames {
		srv := startServer(t, adapterConfig, name)
		for _, c := range calls {
			resp, body := do(t, srv.base, c)
			results[name] = append(results[name], responseKey(resp, body))
		}
	}
	want := results["nethttp"]
	for _, name := range adapterNames[1:] {
		for i, got := range results[name] {
			if got != want[i] {
				t.Errorf("%s differs from nethttp on request %d (%s %s):\n  %s\n  %s", name, i+1, calls[i].method, calls[i].path, got, want[i])
			}
		}
	}
	// The sequence must also mean something: spot-check nethttp's answers.
	for i, prefix := range map[int]string{0: "200 ", 3: "429 ", 5: "415 ", 6: "413 ", 7: "301 ", 8: "400 ", 9: "401 ", 10: "200 ", 11: "200 ", 12: "403 ", 13: "403 ", 14: "403 ", 16: "200 ", 23: `429 "Slow down"`} {
		if !strings.HasPrefix(want[i], prefix) {
			t.Errorf("nethttp request %d (%s): got %s, want prefix %q", i+1, calls[i].path, want[i], prefix)
		}
	}
	if !strings.Contains(want[4], `exact \\u0000 body\\r\\n`) {
		t.Errorf("body not echoed exactly: %s", want[4])
	}
}

// TestAdaptersRefuseBadRoutes checks that every adapter stops the server,
// naming the problem, on route configuration errors.
func TestAdaptersRefuseBadRoutes(t *testing.T) {
	cases := []struct {
		name, config string
		want         []string
		adapters     []string
	}{
		{"unknown key", "routes:\n  - path: /items/{id}\n    rate_limt: {requests: 1, window: 1}\n", []string{"rate_limt"}, adapterNames},
		{"bad CIDR", "routes:\n  - path: /items/{id}\n    require_ip: {whitelist: [10.0.0.0/33]}\n", []string{"routes[0].require_ip.whitelist"}, adapterNames},
		{"bad time zone", "routes:\n  - path: /lottery\n    time_window: {start: '09:00', end: '17:00', timezone: Mars/Base}\n", []string{"routes[0].time_window.timezone"}, adapterNames},
		// The nethttp wiring is the lead's file (adapter_nethttp.go); it
		// needs httpguard.Verify to join this case.
		{"route not served", "routes:\n  - path: /itemz/{id}\n    rate_limit: {requests: 1, window: 60}\n", []string{"routes[0]", "/itemz/{id}", "matches no route"}, []string{"nethttp", "gin", "echo", "chi"}},
	}
	for _, tc := range cases {
		for _, name := range tc.adapters {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				cfgPath := filepath.Join(t.TempDir(), "bad.yaml")
				if err := os.WriteFile(cfgPath, []byte(tc.config), 0o600); err != nil {
					t.Fatal(err)
				}
				out, err := exec.Command(serverBin, "-config", cfgPath, "-addr", freeAddr(t), "-adapter", name).CombinedOutput()
				if err == nil {
					t.Fatalf("server started with a bad config: %s", out)
				}
				for _, w := range tc.want {
					if !strings.Contains(string(out), w) {
						t.Errorf("output does not name %q:\n%s", w, out)
					}
				}
			})
		}
	}
}
