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
// Per-route policies are compiled into the engine by route template
// (guard.WithRoutePolicy, or `routes:` in the configuration); Verify checks
// them against e.Routes(), so a policy naming a route echo does not serve is
// a start-up error rather than an unprotected route.
//
// The client address comes from the engine's trusted-proxy rules; echo's
// RealIP is never used.
package echoguard

import (
	"net/http"
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

// New returns echo middleware running every request through e.
func New(e *guard.Engine, opts ...Option) echo.MiddlewareFunc {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	// Outside the returned function: echo applies Use middleware to the
	// handler on every request.
	pool := &sync.Pool{New: func() any { return new(flow) }}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if cfg.skipper != nil && cfg.skipper(c) {
				return next(c)
			}
			f := pool.Get().(*flow)
			f.c, f.next = c, next
			e.Serve(c.Response(), c.Request(), c.Path(), f)
			f.c, f.next = nil, nil
			pool.Put(f)
			return nil
		}
	}
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
