package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	guard "github.com/guardgo/guard/core"
	redisstore "github.com/guardgo/guard/core/store/redis"
	"github.com/redis/go-redis/v9"
)

// redisURL is the Redis every Redis benchmark uses (loopback).
const redisURL = "redis://127.0.0.1:6379/0"

// roundTrips is a go-redis hook counting commands and pipelines sent to
// Redis: each is one network round trip. n counts all of them; marked only
// those made under a context from withTripMark (a request's), so that the
// store's background work (ban-cache reloads) is told apart.
type roundTrips struct{ n, marked atomic.Int64 }

type tripMark struct{}

// withTripMark marks ctx so that round trips made under it are counted in
// roundTrips.marked.
func withTripMark(ctx context.Context) context.Context {
	return context.WithValue(ctx, tripMark{}, true)
}

func (rt *roundTrips) count(ctx context.Context) {
	rt.n.Add(1)
	if ctx.Value(tripMark{}) != nil {
		rt.marked.Add(1)
	}
}

var _ redis.Hook = (*roundTrips)(nil)

func (rt *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (rt *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		rt.count(ctx)
		return next(ctx, cmd)
	}
}

func (rt *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		rt.count(ctx)
		return next(ctx, cmds)
	}
}

// redisFixture is a guard Redis store under a random key prefix, over a
// client whose round trips are counted. Its keys are deleted on cleanup.
type redisFixture struct {
	store *redisstore.Store
	trips *roundTrips
}

// openRedis connects to redisURL. Without a Redis there, it fails the test
// when CI=true and skips it otherwise.
func openRedis(tb testing.TB) *redisFixture {
	tb.Helper()
	opts, err := redis.ParseURL(redisURL)
	must(tb, err)
	opts.ContextTimeoutEnabled = true
	opts.PoolSize = 64
	client := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		if os.Getenv("CI") == "true" {
			tb.Fatalf("redis at %s: %v", redisURL, err)
		}
		tb.Skipf("no redis at %s: %v", redisURL, err)
	}
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	prefix := "guardbench:" + hex.EncodeToString(rnd[:]) + ":"
	s, err := redisstore.New(ctx, client, redisstore.Options{Prefix: prefix, FailClosed: true})
	must(tb, err)
	tb.Cleanup(func() {
		_ = s.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		for len(keys) > 0 {
			n := min(len(keys), 1000)
			if err := client.Unlink(ctx, keys[:n]...).Err(); err != nil {
				tb.Errorf("cleaning up %s*: %v", prefix, err)
				break
			}
			keys = keys[n:]
		}
		if err := iter.Err(); err != nil {
			tb.Errorf("cleaning up %s*: %v", prefix, err)
		}
		_ = client.Close()
	})
	trips := &roundTrips{}
	client.AddHook(trips)
	return &redisFixture{store: s, trips: trips}
}

// TestRedisOneRoundTrip checks the design's "one round trip per request"
// for a clean request through guard with the Redis store (bans come from
// the local cache; the rate limit is one script call).
func TestRedisOneRoundTrip(t *testing.T) {
	fx := openRedis(t)
	h := guardMiddleware(newEngine(t, benchConfig(), guard.WithStore(fx.store), guard.WithClock(advancingClock())), okHandler)
	r := newGET(cleanQuery)
	r = r.WithContext(withTripMark(r.Context()))
	w := newDiscardWriter()
	for i := range 20 {
		before := fx.trips.marked.Load()
		w.reset()
		h.ServeHTTP(w, r)
		if w.status != http.StatusOK {
			t.Fatalf("request %d: status %d, want 200", i, w.status)
		}
		if got := fx.trips.marked.Load() - before; got != 1 {
			t.Errorf("request %d: %d Redis round trips, want 1", i, got)
		}
	}
}

// BenchmarkStore compares guard with the in-memory store and with the Redis
// store on loopback, per request, on the clean GET (one client; the engine
// clock advances one second per reading so the limit never refuses).
func BenchmarkStore(b *testing.B) {
	cases := []struct {
		name  string
		redis bool
	}{{"memory", false}, {"redis", true}}
	for _, tc := range cases {
		b.Run("GET/"+tc.name, func(b *testing.B) {
			opts := []guard.Option{guard.WithClock(advancingClock())}
			var fx *redisFixture
			if tc.redis {
				fx = openRedis(b)
				opts = append(opts, guard.WithStore(fx.store))
			}
			h := guardMiddleware(newEngine(b, benchConfig(), opts...), okHandler)
			r := newGET(cleanQuery)
			r = r.WithContext(withTripMark(r.Context()))
			w := newDiscardWriter()
			var trips0 int64
			if fx != nil {
				trips0 = fx.trips.marked.Load()
			}
			b.ReportAllocs()
			for b.Loop() {
				w.reset()
				h.ServeHTTP(w, r)
			}
			if w.status != http.StatusOK {
				b.Fatalf("status %d, want 200", w.status)
			}
			if fx != nil {
				b.ReportMetric(float64(fx.trips.marked.Load()-trips0)/float64(b.N), "redis_trips/op")
			}
		})
	}
}

