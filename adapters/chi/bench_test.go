package chiguard_test

import (
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"
	chiguard "github.com/guardgo/guard/adapters/chi"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/guardtest"
)

func runBench(b *testing.B, guarded, detection bool) {
	r := chi.NewRouter()
	if guarded {
		cfg := guardtest.BenchConfig()
		cfg.EnablePenetrationDetection = detection
		e, err := guard.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { e.Close() })
		r.Use(chiguard.New(e))
	}
	r.Get(guardtest.BenchPath, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
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

// BenchmarkBare is chi alone on the clean GET.
func BenchmarkBare(b *testing.B) { runBench(b, false, false) }

// BenchmarkGuarded is chi with chiguard and every default check on; the
// difference to BenchmarkBare is guard's overhead.
func BenchmarkGuarded(b *testing.B) { runBench(b, true, true) }

// BenchmarkGuardedNoDetection is BenchmarkGuarded without penetration
// detection, to separate the adapter and engine from detection's cost.
func BenchmarkGuardedNoDetection(b *testing.B) { runBench(b, true, false) }
