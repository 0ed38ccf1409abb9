package chiguard_test

import (
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"
	chiguard "github.com/guardgo/guard/adapters/chi"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/guardtest"
)

// newApp serves the conformance application behind chiguard.
func newApp(_ testing.TB, e *guard.Engine) (http.Handler, error) {
	r := chi.NewRouter()
	r.Use(chiguard.New(e))
	for _, rt := range guardtest.Routes() {
		for _, m := range rt.Methods {
			r.MethodFunc(m, rt.Template, rt.Handler)
		}
	}
	return r, chiguard.Verify(r, e)
}

func TestConformance(t *testing.T) { guardtest.Run(t, newApp) }
