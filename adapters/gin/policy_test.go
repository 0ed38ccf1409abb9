package ginguard_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	ginguard "github.com/guardgo/guard/adapters/gin"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/policy"
)

// TestAttachedPolicy checks a policy attached as route middleware is
// enforced, is known before the global checks (its bypass works), counts a
// request once, and that placements the global middleware cannot see fail
// closed.
func TestAttachedPolicy(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	e := newEngine(t, func(c *guard.Config) { c.RateLimit = 2 })
	health, err := e.Attach(policy.New(policy.Bypass("rate_limit")))
	if err != nil {
		t.Fatal(err)
	}
	tenant, err := e.Attach(policy.New(policy.RequireHeader("X-Tenant", "required")))
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	r.Use(ginguard.New(e))
	ok := func(c *gin.Context) { c.String(http.StatusOK, "ok") }
	r.GET("/health", ginguard.Policy(health), ok)
	admin := r.Group("/admin", ginguard.Policy(tenant))
	admin.GET("/:page", ok)
	r.GET("/plain", ok)
	// Misuse: hidden inside another handler, or attached twice.
	r.GET("/hidden", func(c *gin.Context) { ginguard.Policy(tenant)(c) }, ok)
	r.GET("/twice", ginguard.Policy(health), ginguard.Policy(tenant), ok)
	if err := ginguard.Verify(r, e); err != nil {
		t.Fatal(err)
	}
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
		{"group policy, counted once", []step{
			{"/admin/x", "198.51.100.2", nil, 400},
			{"/admin/x", "198.51.100.2", map[string]string{"X-Tenant": "t"}, 200},
			{"/admin/x", "198.51.100.2", map[string]string{"X-Tenant": "t"}, 200}, // counted twice, this would be 429
			{"/admin/x", "198.51.100.2", map[string]string{"X-Tenant": "t"}, 429}, // the global limit of 2
		}},
		{"other routes untouched", []step{{"/plain", "198.51.100.4", nil, 200}}},
		{"hidden policy fails closed", []step{{"/hidden", "198.51.100.5", map[string]string{"X-Tenant": "t"}, 500}}},
		{"second policy fails closed", []step{{"/twice", "198.51.100.6", map[string]string{"X-Tenant": "t"}, 500}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, s := range tt.steps {
				req := newReq("GET", s.path, s.ip, s.hdr)
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
	gin.SetMode(gin.ReleaseMode)
	e := newEngine(t, nil)
	a, err := e.Attach(policy.New(policy.RequireHeader("X-Tenant", "required")))
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	r.Use(ginguard.New(e), ginguard.Policy(a))
	r.GET("/x", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	if w := serveReq(r, newReq("GET", "/x", "198.51.100.1", nil)); w.Code != 400 {
		t.Fatalf("/x: %d", w.Code)
	}
	if w := serveReq(r, newReq("GET", "/x", "198.51.100.1", map[string]string{"X-Tenant": "t"})); w.Code != 200 {
		t.Fatalf("/x with header: %d", w.Code)
	}
	if w := serveReq(r, newReq("GET", "/missing", "198.51.100.1", nil)); w.Code != 404 || w.Header().Get("X-Frame-Options") == "" {
		t.Fatalf("/missing: %d %v", w.Code, w.Header())
	}
}
