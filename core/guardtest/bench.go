package guardtest

import (
	guard "github.com/guardgo/guard/core"
	"net/http"
	"net/http/httptest"
)

// BenchPath is the route the adapter benchmarks serve.
const BenchPath = "/products/search"

// BrowserGET is the benchmarks' clean request: a GET with 5 query
// parameters and 9 browser headers (design §10).
func BrowserGET() *http.Request {
	r := httptest.NewRequest("GET", BenchPath+"?q=running+shoes&size=42&color=blue&sort=price_asc&page=2", nil)
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

// BenchConfig is the benchmarks' configuration: every default check on
// (IP lists, user agents, rate limit, detection, security headers), with a
// limit high enough never to trigger.
func BenchConfig() guard.Config {
	cfg := guard.DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	cfg.RateLimit = 1 << 30
	cfg.Blacklist = []string{"203.0.113.0/24", "2001:db8:bad::/48"}
	cfg.BlockedUserAgents = []string{"sqlmap", "nikto", "^python-requests/"}
	return cfg
}

// DiscardWriter is a reusable ResponseWriter so benchmarks measure the
// middleware, not a recorder. Reset clears its headers between iterations.
type DiscardWriter struct {
	H      http.Header
	Status int
}

// NewDiscardWriter returns an empty DiscardWriter.
func NewDiscardWriter() *DiscardWriter { return &DiscardWriter{H: http.Header{}} }

// Header implements http.ResponseWriter.
func (w *DiscardWriter) Header() http.Header { return w.H }

// Write implements http.ResponseWriter.
func (w *DiscardWriter) Write(b []byte) (int, error) { return len(b), nil }

// WriteHeader implements http.ResponseWriter.
func (w *DiscardWriter) WriteHeader(code int) { w.Status = code }

// Reset clears the headers and status.
func (w *DiscardWriter) Reset() {
	clear(w.H)
	w.Status = 0
}
