package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/guardgo/guard/core/store"
	redisstore "github.com/guardgo/guard/core/store/redis"
	"github.com/redis/go-redis/v9"
)

// hitAll runs reqs concurrently, released together, and returns the results
// in order.
func hitAll(t *testing.T, s store.Store, reqs []store.HitRequest, now time.Time) []store.HitResult {
	t.Helper()
	out := make([]store.HitResult, len(reqs))
	errs := make([]error, len(reqs))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, req := range reqs {
		wg.Go(func() {
			<-start
			out[i], errs[i] = s.Hit(context.Background(), req, now)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("hit %d: %v", i, err)
		}
	}
	return out
}

// TestRoundTripsConcurrent: concurrent Hits are batched into pipelines, yet
// every request's script is sent exactly once (no request needs a second
// round trip) and there are never more round trips than requests.
func TestRoundTripsConcurrent(t *testing.T) {
	c, h := hookedClient(t)
	s := newStore(t, c, redisstore.Options{OpTimeout: 5 * time.Second, FailClosed: true})
	const n = 64
	batched := false
	for round := 0; round < 20 && !batched; round++ {
		reqs := make([]store.HitRequest, n)
		for i := range reqs {
			reqs[i] = twoLimitsOneCounter(fmt.Sprintf("10.1.%d.%d", round, i))
		}
		h.reset()
		for i, res := range hitAll(t, s, reqs, time.Now()) {
			if !res.Allowed || res.Limits[0].Count != 1 || res.Counts[0] != 1 {
				t.Fatalf("round %d, hit %d: %+v, want the first hit of its client", round, i, res)
			}
		}
		scripts, trips := h.scripts.Load(), h.scriptTrips.Load()
		if scripts != n {
			t.Fatalf("%d Hits ran %d scripts, want one each", n, scripts)
		}
		if trips > n {
			t.Fatalf("%d Hits took %d round trips", n, trips)
		}
		h.mu.Lock()
		for _, name := range h.names {
			switch name {
			case "evalsha":
			case "hello", "client": // a new pooled connection's set-up
			default:
				t.Fatalf("Hit sent %q, want evalsha", name)
			}
		}
		h.mu.Unlock()
		batched = trips < n
		t.Logf("round %d: %d Hits in %d round trips", round, n, trips)
	}
	if !batched {
		t.Fatal("20 rounds of 64 concurrent Hits were never batched")
	}
}

// TestBatchedLimitsExact: batching keeps each request atomic and in order
// of arrival at Redis: of many concurrent requests of one client, exactly
// Max are admitted and the counter counts every one.
func TestBatchedLimitsExact(t *testing.T) {
	tests := []struct {
		name  string
		limit store.Limit
	}{
		{"exact", store.Limit{Key: "l", Max: 10, Window: time.Minute}},
		{"bucketed", store.Limit{Key: "l", Max: store.ExactMaxLimit + 1, Window: time.Hour}},
	}
	c := sharedClient(t)
	s := newStore(t, c, redisstore.Options{OpTimeout: 5 * time.Second, FailClosed: true})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := 64
			if tc.limit.Max > n {
				n = tc.limit.Max + 40
			}
			reqs := make([]store.HitRequest, n)
			for i := range reqs {
				reqs[i] = store.HitRequest{
					Client:   "10.2.0." + tc.name,
					Limits:   []store.Limit{tc.limit},
					Counters: []store.Counter{{Key: "seen", Window: time.Minute}},
				}
			}
			allowed := 0
			counts := make(map[int64]bool)
			for _, res := range hitAll(t, s, reqs, time.Now()) {
				if res.Allowed {
					allowed++
				}
				counts[res.Counts[0]] = true
			}
			if allowed != tc.limit.Max {
				t.Fatalf("%d of %d concurrent requests admitted, want %d", allowed, n, tc.limit.Max)
			}
			if len(counts) != n {
				t.Fatalf("the counter gave %d distinct values to %d requests, want all distinct", len(counts), n)
			}
		})
	}
}

