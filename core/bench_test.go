package guard

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/guardgo/guard/core/behavior"
	"github.com/guardgo/guard/core/units"
)

// discardWriter is a reusable ResponseWriter so benchmarks measure the
// engine, not the recorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

func browserGET() *http.Request {
	r := httptest.NewRequest("GET", "/products/search?q=running+shoes&size=42&color=blue&sort=price_asc&page=2", nil)
	r.RemoteAddr = "198.51.100.10:52311"
	h := r.Header
	h.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36")
	h.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8")
	h.Set("Accept-Language", "en-GB,en;q=0.9,de;q=0.8")
	h.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	h.Set("Referer", "https://shop.example.com/products?page=1")
	h.Set("Cookie", "session=8f14e45fceea167a5a36dedd4bea2543; theme=dark; consent=1")
	h.Set("Sec-Fetch-Site", "same-origin")
	h.Set("Sec-Fetch-Mode", "navigate")
	h.Set("Upgrade-Insecure-Requests", "1")
	return r
}

var benchHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("ok"))
})

func resetHeader(h http.Header) {
	for k := range h {
		delete(h, k)
	}
}

// BenchmarkBareHandler is the baseline: the handler without guard.
func BenchmarkBareHandler(b *testing.B) {
	r := browserGET()
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		resetHeader(w.h)
		benchHandler.ServeHTTP(w, r)
	}
}

// BenchmarkPipelineCleanGET runs the whole pipeline with every default check
// on (IP lists, UA, rate limit, detection, headers) for a clean browser GET
// with 5 query parameters and 9 headers.
func BenchmarkPipelineCleanGET(b *testing.B) { benchCleanGET(b, true) }

// BenchmarkPipelineCleanGETNoDetection is the same without step 10, to
// separate the engine's own cost from detection's.
func BenchmarkPipelineCleanGETNoDetection(b *testing.B) { benchCleanGET(b, false) }

func benchCleanGET(b *testing.B, detection bool) {
	cfg := DefaultConfig()
	cfg.EnablePenetrationDetection = detection
	cfg.LogSuspiciousLevel = "NONE"
	cfg.RateLimit = 100 // per 60 s; the clock below advances 1 s per request, so every request is admitted
	cfg.Blacklist = []string{"203.0.113.0/24", "2001:db8:bad::/48"}
	cfg.BlockedUserAgents = []string{"sqlmap", "nikto", "^python-requests/"}
	var now time.Time = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e, err := New(cfg, WithClock(func() time.Time { now = now.Add(time.Second); return now }))
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	r := browserGET()
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		resetHeader(w.h)
		e.Serve(w, r, "/products/search", benchHandler)
	}
}

// BenchmarkPipelineJSONPost is a 1 KB JSON POST with detection.
func BenchmarkPipelineJSONPost(b *testing.B) {
	cfg := DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	cfg.RateLimit = 1 << 30
	e, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	var sb strings.Builder
	sb.WriteString(`{"order":{"id":"A-1029","customer":{"name":"Jane O'Neil","email":"jane@example.com"},"items":[`)
	for i := 0; sb.Len() < 950; i++ {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString(`{"sku":"SKU-12345","qty":2,"note":"gift wrap please"}`)
	}
	sb.WriteString(`]}}`)
	body := sb.String()
	w := &discardWriter{h: http.Header{}}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("POST", "/api/orders", strings.NewReader(body))
		r.RemoteAddr = "198.51.100.10:52311"
		r.Header.Set("Content-Type", "application/json")
		resetHeader(w.h)
		e.Serve(w, r, "/api/orders", benchHandler)
	}
}

// BenchmarkBehaviorRoute compares a route without behavioural rules, one with
// a usage monitor, and one with a JSON return monitor reading a 1 KB
// response.
func BenchmarkBehaviorRoute(b *testing.B) {
	body := []byte(`{"result":"lose","items":[` + strings.Repeat(`{"sku":"SKU-1","qty":1},`, 40) + `{"sku":"last","qty":0}]}`)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(body) })
	cases := []struct {
		name string
		rc   RouteConfig
	}{
		{"no-rules", RouteConfig{Path: "/lottery"}},
		{"usage-monitor", RouteConfig{Path: "/lottery", UsageMonitor: &behavior.UsageMonitor{MaxCalls: 1 << 30, Window: units.Seconds(60), Action: behavior.Log}}},
		{"return-monitor-json-1KB", RouteConfig{Path: "/lottery", ReturnMonitor: &behavior.ReturnMonitor{Pattern: "json:result==win", MaxOccurrences: 1 << 30, Window: units.Seconds(60), Action: behavior.Log}}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.LogSuspiciousLevel = "NONE"
			cfg.EnablePenetrationDetection = false
			cfg.RateLimit = 100
			cfg.Routes = []RouteConfig{c.rc}
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			e, err := New(cfg, WithClock(func() time.Time { now = now.Add(time.Second); return now }))
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			r := browserGET()
			r.URL.Path, r.URL.RawQuery = "/lottery", ""
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				resetHeader(w.h)
				e.Serve(w, r, "/lottery", handler)
			}
		})
	}
}
