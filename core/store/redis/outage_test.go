package redisstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestIsOutage(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer c.Close()
	// A real server reply error, when Redis is up: a wrong type is not an outage.
	ctx := context.Background()
	var wrongType error
	if err := c.Ping(ctx).Err(); err == nil {
		key := fmt.Sprintf("guardtest:isoutage:%d", time.Now().UnixNano())
		c.Set(ctx, key, "x", 0)
		wrongType = c.LPush(ctx, key, "y").Err()
		c.Del(ctx, key)
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"connection error", io.EOF, true},
		{"deadline", context.DeadlineExceeded, true},
		{"closed client", redis.ErrClosed, true},
		{"wrapped", errors.Join(errors.New("x"), io.ErrUnexpectedEOF), true},
	}
	if wrongType != nil {
		tests = append(tests, struct {
			name string
			err  error
			want bool
		}{"WRONGTYPE reply", wrongType, false})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := isOutage(tc.err); got != tc.want {
				t.Fatalf("isOutage(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
