package main

import (
	"net/http"

	echoguard "github.com/guardgo/guard/adapters/echo"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/guardtest"
	echov4 "github.com/labstack/echo/v4"
)

// echoHandler serves the demo application through echo and echoguard. Route
// policies that match no echo route stop the server (echoguard.Verify).
func echoHandler(g *guard.Engine) (http.Handler, error) {
	e := echov4.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(echoguard.New(g))
	for _, rt := range appRoutes() {
		h := rt.Handler
		for _, m := range rt.Methods {
			e.Add(m, guardtest.Colon(rt.Template), func(c echov4.Context) error {
				r := c.Request()
				for i, name := range c.ParamNames() {
					r.SetPathValue(name, c.ParamValues()[i])
				}
				h(c.Response(), r)
				return nil
			})
		}
	}
	return e, echoguard.Verify(e, g)
}
