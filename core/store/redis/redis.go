// Package redisstore is a store.Store over Redis (github.com/redis/go-redis/v9),
// shared by every engine that points at the same Redis and prefix. It lives in
// its own module so that go-redis stays out of the core's dependencies.
//
// It works with any redis.UniversalClient: a single server, Sentinel or a
// Cluster. It needs Redis 7.0 or later.
//
// # Hot path
//
// Hit is one round trip: one Lua script (loaded once, run by EVALSHA,
// reloaded transparently after NOSCRIPT) applies every limit of the request
// all-or-nothing and every counter, atomically. A client's keys carry the
// hash tag {c:<client>} so they share a Cluster slot; every counting key has a
// TTL; no request ever runs KEYS or SCAN. Limits and counters have exactly the
// semantics of the in-memory store (see package store): exact sliding windows
// (a list of timestamps per key) up to store.ExactMaxLimit, the same
// bucketed approximation above, the same exact capped counters (a list of at
// most Cap timestamps per key, see store.Counter.Cap) and the same
// approximate sliding-window counters (a small hash per key).
//
// Over a single-server client (not a Cluster) concurrent Hits are batched:
// a call that finds no other Hit in flight is sent at once, and the calls
// arriving while one is in flight are sent together, as one pipeline of
// EVALSHAs, as soon as it completes. Each request still costs at most one
// round trip (a pipeline is one for every request in it), each script still
// runs atomically, and an idle store adds no latency.
//
// # Bans
//
// Bans live in one Redis hash (operator listing reads it; its TTL follows the
// latest ban, and ended bans are pruned on each reload) and every change is
// published on a channel. Each Store keeps a local cache of the bans fed by
// that subscription: Banned never reads Redis while the subscription is up,
// and a ban made through one instance is seen by the others within a few
// milliseconds. On every (re)subscription, and when no event has arrived for
// Options.BanCacheTTL, the cache is reloaded from the hash. Every ban change
// takes the next number of a sequence key (same Cluster slot as the hash) and
// its event carries it: an instance applies a change only if it is newer than
// the last one it applied for that client, so the event of its own ban arriving
// after its own unban cannot bring the ban back.
//
// # Failure
//
// When Redis fails (connection errors, timeouts, a Cluster that is down or
// loading) the store logs once, marks itself down and probes Redis in the
// background until it answers, then logs the recovery and resumes. While
// down, a fail-open store (the default) serves every call from its fallback
// in-memory store — limits are then per instance — and a fail-closed store
// returns errors wrapping store.ErrUnavailable without waiting on Redis.
// Every call is bounded by Options.OpTimeout. Errors Redis reports about a
// command itself (a wrong key type, a script error) are returned as they
// are, never masked by the fallback.
//
// Bans made while down are kept in the fallback and still enforced by this
// instance after recovery (until they end or are lifted), but are not
// written back to Redis. The custom-pattern hash has no TTL: it is operator
// data, not request state.
package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/guardgo/guard/core/store"
	"github.com/redis/go-redis/v9"
)

// Defaults of Options.
const (
	// DefaultPrefix is the default Options.Prefix (config redis_prefix).
	DefaultPrefix = "guard:"
	// DefaultOpTimeout is the default bound on every Redis call.
	DefaultOpTimeout = 250 * time.Millisecond
	// DefaultBanCacheTTL is the default period of full ban-cache reloads.
	DefaultBanCacheTTL = time.Minute
	// DefaultProbeInterval is the default period of health probes during
	// an outage.
	DefaultProbeInterval = 250 * time.Millisecond
)

// Options configures a Store. The zero value is valid: prefix "guard:",
// fail-open onto a new in-memory store, no logging, 250 ms per operation.
type Options struct {
	// Prefix starts every key and the ban channel (config redis_prefix).
	// It must not contain '{' or '}'. Default DefaultPrefix.
	Prefix string
	// FailClosed makes calls fail with store.ErrUnavailable while Redis is
	// unreachable, instead of being served by Fallback (config
	// redis_fail_open: false).
	FailClosed bool
	// Fallback serves calls while Redis is unreachable and the store fails
	// open. Default: a new store.Memory, closed by Close. A caller-provided
	// fallback is not closed.
	Fallback store.Store
	// Logger receives one warning per outage and one notice per recovery.
	// Default: discard.
	Logger *slog.Logger
	// OpTimeout bounds every call to Redis. Default DefaultOpTimeout. For
	// a client given to New it only bounds calls if the client has
	// ContextTimeoutEnabled (Open sets it); otherwise the client's
	// ReadTimeout does.
	OpTimeout time.Duration
	// BanCacheTTL is how long the local ban cache goes without a reload
	// while no ban event arrives. Default DefaultBanCacheTTL.
	BanCacheTTL time.Duration
	// ProbeInterval is how often a store that is down pings Redis.
	// Default DefaultProbeInterval.
	ProbeInterval time.Duration
}

