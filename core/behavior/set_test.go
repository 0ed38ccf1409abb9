package behavior

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guardgo/guard/core/store"
)

// engine plays the engine's side of the protocol for one client, against
// the real in-memory store.
type engine struct {
	t        *testing.T
	set      *Set
	st       store.Store
	endpoint string
}

func newEngine(t *testing.T, set *Set, endpoint string) *engine {
	st := store.NewMemory(store.MemoryOptions{SweepInterval: -1})
	t.Cleanup(func() { st.Close() })
	return &engine{t: t, set: set, st: st, endpoint: endpoint}
}

func (e *engine) request(now time.Time) []Violation {
	e.t.Helper()
	cs := e.set.RequestCounters(e.endpoint, nil)
	res, err := e.st.Hit(context.Background(), store.HitRequest{Client: "1.2.3.4", Counters: cs}, now)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.set.CheckRequest(e.endpoint, res.Counts, nil)
}

func (e *engine) response(now time.Time, status int, body string) []Violation {
	e.t.Helper()
	var vs []Violation
	for _, i := range e.set.MatchResponse(status, []byte(body), nil) {
		n, err := e.st.Add(context.Background(), "1.2.3.4", e.set.ReturnCounter(e.endpoint, i), now)
		if err != nil {
			e.t.Fatal(err)
		}
		vs = e.set.CheckReturn(e.endpoint, i, n, vs)
	}
	return vs
}

