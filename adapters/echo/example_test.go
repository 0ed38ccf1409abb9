package echoguard_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	echoguard "github.com/guardgo/guard/adapters/echo"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/policy"
	"github.com/labstack/echo/v4"
)

// Protect an echo server: Use middleware (after routing, so c.Path() is
// known), a per-route policy by template, and Verify after the routes.
func Example() {
	cfg := guard.DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	engine, err := guard.New(cfg,
		guard.WithRoutePolicy("/api/items/{id}", policy.New(policy.ContentTypeFilter("application/json")), "POST"))
	if err != nil {
		panic(err)
	}
	defer engine.Close()

	e := echo.New()
	e.Use(echoguard.New(engine))
	e.POST("/api/items/:id", func(c echo.Context) error { return c.String(http.StatusOK, "stored "+c.Param("id")) })
	if err := echoguard.Verify(e, engine); err != nil {
		panic(err)
	}

	for _, ct := range []string{"text/plain", "application/json"} {
		req := httptest.NewRequest("POST", "/api/items/7", nil)
		req.RemoteAddr = "198.51.100.1:4000"
		req.Header.Set("Content-Type", ct)
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		fmt.Println(ct, w.Code, w.Body.String())
	}
	// Output:
	// text/plain 415 Unsupported media type
	// application/json 200 stored 7
}

// Skip the checks for some requests with echo's usual Skipper.
func ExampleWithSkipper() {
	cfg := guard.DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	engine, err := guard.New(cfg)
	if err != nil {
		panic(err)
	}
	defer engine.Close()
	e := echo.New()
	e.Use(echoguard.New(engine, echoguard.WithSkipper(func(c echo.Context) bool { return c.Path() == "/healthz" })))
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	req := httptest.NewRequest("GET", "/healthz", nil)
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	fmt.Println(w.Code, w.Header().Get("X-Frame-Options") == "")
	// Output:
	// 200 true
}

// Attach a policy around a route's handler.
func ExampleHandler() {
	cfg := guard.DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	engine, err := guard.New(cfg)
	if err != nil {
		panic(err)
	}
	defer engine.Close()
	small, err := engine.Attach(policy.New(policy.MaxRequestSize(8)))
	if err != nil {
		panic(err)
	}
	e := echo.New()
	e.Use(echoguard.New(engine))
	e.POST("/notes", echoguard.Handler(small, func(c echo.Context) error { return c.String(http.StatusCreated, "saved") }))

	for _, body := range []string{"short", "far too long"} {
		req := httptest.NewRequest("POST", "/notes", strings.NewReader(body))
		req.RemoteAddr = "198.51.100.1:4000"
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// 201 saved
	// 413 Request entity too large
}
