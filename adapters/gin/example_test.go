package ginguard_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"
	ginguard "github.com/guardgo/guard/adapters/gin"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/policy"
)

// Protect a gin router: global middleware, a per-route policy by template,
// and Verify after the routes so a policy naming no route stops start-up.
func Example() {
	cfg := guard.DefaultConfig()
	cfg.Blacklist = []string{"203.0.113.0/24"}
	cfg.LogSuspiciousLevel = "NONE"
	engine, err := guard.New(cfg,
		guard.WithRoutePolicy("/admin/:section", policy.New(policy.RequireIP([]string{"10.0.0.0/8"}, nil))))
	if err != nil {
		panic(err)
	}
	defer engine.Close()

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(ginguard.New(engine))
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "hello") })
	r.GET("/admin/:section", func(c *gin.Context) { c.String(http.StatusOK, "admin") })
	if err := ginguard.Verify(r, engine); err != nil {
		panic(err)
	}

	for _, probe := range []struct{ path, client string }{
		{"/", "198.51.100.1"}, {"/", "203.0.113.9"}, {"/admin/users", "198.51.100.1"}, {"/admin/users", "10.1.2.3"},
	} {
		req := httptest.NewRequest("GET", probe.path, nil)
		req.RemoteAddr = probe.client + ":4000"
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		fmt.Println(probe.path, probe.client, w.Code, w.Body.String())
	}
	// Output:
	// / 198.51.100.1 200 hello
	// / 203.0.113.9 403 Forbidden
	// /admin/users 198.51.100.1 403 Forbidden
	// /admin/users 10.1.2.3 200 admin
}

// A policy naming a route the router does not serve is an error.
func ExampleVerify() {
	cfg := guard.DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	cfg.Routes = []guard.RouteConfig{{Path: "/itemz/{id}", RequireHTTPS: true}}
	engine, err := guard.New(cfg)
	if err != nil {
		panic(err)
	}
	defer engine.Close()
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(ginguard.New(engine))
	r.GET("/items/:id", func(c *gin.Context) {})
	fmt.Println(ginguard.Verify(r, engine))
	// Output:
	// routes[0]: route policy matches no route of the router: path "/itemz/{id}" is not served (known routes: GET /items/:id)
}

// Attach a policy to a route as route middleware. The global middleware
// leaves the route's requests to it, so its bypass of the global rate limit
// holds.
func ExamplePolicy() {
	cfg := guard.DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	cfg.RateLimit = 1
	engine, err := guard.New(cfg)
	if err != nil {
		panic(err)
	}
	defer engine.Close()
	probe, err := engine.Attach(policy.New(policy.Bypass("rate_limit"), policy.RequireHeader("X-Probe", "required")))
	if err != nil {
		panic(err)
	}

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(ginguard.New(engine))
	r.GET("/healthz", ginguard.Policy(probe), func(c *gin.Context) { c.String(http.StatusOK, "ok") })

	for _, hdr := range []string{"", "k8s", "k8s", "k8s"} {
		req := httptest.NewRequest("GET", "/healthz", nil)
		req.RemoteAddr = "10.0.0.1:4000"
		if hdr != "" {
			req.Header.Set("X-Probe", hdr)
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// 400 Missing required header: X-Probe
	// 200 ok
	// 200 ok
	// 200 ok
}
