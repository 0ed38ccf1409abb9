package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guardgo/guard/core/store"
	redisstore "github.com/guardgo/guard/core/store/redis"
	"github.com/guardgo/guard/core/store/storetest"
	"github.com/redis/go-redis/v9"
)

// conformanceOptions makes the suite test Redis itself: fail closed (a slow
// call on a loaded machine must not be answered silently by the fallback)
// with a generous timeout.
var conformanceOptions = redisstore.Options{FailClosed: true, OpTimeout: 5 * time.Second}

func TestConformance(t *testing.T) {
	c := sharedClient(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		return newStore(t, c, conformanceOptions)
	})
}

func TestClusterConformance(t *testing.T) {
	addrs := startCluster(t)
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, ContextTimeoutEnabled: true})
	t.Cleanup(func() { c.Close() })
	storetest.Run(t, func(t *testing.T) store.Store {
		return newStore(t, c, conformanceOptions)
	})
	t.Run("ban propagates across instances", func(t *testing.T) {
		// The second instance uses its own cluster client, so its
		// subscription may sit on another node than the publisher's.
		c2 := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs[1:], ContextTimeoutEnabled: true})
		t.Cleanup(func() { c2.Close() })
		opts := conformanceOptions
		opts.Prefix = testPrefix(t, c)
		a, b := newStore(t, c, opts), newStore(t, c2, opts)
		ctx := context.Background()
		now := time.Now()
		start := time.Now()
		if err := a.Ban(ctx, store.Ban{Client: "198.51.100.9", Until: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		for {
			_, ok, err := b.Banned(ctx, "198.51.100.9", now)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				break
			}
			if time.Since(start) > 100*time.Millisecond {
				t.Fatal("ban not seen by the other instance within 100ms")
			}
			time.Sleep(time.Millisecond)
		}
		t.Logf("ban seen after %s", time.Since(start))
	})
}

// countingHook counts the commands and pipelines a client sends (each is
// one round trip), and separately the scripts run (EVALSHA or EVAL, alone
// or pipelined) and the round trips that carried at least one of them
// (connection set-up, pipelined by go-redis, is not among those).
type countingHook struct {
	cmds, pipes          atomic.Int64
	scripts, scriptTrips atomic.Int64
	mu                   sync.Mutex
	names                []string // of every command, alone or pipelined
}

func isScript(cmd redis.Cmder) bool { return cmd.Name() == "evalsha" || cmd.Name() == "eval" }

func (h *countingHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *countingHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.cmds.Add(1)
		if isScript(cmd) {
			h.scripts.Add(1)
			h.scriptTrips.Add(1)
		}
		h.mu.Lock()
		h.names = append(h.names, cmd.Name())
		h.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (h *countingHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.pipes.Add(1)
		n := 0
		h.mu.Lock()
		for _, cmd := range cmds {
			h.names = append(h.names, cmd.Name())
			if isScript(cmd) {
				n++
			}
		}
		h.mu.Unlock()
		if n > 0 {
			h.scripts.Add(int64(n))
			h.scriptTrips.Add(1)
		}
		return next(ctx, cmds)
	}
}

func (h *countingHook) reset() {
	h.cmds.Store(0)
	h.pipes.Store(0)
	h.scripts.Store(0)
	h.scriptTrips.Store(0)
	h.mu.Lock()
	h.names = nil
	h.mu.Unlock()
}

func hookedClient(t *testing.T) (*redis.Client, *countingHook) {
	sharedClient(t) // skip or fail when Redis is unreachable
	c := redis.NewClient(&redis.Options{Addr: sharedAddr, ContextTimeoutEnabled: true})
	t.Cleanup(func() { c.Close() })
	h := &countingHook{}
	c.AddHook(h)
	return c, h
}

func twoLimitsOneCounter(client string) store.HitRequest {
	return store.HitRequest{
		Client: client,
		Limits: []store.Limit{
			{Key: "global", Max: 100, Window: time.Minute},
			{Key: "ep:/login", Max: 1000, Window: time.Hour}, // bucketed
		},
		Counters: []store.Counter{{Key: "usage:/login", Window: time.Hour}},
	}
}

