// Command echo is a small echo application protected by guard: Use
// middleware (it runs after routing, so the route template is known), a
// per-route policy attached by template, and Verify so a policy that names
// no route stops start-up.
//
//	go run ./echo -addr 127.0.0.1:8080
package main

import (
	"flag"
	"log/slog"
	"net/http"
	"os"
	"time"

	echoguard "github.com/guardgo/guard/adapters/echo"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/policy"
	"github.com/labstack/echo/v4"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))

	upload := policy.New(
		policy.ContentTypeFilter("application/json"),
		policy.MaxRequestSize(64<<10),
	)
	engine, err := guard.New(guard.DefaultConfig(), guard.WithLogger(logger))
	if err != nil {
		logger.Error("invalid guard configuration", "err", err)
		os.Exit(2)
	}
	defer engine.Close()
	uploadPolicy, err := engine.Attach(upload)
	if err != nil {
		logger.Error("invalid upload policy", "err", err)
		os.Exit(2)
	}

	e := echo.New()
	e.HideBanner = true
	e.Use(echoguard.New(engine, echoguard.WithSkipper(func(c echo.Context) bool { return c.Path() == "/healthz" })))
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"message": "hello"}) })
	// The policy wraps the handler; the global middleware leaves these
	// requests to it.
	e.POST("/api/documents", echoguard.Handler(uploadPolicy, func(c echo.Context) error {
		var doc map[string]any
		if err := c.Bind(&doc); err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, doc)
	}))
	if err := echoguard.Verify(e, engine); err != nil {
		logger.Error("route policies", "err", err)
		os.Exit(2)
	}
	srv := &http.Server{Addr: *addr, Handler: e, ReadHeaderTimeout: 10 * time.Second}
	logger.Info("listening", "addr", *addr)
	if err := srv.ListenAndServe(); err != nil {
		logger.Error("server", "err", err)
		os.Exit(1)
	}
}
