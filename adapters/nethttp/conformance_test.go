package httpguard_test

import (
	"net/http"
	"testing"

	httpguard "github.com/guardgo/guard/adapters/nethttp"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/guardtest"
)

// newApp serves the conformance application behind httpguard.
func newApp(_ testing.TB, e *guard.Engine) (http.Handler, error) {
	mux := http.NewServeMux()
	for _, rt := range guardtest.Routes() {
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

func TestConformance(t *testing.T) { guardtest.Run(t, newApp) }
