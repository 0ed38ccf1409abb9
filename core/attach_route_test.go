package guard

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/guardgo/guard/core/units"
)

func TestAttachedServe(t *testing.T) {
	cfg := DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	cfg.EnablePenetrationDetection = false
	cfg.RateLimit = 1
	cfg.Blacklist = []string{"203.0.113.0/24"}
	cfg.Routes = []RouteConfig{{Path: "/health", RateLimit: &RouteRateLimit{Requests: 100, Window: units.Seconds(60)}}}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	a, err := e.Attach(&Policy{Route: RouteConfig{Bypass: []string{"rate_limit"}, RequireHeaders: map[string]string{"X-Tenant": "required"}}}, "GET")
	if err != nil {
		t.Fatal(err)
	}
	serve := func(method, path, template, ip string, hdr map[string]string) int {
		r := httptest.NewRequest(method, path, nil)
		r.RemoteAddr = ip + ":1"
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		a.Serve(w, r, template, okHandler)
		return w.Code
	}
	tenant := map[string]string{"X-Tenant": "t"}
	tests := []struct {
		name, method, path, template, ip string
		hdr                              map[string]string
		want                             int
	}{
		{"policy check", "GET", "/admin/1", "/admin/:id", "198.51.100.1", nil, 400},
		{"passes", "GET", "/admin/1", "/admin/:id", "198.51.100.1", tenant, 200},
		{"bypass beats the global limit", "GET", "/admin/2", "/admin/:id", "198.51.100.1", tenant, 200},
		{"global blacklist still applies", "GET", "/admin/2", "/admin/:id", "203.0.113.9", tenant, 403},
		{"net/http pattern", "GET", "/admin/4", "GET example.com/admin/{id}", "198.51.100.3", nil, 400},
		{"unknown template covers the path", "GET", "/x/y", "", "198.51.100.1", nil, 400},
		{"other method: the global limit", "POST", "/admin/3", "/admin/:id", "198.51.100.2", nil, 200},
		{"other method: limited", "POST", "/admin/3", "/admin/:id", "198.51.100.2", nil, 429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := serve(tt.method, tt.path, tt.template, tt.ip, tt.hdr); got != tt.want {
				t.Fatalf("status %d, want %d", got, tt.want)
			}
		})
	}
}

func TestAttachRejectsInvalidPolicy(t *testing.T) {
	e, _ := newTestEngine(t, nil)
	_, err := e.Attach(&Policy{Route: RouteConfig{TimeWindow: &TimeWindow{Start: "09:00", End: "17:00", Timezone: "Mars/Base"}}})
	if err == nil || !strings.Contains(err.Error(), "time_window.timezone") {
		t.Fatalf("Attach = %v", err)
	}
	if _, err := e.Attach(nil); err == nil {
		t.Fatal("Attach(nil) succeeded")
	}
}

// TestAttachedViewIsARouteTable checks a view adds the policy in front of
// the engine's own routes and is built once per template.
func TestAttachedViewIsARouteTable(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) { c.Routes = []RouteConfig{{Path: "/y"}} })
	a, err := e.Attach(&Policy{}, "GET")
	if err != nil {
		t.Fatal(err)
	}
	v, err := a.view("/x/{id}")
	if err != nil {
		t.Fatal(err)
	}
	if v.all[0].template != "/x/{}" || len(v.all) != len(e.routes.all)+1 {
		t.Fatalf("view routes: %d, first %q", len(v.all), v.all[0].template)
	}
	if again, _ := a.view("/x/:id"); again != v {
		t.Fatal("view not reused for the same template")
	}
}

func TestChecked(t *testing.T) {
	e, _ := newTestEngine(t, nil)
	var inside bool
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { inside = Checked(w) })
	e.Serve(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), "", h)
	if !inside || Checked(httptest.NewRecorder()) {
		t.Fatalf("Checked inside=%v", inside)
	}
}
