package echoguard_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	echoguard "github.com/guardgo/guard/adapters/echo"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/policy"
	"github.com/labstack/echo/v4"
)

// TestAttachedPolicy checks a policy wrapped around a route's handler is
// enforced, is known before the global checks (its bypass works), counts a
// request once, and that a wrapper the global middleware cannot recognise
// fails closed.
func TestAttachedPolicy(t *testing.T) {
	cfg := guard.DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	cfg.EnablePenetrationDetection = false
	cfg.RateLimit = 2
	cfg.Blacklist = []string{"203.0.113.0/24"}
	g, err := guard.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	health, err := g.Attach(policy.New(policy.Bypass("rate_limit")))
	if err != nil {
		t.Fatal(err)
	}
	tenant, err := g.Attach(policy.New(policy.RequireHeader("X-Tenant", "required")))
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.Use(echoguard.New(g))
	ok := func(c echo.Context) error { return c.String(http.StatusOK, "ok") }
	e.GET("/health", echoguard.Handler(health, ok))
	api := e.Group("/api")
	api.GET("/items/:id", echoguard.Handler(tenant, ok))
	e.GET("/plain", ok)
	e.GET("/renamed", echoguard.Handler(tenant, ok)).Name = "renamed"
	e.GET("/twice", echoguard.Handler(health, echoguard.Handler(tenant, ok)))
	if err := echoguard.Verify(e, g); err != nil {
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
		{"group route", []step{{"/api/items/1", "198.51.100.3", nil, 400}, {"/api/items/1", "198.51.100.3", withTenant, 200}}},
		{"counted once", []step{
			{"/api/items/2", "198.51.100.5", withTenant, 200},
			{"/api/items/2", "198.51.100.5", withTenant, 200}, // counted twice, this would be 429
			{"/api/items/2", "198.51.100.5", withTenant, 429}, // the global limit of 2
		}},
		{"other routes untouched", []step{{"/plain", "198.51.100.6", nil, 200}}},
		{"renamed route fails closed", []step{{"/renamed", "198.51.100.7", withTenant, 500}}},
		{"second policy fails closed", []step{{"/twice", "198.51.100.8", withTenant, 500}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, s := range tt.steps {
				r := httptest.NewRequest("GET", s.path, nil)
				r.RemoteAddr = s.ip + ":1"
				for k, v := range s.hdr {
					r.Header.Set(k, v)
				}
				w := httptest.NewRecorder()
				e.ServeHTTP(w, r)
				if w.Code != s.want {
					t.Fatalf("step %d %s: %d %q, want %d", i+1, s.path, w.Code, w.Body.String(), s.want)
				}
			}
		})
	}
}
