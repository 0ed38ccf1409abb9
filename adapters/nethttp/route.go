package httpguard

import (
	"net/http"

	guard "github.com/guardgo/guard/core"
)

// Route wraps a route's handler with a policy attached in code:
//
//	signup, err := engine.Attach(policy.New(policy.HoneypotDetection("website")))
//	mux.Handle("POST /signup", httpguard.Route(signup, signupHandler))
//
// For the route's requests it runs the whole pipeline with the policy
// first, using the pattern the mux matched (r.Pattern). Served by the mux
// alone, it is the only check on that route. Behind New, the middleware must
// leave the route to it (New with WithMux recognises a Route through
// mux.Handler); a Route that finds the request already checked answers 500
// rather than letting it through unchecked by its policy.
func Route(a *guard.Attached, h http.Handler) http.Handler { return &routeHandler{a: a, h: h} }

type routeHandler struct {
	a *guard.Attached
	h http.Handler
}

// ServeHTTP implements http.Handler.
func (rh *routeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if guard.Checked(w) {
		http.Error(w, "guard: route policy reached after the global check (see httpguard.Route)", http.StatusInternalServerError)
		return
	}
	rh.a.Serve(w, r, r.Pattern, rh.h)
}

// isRoute reports whether h, the handler a mux will dispatch to, is a
// Route: the middleware leaves such requests to it.
func isRoute(h http.Handler) bool {
	_, ok := h.(*routeHandler)
	return ok
}
