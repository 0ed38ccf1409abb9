package redisstore

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// maxInFlight is how many Hit round trips a batcher lets run at once. A
// call that finds a free slot is sent at once, on its own; calls arriving
// while every slot is busy are queued and sent together, as one pipeline,
// when a slot frees. One measured best on loopback (bench
// BenchmarkHTTPThroughput, 2 cores shared with Redis): the fewest round
// trips, hence the least CPU spent in syscalls by Redis and by the client.
const maxInFlight = 1

// errDown fails the queued calls of a store that went down while they
// waited.
var errDown = errors.New("redisstore: redis went down while the call was queued")

// hitCall is one queued Hit: the script's keys and arguments, and once sent
// its reply.
type hitCall struct {
	ctx   context.Context // the caller's
	start time.Time       // when the call was queued
	keys  []string
	args  []any
	cmd   *redis.Cmd
	done  chan struct{} // closed when cmd holds the reply
}

// batcher coalesces concurrent Hit calls on a single-server client into
// pipelines: each pipeline is one round trip for every request in it, so
// "one round trip per request" still holds while Redis sees far fewer
// network reads and writes under load. An idle store adds no latency: a lone
// call goes out immediately.
type batcher struct {
	s        *Store
	mu       sync.Mutex
	inFlight int
	queue    []*hitCall
}

// admit takes an in-flight slot and returns nil if one is free; otherwise
// it queues a call for keys and args and returns it.
func (b *batcher) admit(ctx context.Context, keys []string, args []any) *hitCall {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.inFlight < maxInFlight {
		b.inFlight++
		return nil
	}
	c := &hitCall{ctx: ctx, start: time.Now(), keys: keys, args: args, done: make(chan struct{})}
	b.queue = append(b.queue, c)
	return c
}

// take returns the queued calls, or nil after giving the slot back.
func (b *batcher) take() []*hitCall {
	b.mu.Lock()
	defer b.mu.Unlock()
	q := b.queue
	if len(q) == 0 {
		b.inFlight--
		return nil
	}
	b.queue = nil
	return q
}

// release is called by the holder of a slot when its round trip is over:
// queued calls, if any, are sent on the same slot by a new goroutine (so
// the caller returns at once), else the slot is freed.
func (b *batcher) release() {
	if q := b.take(); q != nil {
		go b.run(q)
	}
}

// run sends batches until the queue is empty, then frees the slot.
func (b *batcher) run(q []*hitCall) {
	for q != nil {
		b.send(q)
		q = b.take()
	}
}

// send runs every call of q in one pipeline of EVALSHAs (EVALs for any the
// server no longer knows, in a second pipeline, as Script.Run does), and
// wakes the callers. The round trip carries the values of the first call's
// context, is not cancelled by any caller (each caller stops waiting on
// its own context instead), and ends OpTimeout after the oldest call was
// queued, so no call waits on Redis longer than a lone call would.
func (b *batcher) send(q []*hitCall) {
	ctx, cancel := context.WithDeadline(context.WithoutCancel(q[0].ctx), q[0].start.Add(b.s.opTimeout))
	defer cancel()
	if b.s.down.Load() { // an earlier round trip found Redis gone: fail fast
		for _, c := range q {
			c.cmd = redis.NewCmd(ctx)
			c.cmd.SetErr(errDown)
			close(c.done)
		}
		return
	}
	// A caller that gave up while queued is not sent: its request is not
	// counted, as a lone call with a done context is not.
	live := q[:0:0]
	for _, c := range q {
		if err := c.ctx.Err(); err != nil {
			c.cmd = redis.NewCmd(ctx)
			c.cmd.SetErr(err)
			close(c.done)
			continue
		}
		live = append(live, c)
	}
	if q = live; len(q) == 0 {
		return
	}
	sc := b.s.sc.hit
	_, _ = b.s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, c := range q {
			c.cmd = sc.EvalSha(ctx, p, c.keys, c.args...)
		}
		return nil
	})
	var again []*hitCall
	for _, c := range q {
		if err := c.cmd.Err(); err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
			again = append(again, c)
		}
	}
	if again != nil {
		_, _ = b.s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, c := range again {
				c.cmd = sc.Eval(ctx, p, c.keys, c.args...)
			}
			return nil
		})
	}
	for _, c := range q {
		close(c.done)
	}
}

// runHit sends the script for one Hit, batched with concurrent calls when
// the store batches, and returns its reply.
func (s *Store) runHit(ctx context.Context, keys []string, args []any) ([]int64, error) {
	b := s.batch
	var c *hitCall
	if b != nil {
		c = b.admit(ctx, keys, args)
	}
	if c == nil {
		rctx, cancel := context.WithTimeout(ctx, s.opTimeout)
		v, err := s.sc.hit.Run(rctx, s.c, keys, args...).Int64Slice()
		cancel()
		if b != nil {
			b.release()
		}
		return v, err
	}
	select {
	case <-c.done:
		return c.cmd.Int64Slice()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
