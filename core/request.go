package guard

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Request is what an adapter hands the engine. HTTPRequest implements it for
// every net/http-based framework; a framework that is not built on net/http
// implements it itself.
type Request interface {
	// Method is the HTTP method.
	Method() string
	// TLS reports whether the connection to this server is TLS.
	TLS() bool
	// Host is the Host header (or :authority).
	Host() string
	// Path is the raw, still percent-encoded request path.
	Path() string
	// RawQuery is the query string without '?'.
	RawQuery() string
	// Header returns the header map (canonical keys). It must not be
	// modified by the engine.
	Header() http.Header
	// RemoteAddr is the peer address, "ip:port" or "ip".
	RemoteAddr() string
	// Route is the route template the framework matched ("/items/{id}"),
	// or "" when unknown.
	Route() string
	// Body returns up to max bytes of the body, and whether the body is
	// longer than that. It may be called several times and must not consume
	// the body the application handler will read.
	Body(max int64) (prefix []byte, truncated bool, err error)
}

// HTTPRequest adapts an *http.Request. Reading its body buffers at most the
// requested prefix and rewires r.Body so the handler still reads the exact
// bytes the client sent, prefix first and then the rest from the wire.
type HTTPRequest struct {
	R     *http.Request
	route string

	bodyRead  bool
	prefix    []byte
	truncated bool
	bodyErr   error
}

// NewHTTPRequest wraps r with the matched route template (may be empty).
func NewHTTPRequest(r *http.Request, route string) *HTTPRequest {
	return &HTTPRequest{R: r, route: route}
}

// Method implements Request.
func (h *HTTPRequest) Method() string { return h.R.Method }

// TLS implements Request.
func (h *HTTPRequest) TLS() bool { return h.R.TLS != nil }

// Host implements Request.
func (h *HTTPRequest) Host() string { return h.R.Host }

// Path implements Request.
func (h *HTTPRequest) Path() string {
	if p := h.R.URL.RawPath; p != "" {
		return p
	}
	return h.R.URL.EscapedPath()
}

// RawQuery implements Request.
func (h *HTTPRequest) RawQuery() string { return h.R.URL.RawQuery }

// Header implements Request.
func (h *HTTPRequest) Header() http.Header { return h.R.Header }

// RemoteAddr implements Request.
func (h *HTTPRequest) RemoteAddr() string { return h.R.RemoteAddr }

// Route implements Request.
func (h *HTTPRequest) Route() string { return h.route }

// Body implements Request. The first call decides the buffered prefix; later
// calls with a larger max see the same prefix (and truncated=true).
func (h *HTTPRequest) Body(max int64) ([]byte, bool, error) {
	if h.bodyRead {
		if int64(len(h.prefix)) > max {
			return h.prefix[:max], true, h.bodyErr
		}
		return h.prefix, h.truncated, h.bodyErr
	}
	h.bodyRead = true
	r := h.R
	if r.Body == nil || r.Body == http.NoBody || max <= 0 {
		h.truncated = r.Body != nil && r.Body != http.NoBody && max <= 0
		return nil, h.truncated, nil
	}
	// Read max+1 bytes to learn whether there is more. Size the buffer from
	// Content-Length when it is known (it may lie: the buffer still grows).
	size := int64(4 << 10)
	if r.ContentLength >= 0 {
		size = r.ContentLength + 1
	}
	buf := make([]byte, 0, min(max+1, size, 64<<10))
	w := bytes.NewBuffer(buf)
	n, err := io.Copy(w, io.LimitReader(r.Body, max+1))
	data := w.Bytes()
	if err != nil {
		h.bodyErr = err
	}
	if n > max {
		h.truncated = true
	}
	// Whatever was read goes back in front of the unread remainder.
	r.Body = &replayBody{prefix: bytes.NewReader(data), rest: r.Body}
	if h.truncated {
		data = data[:max]
	}
	h.prefix = data
	return data, h.truncated, h.bodyErr
}

// replayBody serves the buffered prefix, then the rest of the original body.
type replayBody struct {
	prefix *bytes.Reader
	rest   io.ReadCloser
	mu     sync.Mutex
}

func (b *replayBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.prefix.Len() > 0 {
		return b.prefix.Read(p)
	}
	return b.rest.Read(p)
}

func (b *replayBody) Close() error { return b.rest.Close() }

// countingBody counts bytes the handler reads and fails the read once limit is
// exceeded (route max_request_size by bytes actually read).
type countingBody struct {
	rc    io.ReadCloser
	n     int64
	limit int64
}

// ErrBodyTooLarge is returned to a handler reading past a route's
// max_request_size.
var ErrBodyTooLarge = errors.New("guard: request body too large")

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	c.n += int64(n)
	if c.n > c.limit {
		return n, ErrBodyTooLarge
	}
	return n, err
}

func (c *countingBody) Close() error { return c.rc.Close() }

// headerFirst returns the first value of a canonical header key without
// allocating.
func headerFirst(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}
