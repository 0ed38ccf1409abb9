package echoguard_test

import (
	"fmt"
	"sync"
	"testing"

	echoguard "github.com/guardgo/guard/adapters/echo"
	"github.com/labstack/echo/v4"
)

// TestConcurrentRequests checks the pooled per-request state never mixes
// requests: each response belongs to its request (run with -race).
func TestConcurrentRequests(t *testing.T) {
	g := newEngine(t)
	e := echo.New()
	e.Use(echoguard.New(g))
	e.GET("/n/:n", func(c echo.Context) error { return c.String(200, "n="+c.Param("n")) })
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				n := fmt.Sprint(w*1000 + i)
				remote, want, code := "198.51.100.1", "n="+n, 200
				if i%3 == 0 {
					remote, want, code = "203.0.113.1", "Forbidden", 403
				}
				rec := get(e, "/n/"+n, remote)
				if rec.Code != code || rec.Body.String() != want || rec.Header().Get("X-Frame-Options") == "" {
					errs <- fmt.Errorf("request %s: %d %q", n, rec.Code, rec.Body.String())
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
