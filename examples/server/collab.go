package main

import (
	"context"
	"log/slog"

	guard "github.com/guardgo/guard/core"
)

// collaborators builds what the configuration asks for beyond the engine
// itself: the Redis store, the country database and the cloud ranges.
func collaborators(ctx context.Context, cfg guard.Config, logger *slog.Logger) ([]guard.Option, func(), error) {
	var opts []guard.Option
	var closers []func()
	cleanup := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	return opts, cleanup, nil
}
