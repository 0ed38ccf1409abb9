package guard

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"

	"github.com/guardgo/guard/core/cors"
	"github.com/guardgo/guard/core/headers"
)

type headerSet = headers.Set
type corsPolicy = cors.Policy

func newHeaderSet(h *SecurityHeaders) *headerSet {
	return headers.New(headers.Options{
		Enabled: h.Enabled, HSTSMaxAge: h.HSTS.MaxAge, HSTSSubdomains: h.HSTS.IncludeSubdomains, HSTSPreload: h.HSTS.Preload,
		CSP: h.CSP, FrameOptions: h.FrameOptions, ContentTypeOptions: h.ContentTypeOptions, XSSProtection: h.XSSProtection,
		ReferrerPolicy: h.ReferrerPolicy, PermissionsPolicy: h.PermissionsPolicy, Custom: h.Custom,
	})
}

func newCORSPolicy(c *Config) *corsPolicy {
	return cors.New(cors.Options{AllowOrigins: c.CORSAllowOrigins, AllowMethods: c.CORSAllowMethods, AllowHeaders: c.CORSAllowHeaders,
		AllowCredentials: c.CORSAllowCredentials, ExposeHeaders: c.CORSExposeHeaders, MaxAge: c.CORSMaxAge})
}

// flow is everything one request through Serve needs, allocated once.
type flow struct {
	d  Decision
	hr HTTPRequest
	rw responseWriter
	cb countingBody
}

// Serve runs the whole pipeline for a net/http request: the request-side
// checks, then next with a response writer that adds the security and CORS
// headers and feeds the response side, or the block response instead of
// next. route is the matched route template ("" when unknown). Adapters for
// net/http-based frameworks call only this.
func (e *Engine) Serve(w http.ResponseWriter, r *http.Request, route string, next http.Handler) {
	e.serve(w, r, route, next, &e.routes)
}

// serve is Serve with the route table to consult.
func (e *Engine) serve(w http.ResponseWriter, r *http.Request, route string, next http.Handler, routes *routeTable) {
	f := &flow{}
	f.hr = HTTPRequest{R: r, route: route}
	f.d = Decision{Allowed: true, req: &f.hr}
	d := &f.d
	e.check(r.Context(), &f.hr, d, routes)
	if !d.Allowed {
		e.WriteDecision(w, d)
		e.finish(r.Context(), d, d.Status)
		return
	}
	if d.maxBody > 0 && r.Body != nil && r.Body != http.NoBody {
		f.cb = countingBody{rc: r.Body, limit: d.maxBody}
		r.Body = &f.cb
	}
	f.rw = responseWriter{ResponseWriter: w, e: e, d: d, status: http.StatusOK, captureMax: e.captureLimit(d)}
	next.ServeHTTP(&f.rw, r)
	if !f.rw.wroteHeader {
		f.rw.WriteHeader(http.StatusOK) // headers go out even for empty responses
	}
	e.observeResponse(r.Context(), d, f.rw.status, f.rw.capture)
	e.finish(r.Context(), d, f.rw.status)
}

// WriteDecision writes the response of a blocking decision: its status,
// extra headers, security and CORS headers, and the body (the
// custom_error_responses message for the status when configured).
func (e *Engine) WriteDecision(w http.ResponseWriter, d *Decision) {
	h := w.Header()
	for k, v := range d.Header {
		h[k] = v
	}
	status := d.Status
	if status == 0 {
		status = http.StatusForbidden
	}
	body := d.Message
	if msg, ok := e.errorBodies[status]; ok && !d.preflight {
		body = msg
	}
	if status == http.StatusMovedPermanently && body == "" {
		body = ""
	}
	status = e.decorate(h, d, status)
	if body != "" {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(body)))
	} else {
		h.Set("Content-Length", "0")
	}
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if body != "" && d.req.Method() != http.MethodHead {
		_, _ = w.Write([]byte(body))
	}
}

// decorate adds security and CORS headers and applies the response modifier.
func (e *Engine) decorate(h http.Header, d *Decision, status int) int {
	e.headers.Apply(h)
	if d.origin != "" && !d.preflight {
		e.cors.Actual(d.origin, h)
	}
	if e.modifier != nil {
		status = e.modifier(d.req, status, h)
	}
	return status
}

// finish is the response side after the handler (or the block response).
func (e *Engine) finish(ctx context.Context, d *Decision, status int) {
	if e.logRequests {
		e.log.LogAttrs(ctx, e.requestLevel, "guard: request",
			slogStr("client_ip", addrString(d.Client)), slogStr("method", d.req.Method()), slogStr("path", d.req.Path()),
			slogInt("status", status), slogStr("reason", string(d.Reason)))
	}
}

// responseWriter adds headers before the first byte and records the status.
type responseWriter struct {
	http.ResponseWriter
	e           *Engine
	d           *Decision
	status      int
	wroteHeader bool
	capture     []byte // response prefix for return patterns
	captureMax  int
}

// WriteHeader implements http.ResponseWriter.
func (w *responseWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.wroteHeader = true
	code = w.e.decorate(w.ResponseWriter.Header(), w.d, code)
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (w *responseWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if room := w.captureMax - len(w.capture); room > 0 {
		w.capture = append(w.capture, b[:min(room, len(b))]...)
	}
	return w.ResponseWriter.Write(b)
}

// Flush implements http.Flusher when the underlying writer does.
func (w *responseWriter) Flush() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack implements http.Hijacker when the underlying writer does.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if hj, ok := w.ResponseWriter.(http.Hijacker); ok {
		return hj.Hijack()
	}
	return nil, nil, errors.New("guard: underlying ResponseWriter does not support Hijack")
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Status returns the status written (200 when the handler wrote none).
func (w *responseWriter) Status() int { return w.status }
