package guardprom

import (
	"strings"
	"sync"
	"testing"
	"time"

	guard "github.com/guardgo/guard/core"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func newTest(t *testing.T, opts ...Option) (*Metrics, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	m, err := New(reg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return m, reg
}

func TestRequestsChecked(t *testing.T) {
	m, _ := newTest(t)
	for range 3 {
		m.RequestChecked()
	}
	if got := testutil.ToFloat64(m.checked); got != 3 {
		t.Fatalf("checked = %v, want 3", got)
	}
}

func TestRequestsBlocked(t *testing.T) {
	m, reg := newTest(t)
	m.RequestBlocked(guard.ReasonRateLimited, "rate_limit", false)
	m.RequestBlocked(guard.ReasonRateLimited, "rate_limit", false)
	m.RequestBlocked(guard.ReasonPenetration, "penetration", true)
	m.RequestBlocked(guard.ReasonUnauthorized, "require_auth", false) // not precreated

	tests := []struct {
		reason, check, passive string
		want                   float64
	}{
		{"rate_limited", "rate_limit", "false", 2},
		{"penetration_attempt", "penetration", "true", 1},
		{"penetration_attempt", "penetration", "false", 0},
		{"unauthorized", "require_auth", "false", 1},
		{"ip_banned", "ip_ban", "false", 0},
	}
	for _, tc := range tests {
		t.Run(tc.reason+"/"+tc.check+"/"+tc.passive, func(t *testing.T) {
			if got := testutil.ToFloat64(m.blockedVec.WithLabelValues(tc.reason, tc.check, tc.passive)); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	// DefaultBlocks are exported at zero before any block; plus the two
	// combinations first seen above.
	if n := testutil.CollectAndCount(m.blockedVec); n != len(DefaultBlocks())+2 {
		t.Fatalf("%d blocked series, want %d", n, len(DefaultBlocks())+2)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "guard_requests_blocked_total" {
			return
		}
	}
	t.Fatal("guard_requests_blocked_total not gathered from the registry")
}

func TestDetectionHistogram(t *testing.T) {
	m, reg := newTest(t)
	m.DetectionObserved(3*time.Microsecond, false)
	m.DetectionObserved(40*time.Microsecond, false)
	m.DetectionObserved(2*time.Millisecond, true)
	m.DetectionObserved(time.Second, true) // beyond the last bucket: +Inf only
	want := `
# HELP guard_detection_duration_seconds Time penetration detection took per request, by whether it found a threat.
# TYPE guard_detection_duration_seconds histogram
guard_detection_duration_seconds_bucket{threat="false",le="1e-06"} 0
guard_detection_duration_seconds_bucket{threat="false",le="2.5e-06"} 0
guard_detection_duration_seconds_bucket{threat="false",le="5e-06"} 1
guard_detection_duration_seconds_bucket{threat="false",le="1e-05"} 1
guard_detection_duration_seconds_bucket{threat="false",le="2.5e-05"} 1
guard_detection_duration_seconds_bucket{threat="false",le="5e-05"} 2
guard_detection_duration_seconds_bucket{threat="false",le="0.0001"} 2
guard_detection_duration_seconds_bucket{threat="false",le="0.00025"} 2
guard_detection_duration_seconds_bucket{threat="false",le="0.0005"} 2
guard_detection_duration_seconds_bucket{threat="false",le="0.001"} 2
guard_detection_duration_seconds_bucket{threat="false",le="0.0025"} 2
guard_detection_duration_seconds_bucket{threat="false",le="0.005"} 2
guard_detection_duration_seconds_bucket{threat="false",le="0.01"} 2
guard_detection_duration_seconds_bucket{threat="false",le="+Inf"} 2
guard_detection_duration_seconds_sum{threat="false"} 4.3e-05
guard_detection_duration_seconds_count{threat="false"} 2
guard_detection_duration_seconds_bucket{threat="true",le="1e-06"} 0
guard_detection_duration_seconds_bucket{threat="true",le="2.5e-06"} 0
guard_detection_duration_seconds_bucket{threat="true",le="5e-06"} 0
guard_detection_duration_seconds_bucket{threat="true",le="1e-05"} 0
guard_detection_duration_seconds_bucket{threat="true",le="2.5e-05"} 0
guard_detection_duration_seconds_bucket{threat="true",le="5e-05"} 0
guard_detection_duration_seconds_bucket{threat="true",le="0.0001"} 0
guard_detection_duration_seconds_bucket{threat="true",le="0.00025"} 0
guard_detection_duration_seconds_bucket{threat="true",le="0.0005"} 0
guard_detection_duration_seconds_bucket{threat="true",le="0.001"} 0
guard_detection_duration_seconds_bucket{threat="true",le="0.0025"} 1
guard_detection_duration_seconds_bucket{threat="true",le="0.005"} 1
guard_detection_duration_seconds_bucket{threat="true",le="0.01"} 1
guard_detection_duration_seconds_bucket{threat="true",le="+Inf"} 2
guard_detection_duration_seconds_sum{threat="true"} 1.002
guard_detection_duration_seconds_count{threat="true"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "guard_detection_duration_seconds"); err != nil {
		t.Fatal(err)
	}
}

func TestStoreErrors(t *testing.T) {
	m, reg := newTest(t, WithKnownStoreChecks("ip_ban"))
	m.StoreError("rate_limit")
	m.StoreError("rate_limit")
	want := `
# HELP guard_store_errors_total Failed store calls, by the check that made them.
# TYPE guard_store_errors_total counter
guard_store_errors_total{check="ip_ban"} 0
guard_store_errors_total{check="rate_limit"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "guard_store_errors_total"); err != nil {
		t.Fatal(err)
	}
}

func TestOptions(t *testing.T) {
	m, reg := newTest(t,
		WithNamespace("edge"),
		WithConstLabels(prometheus.Labels{"engine": "api"}),
		WithBuckets([]float64{0.001}),
		WithKnownBlocks(Blocked{guard.ReasonIPBanned, "ip_ban"}))
	m.RequestChecked()
	m.DetectionObserved(time.Microsecond, false)
	want := `
# HELP edge_requests_checked_total Requests that went through the guard's request-side checks.
# TYPE edge_requests_checked_total counter
edge_requests_checked_total{engine="api"} 1
# HELP edge_requests_blocked_total Requests blocked (passive="true": would have been blocked), by reason and check.
# TYPE edge_requests_blocked_total counter
edge_requests_blocked_total{check="ip_ban",engine="api",passive="false",reason="ip_banned"} 0
# HELP edge_detection_duration_seconds Time penetration detection took per request, by whether it found a threat.
# TYPE edge_detection_duration_seconds histogram
edge_detection_duration_seconds_bucket{engine="api",threat="false",le="0.001"} 1
edge_detection_duration_seconds_bucket{engine="api",threat="false",le="+Inf"} 1
edge_detection_duration_seconds_sum{engine="api",threat="false"} 1e-06
edge_detection_duration_seconds_count{engine="api",threat="false"} 1
edge_detection_duration_seconds_bucket{engine="api",threat="true",le="0.001"} 0
edge_detection_duration_seconds_bucket{engine="api",threat="true",le="+Inf"} 0
edge_detection_duration_seconds_sum{engine="api",threat="true"} 0
edge_detection_duration_seconds_count{engine="api",threat="true"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
}

func TestDuplicateRegistration(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := New(reg); err != nil {
		t.Fatal(err)
	}
	if _, err := New(reg); err == nil {
		t.Fatal("second New on the same registry succeeded")
	}
	if _, err := New(reg, WithNamespace("other")); err != nil {
		t.Fatalf("a second namespace on the same registry: %v", err)
	}
}

func TestConcurrent(t *testing.T) {
	m, _ := newTest(t)
	checks := []string{"a", "b", "c", "d"}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				c := checks[(g+i)%len(checks)]
				m.RequestChecked()
				m.RequestBlocked("custom_check", c, i%2 == 0)
				m.StoreError(c)
				m.DetectionObserved(time.Microsecond, i%3 == 0)
			}
		}()
	}
	wg.Wait()
	if got := testutil.ToFloat64(m.checked); got != 4000 {
		t.Fatalf("checked = %v", got)
	}
	var blocked, store float64
	for _, c := range checks {
		blocked += testutil.ToFloat64(m.blockedVec.WithLabelValues("custom_check", c, "true"))
		blocked += testutil.ToFloat64(m.blockedVec.WithLabelValues("custom_check", c, "false"))
		store += testutil.ToFloat64(m.storeVec.WithLabelValues(c))
	}
	if blocked != 4000 || store != 4000 {
		t.Fatalf("blocked %v, store errors %v; want 4000 each", blocked, store)
	}
}

func TestHotPathAllocations(t *testing.T) {
	m, _ := newTest(t)
	m.RequestBlocked(guard.ReasonUnauthorized, "require_auth", false) // warm the cache
	m.StoreError("rate_limit")
	tests := []struct {
		name string
		f    func()
	}{
		{"checked", m.RequestChecked},
		{"blocked precreated", func() { m.RequestBlocked(guard.ReasonRateLimited, "rate_limit", false) }},
		{"blocked seen before", func() { m.RequestBlocked(guard.ReasonUnauthorized, "require_auth", false) }},
		{"detection", func() { m.DetectionObserved(7*time.Microsecond, false) }},
		{"store error", func() { m.StoreError("rate_limit") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if a := testing.AllocsPerRun(200, tc.f); a != 0 {
				t.Fatalf("%v allocations per call", a)
			}
		})
	}
}
