package chiguard_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"
	chiguard "github.com/guardgo/guard/adapters/chi"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/policy"
)

type recorder struct {
	mu     sync.Mutex
	routes []string
}

func (r *recorder) Emit(_ context.Context, ev guard.Event) {
	r.mu.Lock()
	r.routes = append(r.routes, ev.Route)
	r.mu.Unlock()
}

func (r *recorder) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.routes) == 0 {
		return ""
	}
	return r.routes[len(r.routes)-1]
}

func newEngine(t *testing.T, opts ...guard.Option) *guard.Engine {
	t.Helper()
	cfg := guard.DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	cfg.EnablePenetrationDetection = false
	cfg.RateLimit = 1 << 20
	e, err := guard.New(cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func send(h http.Handler, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	r.RemoteAddr = "198.51.100.1:1234"
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func ok(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(r.URL.Path)) }

// TestPatternResolvedBeforeChecks checks the middleware resolves chi's full
// pattern (through groups, sub-routers, mounts and regexp parameters)
// before the engine runs, so the route's policy applies.
func TestPatternResolvedBeforeChecks(t *testing.T) {
	rec := &recorder{}
	need := policy.New(policy.RequireHeader("X-Tenant", "required"))
	e := newEngine(t, guard.WithSink(rec),
		guard.WithRoutePolicy("/items/{id}", need),
		guard.WithRoutePolicy("/api/v1/users/{id}", need, "GET"),
		guard.WithRoutePolicy("/admin/{id:[0-9]+}", need),
		guard.WithRoutePolicy("/files/*", need),
	)
	r := chi.NewRouter()
	r.Use(chiguard.New(e))
	r.With(func(next http.Handler) http.Handler { return next }).Get("/items/{id}", ok)
	r.Route("/api/v1", func(r chi.Router) { r.Get("/users/{id}", ok); r.Post("/users/{id}", ok) })
	admin := chi.NewRouter()
	admin.Get("/{id:[0-9]+}", ok)
	r.Mount("/admin", admin)
	r.Get("/files/*", ok)
	r.Get("/open", ok)
	if err := chiguard.Verify(r, e); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, path, route string
		status              int
	}{
		{"GET", "/items/5", "/items/{id}", 400},
		{"GET", "/api/v1/users/5", "/api/v1/users/{id}", 400},
		{"POST", "/api/v1/users/5", "", 200},
		{"GET", "/admin/42", "/admin/{id}", 400},           // events drop the regexp: /admin/{id:[0-9]+}
		{"GET", "/files/a/b.txt", "/files/{path...}", 400}, // chi's /files/*
		{"GET", "/open", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			w := send(r, tt.method, tt.path, nil)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d", w.Code, tt.status)
			}
			if tt.status == 400 && rec.last() != tt.route {
				t.Fatalf("engine saw route %q, want %q", rec.last(), tt.route)
			}
			if w := send(r, tt.method, tt.path, map[string]string{"X-Tenant": "t"}); w.Code != 200 || w.Body.String() != tt.path {
				t.Fatalf("with header: %d %q", w.Code, w.Body.String())
			}
		})
	}
}

// TestWithRouterOutsideChi checks WithRouter resolves patterns when the
// middleware wraps the router from outside.
func TestWithRouterOutsideChi(t *testing.T) {
	rec := &recorder{}
	e := newEngine(t, guard.WithSink(rec), guard.WithRoutePolicy("/items/{id}", policy.New(policy.RequireHeader("X-Tenant", ""))))
	r := chi.NewRouter()
	r.Get("/items/{id}", ok)
	h := chiguard.New(e, chiguard.WithRouter(r))(r)
	if w := send(h, "GET", "/items/1", nil); w.Code != 400 || rec.last() != "/items/{id}" {
		t.Fatalf("status %d, route %q", w.Code, rec.last())
	}
}

// TestVerifyRejectsUnattachedPolicy checks misuse is a start-up error.
func TestVerifyRejectsUnattachedPolicy(t *testing.T) {
	e := newEngine(t, guard.WithRoutePolicy("/api/v2/users/{id}", policy.New(policy.RequireHTTPS())))
	r := chi.NewRouter()
	r.Use(chiguard.New(e))
	r.Route("/api/v1", func(r chi.Router) { r.Get("/users/{id}", ok) })
	err := chiguard.Verify(r, e)
	if !errors.Is(err, guard.ErrUnattachedPolicy) || !strings.Contains(err.Error(), "/api/v2/users/{id}") {
		t.Fatalf("Verify = %v", err)
	}
}

func newReq(target, remote string, hdr map[string]string) *http.Request {
	r := httptest.NewRequest("GET", target, nil)
	r.RemoteAddr = remote + ":1234"
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	return r
}

func serveReq(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}
