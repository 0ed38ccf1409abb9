// Package storetest is the conformance suite every store.Store passes.
//
// A store's tests call Run with a constructor returning a fresh, empty store
// (for a networked store: one with its own key prefix), which Run closes at
// the end of each subtest. The suite injects times instead of sleeping. Its
// times are near the wall clock (a minute ahead, aligned to the minute),
// because a networked store may derive key TTLs from them.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guardgo/guard/core/store"
)

// Run runs the conformance suite against the stores newStore returns.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	groups := []struct {
		name  string
		tests []test
	}{
		{"limits", limitTests},
		{"counters", counterTests},
		{"exact_counters", exactCounterTests},
		{"bans", banTests},
		{"patterns", patternTests},
		{"concurrency", concurrencyTests},
		{"context", contextTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					s := newStore(t)
					t.Cleanup(func() {
						if err := s.Close(); err != nil {
							t.Errorf("Close: %v", err)
						}
					})
					tc.run(t, s, base())
				})
			}
		})
	}
}

type test struct {
	name string
	run  func(t *testing.T, s store.Store, t0 time.Time)
}

// base is the suite's time origin: the next whole minute of the wall clock.
func base() time.Time { return time.Now().Truncate(time.Minute).Add(time.Minute) }

func hit(t *testing.T, s store.Store, client string, now time.Time, limits ...store.Limit) store.HitResult {
	t.Helper()
	res, err := s.Hit(context.Background(), store.HitRequest{Client: client, Limits: limits}, now)
	if err != nil {
		t.Fatalf("Hit(%s, %v): %v", client, now, err)
	}
	if len(res.Limits) != len(limits) {
		t.Fatalf("Hit returned %d limit states for %d limits", len(res.Limits), len(limits))
	}
	return res
}

func add(t *testing.T, s store.Store, client string, c store.Counter, now time.Time) int64 {
	t.Helper()
	n, err := s.Add(context.Background(), client, c, now)
	if err != nil {
		t.Fatalf("Add(%s, %s): %v", client, c.Key, err)
	}
	return n
}

func wantState(t *testing.T, what string, got, want store.LimitState) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: got %+v, want %+v", what, got, want)
	}
}

