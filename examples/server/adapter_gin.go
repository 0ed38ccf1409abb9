package main

import (
	"net/http"

	"github.com/gin-gonic/gin"
	ginguard "github.com/guardgo/guard/adapters/gin"
	guard "github.com/guardgo/guard/core"
)

// ginHandler serves the demo application through gin and ginguard. Route
// policies that match no gin route stop the server (ginguard.Verify).
func ginHandler(e *guard.Engine) (http.Handler, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(ginguard.New(e))
	for _, rt := range appRoutes() {
		h := rt.handler
		for _, m := range rt.methods {
			r.Handle(m, colon(rt.template), func(c *gin.Context) {
				for _, p := range c.Params {
					c.Request.SetPathValue(p.Key, p.Value)
				}
				h(c.Writer, c.Request)
			})
		}
	}
	return r, ginguard.Verify(r, e)
}
