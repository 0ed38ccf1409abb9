package guard

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guardgo/guard/core/behavior"
	"github.com/guardgo/guard/core/units"
)

var lotteryHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/missing" {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	if r.URL.Query().Get("outcome") == "win" {
		_, _ = w.Write([]byte(`{"result":"win","prize":{"amount":250}}`))
		return
	}
	_, _ = w.Write([]byte(`{"result":"lose","prize":{"amount":0}}`))
})

func serveTo(e *Engine, h http.Handler, target, remote string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", target, nil)
	r.RemoteAddr = remote
	w := httptest.NewRecorder()
	e.Serve(w, r, "", h)
	return w
}

func codes(e *Engine, h http.Handler, target, remote string, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = serveTo(e, h, target, remote).Code
	}
	return out
}

func eq(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestUsageMonitorActions(t *testing.T) {
	tests := []struct {
		action string
		want   []int
	}{
		{"ban", []int{200, 200, 200, 403, 403}},
		{"throttle", []int{200, 200, 200, 429, 429}},
		{"log", []int{200, 200, 200, 200, 200}},
		{"alert", []int{200, 200, 200, 200, 200}},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			var mu sync.Mutex
			var events []Event
			e, _ := newTestEngine(t, func(c *Config) {
				c.Routes = []RouteConfig{{Path: "/lottery", UsageMonitor: &behavior.UsageMonitor{MaxCalls: 3, Window: units.Seconds(60), Action: behavior.Action(tt.action)}}}
			}, WithSink(SinkFunc(func(_ context.Context, ev Event) { mu.Lock(); events = append(events, ev); mu.Unlock() })))
			got := codes(e, lotteryHandler, "/lottery", "198.51.100.7:1", 5)
			if !eq(got, tt.want) {
				t.Fatalf("codes %v, want %v", got, tt.want)
			}
			if other := serveTo(e, lotteryHandler, "/lottery", "198.51.100.8:1").Code; other != 200 {
				t.Fatalf("another client affected: %d", other)
			}
			mu.Lock()
			defer mu.Unlock()
			found := false
			for _, ev := range events {
				if ev.Type == "behavior_violation" && ev.Details["action"] == tt.action && ev.Details["count"] == int64(4) {
					found = true
					if tt.action == "alert" && ev.Severity != errorLevel {
						t.Errorf("alert event severity %v", ev.Severity)
					}
				}
			}
			if !found {
				t.Fatalf("no violation event for count 4: %+v", events)
			}
		})
	}
}

func TestUsageMonitorThrottleReleasesAfterWindow(t *testing.T) {
	e, clk := newTestEngine(t, func(c *Config) {
		c.Routes = []RouteConfig{{Path: "/lottery", UsageMonitor: &behavior.UsageMonitor{MaxCalls: 2, Window: units.Seconds(10), Action: behavior.Throttle}}}
	})
	if got := codes(e, lotteryHandler, "/lottery", "198.51.100.7:1", 3); !eq(got, []int{200, 200, 429}) {
		t.Fatalf("codes %v", got)
	}
	w := serveTo(e, lotteryHandler, "/lottery", "198.51.100.7:1")
	if w.Code != 429 || w.Header().Get("Retry-After") == "" {
		t.Fatalf("throttle: %d %v", w.Code, w.Header())
	}
	clk.Advance(25 * time.Second)
	if c := serveTo(e, lotteryHandler, "/lottery", "198.51.100.7:1").Code; c != 200 {
		t.Fatalf("after the window: %d", c)
	}
}

func TestReturnMonitorPatterns(t *testing.T) {
	tests := []struct {
		pattern string
		target  string
	}{
		{"json:result==win", "/lottery?outcome=win"},
		{"json:prize.amount>=100", "/lottery?outcome=win"},
		{"win", "/lottery?outcome=win"},
		{`regex:"result":\s*"win"`, "/lottery?outcome=win"},
		{"status:200", "/lottery"},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			e, _ := newTestEngine(t, func(c *Config) {
				c.Routes = []RouteConfig{{Path: "/lottery", ReturnMonitor: &behavior.ReturnMonitor{Pattern: tt.pattern, MaxOccurrences: 2, Window: units.Seconds(3600), Action: behavior.Ban}}}
			})
			// Losing draws never count (except for the status pattern).
			if tt.pattern != "status:200" {
				if got := codes(e, lotteryHandler, "/lottery?outcome=lose", "198.51.100.9:1", 4); !eq(got, []int{200, 200, 200, 200}) {
					t.Fatalf("losses: %v", got)
				}
			}
			// Three matching responses exceed 2: the third is served, then banned.
			if got := codes(e, lotteryHandler, tt.target, "198.51.100.9:1", 4); !eq(got[:3], []int{200, 200, 200}) || got[3] != 403 {
				t.Fatalf("wins: %v", got)
			}
		})
	}
}

func TestGlobal404RuleAndPassive(t *testing.T) {
	rule := behavior.RuleSpec{RuleType: behavior.ReturnPattern, Pattern: "status:404", Threshold: 3, Window: units.Seconds(60), Action: behavior.Ban}
	e, _ := newTestEngine(t, func(c *Config) { c.GlobalBehaviorRules = []behavior.RuleSpec{rule} })
	got := codes(e, lotteryHandler, "/missing", "198.51.100.10:1", 5)
	if !eq(got, []int{404, 404, 404, 404, 403}) {
		t.Fatalf("404 burst: %v", got)
	}
	if c := serveTo(e, lotteryHandler, "/lottery", "198.51.100.10:1").Code; c != 403 {
		t.Fatalf("ban applies everywhere: %d", c)
	}
	p, _ := newTestEngine(t, func(c *Config) { c.GlobalBehaviorRules = []behavior.RuleSpec{rule}; c.PassiveMode = true })
	if got := codes(p, lotteryHandler, "/missing", "198.51.100.10:1", 6); !eq(got, []int{404, 404, 404, 404, 404, 404}) {
		t.Fatalf("passive: %v", got)
	}
}

func TestInvalidBehaviorRulesRejected(t *testing.T) {
	cfg := DefaultConfig()
	cfg.GlobalBehaviorRules = []behavior.RuleSpec{{RuleType: "bogus", Threshold: 1, Window: units.Seconds(1)}}
	cfg.Routes = []RouteConfig{{Path: "/x", ReturnMonitor: &behavior.ReturnMonitor{Pattern: "json:a.b=~1", MaxOccurrences: 1, Window: units.Seconds(1)}},
		{Path: "/y", UsageMonitor: &behavior.UsageMonitor{MaxCalls: 0, Window: units.Seconds(1)}}}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"global_behavior_rules[0]", "routes[0].return_monitor", "routes[1].usage_monitor"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}
