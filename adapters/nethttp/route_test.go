package httpguard

import (
	"net/http"
	"net/http/httptest"
	"testing"

	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/policy"
)

// TestRoute checks a Route served by the mux runs the whole pipeline with
// its policy first: the policy's own check, its bypass of the global rate
// limit, and the global lists.
func TestRoute(t *testing.T) {
	cfg := guard.DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	cfg.EnablePenetrationDetection = false
	cfg.RateLimit = 1
	cfg.Blacklist = []string{"203.0.113.0/24"}
	e, err := guard.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	a, err := e.Attach(policy.New(policy.Bypass("rate_limit"), policy.RequireHeader("X-Tenant", "required")))
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(r.PathValue("id"))) })
	mux := http.NewServeMux()
	mux.Handle("GET /items/{id}", Route(a, ok))
	tests := []struct {
		name, ip, tenant string
		want             int
		body             string
	}{
		{"policy check", "198.51.100.1", "", 400, "Missing required header: X-Tenant"},
		{"allowed", "198.51.100.1", "t", 200, "7"},
		{"bypass beats the global limit of 1", "198.51.100.1", "t", 200, "7"},
		{"global blacklist", "203.0.113.1", "t", 403, "Forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/items/7", nil)
			r.RemoteAddr = tt.ip + ":1"
			if tt.tenant != "" {
				r.Header.Set("X-Tenant", tt.tenant)
			}
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, r)
			if w.Code != tt.want || w.Body.String() != tt.body {
				t.Fatalf("got %d %q, want %d %q", w.Code, w.Body.String(), tt.want, tt.body)
			}
			if w.Header().Get("X-Frame-Options") == "" {
				t.Fatal("security headers missing")
			}
		})
	}
	if h, _ := mux.Handler(httptest.NewRequest("GET", "/items/1", nil)); !isRoute(h) {
		t.Fatal("isRoute does not recognise the mux's handler")
	}
}

// TestRouteAfterGlobalCheckFailsClosed checks a Route reached by a request
// the middleware already checked refuses it.
func TestRouteAfterGlobalCheckFailsClosed(t *testing.T) {
	cfg := guard.DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	cfg.EnablePenetrationDetection = false
	e, err := guard.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	a, err := e.Attach(policy.New(policy.RequireHeader("X-Tenant", "required")))
	if err != nil {
		t.Fatal(err)
	}
	h := Route(a, http.NotFoundHandler())
	w := httptest.NewRecorder()
	e.Serve(w, httptest.NewRequest("GET", "/x", nil), "", h) // the global check, then the Route
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", w.Code)
	}
}