var limitTests = []test{
	{"single", func(t *testing.T, s store.Store, t0 time.Time) {
		l := store.Limit{Key: "global", Max: 3, Window: 10 * time.Second}
		for i := 1; i <= 3; i++ {
			res := hit(t, s, "10.0.0.1", t0, l)
			if !res.Allowed {
				t.Fatalf("request %d refused: %+v", i, res)
			}
			wantState(t, fmt.Sprintf("request %d", i), res.Limits[0], store.LimitState{Count: i})
		}
		res := hit(t, s, "10.0.0.1", t0, l)
		if res.Allowed {
			t.Fatal("request 4 admitted past Max 3")
		}
		wantState(t, "request 4", res.Limits[0], store.LimitState{Count: 3, Exceeded: true, RetryAfter: 10 * time.Second})
	}},
	{"retry_after_is_when_oldest_leaves", func(t *testing.T, s store.Store, t0 time.Time) {
		l := store.Limit{Key: "global", Max: 3, Window: 10 * time.Second}
		for i := range 3 {
			hit(t, s, "c", t0.Add(time.Duration(i)*time.Second), l)
		}
		res := hit(t, s, "c", t0.Add(5500*time.Millisecond), l)
		wantState(t, "refused", res.Limits[0], store.LimitState{Count: 3, Exceeded: true, RetryAfter: 4500 * time.Millisecond})
	}},
	{"window_slides", func(t *testing.T, s store.Store, t0 time.Time) {
		l := store.Limit{Key: "global", Max: 3, Window: 10 * time.Second}
		for i := range 3 { // at t0, t0+1s, t0+2s
			hit(t, s, "c", t0.Add(time.Duration(i)*time.Second), l)
		}
		if res := hit(t, s, "c", t0.Add(10*time.Second-time.Millisecond), l); res.Allowed {
			t.Fatal("admitted 1 ms before the oldest request left the window")
		}
		res := hit(t, s, "c", t0.Add(10*time.Second), l)
		wantState(t, "oldest left", res.Limits[0], store.LimitState{Count: 3})
		res = hit(t, s, "c", t0.Add(10*time.Second), l)
		wantState(t, "full again", res.Limits[0], store.LimitState{Count: 3, Exceeded: true, RetryAfter: time.Second})
		res = hit(t, s, "c", t0.Add(12*time.Second), l) // t0+1s and t0+2s left
		wantState(t, "two left", res.Limits[0], store.LimitState{Count: 2})
		res = hit(t, s, "c", t0.Add(time.Hour), l)
		wantState(t, "all left", res.Limits[0], store.LimitState{Count: 1})
	}},
	{"refused_requests_not_recorded", func(t *testing.T, s store.Store, t0 time.Time) {
		l := store.Limit{Key: "global", Max: 2, Window: 10 * time.Second}
		hit(t, s, "c", t0, l)
		hit(t, s, "c", t0, l)
		for i := range 50 {
			if res := hit(t, s, "c", t0.Add(time.Duration(i)*100*time.Millisecond), l); res.Allowed {
				t.Fatalf("refused-phase request %d admitted", i)
			}
		}
		res := hit(t, s, "c", t0.Add(10*time.Second), l)
		wantState(t, "after window", res.Limits[0], store.LimitState{Count: 1})
	}},
	{"multi_tier_all_or_nothing", func(t *testing.T, s store.Store, t0 time.Time) {
		short := store.Limit{Key: "ep:/login", Max: 2, Window: 10 * time.Second}
		long := store.Limit{Key: "global", Max: 5, Window: time.Minute}
		hit(t, s, "c", t0, short, long)
		res := hit(t, s, "c", t0, short, long)
		if !res.Allowed || res.Limits[0].Count != 2 || res.Limits[1].Count != 2 {
			t.Fatalf("second request: %+v", res)
		}
		res = hit(t, s, "c", t0.Add(time.Second), short, long)
		if res.Allowed {
			t.Fatal("admitted although the short tier is full")
		}
		wantState(t, "short tier", res.Limits[0], store.LimitState{Count: 2, Exceeded: true, RetryAfter: 9 * time.Second})
		wantState(t, "long tier (not recorded)", res.Limits[1], store.LimitState{Count: 2})
		// The long tier saw only the two admitted requests.
		res = hit(t, s, "c", t0.Add(10*time.Second), short, long)
		if !res.Allowed {
			t.Fatalf("refused after the short window: %+v", res)
		}
		wantState(t, "long tier", res.Limits[1], store.LimitState{Count: 3})
		// The order of limits does not matter: the long tier alone can refuse.
		hit(t, s, "c", t0.Add(20*time.Second), long)
		hit(t, s, "c", t0.Add(20*time.Second), long)
		res = hit(t, s, "c", t0.Add(30*time.Second), long, short)
		if res.Allowed || !res.Limits[0].Exceeded || res.Limits[1].Exceeded {
			t.Fatalf("long tier full: %+v", res)
		}
		wantState(t, "long tier retry", res.Limits[0], store.LimitState{Count: 5, Exceeded: true, RetryAfter: 30 * time.Second})
		wantState(t, "short tier (emptied, not recorded)", res.Limits[1], store.LimitState{Count: 0})
	}},
	{"isolated_per_client_and_key", func(t *testing.T, s store.Store, t0 time.Time) {
		l := store.Limit{Key: "global", Max: 1, Window: time.Minute}
		hit(t, s, "10.0.0.1", t0, l)
		if res := hit(t, s, "10.0.0.1", t0, l); res.Allowed {
			t.Fatal("second request of 10.0.0.1 admitted")
		}
		if res := hit(t, s, "10.0.0.2", t0, l); !res.Allowed {
			t.Fatal("another client was limited")
		}
		if res := hit(t, s, "2001:db8::1", t0, l); !res.Allowed {
			t.Fatal("an IPv6 client was limited")
		}
		other := store.Limit{Key: "ep:/a", Max: 1, Window: time.Minute}
		if res := hit(t, s, "10.0.0.1", t0, other); !res.Allowed {
			t.Fatal("another key of the same client was limited")
		}
		// Odd client strings stay isolated too (networked stores embed them in keys).
		for _, c := range []string{"a}b", "{x}", "a:b", "", "a b"} {
			if res := hit(t, s, c, t0, l); !res.Allowed {
				t.Fatalf("client %q limited on its first request", c)
			}
			if res := hit(t, s, c, t0, l); res.Allowed {
				t.Fatalf("client %q admitted twice", c)
			}
		}
	}},
	{"no_window_holds_more_than_max", func(t *testing.T, s store.Store, t0 time.Time) {
		// Exact (small Max) and, for stores that approximate large limits,
		// bucketed windows alike: never more than Max admitted in any window.
		for _, l := range []store.Limit{
			{Key: "small", Max: 7, Window: 100 * time.Millisecond},
			{Key: "large", Max: 600, Window: time.Second},
		} {
			var admitted []time.Time
			step := l.Window / time.Duration(3*l.Max/2)
			for i := range 3 * 3 * l.Max / 2 {
				now := t0.Add(time.Duration(i) * step)
				if res := hit(t, s, "c", now, l); res.Allowed {
					admitted = append(admitted, now)
				}
			}
			for i := range admitted {
				j := i + l.Max
				// Stores work in whole milliseconds.
				if j < len(admitted) && admitted[j].UnixMilli()-admitted[i].UnixMilli() < l.Window.Milliseconds() {
					t.Fatalf("%s: %d requests admitted within %s (from %s to %s)", l.Key, l.Max+1, l.Window, admitted[i].Sub(t0), admitted[j].Sub(t0))
				}
			}
			// Offered 1.5 Max per window over three windows: at least two
			// windows' worth must have been admitted.
			if len(admitted) < 2*l.Max {
				t.Fatalf("%s: only %d admitted over 3 windows of Max %d", l.Key, len(admitted), l.Max)
			}
		}
	}},
	{"invalid", func(t *testing.T, s store.Store, t0 time.Time) {
		for _, l := range []store.Limit{
			{Key: "zero_max", Max: 0, Window: time.Second},
			{Key: "zero_window", Max: 1, Window: 0},
		} {
			_, err := s.Hit(context.Background(), store.HitRequest{Client: "c", Limits: []store.Limit{l}}, t0)
			if !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%s: got %v, want ErrInvalid", l.Key, err)
			}
		}
	}},
}