func TestRoundTripsPerHit(t *testing.T) {
	c, h := hookedClient(t)
	s := newStore(t, c, redisstore.Options{OpTimeout: 5 * time.Second, FailClosed: true})
	ctx := context.Background()
	now := time.Now()
	const n = 50
	h.reset()
	for i := range n {
		res, err := s.Hit(ctx, twoLimitsOneCounter(fmt.Sprint("10.0.0.", i%5)), now)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Allowed {
			t.Fatalf("hit %d refused", i)
		}
	}
	if cmds, pipes := h.cmds.Load(), h.pipes.Load(); cmds != n || pipes != 0 {
		t.Fatalf("%d Hits sent %d commands and %d pipelines (%v), want one command each", n, cmds, pipes, h.names)
	}
	for _, name := range h.names {
		if name != "evalsha" {
			t.Fatalf("Hit sent %q, want evalsha", name)
		}
	}
	if err := s.Ban(ctx, store.Ban{Client: "10.0.0.1", Until: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	h.reset()
	for i := range n {
		if _, ok, err := s.Banned(ctx, fmt.Sprint("10.0.0.", i%5), now); err != nil || ok != (i%5 == 1) {
			t.Fatalf("Banned(10.0.0.%d): %v %v", i%5, ok, err)
		}
	}
	if cmds := h.cmds.Load(); cmds != 0 {
		t.Fatalf("%d Banned calls sent %d commands (%v), want none", n, cmds, h.names)
	}
}

func TestKeysHaveTTLAndShareTag(t *testing.T) {
	c := sharedClient(t)
	prefix := testPrefix(t, c)
	s := newStore(t, c, redisstore.Options{Prefix: prefix, FailClosed: true, OpTimeout: 5 * time.Second})
	ctx := context.Background()
	now := time.Now()
	req := twoLimitsOneCounter("192.0.2.7")
	// An exact counter under the same key name is a separate Redis key.
	req.Counters = append(req.Counters, store.Counter{Key: "usage:/login", Window: time.Hour, Cap: 11})
	if _, err := s.Hit(ctx, req, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Ban(ctx, store.Ban{Client: "192.0.2.7", Until: now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	keys, err := c.Keys(ctx, prefix+"*").Result() // test only: never on the request path
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 6 {
		t.Fatalf("keys %v, want 4 client keys, the bans hash and its sequence key", keys)
	}
	for _, k := range keys {
		ttl, err := c.PTTL(ctx, k).Result()
		if err != nil || ttl <= 0 {
			t.Errorf("key %s: TTL %v %v", k, ttl, err)
		}
		if k != prefix+"bans" && k != prefix+"bans:seq{"+prefix+"bans}" && !strings.HasPrefix(k, prefix+"{c:192.0.2.7}:") {
			t.Errorf("key %s does not carry the client's hash tag", k)
		}
	}
}

func TestSharedRedis(t *testing.T) {
	c := sharedClient(t)
	c2, h2 := hookedClient(t)
	prefix := testPrefix(t, c)
	opts := redisstore.Options{Prefix: prefix, FailClosed: true, OpTimeout: 5 * time.Second}
	a, b := newStore(t, c, opts), newStore(t, c2, opts)
	ctx := context.Background()
	now := time.Now()

	t.Run("limit split across instances", func(t *testing.T) {
		l := store.Limit{Key: "global", Max: 10, Window: time.Minute}
		admitted := 0
		for i := range 30 {
			s := a
			if i%2 == 1 {
				s = b
			}
			res, err := s.Hit(ctx, store.HitRequest{Client: "203.0.113.1", Limits: []store.Limit{l}}, now.Add(time.Duration(i)*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			if res.Allowed {
				admitted++
			}
		}
		if admitted != 10 {
			t.Fatalf("two instances admitted %d, want 10", admitted)
		}
	})
	t.Run("counters shared", func(t *testing.T) {
		k := store.Counter{Key: "404", Window: time.Minute}
		if _, err := a.Add(ctx, "203.0.113.2", k, now); err != nil {
			t.Fatal(err)
		}
		if n, err := b.Add(ctx, "203.0.113.2", k, now); err != nil || n != 2 {
			t.Fatalf("second instance counted %d %v, want 2", n, err)
		}
	})
	t.Run("ban and unban propagate within 100ms", func(t *testing.T) {
		propagate := func(t *testing.T, from, to *redisstore.Store, banned bool) time.Duration {
			t.Helper()
			start := time.Now()
			var err error
			if banned {
				err = from.Ban(ctx, store.Ban{Client: "203.0.113.3", Until: now.Add(time.Hour), Reason: "test"})
			} else {
				err = from.Unban(ctx, "203.0.113.3")
			}
			if err != nil {
				t.Fatal(err)
			}
			for {
				_, ok, err := to.Banned(ctx, "203.0.113.3", now)
				if err != nil {
					t.Fatal(err)
				}
				if ok == banned {
					return time.Since(start)
				}
				if time.Since(start) > time.Second {
					t.Fatalf("ban=%v not seen by the other instance after 1s", banned)
				}
				time.Sleep(time.Millisecond)
			}
		}
		h2.reset()
		d := propagate(t, a, b, true)
		if cmds := h2.cmds.Load(); cmds != 0 {
			t.Fatalf("the other instance read Redis %d times (%v) while polling its cache", cmds, h2.names)
		}
		if d > 100*time.Millisecond {
			t.Fatalf("ban seen after %s", d)
		}
		d2 := propagate(t, b, a, false)
		if d2 > 100*time.Millisecond {
			t.Fatalf("unban seen after %s", d2)
		}
		t.Logf("ban seen by the other instance after %s, unban after %s", d, d2)
	})
	t.Run("patterns shared", func(t *testing.T) {
		if err := a.PutPattern(ctx, "p", []byte("x")); err != nil {
			t.Fatal(err)
		}
		got, err := b.Patterns(ctx)
		if err != nil || string(got["p"]) != "x" {
			t.Fatalf("Patterns from the other instance: %q %v", got, err)
		}
	})
	t.Run("late instance loads existing bans", func(t *testing.T) {
		if err := a.Ban(ctx, store.Ban{Client: "203.0.113.4", Until: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		late := newStore(t, c, opts)
		if _, ok, err := late.Banned(ctx, "203.0.113.4", now); err != nil || !ok {
			t.Fatalf("a store created after the ban does not see it: %v %v", ok, err)
		}
	})
}

func TestOpen(t *testing.T) {
	c := sharedClient(t)
	ctx := context.Background()
	t.Run("url", func(t *testing.T) {
		s, err := redisstore.Open(ctx, "redis://"+sharedAddr+"/0", redisstore.Options{Prefix: testPrefix(t, c)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Add(ctx, "c", store.Counter{Key: "k", Window: time.Minute}, time.Now()); err != nil {
			t.Fatal(err)
		}
		if s.Down() {
			t.Fatal("store down")
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal("second Close:", err)
		}
	})
	t.Run("bad url", func(t *testing.T) {
		if _, err := redisstore.Open(ctx, "http://nope", redisstore.Options{}); err == nil {
			t.Fatal("no error for a bad URL")
		}
	})
	t.Run("bad prefix", func(t *testing.T) {
		if _, err := redisstore.New(ctx, c, redisstore.Options{Prefix: "a{b}"}); err == nil {
			t.Fatal("no error for a prefix with braces")
		}
	})
	unreachable := fmt.Sprintf("redis://127.0.0.1:%d", freePort(t, false))
	t.Run("unreachable fail closed", func(t *testing.T) {
		s, err := redisstore.Open(ctx, unreachable, redisstore.Options{FailClosed: true})
		if err != nil {
			t.Fatalf("a fail-closed store must start (down): %v", err)
		}
		defer s.Close()
		if !s.Down() {
			t.Fatal("not down")
		}
		if _, err := s.Hit(ctx, twoLimitsOneCounter("c"), time.Now()); !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("got %v, want ErrUnavailable", err)
		}
	})
	t.Run("unreachable fail open", func(t *testing.T) {
		s, err := redisstore.Open(ctx, unreachable, redisstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if !s.Down() {
			t.Fatal("not down")
		}
		res, err := s.Hit(ctx, twoLimitsOneCounter("c"), time.Now())
		if err != nil || !res.Allowed {
			t.Fatalf("fallback Hit: %+v %v", res, err)
		}
	})
}
