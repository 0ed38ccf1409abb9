package main

import (
	"net/http"

	guard "github.com/guardgo/guard/core"

	httpguard "github.com/guardgo/guard/adapters/nethttp"
)

// adapters builds the demo application behind guard with each adapter.
var adapters = map[string]func(e *guard.Engine) (http.Handler, error){
	"nethttp": func(e *guard.Engine) (http.Handler, error) {
		mux := http.NewServeMux()
		for _, rt := range appRoutes() {
			for _, m := range rt.methods {
				pattern := m + " " + rt.template
				if rt.template == "/" {
					pattern += "{$}"
				}
				mux.HandleFunc(pattern, rt.handler)
			}
		}
		return httpguard.New(e, httpguard.WithMux(mux))(mux), nil
	},
}
