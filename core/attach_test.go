package guard

import (
	"errors"
	"strings"
	"testing"
)

func TestVerifyRoutes(t *testing.T) {
	known := []KnownRoute{
		{Method: "GET", Template: "/items/:id"},
		{Method: "POST", Template: "/items/:id"},
		{Method: "GET", Template: "/files/*filepath"},
		{Template: "GET /health"},
		{Method: "*", Template: "/any/{x}"},
		{Method: "GET", Template: "/"},
	}
	tests := []struct {
		name    string
		routes  []RouteConfig
		wantErr []string
	}{
		{"braces match colon", []RouteConfig{{Path: "/items/{id}"}}, nil},
		{"regexp param", []RouteConfig{{Path: "/items/{id:[0-9]+}"}}, nil},
		{"exact path under template", []RouteConfig{{Path: "/items/42", Methods: []string{"GET"}}}, nil},
		{"exact path under wildcard", []RouteConfig{{Path: "/files/a/b.txt"}}, nil},
		{"net/http pattern with method", []RouteConfig{{Path: "/health", Methods: []string{"GET"}}}, nil},
		{"HEAD served by GET", []RouteConfig{{Path: "/health", Methods: []string{"HEAD"}}}, nil},
		{"any method route", []RouteConfig{{Path: "/any/{y}", Methods: []string{"DELETE"}}}, nil},
		{"root", []RouteConfig{{Path: "/"}}, nil},
		{"typo", []RouteConfig{{Path: "/itemz/{id}"}}, []string{"routes[0]", `path "/itemz/{id}"`}},
		{"method not served", []RouteConfig{{Path: "/items/{id}", Methods: []string{"GET", "DELETE"}}}, []string{"routes[0]", `DELETE "/items/{id}"`}},
		{"deeper than template", []RouteConfig{{Path: "/items/1/2"}}, []string{"routes[0]"}},
		{"every bad entry named", []RouteConfig{{Path: "/a"}, {Path: "/items/{id}"}, {Path: "/b"}}, []string{"routes[0]", "routes[2]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.LogSuspiciousLevel = "NONE"
			cfg.EnablePenetrationDetection = false
			cfg.Routes = tt.routes
			e, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			err = e.VerifyRoutes(known)
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrUnattachedPolicy) {
				t.Fatalf("error %v does not match ErrUnattachedPolicy", err)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestPoliciesListsCodeFirst(t *testing.T) {
	cfg := DefaultConfig()
	cfg.EnablePenetrationDetection = false
	cfg.Routes = []RouteConfig{{Path: "/items/{id}", Methods: []string{"get"}}}
	e, err := New(cfg, WithRoutePolicy("/admin", &Policy{}, "POST"))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	got := e.Policies()
	if len(got) != 2 || got[0].Source != `policy "/admin"` || got[0].Methods[0] != "POST" ||
		got[1].Source != "routes[0]" || got[1].Path != "/items/{id}" || got[1].Methods[0] != "GET" {
		t.Fatalf("Policies() = %+v", got)
	}
}

func TestNilPolicyIsAnError(t *testing.T) {
	cfg := DefaultConfig()
	cfg.EnablePenetrationDetection = false
	if _, err := New(cfg, WithRoutePolicy("/admin", nil)); err == nil || !strings.Contains(err.Error(), `policy "/admin"`) {
		t.Fatalf("New = %v", err)
	}
}
