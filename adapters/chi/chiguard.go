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
// Per-route policies attach two ways, both known to the engine before its
// first check (so a route's bypass, IP lists and rate limit override the
// global rules):
//   - by template, compiled into the engine (`routes:` in the configuration,
//     or guard.WithRoutePolicy); Verify checks them against chi.Walk, so a
//     policy naming a route chi does not serve is a start-up error rather
//     than an unprotected route. When the pattern cannot be resolved at all
//     (no chi router), policies still match the request path;
//   - as route middleware: r.With(chiguard.Policy(attached)).Get(...), or in
//     a Group, Route or sub-router's Use, with attached from engine.Attach.
//     The global middleware finds Policy among the route's middlewares
//     (chi.Walk) and leaves the request to it; a Policy it cannot see fails
//     closed (500).
//
// The client address comes from the engine's trusted-proxy rules; chi's
// middleware.RealIP must not be placed in front of it.
package chiguard

import (
	"net/http"
	"reflect"
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

// New returns chi middleware running every request through e. Requests
// whose route carries a Policy middleware are left to it.
func New(e *guard.Engine, opts ...Option) func(http.Handler) http.Handler {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	res := newResolver(cfg.router)
	attached := &attachedRoutes{m: map[string]map[string]bool{}}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			router, pattern := res.resolve(r)
			if pattern != "" && attached.has(router, r.Method, pattern) {
				next.ServeHTTP(w, r) // the route's Policy runs the pipeline with its policy
				return
			}
			e.Serve(w, r, pattern, next)
		})
	}
}

// Policy returns route-level middleware for a policy attached in code, for
// chi's With, Group, Route or a sub-router's Use:
//
//	admin, err := engine.Attach(policy.New(policy.RequireIP(internal, nil)))
//	r.With(chiguard.Policy(admin)).Get("/admin/{page}", adminHandler)
//
// For the route's requests it runs the whole pipeline with the policy
// first; the global middleware (New) finds it among the route's
// middlewares (chi.Walk) and leaves those requests to it. A Policy the
// global middleware could not see (wrapped in another middleware, or a
// second Policy on the same route) finds the request already checked and
// answers 500 rather than letting it through unchecked by its policy.
func Policy(a *guard.Attached, opts ...Option) func(http.Handler) http.Handler {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	return (&policyMiddleware{a: a, res: newResolver(cfg.router)}).wrap
}

type policyMiddleware struct {
	a   *guard.Attached
	res *resolver
}

func (p *policyMiddleware) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := p.res.resolve(r)
		if guard.Checked(w) {
			if pattern == "" { // no route: chi's 404/405 handler runs, nothing to protect
				next.ServeHTTP(w, r)
				return
			}
			http.Error(w, "guard: route policy reached after the global check (see chiguard.Policy)", http.StatusInternalServerError)
			return
		}
		p.a.Serve(w, r, pattern, next)
	})
}

// policyPC identifies Policy middlewares among a route's middlewares.
var policyPC = reflect.ValueOf((&policyMiddleware{}).wrap).Pointer()

// resolver finds a request's full route pattern with the router's Find.
type resolver struct {
	router chi.Routes
	pool   sync.Pool
}

func newResolver(router chi.Routes) *resolver {
	return &resolver{router: router, pool: sync.Pool{New: func() any { return chi.NewRouteContext() }}}
}

// resolve returns the top router and the pattern ("" when unknown). The
// router is the one given with WithRouter or the one in chi's route context
// (the top router, also inside sub-routers), asked with the full path.
func (s *resolver) resolve(r *http.Request) (chi.Routes, string) {
	router := s.router
	if router == nil {
		if rctx := chi.RouteContext(r.Context()); rctx != nil {
			router = rctx.Routes
		}
	}
	if router == nil {
		return nil, ""
	}
	path := r.URL.RawPath
	if path == "" {
		path = r.URL.Path
	}
	tmp := s.pool.Get().(*chi.Context)
	tmp.Reset()
	pattern := router.Find(tmp, r.Method, path)
	s.pool.Put(tmp)
	return router, pattern
}

// attachedRoutes remembers, per method and pattern, whether the route's
// middlewares hold a Policy; a pattern not seen yet walks the router again
// (routes registered late are found).
type attachedRoutes struct {
	mu sync.RWMutex
	m  map[string]map[string]bool // method → pattern → has a Policy
}

func (a *attachedRoutes) has(router chi.Routes, method, pattern string) bool {
	a.mu.RLock()
	has, ok := a.m[method][pattern]
	a.mu.RUnlock()
	if ok {
		return has
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	_ = chi.Walk(router, func(m, route string, _ http.Handler, mws ...func(http.Handler) http.Handler) error {
		found := false
		for _, mw := range mws {
			if reflect.ValueOf(mw).Pointer() == policyPC {
				found = true
				break
			}
		}
		if a.m[m] == nil {
			a.m[m] = map[string]bool{}
		}
		a.m[m][route] = found
		return nil
	})
	has, ok = a.m[method][pattern]
	if !ok { // not a walked route: remember so the walk is not repeated
		if a.m[method] == nil {
			a.m[method] = map[string]bool{}
		}
		a.m[method][pattern] = false
	}
	return has
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
