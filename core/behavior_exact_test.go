package guard

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/guardgo/guard/core/behavior"
	"github.com/guardgo/guard/core/units"
)

// These tests pin the exact trailing-window semantics of behavioural rules
// through the engine, with an injected clock: a rule fires when the count of
// events within the last window exceeds its threshold, and an event leaves
// the window exactly one window after it happened.

const exactClient = "198.51.100.40:1"

func exactEngine(t *testing.T, route RouteConfig, opts ...Option) (*Engine, *fakeClock) {
	t.Helper()
	return newTestEngine(t, func(c *Config) {
		c.RateLimit = 10_000 // keep the rate limiter out of the way
		c.Routes = []RouteConfig{route}
	}, opts...)
}

func TestBehaviorThrottleReleasedExactlyAfterWindow(t *testing.T) {
	route := RouteConfig{Path: "/lottery", UsageMonitor: &behavior.UsageMonitor{MaxCalls: 2, Window: units.Seconds(2), Action: behavior.Throttle}}
	tests := []struct {
		quiet time.Duration // after the burst, before the probe
		want  int
	}{
		{0, 429},
		{time.Second, 429},
		{2*time.Second - time.Millisecond, 429}, // the burst is still in the window
		{2 * time.Second, 200},                  // every burst request left at once
		{2500 * time.Millisecond, 200},          // the QA scenario
		{time.Hour, 200},
	}
	for _, tc := range tests {
		t.Run(tc.quiet.String(), func(t *testing.T) {
			e, clk := exactEngine(t, route)
			if got := codes(e, lotteryHandler, "/lottery", exactClient, 4); !eq(got, []int{200, 200, 429, 429}) {
				t.Fatalf("burst: %v, want [200 200 429 429]", got)
			}
			clk.Advance(tc.quiet)
			w := serveTo(e, lotteryHandler, "/lottery", exactClient)
			if w.Code != tc.want {
				t.Fatalf("after %s of quiet: %d, want %d", tc.quiet, w.Code, tc.want)
			}
			if w.Code == 429 && w.Header().Get("Retry-After") != "2" {
				t.Fatalf("Retry-After %q, want the window, 2", w.Header().Get("Retry-After"))
			}
		})
	}
}

func TestBehaviorThrottleRepeatedBursts(t *testing.T) {
	// QA found the release intermittent: after every burst, 2.5 s of quiet
	// must be enough, whatever the alignment of the clock.
	e, clk := exactEngine(t, RouteConfig{Path: "/lottery", UsageMonitor: &behavior.UsageMonitor{MaxCalls: 2, Window: units.Seconds(2), Action: behavior.Throttle}})
	for round := range 20 {
		if got := codes(e, lotteryHandler, "/lottery", exactClient, 4); !eq(got, []int{200, 200, 429, 429}) {
			t.Fatalf("round %d burst: %v", round, got)
		}
		clk.Advance(2500*time.Millisecond + time.Duration(round)*137*time.Millisecond)
	}
}

func TestBehaviorReturnThrottleReleasedExactly(t *testing.T) {
	e, clk := exactEngine(t, RouteConfig{Path: "/lottery", ReturnMonitor: &behavior.ReturnMonitor{
		Pattern: "json:result==win", MaxOccurrences: 2, Window: units.Seconds(10), Action: behavior.Throttle}})
	for i := range 3 { // wins at 0 s, 1 s and 2 s: the third takes the count over 2
		if c := serveTo(e, lotteryHandler, "/lottery?outcome=win", exactClient).Code; c != 200 {
			t.Fatalf("win %d: %d", i+1, c)
		}
		clk.Advance(time.Second)
	}
	// Probes lose: they are not counted, only the wins age out.
	probe := func(at time.Duration, want int) {
		t.Helper()
		clk.Advance(at)
		if c := serveTo(e, lotteryHandler, "/lottery?outcome=lose", exactClient).Code; c != want {
			t.Fatalf("probe: %d, want %d", c, want)
		}
	}
	probe(0, 429)                              // at 3 s
	probe(7*time.Second-time.Millisecond, 429) // 1 ms before the first win leaves
	probe(time.Millisecond, 200)               // at 10 s: two wins left in the window
	if c := serveTo(e, lotteryHandler, "/lottery?outcome=lose", "198.51.100.41:1").Code; c != 200 {
		t.Fatalf("another client: %d", c)
	}
}