// Store is a store.Store over Redis. It is safe for concurrent use.
type Store struct {
	c            redis.UniversalClient
	ownsClient   bool
	fallback     store.Store
	ownsFallback bool
	failClosed   bool
	log          *slog.Logger
	opTimeout    time.Duration
	banTTL       time.Duration
	probeEvery   time.Duration
	sc           scripts
	batch        *batcher // nil: no batching (a Cluster or other client)

	prefix, bansKey, patternsKey, channel string
	// seqKey numbers ban changes. Its hash tag is bansKey's whole name, so both
	// share a Cluster slot; it starts with the prefix like every other key. It
	// expires 30 days after the last ban change (see banSrc).
	seqKey string

	down         atomic.Bool // Redis is considered unreachable
	usedFallback atomic.Bool // the fallback holds bans

	cacheMu sync.RWMutex
	cache   map[string]store.Ban
	// marks holds, per client, the sequence number of the last ban change
	// applied to cache and when: an event published before a later local change
	// (our own ban's event arriving after our unban) is stale and ignored.
	marks      map[string]seqMark
	subscribed atomic.Bool // cache is fed by a live subscription
	ready      chan struct{}
	readyOnce  sync.Once
	psMu       sync.Mutex
	ps         *redis.PubSub

	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
}

var _ store.Store = (*Store)(nil)

// Open connects to redisURL (redis:// or rediss://, config redis_url) and
// returns a Store that owns the client and closes it on Close. The client
// honours context deadlines, so OpTimeout bounds every call.
func Open(ctx context.Context, redisURL string, opts Options) (*Store, error) {
	ro, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("redisstore: redis_url: %w", err)
	}
	ro.ContextTimeoutEnabled = true
	return newStore(ctx, redis.NewClient(ro), opts, true)
}

// New returns a Store over client, which the caller keeps and closes after
// the Store. Enable ContextTimeoutEnabled on the client so that OpTimeout
// bounds every call.
//
// If Redis cannot be reached, the store starts down and connects as soon as
// Redis answers: a fail-open store serves from its fallback meanwhile, a
// fail-closed store answers every call with an error wrapping
// store.ErrUnavailable (so a server configured to fail closed starts, refuses
// requests while Redis is away, and recovers by itself). Only a cancelled
// ctx makes New fail.
func New(ctx context.Context, client redis.UniversalClient, opts Options) (*Store, error) {
	return newStore(ctx, client, opts, false)
}

func newStore(ctx context.Context, client redis.UniversalClient, opts Options, owns bool) (*Store, error) {
	if client == nil {
		return nil, errors.New("redisstore: nil client")
	}
	prefix := opts.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if strings.ContainsAny(prefix, "{}") {
		if owns {
			_ = client.Close()
		}
		return nil, fmt.Errorf("redisstore: redis_prefix %q: must not contain '{' or '}'", prefix)
	}
	s := &Store{
		c:           client,
		ownsClient:  owns,
		fallback:    opts.Fallback,
		failClosed:  opts.FailClosed,
		log:         opts.Logger,
		opTimeout:   positive(opts.OpTimeout, DefaultOpTimeout),
		banTTL:      positive(opts.BanCacheTTL, DefaultBanCacheTTL),
		probeEvery:  positive(opts.ProbeInterval, DefaultProbeInterval),
		sc:          newScripts(),
		prefix:      prefix,
		bansKey:     prefix + "bans",
		patternsKey: prefix + "patterns",
		channel:     prefix + "bans:events",
		seqKey:      prefix + "bans:seq{" + prefix + "bans}",
		cache:       make(map[string]store.Ban),
		marks:       make(map[string]seqMark),
		ready:       make(chan struct{}),
	}
	if _, ok := client.(*redis.Client); ok {
		s.batch = &batcher{s: s}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.fallback == nil {
		s.fallback = store.NewMemory(store.MemoryOptions{})
		s.ownsFallback = true
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if !honoursDeadlines(client) {
		s.log.Warn("redisstore: the redis client ignores context deadlines (ContextTimeoutEnabled is off): calls are bounded by its read and write timeouts, not by OpTimeout")
	}

	pctx, cancel := context.WithTimeout(ctx, s.opTimeout)
	err := s.c.Ping(pctx).Err()
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			s.cancel()
			_ = s.closeOwned()
			return nil, fmt.Errorf("%w: redisstore: %v", store.ErrUnavailable, err)
		}
		s.markDown(err)
	} else {
		for _, sc := range s.sc.all() {
			lctx, cancel := context.WithTimeout(ctx, s.opTimeout)
			_ = sc.Load(lctx, s.c).Err() // Run falls back to EVAL if this failed
			cancel()
		}
	}
	s.wg.Add(1)
	go s.subscribeLoop()
	if err == nil { // wait (briefly) for the ban cache to be authoritative
		wctx, cancel := context.WithTimeout(ctx, 4*s.opTimeout)
		select {
		case <-s.ready:
		case <-wctx.Done():
		}
		cancel()
	}
	return s, nil
}