var counterTests = []test{
	{"increments", func(t *testing.T, s store.Store, t0 time.Time) {
		c := store.Counter{Key: "404s", Window: time.Minute}
		for i := int64(1); i <= 3; i++ {
			if n := add(t, s, "c", c, t0.Add(time.Duration(i)*time.Second)); n != i {
				t.Fatalf("Add %d: got %d", i, n)
			}
		}
		peek := c
		peek.Peek = true
		if n := add(t, s, "c", peek, t0.Add(4*time.Second)); n != 3 {
			t.Fatalf("Peek: got %d, want 3", n)
		}
		if n := add(t, s, "c", peek, t0.Add(5*time.Second)); n != 3 {
			t.Fatalf("second Peek: got %d, want 3 (Peek must not count)", n)
		}
		if n := add(t, s, "unknown", peek, t0); n != 0 {
			t.Fatalf("Peek of an unknown client: got %d", n)
		}
		if n := add(t, s, "other", c, t0); n != 1 {
			t.Fatalf("another client: got %d, want 1", n)
		}
		if n := add(t, s, "c", store.Counter{Key: "other", Window: time.Minute}, t0); n != 1 {
			t.Fatalf("another key: got %d, want 1", n)
		}
	}},
	{"through_hit", func(t *testing.T, s store.Store, t0 time.Time) {
		l := store.Limit{Key: "global", Max: 1, Window: time.Minute}
		cs := []store.Counter{{Key: "a", Window: time.Minute}, {Key: "b", Window: time.Minute}, {Key: "a", Window: time.Minute, Peek: true}}
		for i := int64(1); i <= 3; i++ {
			res, err := s.Hit(context.Background(), store.HitRequest{Client: "c", Limits: []store.Limit{l}, Counters: cs}, t0)
			if err != nil {
				t.Fatal(err)
			}
			// Counters count refused requests too.
			if want := []int64{i, i, i}; !slices.Equal(res.Counts, want) {
				t.Fatalf("request %d: counts %v, want %v", i, res.Counts, want)
			}
			if res.Allowed != (i == 1) {
				t.Fatalf("request %d: allowed %v", i, res.Allowed)
			}
		}
		if n := add(t, s, "c", cs[0], t0); n != 4 {
			t.Fatalf("Add after Hits: got %d, want 4", n)
		}
	}},
	{"expiry", func(t *testing.T, s store.Store, t0 time.Time) {
		c := store.Counter{Key: "k", Window: 10 * time.Second}
		for range 5 {
			add(t, s, "c", c, t0)
		}
		// Part-way through the next window the estimate lies between the
		// events truly inside the window (none) and all of them.
		if n := add(t, s, "c", c, t0.Add(12*time.Second)); n < 1 || n > 6 {
			t.Fatalf("after 12s: got %d, want within [1, 6]", n)
		}
		if n := add(t, s, "c", c, t0.Add(35*time.Second)); n != 1 {
			t.Fatalf("after 35s (all expired): got %d, want 1", n)
		}
		if n := add(t, s, "c", store.Counter{Key: "k", Window: 10 * time.Second, Peek: true}, t0.Add(time.Hour)); n != 0 {
			t.Fatalf("Peek an hour later: got %d, want 0", n)
		}
	}},
	{"reset", func(t *testing.T, s store.Store, t0 time.Time) {
		c := store.Counter{Key: "k", Window: time.Minute}
		for range 3 {
			add(t, s, "c", c, t0)
		}
		add(t, s, "d", c, t0)
		if err := s.Reset(context.Background(), "c", "k"); err != nil {
			t.Fatal(err)
		}
		if n := add(t, s, "c", c, t0); n != 1 {
			t.Fatalf("after Reset: got %d, want 1", n)
		}
		if n := add(t, s, "d", c, t0); n != 2 {
			t.Fatalf("Reset touched another client: got %d, want 2", n)
		}
		if err := s.Reset(context.Background(), "nobody", "k"); err != nil {
			t.Fatalf("Reset of a missing counter: %v", err)
		}
	}},
	{"invalid", func(t *testing.T, s store.Store, t0 time.Time) {
		_, err := s.Add(context.Background(), "c", store.Counter{Key: "k"}, t0)
		if !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("zero window: got %v, want ErrInvalid", err)
		}
	}},
}

