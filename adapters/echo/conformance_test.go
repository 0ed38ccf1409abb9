package echoguard_test

import (
	"net/http"
	"testing"

	echoguard "github.com/guardgo/guard/adapters/echo"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/guardtest"
	"github.com/labstack/echo/v4"
)

// newApp serves the conformance application behind echoguard.
func newApp(_ testing.TB, g *guard.Engine) (http.Handler, error) {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(echoguard.New(g))
	for _, rt := range guardtest.Routes() {
		for _, m := range rt.Methods {
			e.Add(m, guardtest.Colon(rt.Template), echo.WrapHandler(rt.Handler))
		}
	}
	return e, echoguard.Verify(e, g)
}

func TestConformance(t *testing.T) { guardtest.Run(t, newApp) }
