package guard

import (
	"sync"
	"testing"
	"time"
)

type countingMetrics struct {
	mu                        sync.Mutex
	checked, detections, errs int
	blocked                   map[Reason]int
}

func (m *countingMetrics) RequestChecked() { m.mu.Lock(); m.checked++; m.mu.Unlock() }
func (m *countingMetrics) RequestBlocked(r Reason, _ string, _ bool) {
	m.mu.Lock()
	m.blocked[r]++
	m.mu.Unlock()
}
func (m *countingMetrics) DetectionObserved(time.Duration, bool) {
	m.mu.Lock()
	m.detections++
	m.mu.Unlock()
}
func (m *countingMetrics) StoreError(string) { m.mu.Lock(); m.errs++; m.mu.Unlock() }

func TestMetrics(t *testing.T) {
	m := &countingMetrics{blocked: map[Reason]int{}}
	e, _ := newTestEngine(t, func(c *Config) { c.Blacklist = []string{"203.0.113.1"}; c.RateLimit = 2 }, WithMetrics(m))
	serve(e, req{target: "/"})
	serve(e, req{target: sqliQuery, remote: "198.51.100.2:1"})
	serve(e, req{target: "/", remote: "203.0.113.1:1"})
	serve(e, req{target: "/"})
	serve(e, req{target: "/"})
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.checked != 5 || m.blocked[ReasonIPBlacklisted] != 1 || m.blocked[ReasonPenetration] != 1 || m.blocked[ReasonRateLimited] != 1 || m.detections < 3 {
		t.Fatalf("metrics: %+v", m)
	}
}
