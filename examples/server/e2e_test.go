package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// serverBin is the demo server built once for the end-to-end tests.
var serverBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "guard-server-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	serverBin = filepath.Join(dir, "server")
	build := exec.Command("go", "build", "-o", serverBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the demo server:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type running struct {
	base   string
	stderr *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for the process's writer goroutine and
// the test reading it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServer runs the demo server binary with config (YAML) and waits until
// it answers.
func startServer(t *testing.T, config, adapter string) *running {
	t.Helper()
	cfgPath := filepath.Join(t.TempDir(), "guard.yaml")
	if err := os.WriteFile(cfgPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cmd := exec.Command(serverBin, "-config", cfgPath, "-addr", addr, "-adapter", adapter)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	base := "http://" + addr
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return &running{base: base, stderr: stderr}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("server did not start: %s", stderr)
	return nil
}

type call struct {
	method, path, body string
	header             map[string]string
}

func do(t *testing.T, base string, c call) (*http.Response, string) {
	t.Helper()
	m := c.method
	if m == "" {
		m = http.MethodGet
	}
	req, err := http.NewRequest(m, base+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range c.header {
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func xff(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }

func TestDemoServerScenarios(t *testing.T) {
	srv := startServer(t, `
trusted_proxies: [127.0.0.1, "::1"]
blacklist: [203.0.113.0/24, "2001:db8:bad::/48"]
blocked_user_agents: [sqlmap]
rate_limit: 5
rate_limit_window: 60
endpoint_rate_limits:
  /login: [2, 60]
custom_error_responses:
  403: "Denied"
enable_cors: true
cors_allow_origins: ["https://app.example"]
routes:
  - path: /items/{id}
    require_headers: {X-Tenant: required}
`, "nethttp")
	tests := []struct {
		name   string
		call   call
		status int
		body   string
		header map[string]string
	}{
		{"hello", call{path: "/", header: xff("198.51.100.1")}, 200, `{"message":"Hello from guard"}`, map[string]string{"X-Frame-Options": "SAMEORIGIN", "X-Content-Type-Options": "nosniff"}},
		{"blacklisted v4 with custom body", call{path: "/", header: xff("203.0.113.7")}, 403, "Denied", map[string]string{"X-Frame-Options": "SAMEORIGIN"}},
		{"blacklisted v6", call{path: "/", header: xff("2001:db8:bad::1")}, 403, "Denied", nil},
		{"blocked UA", call{path: "/", header: map[string]string{"X-Forwarded-For": "198.51.100.2", "User-Agent": "sqlmap/1.7"}}, 403, "Denied", nil},
		{"route require_headers missing", call{path: "/items/7", header: xff("198.51.100.3")}, 400, "", nil},
		{"route require_headers present", call{path: "/items/7", header: map[string]string{"X-Forwarded-For": "198.51.100.3", "X-Tenant": "a"}}, 200, `{"id":"7"}`, nil},
		{"cors simple", call{path: "/", header: map[string]string{"X-Forwarded-For": "198.51.100.4", "Origin": "https://app.example"}}, 200, "", map[string]string{"Access-Control-Allow-Origin": "https://app.example"}},
		{"cors preflight", call{method: "OPTIONS", path: "/echo", header: map[string]string{"X-Forwarded-For": "198.51.100.4", "Origin": "https://app.example", "Access-Control-Request-Method": "POST"}}, 200, "", map[string]string{"Access-Control-Allow-Origin": "https://app.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, srv.base, tt.call)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tt.status, body)
			}
			if tt.body != "" && body != tt.body {
				t.Fatalf("body %q, want %q", body, tt.body)
			}
			for k, v := range tt.header {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}

	t.Run("endpoint rate limit then global", func(t *testing.T) {
		h := xff("198.51.100.50")
		var codes []int
		for i := 0; i < 3; i++ {
			resp, _ := do(t, srv.base, call{method: "POST", path: "/login", header: h})
			codes = append(codes, resp.StatusCode)
			if i == 2 && resp.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		}
		if fmt.Sprint(codes) != "[200 200 429]" {
			t.Fatalf("login codes %v", codes)
		}
	})

	t.Run("exact body round trip", func(t *testing.T) {
		payloads := []string{"a=1&b=2", strings.Repeat("z", 2<<20), "{\"k\":[1,2,{\"x\":null}]}", "\x00\x01\xff binary"}
		for i, p := range payloads {
			resp, body := do(t, srv.base, call{method: "POST", path: "/echo", body: p, header: map[string]string{"X-Forwarded-For": fmt.Sprintf("198.51.100.%d", 100+i), "Content-Type": "application/octet-stream"}})
			if resp.StatusCode != 200 {
				t.Fatalf("payload %d: %d", i, resp.StatusCode)
			}
			var got struct {
				BodyLength int `json:"body_length"`
				Body       string
				BodyBase64 string `json:"body_base64"`
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatal(err)
			}
			if got.BodyLength != len(p) {
				t.Fatalf("payload %d: length %d, want %d", i, got.BodyLength, len(p))
			}
		}
	})

	t.Run("events on stderr as JSON lines", func(t *testing.T) {
		found := false
		for _, line := range strings.Split(srv.stderr.String(), "\n") {
			if strings.Contains(line, `"reason":"ip_blacklisted"`) {
				var m map[string]any
				if err := json.Unmarshal([]byte(line), &m); err != nil {
					t.Fatalf("not JSON: %s", line)
				}
				found = true
			}
		}
		if !found {
			t.Fatalf("no ip_blacklisted event in stderr:\n%s", srv.stderr)
		}
	})
}

func TestDemoServerRejectsBadConfig(t *testing.T) {
	cfgPath := filepath.Join(t.TempDir(), "bad.yaml")
	bad := `
blacklist: [10.0.0.0/33]
rate_limit_window: 0
unknown_option: true
`
	if err := os.WriteFile(cfgPath, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(serverBin, "-config", cfgPath, "-addr", freeAddr(t)).CombinedOutput()
	if err == nil {
		t.Fatal("server accepted a bad config")
	}
	if !strings.Contains(string(out), "unknown_option") {
		t.Fatalf("unknown field not named: %s", out)
	}
	bad = `
blacklist: [10.0.0.0/33]
rate_limit_window: 0
routes:
  - path: /x
    time_window: {start: "09:00", end: "17:00", timezone: Mars/Base}
`
	if err := os.WriteFile(cfgPath, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(serverBin, "-config", cfgPath, "-addr", freeAddr(t)).CombinedOutput()
	if err == nil {
		t.Fatal("server accepted a bad config")
	}
	for _, want := range []string{"blacklist[0]", "rate_limit_window", "routes[0].time_window.timezone"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output does not name %s:\n%s", want, out)
		}
	}
}

func execServer(cfgPath string) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	l.Close()
	out, err := exec.Command(serverBin, "-config", cfgPath, "-addr", addr).CombinedOutput()
	return string(out), err
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
