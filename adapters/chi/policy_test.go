package chiguard_test

import (
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"
	chiguard "github.com/guardgo/guard/adapters/chi"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/policy"
)

// TestAttachedPolicy checks a policy attached with With, Group, Route and a
// mounted sub-router's Use is enforced, is known before the global checks
// (its bypass works), counts a request once, and that placements the global
// middleware cannot see fail closed.
func TestAttachedPolicy(t *testing.T) {
	cfg := guard.DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	cfg.EnablePenetrationDetection = false
	cfg.RateLimit = 2
	cfg.Blacklist = []string{"203.0.113.0/24"}
	e, err := guard.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	health, err := e.Attach(policy.New(policy.Bypass("rate_limit")))
	if err != nil {
		t.Fatal(err)
	}
	tenant, err := e.Attach(policy.New(policy.RequireHeader("X-Tenant", "required")))
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	r.Use(chiguard.New(e))
	r.With(chiguard.Policy(health)).Get("/health", ok)
	r.Group(func(r chi.Router) {
		r.Use(chiguard.Policy(tenant))
		r.Get("/group/{id}", ok)
	})
	r.Route("/api", func(r chi.Router) {
		r.Use(chiguard.Policy(tenant))
		r.Get("/items/{id}", ok)
	})
	sub := chi.NewRouter()
	sub.Use(chiguard.Policy(tenant))
	sub.Get("/{id}", ok)
	r.Mount("/mounted", sub)
	r.Get("/plain", ok)
	hidden := func(next http.Handler) http.Handler { return chiguard.Policy(tenant)(next) }
	r.With(hidden).Get("/hidden", ok)
	r.With(chiguard.Policy(health), chiguard.Policy(tenant)).Get("/twice", ok)
	if err := chiguard.Verify(r, e); err != nil {
		t.Fatal(err)
	}
	withTenant := map[string]string{"X-Tenant": "t"}
	type step struct {
		path, ip string
		hdr      map[string]string
		want     int
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"bypass beats the global limit", []step{{"/health", "198.51.100.1", nil, 200}, {"/health", "198.51.100.1", nil, 200}, {"/health", "198.51.100.1", nil, 200}}},
		{"global lists still apply", []step{{"/health", "203.0.113.1", nil, 403}}},
		{"group", []step{{"/group/1", "198.51.100.2", nil, 400}, {"/group/1", "198.51.100.2", withTenant, 200}}},
		{"route", []step{{"/api/items/1", "198.51.100.3", nil, 400}, {"/api/items/1", "198.51.100.3", withTenant, 200}}},
		{"mounted", []step{{"/mounted/1", "198.51.100.4", nil, 400}, {"/mounted/1", "198.51.100.4", withTenant, 200}}},
		{"counted once", []step{
			{"/api/items/2", "198.51.100.5", withTenant, 200},
			{"/api/items/2", "198.51.100.5", withTenant, 200}, // counted twice, this would be 429
			{"/api/items/2", "198.51.100.5", withTenant, 429},
		}},
		{"other routes untouched", []step{{"/plain", "198.51.100.6", nil, 200}}},
		{"hidden policy fails closed", []step{{"/hidden", "198.51.100.7", withTenant, 500}}},
		{"second policy fails closed", []step{{"/twice", "198.51.100.8", withTenant, 500}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, s := range tt.steps {
				req := newReq(s.path, s.ip, s.hdr)
				w := serveReq(r, req)
				if w.Code != s.want {
					t.Fatalf("step %d %s: %d %q, want %d", i+1, s.path, w.Code, w.Body.String(), s.want)
				}
			}
		})
	}
}

// TestGlobalPolicy checks a Policy used as global middleware applies to
// every route, and unknown paths still answer 404.
func TestGlobalPolicy(t *testing.T) {
	e := newEngine(t)
	a, err := e.Attach(policy.New(policy.RequireHeader("X-Tenant", "required")))
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	r.Use(chiguard.New(e), chiguard.Policy(a))
	r.Get("/x", ok)
	if w := serveReq(r, newReq("/x", "198.51.100.1", nil)); w.Code != 400 {
		t.Fatalf("/x: %d", w.Code)
	}
	if w := serveReq(r, newReq("/x", "198.51.100.1", map[string]string{"X-Tenant": "t"})); w.Code != 200 {
		t.Fatalf("/x with header: %d", w.Code)
	}
	if w := serveReq(r, newReq("/missing", "198.51.100.1", nil)); w.Code != 404 || w.Header().Get("X-Frame-Options") == "" {
		t.Fatalf("/missing: %d %v", w.Code, w.Header())
	}
}
