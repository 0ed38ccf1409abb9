package main

import (
	"net/http"

	httpguard "github.com/guardgo/guard/adapters/nethttp"
	guard "github.com/guardgo/guard/core"
)

func nethttpHandler(e *guard.Engine) (http.Handler, error) {
	mux := http.NewServeMux()
	for _, rt := range appRoutes() {
		for _, m := range rt.Methods {
			pattern := m + " " + rt.Template
			if rt.Template == "/" {
				pattern += "{$}"
			}
			mux.HandleFunc(pattern, rt.Handler)
		}
	}
	return httpguard.New(e, httpguard.WithMux(mux))(mux), httpguard.Verify(mux, e)
}
