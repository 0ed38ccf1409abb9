package guardprom

import (
	"testing"
	"time"

	guard "github.com/guardgo/guard/core"
	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkRequestPath measures what one blocked request with detection
// costs in metrics: checked, detection observed, blocked.
func BenchmarkRequestPath(b *testing.B) {
	m, err := New(prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		m.RequestChecked()
		m.DetectionObserved(5*time.Microsecond, true)
		m.RequestBlocked(guard.ReasonPenetration, "penetration", false)
	}
}

// BenchmarkRequestBlockedParallel measures the counter lookup under
// contention.
func BenchmarkRequestBlockedParallel(b *testing.B) {
	m, err := New(prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.RequestBlocked(guard.ReasonRateLimited, "rate_limit", false)
		}
	})
}
