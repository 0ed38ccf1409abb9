package echoguard_test

import (
	"net/http"
	"testing"

	echoguard "github.com/guardgo/guard/adapters/echo"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/guardtest"
	"github.com/labstack/echo/v4"
)

func runBench(b *testing.B, guarded, detection bool) {
	e := echo.New()
	if guarded {
		cfg := guardtest.BenchConfig()
		cfg.EnablePenetrationDetection = detection
		g, err := guard.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { g.Close() })
		e.Use(echoguard.New(g))
	}
	e.GET(guardtest.BenchPath, func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	req := guardtest.BrowserGET()
	w := guardtest.NewDiscardWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		e.ServeHTTP(w, req)
	}
	if w.Status != http.StatusOK && w.Status != 0 {
		b.Fatalf("status %d", w.Status)
	}
}

// BenchmarkBare is echo alone on the clean GET.
func BenchmarkBare(b *testing.B) { runBench(b, false, false) }

// BenchmarkGuarded is echo with echoguard and every default check on; the
// difference to BenchmarkBare is guard's overhead.
func BenchmarkGuarded(b *testing.B) { runBench(b, true, true) }

// BenchmarkGuardedNoDetection is BenchmarkGuarded without penetration
// detection, to separate the adapter and engine from detection's cost.
func BenchmarkGuardedNoDetection(b *testing.B) { runBench(b, true, false) }
