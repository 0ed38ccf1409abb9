package httpguard_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	httpguard "github.com/guardgo/guard/adapters/nethttp"
	guard "github.com/guardgo/guard/core"
)

// Wrap a ServeMux; WithMux lets `routes:` entries written as templates match
// the pattern the mux dispatches to.
func ExampleNew() {
	cfg := guard.DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	cfg.Routes = []guard.RouteConfig{{Path: "/items/{id}", RequireHeaders: map[string]string{"X-Tenant": "required"}}}
	engine, err := guard.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer engine.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, r.PathValue("id")) })
	handler := httpguard.New(engine, httpguard.WithMux(mux))(mux)

	for _, tenant := range []string{"", "acme"} {
		r := httptest.NewRequest("GET", "/items/42", nil)
		if tenant != "" {
			r.Header.Set("X-Tenant", tenant)
		}
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		fmt.Println(w.Code)
	}
	// Output:
	// 400
	// 200
}
