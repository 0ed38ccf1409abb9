package chiguard_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/go-chi/chi/v5"
	chiguard "github.com/guardgo/guard/adapters/chi"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/policy"
)

// Protect a chi router: the middleware resolves the route pattern with the
// router before the checks, so a policy on a sub-router's route applies.
func Example() {
	cfg := guard.DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	engine, err := guard.New(cfg,
		guard.WithRoutePolicy("/api/reports/{id}", policy.New(policy.RateLimit(1, time.Minute))))
	if err != nil {
		panic(err)
	}
	defer engine.Close()

	r := chi.NewRouter()
	r.Use(chiguard.New(engine))
	r.Route("/api", func(r chi.Router) {
		r.Get("/reports/{id}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "report ", chi.URLParam(r, "id")) })
	})
	if err := chiguard.Verify(r, engine); err != nil {
		panic(err)
	}

	for range 2 {
		req := httptest.NewRequest("GET", "/api/reports/3", nil)
		req.RemoteAddr = "198.51.100.1:4000"
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		fmt.Println(w.Code, w.Header().Get("Retry-After"), w.Body.String())
	}
	// Output:
	// 200  report 3
	// 429 60 Too many requests
}

// Attach a policy to a group of routes with chi's Group and Use.
func ExamplePolicy() {
	cfg := guard.DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	engine, err := guard.New(cfg)
	if err != nil {
		panic(err)
	}
	defer engine.Close()
	internal, err := engine.Attach(policy.New(policy.RequireIP([]string{"10.0.0.0/8"}, nil)))
	if err != nil {
		panic(err)
	}
	r := chi.NewRouter()
	r.Use(chiguard.New(engine))
	r.Group(func(r chi.Router) {
		r.Use(chiguard.Policy(internal))
		r.Get("/debug/{what}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "debug ", chi.URLParam(r, "what")) })
	})
	for _, client := range []string{"198.51.100.1", "10.1.2.3"} {
		req := httptest.NewRequest("GET", "/debug/vars", nil)
		req.RemoteAddr = client + ":4000"
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		fmt.Println(client, w.Code, w.Body.String())
	}
	// Output:
	// 198.51.100.1 403 Forbidden
	// 10.1.2.3 200 debug vars
}
