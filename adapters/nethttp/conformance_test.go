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
	routed := map[string]bool{} // patterns served by a Route
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
			routed[pattern] = attached[rt.Template] != nil
		}
	}
	guarded := httpguard.New(e, httpguard.WithMux(mux))(mux)
	if len(attached) == 0 {
		return guarded, httpguard.Verify(mux, e)
	}
	// Until httpguard.New recognises Route handlers itself, requests for
	// attached routes go straight to the mux (the Route runs the pipeline).
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); routed[pattern] {
			mux.ServeHTTP(w, r)
			return
		}
		guarded.ServeHTTP(w, r)
	}), httpguard.Verify(mux, e)
}

func TestConformance(t *testing.T) { guardtest.Run(t, newApp) }
