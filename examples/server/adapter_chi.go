package main

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	chiguard "github.com/guardgo/guard/adapters/chi"
	guard "github.com/guardgo/guard/core"
)

// chiHandler serves the demo application through chi and chiguard. Route
// policies that match no chi route stop the server (chiguard.Verify).
func chiHandler(e *guard.Engine) (http.Handler, error) {
	r := chi.NewRouter()
	r.Use(chiguard.New(e))
	for _, rt := range appRoutes() {
		h := rt.Handler
		for _, m := range rt.Methods {
			r.MethodFunc(m, rt.Template, func(w http.ResponseWriter, req *http.Request) {
				if rctx := chi.RouteContext(req.Context()); rctx != nil {
					for i, k := range rctx.URLParams.Keys {
						req.SetPathValue(k, rctx.URLParams.Values[i])
					}
				}
				h(w, req)
			})
		}
	}
	return r, chiguard.Verify(r, e)
}
