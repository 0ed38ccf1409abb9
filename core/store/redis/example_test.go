package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/guardgo/guard/core/store"
	redisstore "github.com/guardgo/guard/core/store/redis"
)

// Open a Store from the redis_url of a guard config; it fails open onto an
// in-memory store while Redis is unreachable.
func ExampleOpen() {
	ctx := context.Background()
	s, err := redisstore.Open(ctx, "redis://127.0.0.1:6379/0", redisstore.Options{
		Prefix: "guard:",
		Logger: slog.New(slog.NewJSONHandler(os.Stderr, nil)),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	res, err := s.Hit(ctx, store.HitRequest{
		Client: "203.0.113.7",
		Limits: []store.Limit{{Key: "global", Max: 10, Window: time.Minute}},
	}, time.Now())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Allowed, res.Limits[0].Count)
}
