package guard

import (
	"bytes"
	"context"
	"log/slog"
	"math/rand"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Regressions found by black-box QA of the demo server.

func TestPreflightSkipsRouteContentRules(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) {
		c.EnableCORS = true
		c.CORSAllowOrigins = []string{"https://app.example"}
		c.CORSAllowHeaders = []string{"Authorization", "X-Tenant"}
		c.CORSAllowMethods = []string{"GET", "POST"}
		c.Routes = []RouteConfig{{Path: "/lottery", RequireHeaders: map[string]string{"X-Tenant": "required"},
			RequireAuth: &RequireAuth{Type: "bearer"}, ContentTypeFilter: []string{"application/json"}, RequireReferrer: []string{"app.example"}}}
	})
	w := serve(e, req{method: "OPTIONS", target: "/lottery", header: map[string]string{
		"Origin": "https://app.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-tenant, authorization"}})
	if w.Code != 200 || w.Header().Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Fatalf("preflight: %d %v", w.Code, w.Header())
	}
	// The actual request still needs everything.
	if w := serve(e, req{target: "/lottery", header: map[string]string{"Origin": "https://app.example"}}); w.Code == 200 {
		t.Fatal("actual request skipped the route rules")
	}
}

func TestEndpointRateLimitByTemplate(t *testing.T) {
	for _, key := range []string{"/items/{id}", "/items/:id"} {
		t.Run(key, func(t *testing.T) {
			e, _ := newTestEngine(t, func(c *Config) {
				c.EndpointRateLimits = map[string]EndpointLimit{key: {Requests: 1, Window: 60 * 1e9}}
			})
			// Path matched against the template (no framework route) ...
			if got := codes(e, okHandler, "/items/1", "198.51.100.5:1", 2); !eq(got, []int{200, 429}) {
				t.Fatalf("by path: %v", got)
			}
			// ... and by the framework's template.
			w := httptestRecorder()
			r := req{target: "/items/2", remote: "198.51.100.6:1"}.build()
			e.Serve(w, r, "/items/:id", okHandler)
			w2 := httptestRecorder()
			e.Serve(w2, req{target: "/items/3", remote: "198.51.100.6:1"}.build(), "/items/{id}", okHandler)
			if w.Code != 200 || w2.Code != 429 {
				t.Fatalf("by template: %d %d", w.Code, w2.Code)
			}
		})
	}
}

func TestHoneypotMultipart(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) { c.Routes = []RouteConfig{{Path: "/login", HoneypotDetection: []string{"website"}}} })
	build := func(website string) (string, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField("user", "bob")
		_ = mw.WriteField("website", website)
		_ = mw.Close()
		return b.String(), mw.FormDataContentType()
	}
	body, ct := build("http://spam.example")
	if w := serve(e, req{method: "POST", target: "/login", body: body, header: map[string]string{"Content-Type": ct}}); w.Code != 403 {
		t.Fatalf("filled honeypot: %d", w.Code)
	}
	body, ct = build("")
	if w := serve(e, req{method: "POST", target: "/login", body: body, header: map[string]string{"Content-Type": ct}, remote: "198.51.100.9:1"}); w.Code != 200 || w.Body.String() != body {
		t.Fatalf("empty honeypot: %d", w.Code)
	}
}

func TestBinaryUploadsAreNotScannedAsText(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) { c.RateLimit = 1000 })
	rng := rand.New(rand.NewSource(1))
	for i, ct := range []string{"application/octet-stream", "application/pdf", "application/zip", "image/png", ""} {
		for j := 0; j < 5; j++ {
			b := make([]byte, 50<<10)
			rng.Read(b)
			h := map[string]string{}
			if ct != "" {
				h["Content-Type"] = ct
			}
			w := serve(e, req{method: "POST", target: "/upload", body: string(b), header: h, remote: "198.51.100.40:1"})
			if w.Code != 200 || w.Body.Len() != len(b) {
				t.Fatalf("%d/%d %q: status %d", i, j, ct, w.Code)
			}
		}
	}
	// Text declared as binary is still inspected.
	w := serve(e, req{method: "POST", target: "/upload", body: "id=1' UNION SELECT password FROM users--", header: map[string]string{"Content-Type": "application/octet-stream"}, remote: "198.51.100.41:1"})
	if w.Code != 403 {
		t.Fatalf("attack text declared as octet-stream: %d", w.Code)
	}
}

func TestAutoBanEventNamesTheRequest(t *testing.T) {
	var mu sync.Mutex
	var ban *Event
	e, _ := newTestEngine(t, func(c *Config) { c.AutoBanThreshold = 1 }, WithSink(SinkFunc(func(_ context.Context, ev Event) {
		if ev.Type == "ip_banned" {
			mu.Lock()
			ban = &ev
			mu.Unlock()
		}
	})))
	serve(e, req{target: sqliQuery})
	mu.Lock()
	defer mu.Unlock()
	if ban == nil || ban.Method != "GET" || ban.Path != "/search" {
		t.Fatalf("ban event: %+v", ban)
	}
}

func httptestRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func TestDisplayTemplate(t *testing.T) {
	for in, want := range map[string]string{
		"GET /items/{id}": "/items/{id}", "/items/:id": "/items/{id}", "/items/{id:[0-9]+}": "/items/{id}",
		"GET /{$}": "/", "/files/*filepath": "/files/{filepath...}", "/files/*": "/files/{path...}", "": "", "/a/b": "/a/b",
	} {
		if got := displayTemplate(in); got != want {
			t.Errorf("displayTemplate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLogRequestLevel(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, tc := range []struct {
		level string
		want  bool
	}{{"INFO", true}, {"", false}} {
		buf.Reset()
		e, _ := newTestEngine(t, func(c *Config) { c.LogRequestLevel = tc.level }, WithLogger(log))
		serve(e, req{target: "/x"})
		mu.Lock()
		got := strings.Contains(buf.String(), "guard: request") && strings.Contains(buf.String(), "path=/x")
		mu.Unlock()
		if got != tc.want {
			t.Errorf("log_request_level %q: logged=%v\n%s", tc.level, got, buf.String())
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
