// Command nethttp is a small net/http application protected by guard: the
// middleware resolves route patterns with the ServeMux (WithMux), a
// per-route policy is attached by pattern, and Verify stops start-up when a
// policy names no route.
//
//	go run ./nethttp -addr 127.0.0.1:8080
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	httpguard "github.com/guardgo/guard/adapters/nethttp"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/policy"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))

	signup := policy.New(
		policy.HoneypotDetection("website"),
		policy.RateLimit(5, time.Minute),
		policy.ContentTypeFilter("application/x-www-form-urlencoded"),
	)
	engine, err := guard.New(guard.DefaultConfig(), guard.WithLogger(logger),
		guard.WithRoutePolicy("/signup", signup, http.MethodPost))
	if err != nil {
		logger.Error("invalid guard configuration", "err", err)
		os.Exit(2)
	}
	defer engine.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "hello") })
	mux.HandleFunc("POST /signup", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		fmt.Fprintln(w, "welcome")
	})
	if err := httpguard.Verify(mux, engine); err != nil {
		logger.Error("route policies", "err", err)
		os.Exit(2)
	}
	srv := &http.Server{Addr: *addr, Handler: httpguard.New(engine, httpguard.WithMux(mux))(mux), ReadHeaderTimeout: 10 * time.Second}
	logger.Info("listening", "addr", *addr)
	if err := srv.ListenAndServe(); err != nil {
		logger.Error("server", "err", err)
		os.Exit(1)
	}
}
