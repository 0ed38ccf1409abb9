package main

import (
	"net/http"
	"strings"

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
		h := rt.handler
		for _, m := range rt.methods {
			r.MethodFunc(m, rt.template, func(w http.ResponseWriter, req *http.Request) {
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

// colon converts the app's {param} templates to gin's and echo's :param.
func colon(template string) string {
	segs := strings.Split(template, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = ":" + s[1:len(s)-1]
		}
	}
	return strings.Join(segs, "/")
}
