package policy_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/policy"
)

// Build a route policy from decorators and attach it to a route template;
// a verifier checks the bearer token, which configuration alone cannot do.
func ExampleNew() {
	admin := policy.New(
		policy.RequireAuth("bearer", func(_ context.Context, _, token string) bool { return token == "let-me-in" }),
		policy.RateLimit(100, time.Minute),
		policy.TimeWindow("06:00", "22:00", "UTC"),
	)
	cfg := guard.DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	noon := func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }
	engine, err := guard.New(cfg, guard.WithClock(noon), guard.WithRoutePolicy("/admin/{page}", admin))
	if err != nil {
		panic(err)
	}
	defer engine.Close()

	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "welcome") })
	for _, token := range []string{"guess", "let-me-in"} {
		req := httptest.NewRequest("GET", "/admin/users", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		engine.Serve(w, req, "/admin/{page}", app)
		fmt.Println(token, w.Code, w.Body.String())
	}
	// Output:
	// guess 401 Authentication required
	// let-me-in 200 welcome
}
