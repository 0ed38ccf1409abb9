package httpguard_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	httpguard "github.com/guardgo/guard/adapters/nethttp"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/policy"
)

// Attach a policy to a ServeMux pattern and check at start-up that every
// policy names a pattern the mux serves.
func ExampleVerify() {
	cfg := guard.DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	engine, err := guard.New(cfg,
		guard.WithRoutePolicy("/reports/{id}", policy.New(policy.RequireHeader("X-Tenant", "required")), "GET"),
		guard.WithRoutePolicy("/reprots", policy.New(policy.RequireHTTPS())), // a typo
	)
	if err != nil {
		panic(err)
	}
	defer engine.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /reports/{id}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "report ", r.PathValue("id")) })
	fmt.Println(httpguard.Verify(mux, engine))

	h := httpguard.New(engine, httpguard.WithMux(mux))(mux)
	req := httptest.NewRequest("GET", "/reports/9", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// policy "/reprots": route policy matches no route of the router: path "/reprots" is not served (known routes: GET /reports/{id})
	// 400 Missing required header: X-Tenant
}