// honoursDeadlines reports whether go-redis applies context deadlines to the
// client's network calls.
func honoursDeadlines(c redis.UniversalClient) bool {
	switch c := c.(type) {
	case *redis.Client:
		return c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		return c.Options().ContextTimeoutEnabled
	case *redis.Ring:
		return c.Options().ContextTimeoutEnabled
	}
	return true
}

func positive(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Close stops the background goroutines and closes what the Store owns
// (the client from Open, the default fallback). It is idempotent.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.cancel()
		s.psMu.Lock()
		if s.ps != nil {
			_ = s.ps.Close()
		}
		s.psMu.Unlock()
		s.wg.Wait()
		err = s.closeOwned()
	})
	return err
}

func (s *Store) closeOwned() error {
	var errs []error
	if s.ownsFallback {
		errs = append(errs, s.fallback.Close())
	}
	if s.ownsClient {
		errs = append(errs, s.c.Close())
	}
	return errors.Join(errs...)
}

// Down reports whether the store currently considers Redis unreachable.
func (s *Store) Down() bool { return s.down.Load() }

// key names one state of client: kind is "l" (exact limit), "b<width>"
// (bucketed limit), "c" (approximate counter) or "x" (exact counter).
func (s *Store) key(client, kind, key string) string {
	return s.prefix + "{c:" + client + "}:" + kind + ":" + key
}

func validate(req store.HitRequest) error {
	for i, l := range req.Limits {
		if l.Max < 1 || l.Window < time.Millisecond {
			return fmt.Errorf("%w: limit %d (%q): max %d, window %s", store.ErrInvalid, i, l.Key, l.Max, l.Window)
		}
	}
	for i, c := range req.Counters {
		if c.Window < time.Millisecond || c.Cap < 0 {
			return fmt.Errorf("%w: counter %d (%q): window %s, cap %d", store.ErrInvalid, i, c.Key, c.Window, c.Cap)
		}
	}
	return nil
}

// bucketWidth mirrors the in-memory store: 0 for an exact limit, else the
// sub-window width in ms.
func bucketWidth(l store.Limit) int64 {
	w := l.Window.Milliseconds()
	if l.Max <= store.ExactMaxLimit && w <= 1<<31-1 {
		return 0
	}
	return max(1, (w+store.Buckets-1)/store.Buckets)
}

// Hit implements store.Store in one round trip.
func (s *Store) Hit(ctx context.Context, req store.HitRequest, now time.Time) (store.HitResult, error) {
	if err := ctx.Err(); err != nil {
		return store.HitResult{}, err
	}
	if err := validate(req); err != nil {
		return store.HitResult{}, err
	}
	if s.down.Load() {
		if s.failClosed {
			return store.HitResult{}, s.unavailable()
		}
		return s.fallback.Hit(ctx, req, now)
	}
	nl, nc := len(req.Limits), len(req.Counters)
	keys := make([]string, 0, nl+nc)
	args := make([]any, 0, 2+3*nl+3*nc)
	args = append(args, now.UnixMilli(), nl)
	for _, l := range req.Limits {
		width := bucketWidth(l)
		kind := "l"
		if width != 0 {
			// The width is part of the name: a changed window starts afresh.
			kind = "b" + strconv.FormatInt(width, 10)
		}
		keys = append(keys, s.key(req.Client, kind, l.Key))
		args = append(args, l.Max, l.Window.Milliseconds(), width)
	}
	for _, c := range req.Counters {
		kind, capN := "c", 0
		if c.Exact() {
			kind, capN = "x", c.Cap
		}
		keys = append(keys, s.key(req.Client, kind, c.Key))
		peek := 0
		if c.Peek {
			peek = 1
		}
		args = append(args, c.Window.Milliseconds(), peek, capN)
	}
	v, err := s.runHit(ctx, keys, args)
	if err != nil {
		if err = s.failed(ctx, err); s.useFallback(err) {
			return s.fallback.Hit(ctx, req, now)
		}
		return store.HitResult{}, err
	}
	if len(v) != 1+3*nl+nc {
		return store.HitResult{}, fmt.Errorf("redisstore: hit script returned %d values, want %d", len(v), 1+3*nl+nc)
	}
	res := store.NewHitResult(nl, nc)
	res.Allowed = v[0] == 1
	for i := range nl {
		res.Limits[i] = store.LimitState{
			Count:      int(v[1+3*i]),
			Exceeded:   v[2+3*i] == 1,
			RetryAfter: time.Duration(v[3+3*i]) * time.Millisecond,
		}
	}
	copy(res.Counts, v[1+3*nl:])
	return res, nil
}

