package chiguard_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"
	chiguard "github.com/guardgo/guard/adapters/chi"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/policy"
)

// TestConcurrentRequests checks the pooled route contexts used for pattern
// resolution never mix requests (run with -race): the policy of each
// request's own route applies.
func TestConcurrentRequests(t *testing.T) {
	e := newEngine(t, guard.WithRoutePolicy("/locked/{n}", policy.New(policy.RequireHeader("X-Key", ""))))
	r := chi.NewRouter()
	r.Use(chiguard.New(e))
	r.Get("/open/{n}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "n=", chi.URLParam(r, "n")) })
	r.Get("/locked/{n}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "n=", chi.URLParam(r, "n")) })
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				n := fmt.Sprint(g*1000 + i)
				path, want, code := "/open/"+n, "n="+n, 200
				if i%2 == 0 {
					path, want, code = "/locked/"+n, "Missing required header: X-Key", 400
				}
				w := send(r, "GET", path, nil)
				if w.Code != code || w.Body.String() != want {
					errs <- fmt.Errorf("%s: %d %q", path, w.Code, w.Body.String())
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
