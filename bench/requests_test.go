package bench

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Routes of the benchmark requests. Guard is told the route template; the
// peers see only the request.
const (
	getRoute  = "/products/search"
	postRoute = "/api/orders"
)

// cleanQuery has five query parameters.
const cleanQuery = "q=running+shoes&size=42&color=blue&sort=price_asc&page=2"

// sqliQuery is the attack every WAF subject must refuse: id=1' OR '1'='1.
const sqliQuery = "id=1%27%20OR%20%271%27%3D%271"

// browserHeaders are the nine headers of the clean GET, as a current
// Chrome sends them on a navigation.
var browserHeaders = [][2]string{
	{"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"},
	{"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"},
	{"Accept-Language", "en-GB,en;q=0.9,de;q=0.8"},
	{"Accept-Encoding", "gzip, deflate, br, zstd"},
	{"Referer", "https://shop.example.com/products?page=1"},
	{"Cookie", "session=8f14e45fceea167a5a36dedd4bea2543; theme=dark; consent=1"},
	{"Sec-Fetch-Site", "same-origin"},
	{"Sec-Fetch-Mode", "navigate"},
	{"Upgrade-Insecure-Requests", "1"},
}

// clientAddr is the peer address of the in-process requests.
const clientAddr = "198.51.100.10:52311"

// newGET returns a GET of getRoute with the given raw query and the nine
// browser headers. Its Body is http.NoBody, so it can be served repeatedly.
func newGET(rawQuery string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "http://shop.example.com"+getRoute+"?"+rawQuery, nil)
	r.RemoteAddr = clientAddr
	for _, kv := range browserHeaders {
		r.Header.Set(kv[0], kv[1])
	}
	return r
}

// jsonBody returns a realistic order document of about 1 KB.
func jsonBody() string {
	var sb strings.Builder
	sb.WriteString(`{"order":{"id":"A-1029","customer":{"name":"Jane O'Neil","email":"jane@example.com",` +
		`"address":{"street":"12 Market Street","city":"Leeds","postcode":"LS1 6DT","country":"GB"}},"items":[`)
	for i := 0; sb.Len() < 1000; i++ {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString(`{"sku":"SKU-12345","qty":2,"note":"gift wrap please"}`)
	}
	sb.WriteString(`]}}`)
	return sb.String()
}

// postRequest is a JSON POST that can be served repeatedly: reset rewinds
// its body (a middleware may have replaced r.Body; reset puts ours back)
// without allocating.
type postRequest struct {
	r    *http.Request
	body string
	rd   *strings.Reader
	rc   *rewindBody
}

type rewindBody struct{ rd *strings.Reader }

func (b *rewindBody) Read(p []byte) (int, error) { return b.rd.Read(p) }
func (b *rewindBody) Close() error               { return nil }

func newPOST(body string) *postRequest {
	r := httptest.NewRequest(http.MethodPost, "http://shop.example.com"+postRoute, strings.NewReader(body))
	r.RemoteAddr = clientAddr
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json")
	r.Header.Set("User-Agent", browserHeaders[0][1])
	rd := strings.NewReader(body)
	p := &postRequest{r: r, body: body, rd: rd, rc: &rewindBody{rd: rd}}
	p.reset()
	return p
}

func (p *postRequest) reset() *http.Request {
	p.rd.Reset(p.body)
	p.r.Body = p.rc
	p.r.ContentLength = int64(len(p.body))
	return p.r
}

// discardWriter is a reusable ResponseWriter that keeps only the status, so
// benchmarks measure the middleware, not a recorder.
type discardWriter struct {
	h      http.Header
	status int
}

func newDiscardWriter() *discardWriter { return &discardWriter{h: http.Header{}} }

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(b), nil
}
func (w *discardWriter) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
}

// reset clears the writer for the next request.
func (w *discardWriter) reset() {
	clear(w.h)
	w.status = 0
}

// okHandler is the application behind every subject: it drains the body
// (as a real handler decoding JSON would) and answers 200 "ok".
var okHandler http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("ok"))
})

// must fails the test or benchmark on err.
func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
