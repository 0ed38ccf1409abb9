// Command chi is a small chi application protected by guard. chi runs
// r.Use middleware before routing; chiguard resolves the route pattern with
// the router first, so policies on sub-router routes apply.
//
//	go run ./chi -addr 127.0.0.1:8080
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/go-chi/chi/v5"
	chiguard "github.com/guardgo/guard/adapters/chi"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/policy"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))

	internal := policy.New(policy.RequireIP([]string{"127.0.0.0/8", "10.0.0.0/8"}, nil), policy.Bypass("rate_limit"))
	engine, err := guard.New(guard.DefaultConfig(), guard.WithLogger(logger))
	if err != nil {
		logger.Error("invalid guard configuration", "err", err)
		os.Exit(2)
	}
	defer engine.Close()
	internalPolicy, err := engine.Attach(internal)
	if err != nil {
		logger.Error("invalid internal policy", "err", err)
		os.Exit(2)
	}

	r := chi.NewRouter()
	r.Use(chiguard.New(engine))
	r.Get("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "hello") })
	r.Route("/internal", func(r chi.Router) {
		r.Use(chiguard.Policy(internalPolicy)) // every route of the sub-router
		r.Get("/stats/{name}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "stats for", chi.URLParam(r, "name")) })
	})
	if err := chiguard.Verify(r, engine); err != nil {
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
