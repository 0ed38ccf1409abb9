package ginguard_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	ginguard "github.com/guardgo/guard/adapters/gin"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/guardtest"
)

func benchRouter(b *testing.B, guarded, detection bool) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	if guarded {
		cfg := guardtest.BenchConfig()
		cfg.EnablePenetrationDetection = detection
		e, err := guard.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { e.Close() })
		r.Use(ginguard.New(e))
	}
	r.GET(guardtest.BenchPath, func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	return r
}

func runBench(b *testing.B, guarded, detection bool) {
	r := benchRouter(b, guarded, detection)
	req := guardtest.BrowserGET()
	w := guardtest.NewDiscardWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		r.ServeHTTP(w, req)
	}
	if w.Status != http.StatusOK && w.Status != 0 {
		b.Fatalf("status %d", w.Status)
	}
}

// BenchmarkBare is gin alone on the clean GET.
func BenchmarkBare(b *testing.B) { runBench(b, false, false) }

// BenchmarkGuarded is gin with ginguard and every default check on; the
// difference to BenchmarkBare is guard's overhead.
func BenchmarkGuarded(b *testing.B) { runBench(b, true, true) }

// BenchmarkGuardedNoDetection is BenchmarkGuarded without penetration
// detection, to separate the adapter and engine from detection's cost.
func BenchmarkGuardedNoDetection(b *testing.B) { runBench(b, true, false) }