// addAll counts c at each time of ats and returns the reported values.
func addAll(t *testing.T, s store.Store, client string, c store.Counter, ats ...time.Time) []int64 {
	t.Helper()
	out := make([]int64, len(ats))
	for i, at := range ats {
		out[i] = add(t, s, client, c, at)
	}
	return out
}

// peekAt reads c (as a Peek) for client at now.
func peekAt(t *testing.T, s store.Store, client string, c store.Counter, now time.Time) int64 {
	t.Helper()
	c.Peek = true
	return add(t, s, client, c, now)
}

// ms is d milliseconds after t0.
func ms(t0 time.Time, d int) time.Time { return t0.Add(time.Duration(d) * time.Millisecond) }

// exactCounterTests cover counters with Cap > 0: exact over the trailing
// window, saturating at Cap+1.
var exactCounterTests = []test{
	{"rise_and_saturate", func(t *testing.T, s store.Store, t0 time.Time) {
		c := store.Counter{Key: "k", Window: 10 * time.Second, Cap: 3}
		var ats []time.Time
		for i := range 8 {
			ats = append(ats, ms(t0, i))
		}
		if got, want := addAll(t, s, "c", c, ats...), []int64{1, 2, 3, 4, 4, 4, 4, 4}; !slices.Equal(got, want) {
			t.Fatalf("counts %v, want %v", got, want)
		}
		if n := peekAt(t, s, "c", c, ms(t0, 10)); n != 3 {
			t.Fatalf("Peek when saturated: got %d, want Cap 3", n)
		}
		if n := peekAt(t, s, "unknown", c, t0); n != 0 {
			t.Fatalf("Peek of an unknown client: got %d", n)
		}
		// The ring keeps the Cap latest events (at 5, 6 and 7 ms): it
		// drains as they leave, exactly Window after each.
		for _, tc := range []struct {
			at   int
			want int64
		}{{10004, 3}, {10005, 2}, {10006, 1}, {10007, 0}} {
			if n := peekAt(t, s, "c", c, ms(t0, tc.at)); n != tc.want {
				t.Fatalf("Peek at +%d ms: got %d, want %d", tc.at, n, tc.want)
			}
		}
	}},
	{"first_crossing_once_per_climb", func(t *testing.T, s store.Store, t0 time.Time) {
		// A rule with threshold 2 sets Cap 3: value 3 (= threshold+1) must
		// be reported exactly once per climb, however long the burst.
		c := store.Counter{Key: "k", Window: time.Second, Cap: 3}
		crossings := 0
		for i := range 200 { // one every 10 ms: 100 events in any window
			if add(t, s, "c", c, ms(t0, 10*i)) == 3 {
				crossings++
			}
		}
		if crossings != 1 {
			t.Fatalf("value Cap reported %d times during one burst, want 1", crossings)
		}
		// Quiet for a window, then a second climb.
		crossings = 0
		for i := range 10 {
			if add(t, s, "c", c, ms(t0, 10_000+10*i)) == 3 {
				crossings++
			}
		}
		if crossings != 1 {
			t.Fatalf("value Cap reported %d times during the second climb, want 1", crossings)
		}
	}},
	{"exact_boundary", func(t *testing.T, s store.Store, t0 time.Time) {
		c := store.Counter{Key: "k", Window: 10 * time.Second, Cap: 5}
		if got, want := addAll(t, s, "c", c, t0, ms(t0, 1000), ms(t0, 2000)), []int64{1, 2, 3}; !slices.Equal(got, want) {
			t.Fatalf("counts %v, want %v", got, want)
		}
		if n := peekAt(t, s, "c", c, ms(t0, 9999)); n != 3 {
			t.Fatalf("1 ms before the first event leaves: got %d, want 3", n)
		}
		if n := peekAt(t, s, "c", c, ms(t0, 10000)); n != 2 {
			t.Fatalf("exactly Window after the first event: got %d, want 2", n)
		}
		if n := add(t, s, "c", c, ms(t0, 10000)); n != 3 {
			t.Fatalf("Add at +10 s: got %d, want 3", n)
		}
		if n := peekAt(t, s, "c", c, ms(t0, 12000)); n != 1 {
			t.Fatalf("at +12 s only the event at +10 s is left: got %d, want 1", n)
		}
		if n := add(t, s, "c", c, t0.Add(time.Hour)); n != 1 {
			t.Fatalf("an hour later: got %d, want 1", n)
		}
	}},
	{"released_after_quiet_window", func(t *testing.T, s store.Store, t0 time.Time) {
		// QA: usage_monitor{max_calls: 2, window: 2s, action: throttle}; four
		// quick requests, 2.5 s of silence, then one more request.
		c := store.Counter{Key: "bh:u2s:/x", Window: 2 * time.Second, Cap: 3}
		if got, want := addAll(t, s, "c", c, t0, ms(t0, 50), ms(t0, 100), ms(t0, 150)), []int64{1, 2, 3, 4}; !slices.Equal(got, want) {
			t.Fatalf("burst: counts %v, want %v", got, want)
		}
		if n := add(t, s, "c", c, ms(t0, 2650)); n != 1 {
			t.Fatalf("after 2.5 s of silence: got %d, want 1", n)
		}
		// The same burst, then a request exactly Window after the last one.
		d := store.Counter{Key: "bh:u2s:/y", Window: 2 * time.Second, Cap: 3}
		addAll(t, s, "c", d, t0, ms(t0, 50), ms(t0, 100), ms(t0, 150))
		if n := add(t, s, "c", d, ms(t0, 2149)); n != 2 {
			t.Fatalf("1 ms before the last burst request leaves: got %d, want 2", n)
		}
		e := store.Counter{Key: "bh:u2s:/z", Window: 2 * time.Second, Cap: 3}
		addAll(t, s, "c", e, t0, ms(t0, 50), ms(t0, 100), ms(t0, 150))
		if n := add(t, s, "c", e, ms(t0, 2150)); n != 1 {
			t.Fatalf("exactly Window after the last burst request: got %d, want 1", n)
		}
	}},
	{"mostly_outside_window", func(t *testing.T, s store.Store, t0 time.Time) {
		// QA: events at 1, 2 and 3 s, window 60 s, threshold 3 (Cap 4): at
		// 62 s the trailing window holds the event at 3 s and this one.
		c := store.Counter{Key: "k", Window: time.Minute, Cap: 4}
		if got, want := addAll(t, s, "c", c, t0.Add(time.Second), t0.Add(2*time.Second), t0.Add(3*time.Second)), []int64{1, 2, 3}; !slices.Equal(got, want) {
			t.Fatalf("counts %v, want %v", got, want)
		}
		if n := add(t, s, "c", c, t0.Add(62*time.Second)); n != 2 {
			t.Fatalf("at 62 s: got %d, want 2", n)
		}
	}},
	{"through_hit", func(t *testing.T, s store.Store, t0 time.Time) {
		l := store.Limit{Key: "global", Max: 1, Window: time.Minute}
		a := store.Counter{Key: "a", Window: time.Minute, Cap: 2}
		approx := store.Counter{Key: "b", Window: time.Minute}
		peek := a
		peek.Peek = true
		cs := []store.Counter{a, approx, peek}
		for i, want := range [][]int64{{1, 1, 1}, {2, 2, 2}, {3, 3, 2}, {3, 4, 2}} {
			res, err := s.Hit(context.Background(), store.HitRequest{Client: "c", Limits: []store.Limit{l}, Counters: cs}, ms(t0, i))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Counts, want) {
				t.Fatalf("request %d: counts %v, want %v", i+1, res.Counts, want)
			}
		}
	}},
	{"keys_isolated", func(t *testing.T, s store.Store, t0 time.Time) {
		c := store.Counter{Key: "k", Window: time.Minute, Cap: 3}
		addAll(t, s, "c", c, t0, t0, t0)
		if n := add(t, s, "d", c, t0); n != 1 {
			t.Fatalf("another client: got %d, want 1", n)
		}
		if n := add(t, s, "c", store.Counter{Key: "k2", Window: time.Minute, Cap: 3}, t0); n != 1 {
			t.Fatalf("another key: got %d, want 1", n)
		}
		// The same key with Cap 0 is a separate, approximate counter: no
		// type clash in a networked store, and neither sees the other.
		approx := store.Counter{Key: "k", Window: time.Minute}
		if n := add(t, s, "c", approx, t0); n != 1 {
			t.Fatalf("same key with Cap 0: got %d, want 1", n)
		}
		if n := add(t, s, "c", c, t0); n != 4 {
			t.Fatalf("exact counter after the Cap 0 one: got %d, want 4", n)
		}
		if err := s.Reset(context.Background(), "c", "k"); err != nil {
			t.Fatal(err)
		}
		if n := peekAt(t, s, "c", c, t0); n != 0 {
			t.Fatalf("after Reset: exact counter reads %d, want 0", n)
		}
		if n := peekAt(t, s, "c", approx, t0); n != 0 {
			t.Fatalf("after Reset: approximate counter reads %d, want 0", n)
		}
		if n := peekAt(t, s, "d", c, t0); n != 1 {
			t.Fatalf("Reset touched another client: got %d, want 1", n)
		}
	}},
	{"cap_changes", func(t *testing.T, s store.Store, t0 time.Time) {
		c := store.Counter{Key: "k", Window: time.Minute, Cap: 5}
		addAll(t, s, "c", c, t0, t0, t0, t0)
		lower := c
		lower.Cap = 2
		if n := peekAt(t, s, "c", lower, t0); n != 2 {
			t.Fatalf("Peek with a lower Cap: got %d, want 2", n)
		}
		if n := add(t, s, "c", lower, t0); n != 3 {
			t.Fatalf("Add with a lower Cap: got %d, want 3", n)
		}
		higher := c
		higher.Cap = 10
		// Lowering the Cap kept only the 2 latest events.
		if n := add(t, s, "c", higher, t0); n != 3 {
			t.Fatalf("Add with a higher Cap: got %d, want 3", n)
		}
	}},
	{"large_cap_falls_back", func(t *testing.T, s store.Store, t0 time.Time) {
		c := store.Counter{Key: "k", Window: time.Minute, Cap: store.ExactMaxLimit + 1}
		if c.Exact() {
			t.Fatal("Cap above ExactMaxLimit reported exact")
		}
		for i := int64(1); i <= 3; i++ {
			if n := add(t, s, "c", c, t0); n != i {
				t.Fatalf("Add %d: got %d", i, n)
			}
		}
	}},
	{"parallel_adds_atomic", func(t *testing.T, s store.Store, t0 time.Time) {
		// Every increment sees the ones before it: with Cap above the
		// number of events, each value 1..n is reported exactly once.
		const workers, each = 8, 25
		c := store.Counter{Key: "k", Window: time.Hour, Cap: 500}
		seen := make([]atomic.Int32, workers*each+1)
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Go(func() {
				for range each {
					res, err := s.Hit(context.Background(), store.HitRequest{Client: "shared", Counters: []store.Counter{c}}, t0)
					if err != nil {
						errs <- err
						return
					}
					n := res.Counts[0]
					if n < 1 || n > workers*each {
						errs <- fmt.Errorf("count %d out of [1, %d]", n, workers*each)
						return
					}
					seen[n].Add(1)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for n := 1; n <= workers*each; n++ {
			if got := seen[n].Load(); got != 1 {
				t.Fatalf("count %d reported %d times, want once", n, got)
			}
		}
		if n := peekAt(t, s, "shared", c, t0); n != workers*each {
			t.Fatalf("Peek after the parallel adds: got %d, want %d", n, workers*each)
		}
	}},
	{"invalid_cap", func(t *testing.T, s store.Store, t0 time.Time) {
		_, err := s.Add(context.Background(), "c", store.Counter{Key: "k", Window: time.Minute, Cap: -1}, t0)
		if !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("negative Cap: got %v, want ErrInvalid", err)
		}
		_, err = s.Hit(context.Background(), store.HitRequest{Client: "c", Counters: []store.Counter{{Key: "k", Window: time.Minute, Cap: -1}}}, t0)
		if !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("negative Cap in Hit: got %v, want ErrInvalid", err)
		}
	}},
}