func TestBehaviorCallsMostlyOutsideWindowNeverFire(t *testing.T) {
	e, clk := exactEngine(t, RouteConfig{Path: "/lottery", UsageMonitor: &behavior.UsageMonitor{MaxCalls: 3, Window: units.Seconds(60), Action: behavior.Ban}})
	start := clk.Now()
	at := func(ms int) {
		clk.Advance(start.Add(time.Duration(ms) * time.Millisecond).Sub(clk.Now()))
	}
	// Calls at 1, 2, 3 and 62 s: the trailing minute holds 2 of them at
	// 62 s (3 s and 62 s), and 3 at 62.5 s and 63 s (the call at 3 s
	// leaves at exactly 63 s).
	for _, ms := range []int{1000, 2000, 3000, 62_000, 62_500, 63_000} {
		at(ms)
		if c := serveTo(e, lotteryHandler, "/lottery", exactClient).Code; c != 200 {
			t.Fatalf("call at %d ms: %d, want 200", ms, c)
		}
	}
	// The fourth call within 60 s (62, 62.5, 63 and 63.5 s) is banned.
	at(63_500)
	if c := serveTo(e, lotteryHandler, "/lottery", exactClient).Code; c != 403 {
		t.Fatalf("max_calls+1 within the window: %d, want 403", c)
	}
}

func TestBehaviorBanOnMaxCallsPlusOneWithinWindow(t *testing.T) {
	tests := []struct {
		spacing time.Duration // between consecutive calls
		want    []int
	}{
		// 4 calls span 3×3333 ms < 10 s: the 4th is the 4th in the window.
		{3333 * time.Millisecond, []int{200, 200, 200, 403}},
		// 4 calls span 3×3334 ms > 10 s: the first left before the 4th.
		{3334 * time.Millisecond, []int{200, 200, 200, 200}},
	}
	for _, tc := range tests {
		t.Run(tc.spacing.String(), func(t *testing.T) {
			e, clk := exactEngine(t, RouteConfig{Path: "/lottery", UsageMonitor: &behavior.UsageMonitor{MaxCalls: 3, Window: units.Seconds(10), Action: behavior.Ban}})
			var got []int
			for i := range 4 {
				if i > 0 {
					clk.Advance(tc.spacing)
				}
				got = append(got, serveTo(e, lotteryHandler, "/lottery", exactClient).Code)
			}
			if !eq(got, tc.want) {
				t.Fatalf("codes %v, want %v", got, tc.want)
			}
		})
	}
}

func TestBehaviorAlertOncePerCrossing(t *testing.T) {
	var (
		mu     sync.Mutex
		counts []int64
	)
	sink := SinkFunc(func(_ context.Context, ev Event) {
		if ev.Type == "behavior_violation" {
			mu.Lock()
			counts = append(counts, ev.Details["count"].(int64))
			mu.Unlock()
		}
	})
	e, clk := exactEngine(t, RouteConfig{Path: "/lottery", UsageMonitor: &behavior.UsageMonitor{MaxCalls: 2, Window: units.Seconds(10), Action: behavior.Alert}}, WithSink(sink))
	for round := range 3 {
		for range 30 {
			clk.Advance(100 * time.Millisecond)
			if c := serveTo(e, lotteryHandler, "/lottery", exactClient).Code; c != 200 {
				t.Fatalf("alert rule blocked a request: %d", c)
			}
		}
		clk.Advance(10 * time.Second) // a quiet window: the next burst climbs again
		mu.Lock()
		got := fmt.Sprint(counts)
		mu.Unlock()
		if want := fmt.Sprint(repeat(int64(3), round+1)); got != want {
			t.Fatalf("after burst %d: alert events with counts %s, want %s", round+1, got, want)
		}
	}
}

func repeat(v int64, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = v
	}
	return out
}
