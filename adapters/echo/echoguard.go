// Package echoguard adapts the guard engine to echo (labstack/echo/v4).
//
//	engine, err := guard.New(cfg, guard.WithRoutePolicy("/admin", adminPolicy))
//	e := echo.New()
//	e.Use(echoguard.New(engine))
//	e.GET("/admin", admin)
//	if err := echoguard.Verify(e, engine); err != nil { ... } // after the routes
//
// Register the middleware with Use (it runs after routing, so c.Path() is
// the matched template), not with Pre. It calls the engine once through
// guard.Engine.Serve: a blocked request is written by the engine and the
// middleware returns nil without calling the handler; an allowed one runs
// the rest of the chain with a response whose writer adds the security and
// CORS headers, and with the request the engine hands on (its body may have
// been partly buffered for inspection; the handler reads it whole). An error
// returned by the handler is given to echo's HTTPErrorHandler inside the
// guarded response, so error pages carry the same headers.
//
// Per-route policies attach two ways, both known to the engine before its
// first check (so a route's bypass, IP lists and rate limit override the
// global rules):
//   - by template, compiled into the engine (`routes:` in the configuration,
//     or guard.WithRoutePolicy); Verify checks them against e.Routes(), so a
//     policy naming a route echo does not serve is a start-up error rather
//     than an unprotected route;
//   - around the route's handler: e.GET("/admin", echoguard.Handler(attached, h))
//     with attached from engine.Attach. echo gives Use middleware no view of a
//     route's own middleware, so the policy wraps the handler, which the
//     global middleware recognises in e.Routes(); one it cannot recognise
//     fails closed (500).
//
// The client address comes from the engine's trusted-proxy rules; echo's
// RealIP is never used.
package echoguard

import (
	"net/http"
	"reflect"
	"runtime"
	"sync"

	guard "github.com/guardgo/guard/core"
	"github.com/labstack/echo/v4"
)

// Option configures the middleware.
type Option func(*config)

type config struct {
	skipper func(echo.Context) bool
}

// WithSkipper sets echo's usual Skipper: requests for which it returns true
// are not checked at all (use with care: a skipped request is unprotected).
// middleware.Skipper values are accepted as they are.
func WithSkipper(s func(c echo.Context) bool) Option { return func(c *config) { c.skipper = s } }

// New returns echo middleware running every request through e. Requests
// whose route handler is wrapped with Handler are left to it.
func New(e *guard.Engine, opts ...Option) echo.MiddlewareFunc {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	// Outside the returned function: echo applies Use middleware to the
	// handler on every request.
	pool := &sync.Pool{New: func() any { return new(flow) }}
	attached := &attachedRoutes{m: map[string]map[string]bool{}}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if cfg.skipper != nil && cfg.skipper(c) {
				return next(c)
			}
			if attached.has(c) {
				return next(c) // the route's Handler runs the pipeline with its policy
			}
			run(e, c, next, pool)
			return nil
		}
	}
}

// Handler wraps a route's handler with a policy attached in code:
//
//	upload, err := engine.Attach(policy.New(policy.MaxRequestSize(1 << 20)))
//	e.POST("/upload", echoguard.Handler(upload, uploadHandler))
//
// For the route's requests it runs the whole pipeline with the policy
// first; the global middleware (New) recognises the wrapped handler in
// e.Routes() and leaves those requests to it. echo gives middleware no view
// of a route's own middleware, so the policy wraps the handler rather than
// being route middleware. A Handler the global middleware could not
// recognise (a route renamed after registration, a second policy) finds
// the request already checked and answers 500 rather than letting it
// through unchecked by its policy.
func Handler(a *guard.Attached, h echo.HandlerFunc) echo.HandlerFunc {
	return (&policyHandler{a: a, h: h, pool: &sync.Pool{New: func() any { return new(flow) }}}).serve
}

type policyHandler struct {
	a    *guard.Attached
	h    echo.HandlerFunc
	pool *sync.Pool
}

func (p *policyHandler) serve(c echo.Context) error {
	if guard.Checked(c.Response().Writer) {
		return c.String(http.StatusInternalServerError, "guard: route policy reached after the global check (see echoguard.Handler)")
	}
	run(p.a, c, p.h, p.pool)
	return nil
}

// policyName is the name echo records (Route.Name) for a Handler.
var policyName = runtime.FuncForPC(reflect.ValueOf((&policyHandler{}).serve).Pointer()).Name()

// attachedRoutes remembers, per method and route, whether the route's
// handler is a Handler (from e.Routes(); a route not seen yet looks again).
type attachedRoutes struct {
	mu sync.RWMutex
	m  map[string]map[string]bool // method → path → wrapped
}

func (a *attachedRoutes) has(c echo.Context) bool {
	path, method := c.Path(), c.Request().Method
	if path == "" {
		return false
	}
	a.mu.RLock()
	has, ok := a.m[method][path]
	a.mu.RUnlock()
	if ok {
		return has
	}
	for _, rt := range c.Echo().Routes() {
		if rt.Method == method && rt.Path == path && rt.Name == policyName {
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

// run calls the core once; next runs only when the request is allowed.
func run(s server, c echo.Context, next echo.HandlerFunc, pool *sync.Pool) {
	f := pool.Get().(*flow)
	f.c, f.next = c, next
	s.Serve(c.Response(), c.Request(), c.Path(), f)
	f.c, f.next = nil, nil
	pool.Put(f)
}

// flow is one request's state, pooled: the handler Serve calls when the
// request is allowed.
type flow struct {
	c    echo.Context
	next echo.HandlerFunc
}

// ServeHTTP runs the rest of echo's chain with the engine's writer and
// request; a handler error is rendered by echo's HTTPErrorHandler here, so
// the error page goes through the engine's writer too.
func (f *flow) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := f.c
	orig := c.Response()
	c.SetRequest(r)
	// A fresh Response each time: echo's Response cannot be reset from
	// outside (hooks registered with Before/After would leak into the next
	// request).
	c.SetResponse(echo.NewResponse(w, c.Echo()))
	if err := f.next(c); err != nil {
		c.Error(err)
	}
	c.SetResponse(orig)
}

// NewFromConfig builds an engine from cfg and returns its middleware and the
// engine (to Close, and to pass to Verify).
func NewFromConfig(cfg guard.Config, opts ...guard.Option) (echo.MiddlewareFunc, *guard.Engine, error) {
	e, err := guard.New(cfg, opts...)
	if err != nil {
		return nil, nil, err
	}
	return New(e), e, nil
}

// Verify checks every route policy of g against the routes registered on e
// (call it after registering them). The error names each policy that
// matches no route.
func Verify(e *echo.Echo, g *guard.Engine) error {
	routes := e.Routes()
	known := make([]guard.KnownRoute, 0, len(routes))
	for _, rt := range routes {
		if rt.Method == echo.RouteNotFound {
			continue
		}
		known = append(known, guard.KnownRoute{Method: rt.Method, Template: rt.Path})
	}
	return g.VerifyRoutes(known)
}
