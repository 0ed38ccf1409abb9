package behavior

import (
	"slices"
	"testing"
	"time"

	"github.com/guardgo/guard/core/store"
)

func TestCountersAreCappedByLargestThreshold(t *testing.T) {
	set := mustCompile(t, []RuleSpec{
		{RuleType: Usage, Threshold: 3, Window: sec(60), Action: Alert},
		{RuleType: Frequency, Threshold: 10, Window: sec(60), Action: Ban},
		{RuleType: Usage, Threshold: 5, Window: sec(10), Action: Throttle},
		{RuleType: Usage, Threshold: 100000, Window: sec(3600), Action: Log},
		{RuleType: ReturnPattern, Threshold: 2, Window: sec(300), Pattern: "status:404", Action: Throttle},
		{RuleType: ReturnPattern, Threshold: 7, Window: sec(300), Pattern: "status:404", Action: Ban},
		{RuleType: ReturnPattern, Threshold: 4, Window: sec(300), Pattern: "status:403", Action: Log},
	})
	tests := []struct {
		name string
		got  store.Counter
		want store.Counter
	}{
		{"shared 60s request counter", set.RequestCounters("/a", nil)[0], store.Counter{Key: "bh:u1m0s:/a", Window: time.Minute, Cap: 11}},
		{"10s request counter", set.RequestCounters("/a", nil)[1], store.Counter{Key: "bh:u10s:/a", Window: 10 * time.Second, Cap: 6}},
		{"huge threshold falls back", set.RequestCounters("/a", nil)[2], store.Counter{Key: "bh:u1h0m0s:/a", Window: time.Hour, Cap: store.ExactMaxLimit + 1}},
		{"404 return counter", set.ReturnCounter("/a", 0), store.Counter{Key: set.ReturnCounter("/a", 0).Key, Window: 5 * time.Minute, Cap: 8}},
		{"404 peek counter", set.RequestCounters("/a", nil)[3], store.Counter{Key: set.ReturnCounter("/a", 0).Key, Window: 5 * time.Minute, Peek: true, Cap: 8}},
		{"403 return counter", set.ReturnCounter("/a", 1), store.Counter{Key: set.ReturnCounter("/a", 1).Key, Window: 5 * time.Minute, Cap: 5}},
	}
	if n := len(set.RequestCounters("/a", nil)); n != 4 {
		t.Fatalf("%d request counters, want 4", n)
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, tc.got, tc.want)
		}
	}
	if c := set.RequestCounters("/a", nil)[0]; !c.Exact() {
		t.Errorf("%+v is not exact", c)
	}
	if c := set.RequestCounters("/a", nil)[2]; c.Exact() {
		t.Errorf("%+v is exact beyond store.ExactMaxLimit", c)
	}
}

func TestFirstCrossingOncePerClimb(t *testing.T) {
	e := newEngine(t, mustCompile(t, []RuleSpec{
		{RuleType: Usage, Threshold: 3, Window: sec(60), Action: Alert},
		{RuleType: Usage, Threshold: 10, Window: sec(60), Action: Log},
	}), "/api")
	burst := func(start time.Duration, n int) map[string]int {
		crossings := map[string]int{}
		for i := range n { // one request every 100 ms: 600 in any window
			for _, v := range e.request(t0.Add(start + time.Duration(i)*100*time.Millisecond)) {
				if v.FirstCrossing() {
					crossings[v.Rule]++
				}
				if v.Count > 12 {
					t.Fatalf("count %d above the cap+1 of 12", v.Count)
				}
			}
		}
		return crossings
	}
	for _, start := range []time.Duration{0, 5 * time.Minute} { // two climbs, a quiet window apart
		got := burst(start, 2000)
		if got["usage:3/1m0s:alert"] != 1 || got["usage:10/1m0s:log"] != 1 || len(got) != 2 {
			t.Fatalf("burst at %s: first crossings %v, want one per rule", start, got)
		}
	}
}

func TestThrottleReleasedAfterQuietWindow(t *testing.T) {
	// QA: usage_monitor{max_calls: 2, window: 2s, action: throttle}, four
	// quick requests, 2.5 s of silence, one more request.
	e := newEngine(t, mustCompile(t, []RuleSpec{UsageMonitor{MaxCalls: 2, Window: sec(2), Action: Throttle}.Rule()}), "/api")
	var got []bool
	for _, at := range []time.Duration{0, 10 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond, 2530 * time.Millisecond} {
		got = append(got, len(e.request(t0.Add(at))) > 0)
	}
	if want := []bool{false, false, true, true, false}; !slices.Equal(got, want) {
		t.Fatalf("throttled %v, want %v", got, want)
	}
}

func TestCallsMostlyOutsideWindowDoNotFire(t *testing.T) {
	// QA: requests at 1, 2 and 3 s, threshold 3, window 60 s; at 62 s the
	// trailing window holds 2 of them (3 s and 62 s).
	e := newEngine(t, mustCompile(t, []RuleSpec{UsageMonitor{MaxCalls: 3, Window: sec(60), Action: Ban}.Rule()}), "/api")
	// Then 62.5 s and 63 s: the window still holds 3 (the request at 3 s
	// leaves at exactly 63 s).
	for _, ms := range []int{1000, 2000, 3000, 62000, 62500, 63000} {
		if vs := e.request(t0.Add(time.Duration(ms) * time.Millisecond)); len(vs) != 0 {
			t.Fatalf("request at %d ms fired: %+v", ms, vs)
		}
	}
	// A fourth request within 60 s (62, 62.5, 63, 63.5 s) fires.
	vs := e.request(t0.Add(63500 * time.Millisecond))
	if len(vs) != 1 || vs[0].Action != Ban || vs[0].Count != 4 || !vs[0].FirstCrossing() {
		t.Fatalf("fourth request within the window: %+v", vs)
	}
}
