package echoguard_test

import (
	"net/http"
	"testing"

	echoguard "github.com/guardgo/guard/adapters/echo"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/guardtest"
	"github.com/labstack/echo/v4"
)

// newApp serves the conformance application behind echoguard; attached
// policies wrap the route's handler (echoguard.Handler).
func newApp(_ testing.TB, g *guard.Engine, attached map[string]*guard.Attached) (http.Handler, error) {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(echoguard.New(g))
	for _, rt := range guardtest.Routes() {
		h := echo.WrapHandler(rt.Handler)
		if a := attached[rt.Template]; a != nil {
			h = echoguard.Handler(a, h)
		}
		for _, m := range rt.Methods {
			e.Add(m, guardtest.Colon(rt.Template), h)
		}
	}
	return e, echoguard.Verify(e, g)
}

func TestConformance(t *testing.T) { guardtest.Run(t, newApp) }