func banned(t *testing.T, s store.Store, client string, now time.Time) (store.Ban, bool) {
	t.Helper()
	b, ok, err := s.Banned(context.Background(), client, now)
	if err != nil {
		t.Fatalf("Banned(%s): %v", client, err)
	}
	return b, ok
}

func ban(t *testing.T, s store.Store, b store.Ban) {
	t.Helper()
	if err := s.Ban(context.Background(), b); err != nil {
		t.Fatalf("Ban(%+v): %v", b, err)
	}
}

func sameBan(a, b store.Ban) bool {
	return a.Client == b.Client && a.Reason == b.Reason && a.Until.Equal(b.Until)
}

var banTests = []test{
	{"set_and_expire", func(t *testing.T, s store.Store, t0 time.Time) {
		want := store.Ban{Client: "10.0.0.1", Until: t0.Add(time.Hour), Reason: "auto_ban: sqli"}
		ban(t, s, want)
		if got, ok := banned(t, s, "10.0.0.1", t0); !ok || !sameBan(got, want) {
			t.Fatalf("Banned: %+v %v, want %+v", got, ok, want)
		}
		if _, ok := banned(t, s, "10.0.0.2", t0); ok {
			t.Fatal("another client is banned")
		}
		if _, ok := banned(t, s, "10.0.0.1", want.Until.Add(-time.Millisecond)); !ok {
			t.Fatal("ban over 1 ms early")
		}
		if _, ok := banned(t, s, "10.0.0.1", want.Until); ok {
			t.Fatal("ban still active at Until")
		}
	}},
	{"replace", func(t *testing.T, s store.Store, t0 time.Time) {
		ban(t, s, store.Ban{Client: "c", Until: t0.Add(time.Hour), Reason: "first"})
		want := store.Ban{Client: "c", Until: t0.Add(time.Minute), Reason: "second"}
		ban(t, s, want)
		if got, ok := banned(t, s, "c", t0); !ok || !sameBan(got, want) {
			t.Fatalf("after replace: %+v %v, want %+v", got, ok, want)
		}
		if _, ok := banned(t, s, "c", t0.Add(2*time.Minute)); ok {
			t.Fatal("the replaced, longer ban still applies")
		}
	}},
	{"unban", func(t *testing.T, s store.Store, t0 time.Time) {
		ban(t, s, store.Ban{Client: "c", Until: t0.Add(time.Hour)})
		if err := s.Unban(context.Background(), "c"); err != nil {
			t.Fatal(err)
		}
		if _, ok := banned(t, s, "c", t0); ok {
			t.Fatal("still banned after Unban")
		}
		if err := s.Unban(context.Background(), "never-banned"); err != nil {
			t.Fatalf("Unban of a missing ban: %v", err)
		}
	}},
	{"list", func(t *testing.T, s store.Store, t0 time.Time) {
		want := []store.Ban{
			{Client: "10.0.0.1", Until: t0.Add(time.Hour), Reason: "a"},
			{Client: "10.0.0.2", Until: t0.Add(2 * time.Hour), Reason: "b|c:d"},
			{Client: "2001:db8::1", Until: t0.Add(time.Minute), Reason: ""},
		}
		for _, b := range want {
			ban(t, s, b)
		}
		ban(t, s, store.Ban{Client: "expired", Until: t0.Add(-time.Second)})
		ban(t, s, store.Ban{Client: "lifted", Until: t0.Add(time.Hour)})
		if err := s.Unban(context.Background(), "lifted"); err != nil {
			t.Fatal(err)
		}
		got, err := s.Bans(context.Background(), t0)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(got, func(a, b store.Ban) int { return strings.Compare(a.Client, b.Client) })
		if !slices.EqualFunc(got, want, sameBan) {
			t.Fatalf("Bans:\n got %+v\nwant %+v", got, want)
		}
		got, err = s.Bans(context.Background(), t0.Add(90*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Client != "10.0.0.2" {
			t.Fatalf("Bans 90 min later: %+v", got)
		}
	}},
	{"invalid", func(t *testing.T, s store.Store, t0 time.Time) {
		for _, b := range []store.Ban{{Client: "c"}, {Until: t0.Add(time.Hour)}} {
			if err := s.Ban(context.Background(), b); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("Ban(%+v): got %v, want ErrInvalid", b, err)
			}
		}
	}},
}

var patternTests = []test{
	{"put_delete_list", func(t *testing.T, s store.Store, t0 time.Time) {
		ctx := context.Background()
		got, err := s.Patterns(ctx)
		if err != nil || len(got) != 0 {
			t.Fatalf("empty store: %v %v", got, err)
		}
		put := func(id, data string) {
			t.Helper()
			if err := s.PutPattern(ctx, id, []byte(data)); err != nil {
				t.Fatal(err)
			}
		}
		put("p1", `{"regex":"(?i)union\\s+select","category":"sqli"}`)
		put("p2", "\x00binary\xff")
		put("p1", "replaced")
		if err := s.DeletePattern(ctx, "missing"); err != nil {
			t.Fatalf("DeletePattern of a missing id: %v", err)
		}
		got, err = s.Patterns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || string(got["p1"]) != "replaced" || string(got["p2"]) != "\x00binary\xff" {
			t.Fatalf("Patterns: %q", got)
		}
		got["p1"][0] = 'X' // the caller owns the result
		if err := s.DeletePattern(ctx, "p2"); err != nil {
			t.Fatal(err)
		}
		got, err = s.Patterns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || string(got["p1"]) != "replaced" {
			t.Fatalf("after delete: %q", got)
		}
	}},
}

var concurrencyTests = []test{
	{"parallel_hits_never_exceed_max", func(t *testing.T, s store.Store, t0 time.Time) {
		const workers, each, max = 8, 40, 100
		l := store.Limit{Key: "global", Max: max, Window: time.Hour}
		c := store.Counter{Key: "seen", Window: time.Hour}
		var admitted atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					now := t0.Add(time.Duration(w*each+i) * time.Millisecond)
					res, err := s.Hit(context.Background(), store.HitRequest{
						Client: "shared", Limits: []store.Limit{l}, Counters: []store.Counter{c},
					}, now)
					if err != nil {
						errs <- err
						return
					}
					if res.Allowed {
						admitted.Add(1)
					}
					// Different clients in parallel too.
					if _, err := s.Hit(context.Background(), store.HitRequest{
						Client: fmt.Sprintf("10.1.%d.%d", w, i), Limits: []store.Limit{l},
					}, now); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if got := admitted.Load(); got != max {
			t.Fatalf("admitted %d of %d parallel requests, want exactly Max %d", got, workers*each, max)
		}
		peek := store.Counter{Key: "seen", Window: time.Hour, Peek: true}
		if n := add(t, s, "shared", peek, t0.Add(time.Second)); n != workers*each {
			t.Fatalf("counter: %d, want %d", n, workers*each)
		}
	}},
	{"parallel_bans", func(t *testing.T, s store.Store, t0 time.Time) {
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := range 20 {
					c := fmt.Sprintf("10.2.%d.%d", w, i)
					_ = s.Ban(context.Background(), store.Ban{Client: c, Until: t0.Add(time.Hour)})
					_, _, _ = s.Banned(context.Background(), c, t0)
				}
			})
		}
		wg.Wait()
		got, err := s.Bans(context.Background(), t0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 80 {
			t.Fatalf("%d bans listed, want 80", len(got))
		}
	}},
}

