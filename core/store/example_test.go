package store_test

import (
	"context"
	"fmt"
	"time"

	"github.com/guardgo/guard/core/store"
)

func ExampleMemory_Hit() {
	s := store.NewMemory(store.MemoryOptions{})
	defer s.Close()
	ctx := context.Background()
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	req := store.HitRequest{
		Client: "203.0.113.7",
		Limits: []store.Limit{
			{Key: "global", Max: 3, Window: time.Minute},
			{Key: "ep:/login", Max: 2, Window: 10 * time.Second},
		},
	}
	for i := range 3 {
		res, _ := s.Hit(ctx, req, now.Add(time.Duration(i)*time.Second))
		fmt.Println(res.Allowed, res.Limits[1].Count, res.Limits[1].RetryAfter)
	}
	// Output:
	// true 1 0s
	// true 2 0s
	// false 2 8s
}
