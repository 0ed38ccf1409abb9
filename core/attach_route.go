package guard

import (
	"net/http"
	"sync"
)

// Attached is a Policy attached in code to the route it guards, through the
// adapters' route-level middleware (ginguard.Policy, chiguard.Policy,
// echoguard.Handler, httpguard.Route). For the requests of that route it
// runs the whole pipeline itself, with its policy consulted before every
// other route policy; each adapter's global middleware recognises the
// route-level middleware and leaves those requests to it, so the policy is
// known before the first check (bypass, route IP lists and rate limits
// work as they do from `routes:`).
//
// An Attached cannot name a wrong route — it is wherever it is attached —
// so it needs no Verify. What can go wrong is placing it where the global
// middleware cannot see it; the request then reaches it already checked,
// and it answers 500 instead of letting the request through (Checked).
type Attached struct {
	e       *Engine
	policy  *Policy
	methods []string

	mu    sync.Mutex
	views sync.Map // normalised template → *routeTable
}

// Attach validates p for e and returns it ready to attach to a route. The
// methods, when given, limit it to those methods (others get the route's
// `routes:` policy, if any). The error names every problem of p.
func (e *Engine) Attach(p *Policy, methods ...string) (*Attached, error) {
	if _, err := p.compile(&e.cfg, "/attached", methods); err != nil {
		return nil, err
	}
	return &Attached{e: e, policy: p, methods: methods}, nil
}

// Serve is Engine.Serve with the attached policy: route is the template
// the router matched for this request ("" when unknown: the policy then
// applies to the request whatever its path).
func (a *Attached) Serve(w http.ResponseWriter, r *http.Request, route string, next http.Handler) {
	tbl, err := a.view(route)
	if err != nil {
		a.e.log.LogAttrs(r.Context(), errorLevel, "guard: attached policy", slogErr(err))
		http.Error(w, "Internal server error", http.StatusInternalServerError)
		return
	}
	a.e.serve(w, r, route, next, tbl)
}

// view returns the route table the engine consults for template: the
// policy first, then the engine's own routes. Everything else (store,
// detector, compiled rules) is the engine's. Built once per template.
func (a *Attached) view(template string) (*routeTable, error) {
	key := normalizeTemplate(template)
	if v, ok := a.views.Load(key); ok {
		return v.(*routeTable), nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if v, ok := a.views.Load(key); ok {
		return v.(*routeTable), nil
	}
	pattern := patternPath(template)
	if pattern == "" {
		pattern = "/{path...}" // unknown template: the policy covers the request's path
	}
	cr, err := a.policy.compile(&a.e.cfg, pattern, a.methods)
	if err != nil {
		return nil, err
	}
	tbl := &routeTable{}
	tbl.add(cr)
	for _, r := range a.e.routes.all {
		tbl.add(r)
	}
	a.views.Store(key, tbl)
	return tbl, nil
}

// Checked reports whether w is (or wraps, through Unwrap) the writer an
// engine hands to the handler of an allowed request: the request has been
// checked already. Route-level middleware uses it to refuse requests its
// global middleware did not leave to it.
func Checked(w http.ResponseWriter) bool {
	for w != nil {
		if _, ok := w.(*responseWriter); ok {
			return true
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return false
		}
		w = u.Unwrap()
	}
	return false
}