var contextTests = []test{
	{"cancelled", func(t *testing.T, s store.Store, t0 time.Time) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		l := []store.Limit{{Key: "g", Max: 1, Window: time.Second}}
		c := store.Counter{Key: "k", Window: time.Second}
		calls := map[string]error{}
		_, calls["Hit"] = s.Hit(ctx, store.HitRequest{Client: "c", Limits: l}, t0)
		_, calls["Add"] = s.Add(ctx, "c", c, t0)
		calls["Reset"] = s.Reset(ctx, "c", "k")
		calls["Ban"] = s.Ban(ctx, store.Ban{Client: "c", Until: t0.Add(time.Hour)})
		calls["Unban"] = s.Unban(ctx, "c")
		_, _, calls["Banned"] = s.Banned(ctx, "c", t0)
		_, calls["Bans"] = s.Bans(ctx, t0)
		calls["PutPattern"] = s.PutPattern(ctx, "p", []byte("x"))
		calls["DeletePattern"] = s.DeletePattern(ctx, "p")
		_, calls["Patterns"] = s.Patterns(ctx)
		for name, err := range calls {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a cancelled context: got %v, want context.Canceled", name, err)
			}
		}
		// Nothing was recorded by the cancelled calls.
		if res := hit(t, s, "c", t0, l...); !res.Allowed {
			t.Fatal("a cancelled Hit was recorded")
		}
		if _, ok := banned(t, s, "c", t0); ok {
			t.Fatal("a cancelled Ban was recorded")
		}
	}},
}
