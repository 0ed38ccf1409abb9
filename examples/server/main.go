// Command server is guard's demo server (design §8): a small application
// protected by guard through any of the four adapters.
//
//	go run ./server -config ../testdata/configs/demo.yaml -addr 127.0.0.1:8080 -adapter nethttp
//
// It exits non-zero, printing every configuration problem, on a bad config.
// Security events go to stderr as JSON lines.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	guard "github.com/guardgo/guard/core"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	configPath := fs.String("config", "", "YAML or JSON configuration file (default: built-in defaults)")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	adapter := fs.String("adapter", "nethttp", "adapter: nethttp, gin, echo or chi")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))

	cfg := guard.DefaultConfig()
	if *configPath != "" {
		var err error
		if cfg, err = guard.LoadConfig(*configPath); err != nil {
			return err
		}
	} else if err := cfg.ApplyEnv(os.LookupEnv); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	opts, cleanup, err := collaborators(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer cleanup()
	engine, err := guard.New(cfg, append(opts, guard.WithLogger(logger))...)
	if err != nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	defer engine.Close()

	handler, err := buildHandler(*adapter, engine)
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: *addr, Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	logger.Info("guard demo server listening", "addr", *addr, "adapter", *adapter)
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}
	return nil
}
