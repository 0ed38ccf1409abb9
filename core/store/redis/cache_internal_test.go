package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/guardgo/guard/core/store"
)

// failingHGet fails HGET commands while armed, as a restarted server answers LOADING
// (or a dropped connection errors) before the store has declared an outage.
type failingHGet struct{ armed atomic.Bool }

func (h *failingHGet) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *failingHGet) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *failingHGet) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if h.armed.Load() && cmd.Name() == "hget" {
			err := errors.New("read tcp: connection reset by peer")
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}

// TestBannedFromCacheWhenRedisFails: a ban check that has to ask Redis (the
// subscription is not live yet) and cannot reach it answers from the bans the store
// already knows, not "not banned" — the window in which a restarted server is still
// loading its data.
func TestBannedFromCacheWhenRedisFails(t *testing.T) {
	const addr = "127.0.0.1:6379" // as the external tests' sharedAddr
	hook := &failingHGet{}
	c := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
	defer c.Close()
	ctx := context.Background()
	if err := c.Ping(ctx).Err(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis on %s unreachable: %v", addr, err)
		}
		t.Skipf("Redis on %s unreachable: %v", addr, err)
	}
	c.AddHook(hook)
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "guardtest:" + hex.EncodeToString(b[:]) + ":"
	s, err := New(ctx, c, Options{Prefix: prefix, ProbeInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		s.Close()
		c.Del(context.Background(), s.bansKey, s.seqKey)
	}()
	if err := s.Ban(ctx, store.Ban{Client: "c", Until: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	s.subscribed.Store(false) // as between a recovery and the reload that follows it
	hook.armed.Store(true)
	_, ok, err := s.Banned(ctx, "c", time.Now())
	if err != nil || !ok {
		t.Fatalf("Banned while Redis fails = %v, %v; want the known ban", ok, err)
	}
	if _, ok, _ := s.Banned(ctx, "other", time.Now()); ok {
		t.Fatal("a client never banned is banned")
	}
}
