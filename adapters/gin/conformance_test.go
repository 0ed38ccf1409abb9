package ginguard_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	ginguard "github.com/guardgo/guard/adapters/gin"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/guardtest"
)

// newApp serves the conformance application behind ginguard.
func newApp(_ testing.TB, e *guard.Engine) (http.Handler, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(ginguard.New(e))
	for _, rt := range guardtest.Routes() {
		for _, m := range rt.Methods {
			r.Handle(m, guardtest.Colon(rt.Template), gin.WrapF(rt.Handler))
		}
	}
	return r, ginguard.Verify(r, e)
}

func TestConformance(t *testing.T) { guardtest.Run(t, newApp) }
