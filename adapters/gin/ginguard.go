// Package ginguard adapts the guard engine to gin.
//
//	engine, err := guard.New(cfg, guard.WithRoutePolicy("/admin", adminPolicy))
//	r := gin.New()
//	r.Use(ginguard.New(engine))
//	r.GET("/admin", admin)
//	if err := ginguard.Verify(r, engine); err != nil { ... } // after the routes
//
// The middleware reads the matched route template with c.FullPath (gin has
// routed before global middleware runs), calls the engine once through
// guard.Engine.Serve, and maps the outcome onto gin: a blocked request is
// written by the engine and the chain is aborted; an allowed one continues
// with c.Writer wrapped so the engine adds security and CORS headers, and
// with c.Request replaced by the request the engine hands on (its body may
// have been partly buffered for inspection; the handler reads it whole).
//
// Per-route policies attach two ways, both known to the engine before its
// first check (so a route's bypass, IP lists and rate limit override the
// global rules):
//   - by template, compiled into the engine (`routes:` in the configuration,
//     or guard.WithRoutePolicy); Verify checks them against r.Routes(), so a
//     policy naming a route gin does not serve is a start-up error rather
//     than an unprotected route;
//   - as route middleware: r.GET("/admin/:page", ginguard.Policy(attached), h)
//     with attached from engine.Attach. The global middleware finds Policy
//     in the route's handler chain (c.HandlerNames) and leaves the request
//     to it; a Policy it cannot see fails closed (500).
//
// The client address comes from the engine's trusted-proxy rules; gin's
// ClientIP (which trusts every proxy by default) is never used.
package ginguard

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"reflect"
	"runtime"
	"sync"

	"github.com/gin-gonic/gin"
	guard "github.com/guardgo/guard/core"
)

// New returns gin middleware running every request through e. Requests
// whose route carries a Policy handler are left to it.
func New(e *guard.Engine) gin.HandlerFunc {
	pool := &sync.Pool{New: func() any { return new(flow) }}
	routes := &attachedRoutes{m: map[string]map[string]bool{}}
	return func(c *gin.Context) {
		if routes.has(c) {
			c.Next() // the route's Policy runs the pipeline with its policy
			return
		}
		run(e, c, pool)
	}
}

// Policy returns route-level middleware for a policy attached in code:
//
//	admin, err := engine.Attach(policy.New(policy.RequireIP(internal, nil)))
//	r.GET("/admin/:page", ginguard.Policy(admin), adminHandler)
//
// For the route's requests it runs the whole pipeline with the policy
// first; the global middleware (New) sees it in the route's handler chain
// and leaves those requests to it. A Policy the global middleware could not
// see (one wrapped in another handler, or a second Policy on the same
// route) finds the request already checked and answers 500 rather than
// letting it through unchecked by its policy.
func Policy(a *guard.Attached) gin.HandlerFunc {
	p := &policyHandler{a: a, pool: &sync.Pool{New: func() any { return new(flow) }}}
	return p.handle
}

type policyHandler struct {
	a    *guard.Attached
	pool *sync.Pool
}

func (p *policyHandler) handle(c *gin.Context) {
	if guard.Checked(c.Writer) {
		if c.FullPath() == "" { // gin's 404/405 chain: no route handler will run
			c.Next()
			return
		}
		c.Abort()
		c.String(http.StatusInternalServerError, "guard: route policy reached after the global check (see ginguard.Policy)")
		return
	}
	run(p.a, c, p.pool)
}

// policyName is the name gin reports for a Policy handler.
var policyName = nameOf((&policyHandler{}).handle)

func nameOf(h gin.HandlerFunc) string { return runtime.FuncForPC(reflect.ValueOf(h).Pointer()).Name() }

// attachedRoutes remembers, per method and route, whether the handler chain
// holds a Policy (gin's chains are fixed once routes are registered).
type attachedRoutes struct {
	mu sync.RWMutex
	m  map[string]map[string]bool // method → full path → has a Policy
}

