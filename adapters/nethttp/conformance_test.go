package httpguard_test

import (
	"net/http"
	"testing"

	httpguard "github.com/guardgo/guard/adapters/nethttp"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/guardtest"
)

// newApp serves the conformance application behind httpguard; attached
// policies wrap the route's handler (httpguard.Route).
func newApp(_ testing.TB, e *guard.Engine, attached map[string]*guard.Attached) (http.Handler, error) {
	mux := http.NewServeMux()
	for _, rt := range guardtest.Routes() {
		var h http.Handler = rt.Handler
		if a := attached[rt.Template]; a != nil {
			h = httpguard.Route(a, h)
		}
		for _, m := range rt.Methods {
			pattern := m + " " + rt.Template
			if rt.Template == "/" {
				pattern += "{$}"
			}
			mux.Handle(pattern, h)
		}
	}
	return httpguard.New(e, httpguard.WithMux(mux))(mux), httpguard.Verify(mux, e)
}

func TestConformance(t *testing.T) { guardtest.Run(t, newApp) }
