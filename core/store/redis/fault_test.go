package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/guardgo/guard/core/store"
	redisstore "github.com/guardgo/guard/core/store/redis"
	"github.com/redis/go-redis/v9"
)

// recorder is a slog.Handler counting records by level.
type recorder struct {
	mu     sync.Mutex
	counts map[slog.Level]int
	msgs   []string
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recorder) WithGroup(string) slog.Handler            { return r }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.counts == nil {
		r.counts = map[slog.Level]int{}
	}
	r.counts[rec.Level]++
	r.msgs = append(r.msgs, rec.Message)
	return nil
}

// reset forgets what was recorded.
func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts, r.msgs = nil, nil
}

func (r *recorder) count(l slog.Level) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[l]
}

// load runs requests against s from a few goroutines until stopped,
// recording errors and the slowest call.
type load struct {
	stop    chan struct{}
	wg      sync.WaitGroup
	calls   atomic.Int64
	errs    atomic.Int64
	lastErr atomic.Value
	slowest atomic.Int64 // ns
	begin   time.Time
	mu      sync.Mutex
	worst   string // what the slowest call was, for the failure message
}

func startLoad(s store.Store, workers int, banned string) *load {
	l := &load{stop: make(chan struct{}), begin: time.Now()}
	for w := range workers {
		l.wg.Go(func() {
			ctx := context.Background()
			for i := 0; ; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				start := time.Now()
				_, err := s.Hit(ctx, twoLimitsOneCounter(fmt.Sprintf("198.51.%d.%d", w, i%200)), start)
				hitDone := time.Now()
				if err == nil {
					var ok bool
					_, ok, err = s.Banned(ctx, banned, start)
					if err == nil && !ok {
						err = errors.New("the ban made before the outage was lost")
					}
				}
				d := time.Since(start)
				l.calls.Add(1)
				for {
					old := l.slowest.Load()
					if int64(d) <= old {
						break
					}
					if l.slowest.CompareAndSwap(old, int64(d)) {
						l.mu.Lock()
						l.worst = fmt.Sprintf("started %s into the load, Hit took %s, Banned %s, down %v",
							start.Sub(l.begin), hitDone.Sub(start), time.Since(hitDone), s.(*redisstore.Store).Down())
						l.mu.Unlock()
						break
					}
				}
				if err != nil {
					l.errs.Add(1)
					l.lastErr.Store(err)
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
	return l
}

func (l *load) end() {
	close(l.stop)
	l.wg.Wait()
}

func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s", what, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

const (
	faultOpTimeout = 100 * time.Millisecond
	// faultMargin allows for scheduling on a loaded two-core machine under
	// the race detector.
	faultMargin = 400 * time.Millisecond
)

// faultStore starts a private redis-server and a Store over it.
func faultStore(t *testing.T, failClosed bool, hook redis.Hook) (*server, *redis.Client, *redisstore.Store, *recorder) {
	requireBinaries(t)
	// Persisted, as production Redis is, so the ban survives the restart.
	srv := startServer(t, freePort(t, false), "--appendonly", "yes", "--appendfsync", "always")
	c := redis.NewClient(&redis.Options{Addr: srv.addr(), ContextTimeoutEnabled: true})
	t.Cleanup(func() { c.Close() })
	c.AddHook(hook)
	rec := &recorder{}
	s := newStore(t, c, redisstore.Options{
		FailClosed:    failClosed,
		OpTimeout:     faultOpTimeout,
		ProbeInterval: 50 * time.Millisecond,
		Logger:        slog.New(rec),
	})
	// The server has just started: its first fsynced writes may outlast OpTimeout
	// on a busy machine. The setup waits for it; the faults come after.
	var err error
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err = s.Ban(context.Background(), store.Ban{Client: "banned", Until: time.Now().Add(time.Hour)}); err == nil && !s.Down() {
			break
		}
	}
	if err != nil || s.Down() {
		t.Fatalf("setup: ban on a fresh server: %v (down %v)", err, s.Down())
	}
	rec.reset()
	return srv, c, s, rec
}

// usesRedis checks that a Hit lands in Redis again.
func usesRedis(t *testing.T, c *redis.Client, s *redisstore.Store) {
	t.Helper()
	ctx := context.Background()
	before, err := c.DBSize(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Hit(ctx, twoLimitsOneCounter("192.0.2.200"), time.Now()); err != nil {
		t.Fatal(err)
	}
	after, err := c.DBSize(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if after != before+3 {
		t.Fatalf("a Hit after recovery created %d keys in Redis, want 3", after-before)
	}
}

func TestFaultFailOpen(t *testing.T) {
	tests := []struct {
		name    string
		breakIt func(*server)
		mendIt  func(*testing.T, *server)
	}{
		{"killed and restarted", func(s *server) { s.kill() }, func(t *testing.T, s *server) { s.start() }},
		{"hung and resumed", func(s *server) { s.signal(syscall.SIGSTOP) }, func(t *testing.T, s *server) { s.signal(syscall.SIGCONT) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hook := &countingHook{}
			srv, c, s, rec := faultStore(t, false, hook)
			l := startLoad(s, 4, "banned")
			time.Sleep(150 * time.Millisecond)
			if l.calls.Load() == 0 {
				t.Fatal("no load")
			}
			tc.breakIt(srv)
			waitFor(t, "store down", 2*time.Second, s.Down)
			mark := l.calls.Load()
			time.Sleep(300 * time.Millisecond)
			if l.calls.Load()-mark < 50 {
				t.Fatalf("only %d calls served during the outage", l.calls.Load()-mark)
			}
			// A ban made during the outage lands in the fallback.
			ctx := context.Background()
			if err := s.Ban(ctx, store.Ban{Client: "during", Until: time.Now().Add(time.Hour)}); err != nil {
				t.Fatalf("Ban during the outage: %v", err)
			}
			mended := time.Now()
			tc.mendIt(t, srv)
			waitFor(t, "recovery", 5*time.Second, func() bool { return !s.Down() })
			recovered := time.Now()
			// The subscription comes back and the cache is authoritative
			// again: ban checks stop reading Redis.
			waitFor(t, "ban cache authoritative", 5*time.Second, func() bool {
				hook.reset()
				_, _, err := s.Banned(ctx, "unknown", time.Now())
				return err == nil && hook.cmds.Load() == 0
			})
			t.Logf("recovered %s after the repair, ban cache authoritative %s later", recovered.Sub(mended), time.Since(recovered))
			if _, ok, err := s.Banned(ctx, "during", time.Now()); err != nil || !ok {
				t.Fatalf("the ban made during the outage is not enforced after it: %v %v", ok, err)
			}
			if err := s.Unban(ctx, "during"); err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := s.Banned(ctx, "during", time.Now()); ok {
				t.Fatal("Unban after the outage did not lift the outage's ban")
			}
			time.Sleep(100 * time.Millisecond)
			l.end()
			if n := l.errs.Load(); n > 0 {
				t.Fatalf("%d of %d calls failed while failing open; last: %v", n, l.calls.Load(), l.lastErr.Load())
			}
			if slowest := time.Duration(l.slowest.Load()); slowest > faultOpTimeout+faultMargin {
				t.Fatalf("slowest call %s, bound %s: %s", slowest, faultOpTimeout+faultMargin, l.worst)
			}
			waitFor(t, "recovery before the log check", 5*time.Second, func() bool { return !s.Down() })
			// One outage and one recovery, each logged once. A server resumed
			// from SIGSTOP first drains what its clients queued during the hang
			// (every write fsynced here), a restarted one replays its log, and an
			// operation can time out in that moment: a second, short outage is
			// then declared and logged as such. Every outage must still be logged
			// once and closed by a recovery, and the store must not flap.
			if w, i := rec.count(slog.LevelWarn), rec.count(slog.LevelInfo); w < 1 || w != i || w > 3 {
				t.Fatalf("logged %d warnings and %d notices (%v), want one of each, or up to three each closed", w, i, rec.msgs)
			}
			usesRedis(t, c, s)
			t.Logf("%d calls, slowest %s", l.calls.Load(), time.Duration(l.slowest.Load()))
		})
	}
}

func TestFaultFailClosed(t *testing.T) {
	srv, c, s, rec := faultStore(t, true, &countingHook{})
	ctx := context.Background()
	srv.kill()
	// The first call notices the outage; every call fails fast with
	// ErrUnavailable, and none is served by the fallback.
	for i := range 20 {
		start := time.Now()
		_, err := s.Hit(ctx, twoLimitsOneCounter("c"), start)
		if !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("Hit %d: got %v, want ErrUnavailable", i, err)
		}
		if _, _, err := s.Banned(ctx, "banned", start); i > 0 && !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("Banned %d: got %v, want ErrUnavailable", i, err)
		}
		if d := time.Since(start); d > faultOpTimeout+faultMargin {
			t.Fatalf("call %d took %s", i, d)
		}
	}
	if !s.Down() {
		t.Fatal("not down")
	}
	srv.start()
	waitFor(t, "recovery", 5*time.Second, func() bool { return !s.Down() })
	usesRedis(t, c, s)
	if w := rec.count(slog.LevelWarn); w != 1 {
		t.Fatalf("%d warnings, want 1", w)
	}
}

// TestCallerDeadline: a caller's deadline shorter than OpTimeout is honoured
// against a hung Redis, and the caller giving up is not taken for an outage.
func TestCallerDeadline(t *testing.T) {
	srv, _, s, _ := faultStore(t, false, &countingHook{})
	srv.signal(syscall.SIGSTOP)
	defer srv.signal(syscall.SIGCONT)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.Hit(ctx, twoLimitsOneCounter("c"), start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 20*time.Millisecond+faultMargin {
		t.Fatalf("Hit took %s with a 20ms deadline", d)
	}
	if s.Down() {
		t.Fatal("a caller's deadline marked Redis down")
	}
}
