package httpguard

import (
	"net/http"
	"net/http/httptest"
	"strings"

	guard "github.com/guardgo/guard/core"
)

// probeMethods are tried for policies that name no method.
var probeMethods = [...]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, http.MethodOptions}

// Verify checks every route policy of e against mux (call it after
// registering the routes). http.ServeMux cannot list its patterns, so each
// policy's template is turned into a sample path ("/items/{id}" →
// "/items/x") and asked of mux.Handler for each of the policy's methods; the
// patterns that answer are the routes the policy is checked against. The
// error names each policy that matches no route.
func Verify(mux *http.ServeMux, e *guard.Engine) error {
	var known []guard.KnownRoute
	for _, p := range e.Policies() {
		methods := p.Methods
		if len(methods) == 0 {
			methods = probeMethods[:]
		}
		sample := samplePath(p.Path)
		for _, m := range methods {
			r := httptest.NewRequest(m, "http://localhost"+sample, nil)
			if _, pattern := mux.Handler(r); pattern != "" {
				known = append(known, guard.KnownRoute{Method: m, Template: pattern})
			}
		}
	}
	return e.VerifyRoutes(known)
}

// samplePath fills a template's parameters with "x".
func samplePath(t string) string {
	segs := strings.Split(t, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") || (strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}")) {
			segs[i] = "x"
		}
	}
	return strings.Join(segs, "/")
}
