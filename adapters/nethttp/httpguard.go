// Package httpguard adapts the guard engine to net/http: a
// func(http.Handler) http.Handler middleware, and a handler wrapper for
// per-route policies.
//
// The route template of a request is resolved before the checks run: with a
// *http.ServeMux given to WithMux, through mux.Handler (the pattern the mux
// will dispatch to); otherwise route policies are matched on the request
// path against their templates.
package httpguard

import (
	"net/http"

	guard "github.com/guardgo/guard/core"
)

// Option configures the middleware.
type Option func(*mw)

type mw struct {
	mux *http.ServeMux
}

// WithMux resolves route templates with mux, so `routes:` entries written as
// templates ("/items/{id}") match the pattern the mux dispatches to.
func WithMux(mux *http.ServeMux) Option { return func(m *mw) { m.mux = mux } }

// New returns middleware running every request through e.
func New(e *guard.Engine, opts ...Option) func(http.Handler) http.Handler {
	m := &mw{}
	for _, o := range opts {
		o(m)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			route := ""
			if m.mux != nil {
				h, pattern := m.mux.Handler(r)
				if isRoute(h) {
					next.ServeHTTP(w, r) // the route's httpguard.Route runs the pipeline with its policy
					return
				}
				route = pattern
			}
			e.Serve(w, r, route, next)
		})
	}
}

// NewFromConfig builds an engine from cfg and returns its middleware; the
// engine is returned so the caller can Close it.
func NewFromConfig(cfg guard.Config, opts ...guard.Option) (func(http.Handler) http.Handler, *guard.Engine, error) {
	e, err := guard.New(cfg, opts...)
	if err != nil {
		return nil, nil, err
	}
	return New(e), e, nil
}
