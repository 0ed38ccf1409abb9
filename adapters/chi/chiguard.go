// Package chiguard adapts the guard engine to chi (go-chi/chi/v5).
//
//	engine, err := guard.New(cfg, guard.WithRoutePolicy("/admin", adminPolicy))
//	r := chi.NewRouter()
//	r.Use(chiguard.New(engine))
//	r.Get("/admin", admin)
//	if err := chiguard.Verify(r, engine); err != nil { ... } // after the routes
//
// chi runs r.Use middleware before routing, so the middleware resolves the
// route pattern itself, with the router's Find, before the checks run (never
// after next, when it would be too late for the route's policy). The router
// is the one serving the request (chi's route context) or the one given with
// WithRouter. It then calls the engine once through guard.Engine.Serve: a
// blocked request is written by the engine and next is not called; an
// allowed one reaches next with a response writer that adds the security and
// CORS headers.
//
// Per-route policies are compiled into the engine by route template
// (guard.WithRoutePolicy, or `routes:` in the configuration); Verify checks
// them against chi.Walk, so a policy naming a route chi does not serve is a
// start-up error rather than an unprotected route. When the pattern cannot
// be resolved at all (no chi router), policies still match the request path
// against their templates.
//
// The client address comes from the engine's trusted-proxy rules; chi's
// middleware.RealIP must not be placed in front of it.
package chiguard

import (
	"net/http"
	"sync"

	"github.com/go-chi/chi/v5"
	guard "github.com/guardgo/guard/core"
)

// Option configures the middleware.
type Option func(*config)

type config struct {
	router chi.Routes
}

// WithRouter resolves patterns with router instead of the router found in
// chi's route context (for middleware wrapped around a chi router from
// outside, as a plain http.Handler).
func WithRouter(router chi.Routes) Option { return func(c *config) { c.router = router } }

// New returns chi middleware running every request through e.
func New(e *guard.Engine, opts ...Option) func(http.Handler) http.Handler {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	pool := sync.Pool{New: func() any { return chi.NewRouteContext() }}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			router := cfg.router
			if router == nil {
				if rctx := chi.RouteContext(r.Context()); rctx != nil {
					router = rctx.Routes
				}
			}
			pattern := ""
			if router != nil {
				path := r.URL.RawPath
				if path == "" {
					path = r.URL.Path
				}
				tmp := pool.Get().(*chi.Context)
				tmp.Reset()
				pattern = router.Find(tmp, r.Method, path)
				pool.Put(tmp)
			}
			e.Serve(w, r, pattern, next)
		})
	}
}

// NewFromConfig builds an engine from cfg and returns its middleware and the
// engine (to Close, and to pass to Verify).
func NewFromConfig(cfg guard.Config, opts ...guard.Option) (func(http.Handler) http.Handler, *guard.Engine, error) {
	e, err := guard.New(cfg, opts...)
	if err != nil {
		return nil, nil, err
	}
	return New(e), e, nil
}

// Verify checks every route policy of e against the routes registered on r
// (call it after registering them; sub-routers and mounts are walked). The
// error names each policy that matches no route.
func Verify(r chi.Routes, e *guard.Engine) error {
	var known []guard.KnownRoute
	err := chi.Walk(r, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		known = append(known, guard.KnownRoute{Method: method, Template: route})
		return nil
	})
	if err != nil {
		return err
	}
	return e.VerifyRoutes(known)
}