// Add implements store.Store.
func (s *Store) Add(ctx context.Context, client string, c store.Counter, now time.Time) (int64, error) {
	res, err := s.Hit(ctx, store.HitRequest{Client: client, Counters: []store.Counter{c}}, now)
	if err != nil {
		return 0, err
	}
	return res.Counts[0], nil
}

// Reset implements store.Store.
func (s *Store) Reset(ctx context.Context, client, key string) error {
	return s.exec(ctx, func(ctx context.Context) error {
		// Both kinds of counter: the keys share the client's slot.
		return s.c.Del(ctx, s.key(client, "c", key), s.key(client, "x", key)).Err()
	}, func() error { return s.fallback.Reset(ctx, client, key) })
}

// banEvent is the payload published on the ban channel.
type banEvent struct {
	Op     string `json:"op"` // "ban" or "unban"
	Client string `json:"client"`
	Until  int64  `json:"until,omitempty"` // Unix ms
	Reason string `json:"reason,omitempty"`
	Seq    int64  `json:"seq,omitempty"` // set by the script (0 from older versions)
}

// seqMark is the last ban change applied to the cache for one client.
type seqMark struct {
	seq int64
	at  time.Time
}

// setCached applies one ban change to the cache unless a later one (by seq) is
// already there; b nil lifts the ban. seq 0 (unknown order: a fallback write or
// an event from an older version) always applies. The caller holds cacheMu.
func (s *Store) setCached(client string, b *store.Ban, seq int64) {
	if seq > 0 {
		if m, ok := s.marks[client]; ok && seq <= m.seq {
			return
		}
		s.marks[client] = seqMark{seq, time.Now()}
	}
	if b == nil {
		delete(s.cache, client)
	} else {
		s.cache[client] = *b
	}
}

// Ban implements store.Store. Until is kept at millisecond precision.
func (s *Store) Ban(ctx context.Context, b store.Ban) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b.Client == "" || b.Until.IsZero() {
		return fmt.Errorf("%w: ban needs a client and an expiry", store.ErrInvalid)
	}
	until := b.Until.UnixMilli()
	b.Until = time.UnixMilli(until)
	ev, err := json.Marshal(banEvent{Op: "ban", Client: b.Client, Until: until, Reason: b.Reason})
	if err != nil {
		return err
	}
	// The hash lives until the latest ban ends (by the wall clock, with a
	// margin), whatever clock the caller's times follow.
	expireAt := max(until, time.Now().UnixMilli()) + time.Hour.Milliseconds()
	var seq int64
	err = s.exec(ctx, func(ctx context.Context) error {
		var err error
		seq, err = s.sc.ban.Run(ctx, s.c, []string{s.bansKey, s.seqKey},
			b.Client, strconv.FormatInt(until, 10)+":"+b.Reason, ev, expireAt, s.channel).Int64()
		return err
	}, func() error {
		s.usedFallback.Store(true)
		return s.fallback.Ban(ctx, b)
	})
	if err == nil {
		s.cacheMu.Lock()
		s.setCached(b.Client, &b, seq)
		s.cacheMu.Unlock()
	}
	return err
}

// Unban implements store.Store. It also lifts a ban held by the fallback.
func (s *Store) Unban(ctx context.Context, client string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ev, err := json.Marshal(banEvent{Op: "unban", Client: client})
	if err != nil {
		return err
	}
	var seq int64
	err = s.exec(ctx, func(ctx context.Context) error {
		var err error
		seq, err = s.sc.unban.Run(ctx, s.c, []string{s.bansKey, s.seqKey}, client, ev, s.channel).Int64()
		return err
	}, func() error { return nil })
	if err != nil {
		return err
	}
	s.cacheMu.Lock()
	s.setCached(client, nil, seq)
	s.cacheMu.Unlock()
	return s.fallback.Unban(ctx, client)
}

