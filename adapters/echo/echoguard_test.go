package echoguard_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	echoguard "github.com/guardgo/guard/adapters/echo"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/policy"
	"github.com/labstack/echo/v4"
)

func newEngine(t *testing.T, opts ...guard.Option) *guard.Engine {
	t.Helper()
	cfg := guard.DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	cfg.EnablePenetrationDetection = false
	cfg.Blacklist = []string{"203.0.113.0/24"}
	cfg.RateLimit = 1 << 20
	e, err := guard.New(cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func get(h http.Handler, target, remote string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", target, nil)
	r.RemoteAddr = remote + ":1234"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestResponsePaths checks handler results, handler errors and echo's own
// 404/405 all carry the engine's headers, and that a middleware in front
// of guard sees the final status.
func TestResponsePaths(t *testing.T) {
	g := newEngine(t)
	e := echo.New()
	var mu sync.Mutex
	var seen []int
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			mu.Lock()
			seen = append(seen, c.Response().Status)
			mu.Unlock()
			return err
		}
	})
	e.Use(echoguard.New(g))
	e.GET("/string", func(c echo.Context) error { return c.String(http.StatusCreated, "made") })
	e.GET("/teapot", func(c echo.Context) error { return echo.NewHTTPError(http.StatusTeapot, "short") })
	e.GET("/nocontent", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
	e.POST("/only-post", func(c echo.Context) error { return nil })
	tests := []struct {
		name, path, remote string
		status             int
		body               string
	}{
		{"string", "/string", "198.51.100.1", 201, "made"},
		{"handler error", "/teapot", "198.51.100.1", 418, "{\"message\":\"short\"}\n"},
		{"no content", "/nocontent", "198.51.100.1", 204, ""},
		{"not found", "/missing", "198.51.100.1", 404, "{\"message\":\"Not Found\"}\n"},
		{"method not allowed", "/only-post", "198.51.100.1", 405, "{\"message\":\"Method Not Allowed\"}\n"},
		{"blocked", "/string", "203.0.113.7", 403, "Forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := get(e, tt.path, tt.remote)
			if w.Code != tt.status || w.Body.String() != tt.body {
				t.Fatalf("got %d %q, want %d %q", w.Code, w.Body.String(), tt.status, tt.body)
			}
			if w.Header().Get("X-Frame-Options") != "SAMEORIGIN" {
				t.Fatalf("security headers missing: %v", w.Header())
			}
			mu.Lock()
			last := seen[len(seen)-1]
			mu.Unlock()
			if last != tt.status {
				t.Fatalf("outer middleware saw status %d, want %d", last, tt.status)
			}
		})
	}
}

// TestSkipper checks echo's Skipper convention.
func TestSkipper(t *testing.T) {
	g := newEngine(t)
	e := echo.New()
	e.Use(echoguard.New(g, echoguard.WithSkipper(func(c echo.Context) bool { return c.Path() == "/metrics" })))
	e.GET("/metrics", func(c echo.Context) error { return c.String(200, "m") })
	e.GET("/", func(c echo.Context) error { return c.String(200, "ok") })
	if w := get(e, "/metrics", "203.0.113.1"); w.Code != 200 || w.Header().Get("X-Frame-Options") != "" {
		t.Fatalf("skipped route: %d %v", w.Code, w.Header())
	}
	if w := get(e, "/", "203.0.113.1"); w.Code != 403 {
		t.Fatalf("not skipped route: %d", w.Code)
	}
}

// TestRoutePolicyUsesTemplate checks the engine receives echo's template
// (c.Path) and enforces a code-level policy, also inside a group.
func TestRoutePolicyUsesTemplate(t *testing.T) {
	var routes []string
	var mu sync.Mutex
	sink := guard.SinkFunc(func(_ context.Context, ev guard.Event) { mu.Lock(); routes = append(routes, ev.Route); mu.Unlock() })
	g := newEngine(t, guard.WithSink(sink),
		guard.WithRoutePolicy("/api/users/{id}", policy.New(policy.RequireHeader("X-Tenant", "required"))))
	e := echo.New()
	e.Use(echoguard.New(g))
	api := e.Group("/api")
	api.GET("/users/:id", func(c echo.Context) error { return c.String(200, c.Param("id")) })
	if err := echoguard.Verify(e, g); err != nil {
		t.Fatal(err)
	}
	if w := get(e, "/api/users/5", "198.51.100.1"); w.Code != 400 {
		t.Fatalf("policy not enforced: %d", w.Code)
	}
	r := httptest.NewRequest("GET", "/api/users/5", nil)
	r.RemoteAddr = "198.51.100.1:1"
	r.Header.Set("X-Tenant", "t")
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	if w.Code != 200 || w.Body.String() != "5" {
		t.Fatalf("got %d %q", w.Code, w.Body.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(routes) != 1 || routes[0] != "/api/users/{id}" { // events write templates one way on every adapter
		t.Fatalf("events carried routes %q, want echo's template in {param} form", routes)
	}
}

// TestVerifyRejectsUnattachedPolicy checks misuse is a start-up error.
func TestVerifyRejectsUnattachedPolicy(t *testing.T) {
	g := newEngine(t, guard.WithRoutePolicy("/admin", policy.New(policy.RequireHTTPS())))
	e := echo.New()
	e.Use(echoguard.New(g))
	e.GET("/", func(c echo.Context) error { return nil })
	e.RouteNotFound("/*", func(c echo.Context) error { return c.NoContent(404) })
	err := echoguard.Verify(e, g)
	if !errors.Is(err, guard.ErrUnattachedPolicy) || !strings.Contains(err.Error(), `"/admin"`) {
		t.Fatalf("Verify = %v", err)
	}
}
