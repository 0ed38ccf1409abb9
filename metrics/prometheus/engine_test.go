package guardprom

import (
	"net/http/httptest"
	"testing"

	guard "github.com/guardgo/guard/core"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// The engine feeds the metrics: a clean request, a blacklisted one and an
// injection attempt, in enforcing and in passive mode.
func TestWithEngine(t *testing.T) {
	for _, passive := range []bool{false, true} {
		t.Run(map[bool]string{false: "enforcing", true: "passive"}[passive], func(t *testing.T) {
			reg := prometheus.NewRegistry()
			m, err := New(reg)
			if err != nil {
				t.Fatal(err)
			}
			cfg := guard.DefaultConfig()
			cfg.Blacklist = []string{"198.51.100.0/24"}
			cfg.PassiveMode = passive
			cfg.LogSuspiciousLevel = "NONE"
			engine, err := guard.New(cfg, guard.WithMetrics(m))
			if err != nil {
				t.Fatal(err)
			}
			defer engine.Close()
			for _, c := range []struct{ remote, target string }{
				{"192.0.2.1:1000", "/items?id=42"},
				{"198.51.100.9:1000", "/items?id=42"},
				{"192.0.2.2:1000", "/items?id=1%27%20UNION%20SELECT%20password%20FROM%20users--"},
			} {
				r := httptest.NewRequest("GET", c.target, nil)
				r.RemoteAddr = c.remote
				engine.Check(r.Context(), guard.NewHTTPRequest(r, "/items"))
			}
			p := boolLabel(passive)
			if got := testutil.ToFloat64(m.checked); got != 3 {
				t.Errorf("checked = %v, want 3", got)
			}
			if got := testutil.ToFloat64(m.blockedVec.WithLabelValues("ip_blacklisted", "ip", p)); got != 1 {
				t.Errorf("ip_blacklisted = %v, want 1", got)
			}
			if got := testutil.ToFloat64(m.blockedVec.WithLabelValues("penetration_attempt", "penetration", p)); got != 1 {
				t.Errorf("penetration_attempt = %v, want 1", got)
			}
			if got := testutil.ToFloat64(m.storeVec.WithLabelValues("rate_limit")); got != 0 {
				t.Errorf("store errors = %v", got)
			}
			threats, clean := histCount(t, reg, "true"), histCount(t, reg, "false")
			if threats != 1 || clean < 1 {
				t.Errorf("detection observations: threat=%d clean=%d; want 1 and ≥ 1", threats, clean)
			}
		})
	}
}

func histCount(t *testing.T, reg *prometheus.Registry, threat string) uint64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "guard_detection_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "threat" && l.GetValue() == threat {
					return m.GetHistogram().GetSampleCount()
				}
			}
		}
	}
	return 0
}