// Banned implements store.Store. While the ban subscription is live it is
// answered from the local cache without any Redis call.
func (s *Store) Banned(ctx context.Context, client string, now time.Time) (store.Ban, bool, error) {
	if err := ctx.Err(); err != nil {
		return store.Ban{}, false, err
	}
	down := s.down.Load()
	if down && s.failClosed {
		return store.Ban{}, false, s.unavailable()
	}
	if s.usedFallback.Load() {
		if b, ok, err := s.fallback.Banned(ctx, client, now); err != nil || ok {
			return b, ok, err
		}
	}
	if down || s.subscribed.Load() {
		return s.cachedBan(client, now)
	}
	// Not subscribed (yet): ask Redis. If that fails (a restarted server still
	// loading its data, a blip before the outage is declared), the bans known
	// before stand: the cache keeps them.
	var val string
	fromCache := false
	err := s.exec(ctx, func(ctx context.Context) error {
		var err error
		val, err = s.c.HGet(ctx, s.bansKey, client).Result()
		if errors.Is(err, redis.Nil) {
			val, err = "", nil
		}
		return err
	}, func() error { fromCache = true; return nil })
	if err == nil && fromCache {
		return s.cachedBan(client, now)
	}
	if err != nil || val == "" {
		return store.Ban{}, false, err
	}
	b, ok := parseBan(client, val)
	if !ok || !now.Before(b.Until) {
		return store.Ban{}, false, nil
	}
	return b, true, nil
}

// cachedBan answers Banned from the local cache.
func (s *Store) cachedBan(client string, now time.Time) (store.Ban, bool, error) {
	s.cacheMu.RLock()
	b, ok := s.cache[client]
	s.cacheMu.RUnlock()
	if !ok || !now.Before(b.Until) {
		return store.Ban{}, false, nil
	}
	return b, true, nil
}

// parseBan decodes a value of the bans hash: "<until ms>:<reason>".
func parseBan(client, val string) (store.Ban, bool) {
	ms, reason, _ := strings.Cut(val, ":")
	until, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return store.Ban{}, false
	}
	return store.Ban{Client: client, Until: time.UnixMilli(until), Reason: reason}, true
}

// Bans implements store.Store: it reads the bans hash (plus, after an
// outage, the fallback's bans).
func (s *Store) Bans(ctx context.Context, now time.Time) ([]store.Ban, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var all map[string]string
	fromFallback := false
	err := s.exec(ctx, func(ctx context.Context) error {
		var err error
		all, err = s.c.HGetAll(ctx, s.bansKey).Result()
		return err
	}, func() error { fromFallback = true; return nil })
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(all))
	var out []store.Ban
	for c, v := range all {
		if b, ok := parseBan(c, v); ok && now.Before(b.Until) {
			out = append(out, b)
			seen[c] = true
		}
	}
	if fromFallback || s.usedFallback.Load() {
		fb, err := s.fallback.Bans(ctx, now)
		if err != nil {
			return nil, err
		}
		for _, b := range fb {
			if !seen[b.Client] {
				out = append(out, b)
			}
		}
	}
	slices.SortFunc(out, func(a, b store.Ban) int { return strings.Compare(a.Client, b.Client) })
	return out, nil
}

// PutPattern implements store.Store.
func (s *Store) PutPattern(ctx context.Context, id string, data []byte) error {
	return s.exec(ctx, func(ctx context.Context) error {
		return s.c.HSet(ctx, s.patternsKey, id, data).Err()
	}, func() error { return s.fallback.PutPattern(ctx, id, data) })
}

// DeletePattern implements store.Store.
func (s *Store) DeletePattern(ctx context.Context, id string) error {
	return s.exec(ctx, func(ctx context.Context) error {
		return s.c.HDel(ctx, s.patternsKey, id).Err()
	}, func() error { return s.fallback.DeletePattern(ctx, id) })
}

// Patterns implements store.Store.
func (s *Store) Patterns(ctx context.Context) (map[string][]byte, error) {
	var out map[string][]byte
	err := s.exec(ctx, func(ctx context.Context) error {
		all, err := s.c.HGetAll(ctx, s.patternsKey).Result()
		if err != nil {
			return err
		}
		out = make(map[string][]byte, len(all))
		for id, d := range all {
			out[id] = []byte(d)
		}
		return nil
	}, func() error {
		var err error
		out, err = s.fallback.Patterns(ctx)
		return err
	})
	return out, err
}
