// Command gin is a small gin application protected by guard: global
// middleware, a per-route policy attached as route middleware, and Verify
// so a policy that names no route stops start-up.
//
//	go run ./gin -addr 127.0.0.1:8080
package main

import (
	"context"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"
	ginguard "github.com/guardgo/guard/adapters/gin"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/policy"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))

	// Only tokens the application knows are accepted on /admin/*.
	admin := policy.New(
		policy.RequireAuth("bearer", func(_ context.Context, _, token string) bool { return token == os.Getenv("ADMIN_TOKEN") }),
		policy.RateLimit(30, time.Minute),
	)
	engine, err := guard.New(guard.DefaultConfig(), guard.WithLogger(logger))
	if err != nil {
		logger.Error("invalid guard configuration", "err", err)
		os.Exit(2)
	}
	defer engine.Close()
	adminPolicy, err := engine.Attach(admin)
	if err != nil {
		logger.Error("invalid admin policy", "err", err)
		os.Exit(2)
	}

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery(), ginguard.New(engine))
	r.GET("/", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"message": "hello"}) })
	r.GET("/items/:id", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"id": c.Param("id")}) })
	// Route middleware: the global middleware leaves these requests to it.
	r.GET("/admin/:section", ginguard.Policy(adminPolicy), func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"section": c.Param("section")}) })
	if err := ginguard.Verify(r, engine); err != nil {
		logger.Error("route policies", "err", err)
		os.Exit(2)
	}
	srv := &http.Server{Addr: *addr, Handler: r, ReadHeaderTimeout: 10 * time.Second}
	logger.Info("listening", "addr", *addr)
	if err := srv.ListenAndServe(); err != nil {
		logger.Error("server", "err", err)
		os.Exit(1)
	}
}