// flushingHook makes the server forget its scripts just before the next
// pipeline of scripts goes out, once per arm.
type flushingHook struct {
	flusher      *redis.Client
	armed        atomic.Bool
	evalsInPipes atomic.Int64
}

func (h *flushingHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *flushingHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

func (h *flushingHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			switch cmd.Name() {
			case "evalsha":
				if h.armed.CompareAndSwap(true, false) {
					if err := h.flusher.ScriptFlush(ctx).Err(); err != nil {
						return err
					}
				}
			case "eval":
				h.evalsInPipes.Add(1)
			}
		}
		return next(ctx, cmds)
	}
}

// TestBatchedNoScript: when the server has forgotten the script as a batch
// goes out, every request of the batch still runs exactly once.
func TestBatchedNoScript(t *testing.T) {
	requireBinaries(t)
	srv := startServer(t, freePort(t, false))
	opts := &redis.Options{Addr: srv.addr(), ContextTimeoutEnabled: true}
	c, flusher := redis.NewClient(opts), redis.NewClient(opts)
	t.Cleanup(func() { c.Close(); flusher.Close() })
	h := &flushingHook{flusher: flusher}
	c.AddHook(h)
	s := newStore(t, c, redisstore.Options{OpTimeout: 5 * time.Second, FailClosed: true})
	const n = 32
	for round := range 10 {
		h.armed.Store(true)
		reqs := make([]store.HitRequest, n)
		for i := range reqs {
			reqs[i] = twoLimitsOneCounter("10.3.0.1")
		}
		seen := make(map[int64]bool)
		for _, r := range hitAll(t, s, reqs, time.Now()) {
			seen[r.Counts[0]] = true
		}
		for want := int64(round*n + 1); want <= int64(round*n+n); want++ {
			if !seen[want] {
				t.Fatalf("round %d: no request saw count %d (%v): a script ran twice or not at all", round, want, seen)
			}
		}
	}
	if h.evalsInPipes.Load() == 0 {
		t.Fatal("no batch met NOSCRIPT: the test did not test it")
	}
	if s.Down() {
		t.Fatal("NOSCRIPT marked the store down")
	}
}

// TestQueuedCallerDeadline: a call queued behind one that a hung Redis
// holds honours its caller's deadline, is not taken for an outage, and once
// given up is never sent.
func TestQueuedCallerDeadline(t *testing.T) {
	requireBinaries(t)
	srv := startServer(t, freePort(t, false))
	c := redis.NewClient(&redis.Options{Addr: srv.addr(), ContextTimeoutEnabled: true})
	t.Cleanup(func() { c.Close() })
	s := newStore(t, c, redisstore.Options{OpTimeout: 5 * time.Second, FailClosed: true})
	ctx := context.Background()
	before, err := c.DBSize(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	srv.signal(syscall.SIGSTOP)
	stopped := true
	defer func() {
		if stopped {
			srv.signal(syscall.SIGCONT)
		}
	}()
	first := make(chan error, 1)
	go func() {
		_, err := s.Hit(ctx, twoLimitsOneCounter("10.4.0.1"), time.Now())
		first <- err
	}()
	time.Sleep(100 * time.Millisecond) // the first call is in flight
	qctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = s.Hit(qctx, twoLimitsOneCounter("10.4.0.2"), start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("queued call: got %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 50*time.Millisecond+faultMargin {
		t.Fatalf("queued call took %s with a 50ms deadline", d)
	}
	srv.signal(syscall.SIGCONT)
	stopped = false
	if err := <-first; err != nil {
		t.Fatalf("the call in flight: %v", err)
	}
	if s.Down() {
		t.Fatal("a caller's deadline marked Redis down")
	}
	// The first call made 3 keys; the abandoned one must make none. A
	// further Hit flushes anything still queued.
	if _, err := s.Hit(ctx, twoLimitsOneCounter("10.4.0.1"), time.Now()); err != nil {
		t.Fatal(err)
	}
	after, err := c.DBSize(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if after != before+3 {
		t.Fatalf("%d keys made, want 3: the abandoned call was sent", after-before)
	}
}
