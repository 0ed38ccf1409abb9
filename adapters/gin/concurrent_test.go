package ginguard_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
	ginguard "github.com/guardgo/guard/adapters/gin"
	guard "github.com/guardgo/guard/core"
)

// TestConcurrentRequests checks the pooled per-request state never mixes
// requests: each response belongs to its request (run with -race).
func TestConcurrentRequests(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	e := newEngine(t, func(c *guard.Config) { c.RateLimit = 1 << 20 })
	r := gin.New()
	r.Use(ginguard.New(e))
	r.GET("/n/:n", func(c *gin.Context) { c.String(200, "n=%s", c.Param("n")) })
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				n := fmt.Sprint(g*1000 + i)
				remote, want, code := "198.51.100.1", "n="+n, 200
				if i%3 == 0 {
					remote, want, code = "203.0.113.1", "Forbidden", 403
				}
				w := get(r, "GET", "/n/"+n, remote)
				if w.Code != code || w.Body.String() != want || w.Header().Get("X-Frame-Options") == "" {
					errs <- fmt.Errorf("request %s: %d %q", n, w.Code, w.Body.String())
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