func (a *attachedRoutes) has(c *gin.Context) bool {
	path := c.FullPath()
	if path == "" {
		return false
	}
	method := c.Request.Method
	a.mu.RLock()
	has, ok := a.m[method][path]
	a.mu.RUnlock()
	if ok {
		return has
	}
	for _, name := range c.HandlerNames() {
		if name == policyName {
			has = true
			break
		}
	}
	a.mu.Lock()
	if a.m[method] == nil {
		a.m[method] = map[string]bool{}
	}
	a.m[method][path] = has
	a.mu.Unlock()
	return has
}

// server is what runs the pipeline: a *guard.Engine or a *guard.Attached.
type server interface {
	Serve(w http.ResponseWriter, r *http.Request, route string, next http.Handler)
}

// run calls the core once and maps the outcome onto gin.
func run(s server, c *gin.Context, pool *sync.Pool) {
	f := pool.Get().(*flow)
	f.c, f.orig, f.called = c, c.Writer, false
	s.Serve(f.orig, c.Request, c.FullPath(), f)
	c.Writer = f.orig
	if !f.called {
		c.Abort()
	}
	*f = flow{}
	pool.Put(f)
}

// flow is one request's state, pooled: the handler Serve calls when the
// request is allowed, and the writer handed to gin.
type flow struct {
	c      *gin.Context
	orig   gin.ResponseWriter
	called bool
	w      writer
}

// ServeHTTP continues gin's chain with the engine's writer and request.
func (f *flow) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.called = true
	f.c.Request = r
	f.w = writer{ResponseWriter: f.orig, w: w}
	f.c.Writer = &f.w
	f.c.Next()
	// A status gin set without writing (its 404/405 handling presets one
	// before the chain runs) goes out through the engine too, rather than
	// the engine's default 200.
	w.WriteHeader(f.orig.Status())
}

// NewFromConfig builds an engine from cfg and returns its middleware and the
// engine (to Close, and to pass to Verify).
func NewFromConfig(cfg guard.Config, opts ...guard.Option) (gin.HandlerFunc, *guard.Engine, error) {
	e, err := guard.New(cfg, opts...)
	if err != nil {
		return nil, nil, err
	}
	return New(e), e, nil
}

// Verify checks every route policy of e against the routes registered on r
// (call it after registering them). The error names each policy that
// matches no route.
func Verify(r *gin.Engine, e *guard.Engine) error {
	routes := r.Routes()
	known := make([]guard.KnownRoute, len(routes))
	for i, rt := range routes {
		known[i] = guard.KnownRoute{Method: rt.Method, Template: rt.Path}
	}
	return e.VerifyRoutes(known)
}

// writer is gin's ResponseWriter with the body and header path going
// through the engine's writer w (which decorates headers once) and the
// bookkeeping (Status, Size, Written) answered by gin's own writer.
type writer struct {
	gin.ResponseWriter
	w http.ResponseWriter
}

func (w *writer) Header() http.Header         { return w.w.Header() }
func (w *writer) WriteHeader(code int)        { w.w.WriteHeader(code) }
func (w *writer) Write(b []byte) (int, error) { return w.w.Write(b) }

func (w *writer) WriteString(s string) (int, error) { return io.WriteString(w.w, s) }

// WriteHeaderNow sends the status gin recorded, through the engine.
func (w *writer) WriteHeaderNow() {
	if !w.ResponseWriter.Written() {
		w.w.WriteHeader(w.ResponseWriter.Status())
	}
	w.ResponseWriter.WriteHeaderNow()
}

// Flush flushes through the engine's writer (headers first).
func (w *writer) Flush() {
	if f, ok := w.w.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack hands over the connection (websockets).
func (w *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) { return w.ResponseWriter.Hijack() }

// Unwrap lets http.ResponseController reach the engine's writer.
func (w *writer) Unwrap() http.ResponseWriter { return w.w }

var _ gin.ResponseWriter = (*writer)(nil)
