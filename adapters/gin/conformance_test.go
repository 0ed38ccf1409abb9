package ginguard_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	ginguard "github.com/guardgo/guard/adapters/gin"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/guardtest"
)

// newApp serves the conformance application behind ginguard; attached
// policies are route middleware (ginguard.Policy).
func newApp(_ testing.TB, e *guard.Engine, attached map[string]*guard.Attached) (http.Handler, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(ginguard.New(e))
	for _, rt := range guardtest.Routes() {
		handlers := []gin.HandlerFunc{gin.WrapF(rt.Handler)}
		if a := attached[rt.Template]; a != nil {
			handlers = append([]gin.HandlerFunc{ginguard.Policy(a)}, handlers...)
		}
		for _, m := range rt.Methods {
			r.Handle(m, guardtest.Colon(rt.Template), handlers...)
		}
	}
	return r, ginguard.Verify(r, e)
}

func TestConformance(t *testing.T) { guardtest.Run(t, newApp) }
