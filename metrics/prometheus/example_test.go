package guardprom_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	guard "github.com/guardgo/guard/core"
	guardprom "github.com/guardgo/guard/metrics/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Register the metrics, give them to the engine, and serve /metrics.
func Example() {
	reg := prometheus.NewRegistry() // or prometheus.DefaultRegisterer
	metrics, err := guardprom.New(reg)
	if err != nil {
		panic(err)
	}
	engine, err := guard.New(guard.DefaultConfig(), guard.WithMetrics(metrics))
	if err != nil {
		panic(err)
	}
	defer engine.Close()

	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))

	// What the engine records while it serves:
	metrics.RequestChecked()
	metrics.RequestBlocked(guard.ReasonRateLimited, "rate_limit", false)

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if strings.HasPrefix(line, "guard_requests_checked_total") ||
			strings.HasPrefix(line, `guard_requests_blocked_total{check="rate_limit"`) {
			fmt.Println(line)
		}
	}
	// Output:
	// guard_requests_blocked_total{check="rate_limit",passive="false",reason="rate_limited"} 1
	// guard_requests_checked_total 1
}
