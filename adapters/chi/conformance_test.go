package chiguard_test

import (
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"
	chiguard "github.com/guardgo/guard/adapters/chi"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/guardtest"
)

// newApp serves the conformance application behind chiguard; attached
// policies are route middleware (With(chiguard.Policy)).
func newApp(_ testing.TB, e *guard.Engine, attached map[string]*guard.Attached) (http.Handler, error) {
	r := chi.NewRouter()
	r.Use(chiguard.New(e))
	for _, rt := range guardtest.Routes() {
		router := chi.Router(r)
		if a := attached[rt.Template]; a != nil {
			router = r.With(chiguard.Policy(a))
		}
		for _, m := range rt.Methods {
			router.MethodFunc(m, rt.Template, rt.Handler)
		}
	}
	return r, chiguard.Verify(r, e)
}

func TestConformance(t *testing.T) { guardtest.Run(t, newApp) }