// Throughput test parameters.
const (
	// throughputClients is the number of concurrent keep-alive clients.
	throughputClients = 32
	// throughputRound is how long each store is driven per round; a
	// benchmark iteration is one round of each, interleaved.
	throughputRound = 2 * time.Second
	// throughputIPs distinct client addresses are sent in X-Forwarded-For,
	// round robin: fewer than throughputLimit requests per address per
	// minute at any rate this machine reaches.
	throughputIPs   = 1 << 14
	throughputLimit = 500
)

// throughputServer starts guard behind a real HTTP server on loopback.
// The engine trusts X-Forwarded-For from 127.0.0.1 and uses the wall clock.
func throughputServer(tb testing.TB, opts ...guard.Option) string {
	tb.Helper()
	cfg := benchConfig()
	cfg.TrustedProxies = []string{"127.0.0.1"}
	cfg.RateLimit = throughputLimit
	e := newEngine(tb, cfg, opts...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(tb, err)
	srv := &http.Server{Handler: guardMiddleware(e, okHandler), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return "http://" + ln.Addr().String()
}

// drive sends the clean GET to base from throughputClients keep-alive
// clients for d, each request from the next of throughputIPs addresses.
// It returns the number of 200 responses and of anything else.
func drive(tb testing.TB, client *http.Client, base string, d time.Duration, seq *atomic.Uint64) (ok, other int64) {
	tb.Helper()
	url := base + getRoute + "?" + cleanQuery
	deadline := time.Now().Add(d)
	var okN, otherN atomic.Int64
	errc := make(chan error, throughputClients)
	for range throughputClients {
		go func() {
			var err error
			defer func() { errc <- err }()
			for time.Now().Before(deadline) {
				var req *http.Request
				req, err = http.NewRequest(http.MethodGet, url, nil)
				if err != nil {
					return
				}
				for _, kv := range browserHeaders {
					req.Header.Set(kv[0], kv[1])
				}
				i := seq.Add(1) % throughputIPs
				req.Header.Set("X-Forwarded-For", ipv4(10<<24|uint32(i)))
				var resp *http.Response
				resp, err = client.Do(req)
				if err != nil {
					return
				}
				var buf [64]byte
				for {
					if _, rerr := resp.Body.Read(buf[:]); rerr != nil {
						break
					}
				}
				_ = resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					okN.Add(1)
				} else {
					otherN.Add(1)
				}
			}
		}()
	}
	for range throughputClients {
		if err := <-errc; err != nil {
			tb.Fatal(err)
		}
	}
	return okN.Load(), otherN.Load()
}

func ipv4(v uint32) string {
	return net.IPv4(byte(v>>24), byte(v>>16), byte(v>>8), byte(v)).String()
}

// BenchmarkHTTPThroughput measures requests per second over real HTTP on
// loopback with guard on the in-memory store and on the Redis store,
// driven by throughputClients concurrent keep-alive clients with many
// distinct client addresses (X-Forwarded-For from a trusted 127.0.0.1).
// Each iteration runs one throughputRound per store, interleaved so that
// machine noise hits both alike; run it with -benchtime=Nx for N rounds.
// Clients, servers and Redis share this machine's cores, so the absolute
// numbers are a floor; the ratio is what the design targets (≥ 60 %).
func BenchmarkHTTPThroughput(b *testing.B) {
	fx := openRedis(b)
	memURL := throughputServer(b)
	redisURL := throughputServer(b, guard.WithStore(fx.store))
	tr := &http.Transport{MaxIdleConns: 2 * throughputClients, MaxIdleConnsPerHost: 2 * throughputClients, IdleConnTimeout: time.Minute}
	b.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var seq atomic.Uint64
	// Warm up: open the connections and load the script.
	drive(b, client, memURL, 200*time.Millisecond, &seq)
	drive(b, client, redisURL, 200*time.Millisecond, &seq)

	var memOK, redisOK, bad int64
	var memTime, redisTime time.Duration
	var trips int64
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		ok, other := drive(b, client, memURL, throughputRound, &seq)
		memTime += time.Since(start)
		memOK += ok
		bad += other

		t0 := fx.trips.n.Load()
		start = time.Now()
		ok, other = drive(b, client, redisURL, throughputRound, &seq)
		redisTime += time.Since(start)
		trips += fx.trips.n.Load() - t0
		redisOK += ok
		bad += other
	}
	if bad != 0 {
		b.Fatalf("%d responses were not 200 (a refused request would skew the comparison)", bad)
	}
	memRPS := float64(memOK) / memTime.Seconds()
	redisRPS := float64(redisOK) / redisTime.Seconds()
	b.ReportMetric(memRPS, "mem_req/s")
	b.ReportMetric(redisRPS, "redis_req/s")
	b.ReportMetric(100*redisRPS/memRPS, "redis/mem_%")
	b.ReportMetric(float64(trips)/float64(redisOK), "redis_trips/req")
}