func mustCompile(t *testing.T, specs []RuleSpec, opts ...Option) *Set {
	t.Helper()
	s, err := Compile(specs, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// t0 is the tests' time origin, aligned to every window length used here.
var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestUsageThresholdBoundary(t *testing.T) {
	for _, typ := range []RuleType{Usage, Frequency} {
		t.Run(string(typ), func(t *testing.T) {
			e := newEngine(t, mustCompile(t, []RuleSpec{{RuleType: typ, Threshold: 3, Window: sec(60), Action: Alert}}), "GET /items/{id}")
			for i := 1; i <= 3; i++ {
				if vs := e.request(t0.Add(time.Duration(i) * time.Second)); len(vs) != 0 {
					t.Fatalf("request %d (count == threshold at most) fired: %+v", i, vs)
				}
			}
			vs := e.request(t0.Add(4 * time.Second))
			if len(vs) != 1 {
				t.Fatalf("request 4: got %d violations, want 1", len(vs))
			}
			want := Violation{Rule: string(typ) + ":3/1m0s:alert", Type: typ, Endpoint: "GET /items/{id}",
				Count: 4, Threshold: 3, Window: time.Minute, Action: Alert}
			if got := vs[0]; got.Rule != want.Rule || got.Type != want.Type || got.Endpoint != want.Endpoint ||
				got.Count != want.Count || got.Threshold != want.Threshold || got.Window != want.Window ||
				got.Action != want.Action || got.BanDuration != 0 || got.Enforcing || got.Custom != nil {
				t.Errorf("violation = %+v, want %+v", got, want)
			}
			if !vs[0].FirstCrossing() {
				t.Error("4th request should be the first crossing")
			}
			vs = e.request(t0.Add(5 * time.Second))
			if len(vs) != 1 || vs[0].Count != 5 || vs[0].FirstCrossing() {
				t.Errorf("request 5: %+v", vs)
			}
		})
	}
}

func TestUsageThrottleLastsWhileOverThreshold(t *testing.T) {
	// The client hammers once a second from 0 s to 99 s, then probes once.
	// The probe itself counts: it is free when the trailing 60 s hold at
	// most 1 earlier request, i.e. from 60 s after the one at 98 s.
	for _, tc := range []struct {
		probe     time.Duration
		throttled bool
	}{
		{100 * time.Second, true},
		{158*time.Second - time.Millisecond, true},
		{158 * time.Second, false},
		{10 * time.Minute, false},
	} {
		t.Run(tc.probe.String(), func(t *testing.T) {
			e := newEngine(t, mustCompile(t, []RuleSpec{UsageMonitor{MaxCalls: 2, Window: sec(60), Action: Throttle}.Rule()}), "/api")
			throttled := func(at time.Duration) bool {
				vs := e.request(t0.Add(at))
				return len(vs) == 1 && vs[0].Action == Throttle
			}
			if throttled(0) || throttled(time.Second) {
				t.Fatal("first two requests throttled")
			}
			// Hammering: every request from the third on is throttled, and
			// each one counts, so the client stays throttled while it keeps
			// going.
			for s := 2; s < 100; s++ {
				if !throttled(time.Duration(s) * time.Second) {
					t.Fatalf("request at %ds not throttled", s)
				}
			}
			if got := throttled(tc.probe); got != tc.throttled {
				t.Fatalf("probe at %s: throttled %v, want %v", tc.probe, got, tc.throttled)
			}
		})
	}
}

func TestReturnPatternThrottleEnforcedByPeek(t *testing.T) {
	e := newEngine(t, mustCompile(t, []RuleSpec{
		ReturnMonitor{Pattern: "json:result==win", MaxOccurrences: 2, Window: sec(600), Action: Throttle}.Rule(),
	}), "GET /lottery")
	win, lose := `{"result":"win"}`, `{"result":"lose"}`
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

	cs := e.set.RequestCounters(e.endpoint, nil)
	if len(cs) != 1 || !cs[0].Peek || cs[0].Window != 10*time.Minute {
		t.Fatalf("request counters = %+v, want one Peek counter", cs)
	}
	for s, body := range []string{win, lose, win} {
		if vs := e.request(at(s)); len(vs) != 0 {
			t.Fatalf("request %d throttled before the threshold: %+v", s, vs)
		}
		if vs := e.response(at(s), 200, body); len(vs) != 0 {
			t.Fatalf("response %d fired with at most 2 wins: %+v", s, vs)
		}
	}
	// Third win: the rule fires on the response side.
	if vs := e.request(at(3)); len(vs) != 0 {
		t.Fatalf("request 3: %+v", vs)
	}
	vs := e.response(at(3), 200, win)
	if len(vs) != 1 || vs[0].Count != 3 || vs[0].Enforcing || vs[0].Type != ReturnPattern || vs[0].Pattern != "json:result==win" {
		t.Fatalf("third win: %+v", vs)
	}
	// Now every request is throttled (Enforcing), and peeking does not
	// count: the count stays 3.
	for s := 4; s < 600; s += 50 {
		vs := e.request(at(s))
		if len(vs) != 1 || !vs[0].Enforcing || vs[0].Action != Throttle || vs[0].Count != 3 {
			t.Fatalf("request at %ds: %+v, want an enforcing throttle", s, vs)
		}
	}
	// The wins age out of the exact counter: the first (at 0 s) leaves the
	// 600 s window at exactly 600 s, and then 2 wins do not exceed 2.
	if vs := e.request(at(600).Add(-time.Millisecond)); len(vs) != 1 {
		t.Fatalf("request 1 ms before 600s: %+v, want still throttled", vs)
	}
	if vs := e.request(at(600)); len(vs) != 0 {
		t.Fatalf("request at 600s still throttled: %+v", vs)
	}
}

func TestReturnPatternBan(t *testing.T) {
	e := newEngine(t, mustCompile(t, []RuleSpec{
		{RuleType: ReturnPattern, Threshold: 2, Window: sec(300), Pattern: "status:404", Action: Ban},
		{RuleType: ReturnPattern, Threshold: 2, Window: sec(300), Pattern: "status:403", Action: Ban, BanDuration: sec(60)},
	}, WithPath("global_behavior_rules")), "*")
	if e.set.NeedsBody() || e.set.MaxBodyBytes() != 0 {
		t.Error("status patterns need no body")
	}
	if cs := e.set.RequestCounters("*", nil); len(cs) != 0 {
		t.Errorf("ban rules need no request counters, got %+v", cs)
	}
	var vs []Violation
	for i := range 3 {
		vs = e.response(t0.Add(time.Duration(i)*time.Second), 404, "")
	}
	if len(vs) != 1 || vs[0].Action != Ban || vs[0].BanDuration != time.Hour || vs[0].Rule != "return_pattern:2/5m0s:ban:status:404" {
		t.Fatalf("404 burst: %+v", vs)
	}
	for i := range 3 {
		vs = e.response(t0.Add(time.Duration(i)*time.Second), 403, "")
	}
	if len(vs) != 1 || vs[0].BanDuration != time.Minute || vs[0].Rule != "return_pattern:2/5m0s:ban(1m0s):status:403" {
		t.Fatalf("403 burst: %+v", vs)
	}
	if got := e.response(t0, 200, ""); len(got) != 0 {
		t.Fatalf("200 matched: %+v", got)
	}
}

func TestSharedCounters(t *testing.T) {
	var called []string
	custom := func(_ context.Context, client string, v Violation) error {
		called = append(called, client+" "+v.Rule)
		return nil
	}
	s := mustCompile(t, []RuleSpec{
		{RuleType: Usage, Threshold: 2, Window: sec(60), Action: Alert, Name: "warn"},
		{RuleType: Usage, Threshold: 4, Window: sec(60), Action: Ban, Name: "ban"},
		{RuleType: Frequency, Threshold: 3, Window: sec(60), Action: Throttle, Name: "freq"},
		{RuleType: Usage, Threshold: 1, Window: sec(3600), Action: Log, Custom: custom, Name: "hourly"},
		{RuleType: ReturnPattern, Threshold: 1, Window: sec(60), Pattern: "denied", Action: Alert, Name: "r1"},
		{RuleType: ReturnPattern, Threshold: 2, Window: sec(60), Pattern: "denied", Action: Throttle, Name: "r2"},
		{RuleType: ReturnPattern, Threshold: 2, Window: sec(60), Pattern: "DENIED", Action: Throttle, Name: "r3"},
	})
	cs := s.RequestCounters("/x", nil)
	// Two request windows (60 s, 3600 s) and two peeked patterns ("denied"
	// and "DENIED" are distinct patterns even though both ignore case).
	if len(cs) != 4 || cs[0].Peek || cs[1].Peek || !cs[2].Peek || !cs[3].Peek {
		t.Fatalf("counters = %+v", cs)
	}
	if cs[0].Key != "bh:u1m0s:/x" || cs[1].Key != "bh:u1h0m0s:/x" {
		t.Errorf("request keys = %q, %q", cs[0].Key, cs[1].Key)
	}
	if !strings.HasPrefix(cs[2].Key, "bh:r1m0s.") || cs[2].Key == cs[3].Key {
		t.Errorf("return keys = %q, %q", cs[2].Key, cs[3].Key)
	}

	names := func(vs []Violation) string {
		var n []string
		for _, v := range vs {
			n = append(n, v.Rule)
		}
		return strings.Join(n, ",")
	}
	// counts: 60 s window = 5, hourly = 2, peeks 3 and 1
	vs := s.CheckRequest("/x", []int64{5, 2, 3, 1}, nil)
	if got := names(vs); got != "warn,ban,freq,hourly,r2" {
		t.Errorf("fired %q", got)
	}
	for _, v := range vs {
		if (v.Rule == "hourly") != (v.Custom != nil) {
			t.Errorf("%s: Custom = %v", v.Rule, v.Custom != nil)
		}
		if v.Custom != nil {
			_ = v.Custom(context.Background(), "1.2.3.4", v)
		}
	}
	if len(called) != 1 || called[0] != "1.2.3.4 hourly" {
		t.Errorf("custom called %v", called)
	}
	// A count equal to every threshold fires nothing.
	if vs := s.CheckRequest("/x", []int64{2, 1, 2, 2}, nil); len(vs) != 0 {
		t.Errorf("at thresholds: %q", names(vs))
	}
	// Missing counts are not an error.
	if vs := s.CheckRequest("/x", []int64{100}, nil); names(vs) != "warn,ban,freq" {
		t.Errorf("short counts: %q", names(vs))
	}
	// Response side: one body matches both case variants; rules r1 and r2
	// share one counter.
	m := s.MatchResponse(403, []byte("Access Denied"), nil)
	if len(m) != 2 {
		t.Fatalf("matched %v", m)
	}
	if got := names(s.CheckReturn("/x", m[0], 3, nil)); got != "r1,r2" {
		t.Errorf("return fired %q", got)
	}
	if got := names(s.CheckReturn("/x", 99, 3, nil)); got != "" {
		t.Errorf("out of range index fired %q", got)
	}
}

func TestKeys(t *testing.T) {
	specs := []RuleSpec{
		{RuleType: Usage, Threshold: 2, Window: sec(60)},
		{RuleType: ReturnPattern, Threshold: 2, Window: sec(60), Pattern: "status:404", Action: Throttle},
	}
	keys := func(s *Set, ep string) []string {
		var k []string
		for _, c := range s.RequestCounters(ep, nil) {
			k = append(k, c.Key)
		}
		for i := range s.MatchResponse(404, nil, nil) {
			k = append(k, s.ReturnCounter(ep, i).Key)
		}
		return k
	}
	a := keys(mustCompile(t, specs), "/a")
	if len(a) != 3 || a[0] != "bh:u1m0s:/a" || a[1] != a[2] || !strings.HasSuffix(a[1], ":/a") {
		t.Fatalf("keys = %q", a)
	}
	// Deterministic across compiles, and independent of threshold/action.
	changed := append([]RuleSpec(nil), specs...)
	changed[0].Threshold, changed[0].Action = 50, Ban
	if b := keys(mustCompile(t, changed), "/a"); strings.Join(a, " ") != strings.Join(b, " ") {
		t.Errorf("keys changed with threshold/action: %q vs %q", a, b)
	}
	// ForEndpoint gives the same keys, and other endpoints still work.
	fixed := mustCompile(t, specs, ForEndpoint("/a"))
	if b := keys(fixed, "/a"); strings.Join(a, " ") != strings.Join(b, " ") {
		t.Errorf("ForEndpoint keys %q, want %q", b, a)
	}
	if b := keys(fixed, "/b"); b[0] != "bh:u1m0s:/b" {
		t.Errorf("other endpoint: %q", b)
	}
	// Scope.
	if b := keys(mustCompile(t, specs, WithScope("g")), "/a"); b[0] != "bh:g:u1m0s:/a" || !strings.HasPrefix(b[1], "bh:g:r1m0s.") {
		t.Errorf("scoped keys %q", b)
	}
	// Another pattern or window gives another key.
	other := append([]RuleSpec(nil), specs...)
	other[1].Pattern = "status:410"
	if b := keys(mustCompile(t, other), "/a"); len(b) != 2 || b[1] == a[1] {
		t.Errorf("pattern change kept key: %q vs %q", b, a)
	}
	// Long endpoints are hashed, deterministically.
	long := "/" + strings.Repeat("x", 500)
	k1, k2 := keys(mustCompile(t, specs), long), keys(mustCompile(t, specs, ForEndpoint(long)), long)
	if len(k1[0]) > 64 || !strings.HasPrefix(k1[0], "bh:u1m0s:#") || k1[0] != k2[0] {
		t.Errorf("long endpoint keys %q / %q", k1[0], k2[0])
	}
}

func TestMatchResponseBodyLimit(t *testing.T) {
	s := mustCompile(t, []RuleSpec{
		{RuleType: ReturnPattern, Threshold: 1, Window: sec(60), Pattern: "needle"},
		{RuleType: ReturnPattern, Threshold: 1, Window: sec(60), Pattern: "json:a==1"},
	}, WithMaxBodyBytes(16))
	if !s.NeedsBody() || s.MaxBodyBytes() != 16 {
		t.Fatalf("NeedsBody=%v MaxBodyBytes=%d", s.NeedsBody(), s.MaxBodyBytes())
	}
	tests := []struct {
		name string
		body string
		want int
	}{
		{"inside the limit", "0123456789needle", 1},
		{"straddling the limit", "0123456789ABneedle", 0},
		{"json inside", `{"a":1}`, 1},
		{"json longer than the limit", `{"a":1,"bbbbbbbbbb":2}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.MatchResponse(200, []byte(tt.body), nil); len(got) != tt.want {
				t.Errorf("matched %v, want %d", got, tt.want)
			}
		})
	}
}

func TestNilSet(t *testing.T) {
	var s *Set
	dst := make([]store.Counter, 1, 4)
	if s.Len() != 0 || s.NeedsBody() || s.MaxBodyBytes() != 0 || s.HasReturnRules() ||
		len(s.RequestCounters("/", dst)) != 1 || s.CheckRequest("/", []int64{9}, nil) != nil ||
		s.MatchResponse(404, []byte("x"), nil) != nil || s.CheckReturn("/", 0, 9, nil) != nil {
		t.Error("nil Set must do nothing")
	}
}

// TestConcurrentUse runs the request and response paths of one Set from
// many goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	s := mustCompile(t, []RuleSpec{
		{RuleType: Usage, Threshold: 1, Window: sec(60), Action: Throttle},
		{RuleType: ReturnPattern, Threshold: 1, Window: sec(60), Pattern: "regex:w.n", Action: Throttle},
		{RuleType: ReturnPattern, Threshold: 1, Window: sec(60), Pattern: "json:items[].state==won", Action: Ban},
	}, ForEndpoint("/a"))
	body := []byte(`{"items":[{"state":"won"}]}`)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			ep := "/a"
			if g%2 == 1 {
				ep = "/b"
			}
			var cs []store.Counter
			var vs []Violation
			var m []int
			for range 200 {
				cs = s.RequestCounters(ep, cs[:0])
				vs = s.CheckRequest(ep, []int64{2, 2}, vs[:0])
				if len(cs) != 2 || len(vs) != 2 {
					t.Errorf("counters %d violations %d", len(cs), len(vs))
					return
				}
				m = s.MatchResponse(200, body, m[:0])
				for _, i := range m {
					vs = s.CheckReturn(ep, i, 2, vs[:0])
					_ = s.ReturnCounter(ep, i)
				}
				if len(m) != 2 {
					t.Errorf("matched %v", m)
					return
				}
			}
		})
	}
	wg.Wait()
}
