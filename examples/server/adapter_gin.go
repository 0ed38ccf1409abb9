package main

import (
	"net/http"

	"github.com/gin-gonic/gin"
	ginguard "github.com/guardgo/guard/adapters/gin"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/guardtest"
)

// ginHandler serves the demo application through gin and ginguard. Route
// policies that match no gin route stop the server (ginguard.Verify).
func ginHandler(e *guard.Engine) (http.Handler, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(ginguard.New(e))
	for _, rt := range appRoutes() {
		h := rt.Handler
		for _, m := range rt.Methods {
			r.Handle(m, guardtest.Colon(rt.Template), func(c *gin.Context) {
				for _, p := range c.Params {
					c.Request.SetPathValue(p.Key, p.Value)
				}
				h(c.Writer, c.Request)
			})
		}
	}
	return r, ginguard.Verify(r, e)
}
