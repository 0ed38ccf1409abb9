package httpguard_test

import (
	"net/http"
	"testing"

	httpguard "github.com/guardgo/guard/adapters/nethttp"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/guardtest"
)

func runBench(b *testing.B, guarded, detection bool) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+guardtest.BenchPath, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	var h http.Handler = mux
	if guarded {
		cfg := guardtest.BenchConfig()
		cfg.EnablePenetrationDetection = detection
		e, err := guard.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { e.Close() })
		h = httpguard.New(e, httpguard.WithMux(mux))(mux)
	}
	req := guardtest.BrowserGET()
	w := guardtest.NewDiscardWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		h.ServeHTTP(w, req)
	}
	if w.Status != http.StatusOK && w.Status != 0 {
		b.Fatalf("status %d", w.Status)
	}
}

// BenchmarkBare is http.ServeMux alone on the clean GET.
func BenchmarkBare(b *testing.B) { runBench(b, false, false) }

// BenchmarkGuarded is ServeMux with httpguard (WithMux) and every default
// check on; the difference to BenchmarkBare is guard's overhead.
func BenchmarkGuarded(b *testing.B) { runBench(b, true, true) }

// BenchmarkGuardedNoDetection is BenchmarkGuarded without penetration
// detection, to separate the adapter and engine from detection's cost.
func BenchmarkGuardedNoDetection(b *testing.B) { runBench(b, true, false) }
