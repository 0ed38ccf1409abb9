package guard

import (
	"net/http"
	"net/http/httptest"
	"reflect"
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

// TestAttachedViewSharesEverything guards the shallow copy behind Attached:
// every Engine field must be shared with the original except the route
// table and what only the original owns. A new field that holds state by
// value (a mutex, an atomic counter) would fork; this test makes such a
// change visible.
func TestAttachedViewSharesEverything(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) { c.Blacklist = []string{"203.0.113.0/24"} })
	a, err := e.Attach(&Policy{}, "GET")
	if err != nil {
		t.Fatal(err)
	}
	v, err := a.view("/x/{id}")
	if err != nil {
		t.Fatal(err)
	}
	own := map[string]bool{"routes": true, "closeOnce": true, "closers": true, "ownsStore": true}
	ev, vv := reflect.ValueOf(e).Elem(), reflect.ValueOf(v).Elem()
	typ := ev.Type()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if own[f.Name] {
			continue
		}
		switch k := f.Type.Kind(); k {
		case reflect.Struct:
			if p := f.Type.PkgPath(); p == "sync" || p == "sync/atomic" {
				t.Errorf("Engine.%s (%s) is state held by value: a view would fork it", f.Name, f.Type)
			}
		case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Interface:
			if ev.Field(i).IsNil() != vv.Field(i).IsNil() {
				t.Errorf("Engine.%s differs in the view", f.Name)
			}
		}
	}
	if v.ownsStore || len(v.closers) != 0 || v.store != e.store {
		t.Fatal("the view must share the store and own nothing")
	}
	if v.routes.all[0].template != "/x/{}" || len(v.routes.all) != len(e.routes.all)+1 {
		t.Fatalf("view routes: %d, first %q", len(v.routes.all), v.routes.all[0].template)
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
