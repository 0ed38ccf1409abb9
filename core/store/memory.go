package store

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// Default sizes of the in-memory store.
const (
	// DefaultShards is the default number of shards of a Memory store.
	DefaultShards = 64
	// DefaultMaxKeys is the default cap on tracked (client, key) states —
	// rate-limit windows plus counters — of a Memory store. With the default
	// rate limit (10 per 60 s, one state per client) that is about a million
	// clients in well under 200 MB.
	DefaultMaxKeys = 1 << 20
	// DefaultMaxBans is the default cap on bans held by a Memory store.
	DefaultMaxBans = 1 << 20
	// DefaultSweepInterval is how often the janitor reclaims expired state.
	DefaultSweepInterval = time.Minute

	// evictionSamples is how many entries eviction looks at to choose one.
	evictionSamples = 5
)

// ErrInvalid is returned (wrapped) for a request a store cannot apply: a
// limit with Max < 1, a window shorter than a millisecond, a ban without an
// expiry or without a client.
var ErrInvalid = errors.New("store: invalid argument")

// MemoryOptions configures NewMemory. The zero value gives the defaults.
type MemoryOptions struct {
	// Shards is the number of independently locked shards, rounded up to a
	// power of two. Default DefaultShards.
	Shards int
	// MaxKeys caps the tracked (client, key) states: rate-limit windows and
	// counters together. When a shard is full, a new key evicts the sampled
	// entry that expires first (expired entries go first), an approximate
	// LRU. Default DefaultMaxKeys.
	MaxKeys int
	// MaxBans caps the bans held. When full, a new ban evicts the sampled
	// ban that ends first. Default DefaultMaxBans.
	MaxBans int
	// SweepInterval is how often a janitor goroutine reclaims expired
	// entries (they are also reset lazily on access). Default
	// DefaultSweepInterval; a negative value disables the janitor. The
	// janitor never reads the wall clock: an entry is expired relative to
	// the latest time its shard has been called with.
	SweepInterval time.Duration
}

// MemoryStats is a snapshot of what a Memory store holds.
type MemoryStats struct {
	// Keys is the number of tracked (client, key) states.
	Keys int
	// Bans is the number of bans held, including expired ones not yet
	// reclaimed.
	Bans int
	// Evictions counts states and bans evicted because a cap was reached.
	Evictions int64
}

// Memory is the in-memory Store: sharded by client, bounded, and reclaiming
// expired state. The zero value is not usable; call NewMemory.
type Memory struct {
	shards  []memShard
	mask    uint64
	seed    maphash.Seed
	keyCap  int // per shard
	banCap  int // per shard
	patMu   sync.RWMutex
	pats    map[string][]byte
	stop    chan struct{}
	done    chan struct{}
	closing sync.Once
}

var _ Store = (*Memory)(nil)

// A state's map key is the client and the limit or counter key in one
// string: the client's length as a uvarint, the client, then the key. One
// string per state keeps the map's slots small (a string header and a
// pointer) and is the store's only copy of the client's name. Lookups build
// keys in a stack buffer, which a map index does not copy, before taking the
// shard's lock (whose atomic instruction lets the stores complete, so that
// hashing the fresh key does not stall).

// appendKey appends the state key of (client, key) to b.
func appendKey(b []byte, client, key string) []byte {
	b = binary.AppendUvarint(b, uint64(len(client)))
	b = append(b, client...)
	return append(b, key...)
}

// stateKeys appends to buf the state keys of req's limits, then of its
// counters, back to back, and to ends where each key ends.
func stateKeys(buf []byte, ends []int, req *HitRequest) ([]byte, []int) {
	for _, l := range req.Limits {
		buf = appendKey(buf, req.Client, l.Key)
		ends = append(ends, len(buf))
	}
	for _, c := range req.Counters {
		buf = appendKey(buf, req.Client, c.Key)
		ends = append(ends, len(buf))
	}
	return buf, ends
}

// keyAt returns the i-th key built by stateKeys.
func keyAt(buf []byte, ends []int, i int) []byte {
	start := 0
	if i > 0 {
		start = ends[i-1]
	}
	return buf[start:ends[i]]
}

type banEntry struct {
	until  int64 // Unix ms
	reason string
}

type memShard struct {
	mu        sync.Mutex
	windows   map[string]*window // by state key, see appendKey
	counters  map[string]*counter
	exact     map[string]*window // exact counters (Counter.Exact), see window.count
	last      int64              // latest time (ms) this shard was called with
	evictions int64

	banMu sync.RWMutex
	bans  map[string]banEntry
	_     [64]byte // keep shards on separate cache lines
}

// NewMemory returns an in-memory store. Close it to stop its janitor.
func NewMemory(opts MemoryOptions) *Memory {
	n := opts.Shards
	if n <= 0 {
		n = DefaultShards
	}
	p := 1
	for p < n {
		p <<= 1
	}
	maxKeys := cmp.Or(max(opts.MaxKeys, 0), DefaultMaxKeys)
	maxBans := cmp.Or(max(opts.MaxBans, 0), DefaultMaxBans)
	m := &Memory{
		shards: make([]memShard, p),
		mask:   uint64(p - 1),
		seed:   maphash.MakeSeed(),
		keyCap: max(1, (maxKeys+p-1)/p),
		banCap: max(1, (maxBans+p-1)/p),
		pats:   make(map[string][]byte),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	for i := range m.shards {
		m.shards[i].windows = make(map[string]*window)
		m.shards[i].counters = make(map[string]*counter)
		m.shards[i].exact = make(map[string]*window)
		m.shards[i].bans = make(map[string]banEntry)
	}
	interval := opts.SweepInterval
	if interval == 0 {
		interval = DefaultSweepInterval
	}
	if interval > 0 {
		go m.janitor(interval)
	} else {
		close(m.done)
	}
	return m
}

func (m *Memory) shard(client string) *memShard {
	return &m.shards[maphash.String(m.seed, client)&m.mask]
}

// validate checks the request's limits and counters.
func validate(req HitRequest) error {
	for i, l := range req.Limits {
		if l.Max < 1 || l.Window < time.Millisecond {
			return fmt.Errorf("%w: limit %d (%q): max %d, window %s", ErrInvalid, i, l.Key, l.Max, l.Window)
		}
	}
	for i, c := range req.Counters {
		if err := validCounter(c); err != nil {
			return fmt.Errorf("%w (counter %d)", err, i)
		}
	}
	return nil
}

// validCounter checks a counter's window and cap.
func validCounter(c Counter) error {
	if c.Window < time.Millisecond || c.Cap < 0 {
		return fmt.Errorf("%w: counter %q: window %s, cap %d", ErrInvalid, c.Key, c.Window, c.Cap)
	}
	return nil
}

// NewHitResult returns a HitResult for n limits and c counters with Allowed
// set, in one allocation when both are small. Stores use it to build their
// results.
func NewHitResult(n, c int) HitResult {
	if n <= 4 && c <= 4 {
		b := new(struct {
			l [4]LimitState
			c [4]int64
		})
		return HitResult{Allowed: true, Limits: b.l[:n:n], Counts: b.c[:c:c]}
	}
	return HitResult{Allowed: true, Limits: make([]LimitState, n), Counts: make([]int64, c)}
}

// Hit implements Store.
func (m *Memory) Hit(ctx context.Context, req HitRequest, now time.Time) (HitResult, error) {
	if err := ctx.Err(); err != nil {
		return HitResult{}, err
	}
	if err := validate(req); err != nil {
		return HitResult{}, err
	}
	ms := now.UnixMilli()
	res := NewHitResult(len(req.Limits), len(req.Counters))
	var (
		kb [192]byte // fits typical requests' keys
		eb [8]int
	)
	ends := eb[:0]
	if n := len(req.Limits) + len(req.Counters); n > len(eb) {
		ends = make([]int, 0, n)
	}
	keys, ends := stateKeys(kb[:0], ends, &req)
	sh := m.shard(req.Client)
	sh.mu.Lock()
	sh.observe(ms)
	var buf [4]*window
	found := buf[:0]
	if len(req.Limits) > len(buf) {
		found = make([]*window, 0, len(req.Limits))
	}
	// First pass: every limit must have room; nothing is recorded yet.
	for i, l := range req.Limits {
		w := sh.windows[string(keyAt(keys, ends, i))]
		found = append(found, w)
		_, count, exceeded, retry := w.check(ms, l.Max, l.Window.Milliseconds(), false)
		res.Limits[i] = LimitState{Count: count, Exceeded: exceeded, RetryAfter: time.Duration(retry) * time.Millisecond}
		if exceeded {
			res.Allowed = false
		}
	}
	// Second pass: record the admitted request in every limit.
	if res.Allowed {
		for i, l := range req.Limits {
			w := found[i]
			next, count, _, _ := w.check(ms, l.Max, l.Window.Milliseconds(), true)
			res.Limits[i].Count = count
			if next != w {
				sh.storeWindow(m, keyAt(keys, ends, i), w, next)
			}
		}
	} else {
		// Refused: report the current count of the limits that had room.
		for i := range res.Limits {
			if !res.Limits[i].Exceeded {
				res.Limits[i].Count--
			}
		}
	}
	for i, c := range req.Counters {
		res.Counts[i] = sh.add(m, keyAt(keys, ends, len(req.Limits)+i), c, ms)
	}
	sh.mu.Unlock()
	return res, nil
}

// Add implements Store.
func (m *Memory) Add(ctx context.Context, client string, c Counter, now time.Time) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := validCounter(c); err != nil {
		return 0, err
	}
	ms := now.UnixMilli()
	var kb [96]byte
	key := appendKey(kb[:0], client, c.Key)
	sh := m.shard(client)
	sh.mu.Lock()
	sh.observe(ms)
	n := sh.add(m, key, c, ms)
	sh.mu.Unlock()
	return n, nil
}

// add counts one event (or peeks) in the counter of state key key with the
// shard locked.
func (sh *memShard) add(m *Memory, key []byte, c Counter, ms int64) int64 {
	if c.Exact() {
		w := sh.exact[string(key)]
		next, n := w.count(ms, c.Cap, c.Window.Milliseconds(), c.Peek)
		if next != w {
			if w == nil {
				sh.makeRoom(m)
			}
			sh.exact[string(key)] = next
		}
		return n
	}
	ct := sh.counters[string(key)]
	if ct == nil {
		if c.Peek {
			return 0
		}
		ct = &counter{start: math.MinInt64 / 2}
		sh.makeRoom(m)
		sh.counters[string(key)] = ct
	}
	return ct.add(ms, c.Window.Milliseconds(), c.Peek)
}

// Reset implements Store.
func (m *Memory) Reset(ctx context.Context, client, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var kb [96]byte
	k := appendKey(kb[:0], client, key)
	sh := m.shard(client)
	sh.mu.Lock()
	delete(sh.counters, string(k))
	delete(sh.exact, string(k))
	sh.mu.Unlock()
	return nil
}

func (sh *memShard) observe(ms int64) {
	if ms > sh.last {
		sh.last = ms
	}
}

// makeRoom evicts one state when the shard is at its cap: of a few sampled
// entries of each kind, the one that expires first.
func (sh *memShard) makeRoom(m *Memory) {
	if len(sh.windows)+len(sh.counters)+len(sh.exact) < m.keyCap {
		return
	}
	var (
		victim string
		from   int   // 0: none, 1: windows, 2: exact counters, 3: counters
		exp    int64 = math.MaxInt64
	)
	sampleWindows := func(ws map[string]*window, kind int) {
		i := 0
		for k, w := range ws { // map iteration starts at a random entry
			if w.exp < exp {
				victim, from, exp = k, kind, w.exp
			}
			if i++; i == evictionSamples {
				break
			}
		}
	}
	sampleWindows(sh.windows, 1)
	sampleWindows(sh.exact, 2)
	i := 0
	for k, c := range sh.counters {
		if c.exp < exp {
			victim, from, exp = k, 3, c.exp
		}
		if i++; i == evictionSamples {
			break
		}
	}
	switch from {
	case 1:
		delete(sh.windows, victim)
	case 2:
		delete(sh.exact, victim)
	case 3:
		delete(sh.counters, victim)
	default:
		return
	}
	sh.evictions++
}

// storeWindow records that the window of state key key, old when the
// request was checked (nil if it had none), is now next. A new key may
// evict another state first; an old window that was meanwhile evicted (by a
// sibling limit of the same request) stays evicted.
func (sh *memShard) storeWindow(m *Memory, key []byte, old, next *window) {
	if old == nil {
		sh.makeRoom(m)
	} else if sh.windows[string(key)] != old {
		return
	}
	sh.windows[string(key)] = next
}

// Ban implements Store. Until is kept at millisecond precision.
func (m *Memory) Ban(ctx context.Context, b Ban) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b.Client == "" || b.Until.IsZero() {
		return fmt.Errorf("%w: ban needs a client and an expiry", ErrInvalid)
	}
	sh := m.shard(b.Client)
	sh.banMu.Lock()
	defer sh.banMu.Unlock()
	if _, ok := sh.bans[b.Client]; !ok && len(sh.bans) >= m.banCap {
		var (
			victim string
			end    int64 = math.MaxInt64
			i      int
		)
		for c, e := range sh.bans {
			if e.until < end {
				victim, end = c, e.until
			}
			if i++; i == evictionSamples {
				break
			}
		}
		delete(sh.bans, victim)
		sh.mu.Lock()
		sh.evictions++
		sh.mu.Unlock()
	}
	sh.bans[strings.Clone(b.Client)] = banEntry{until: b.Until.UnixMilli(), reason: b.Reason}
	return nil
}

// Unban implements Store.
func (m *Memory) Unban(ctx context.Context, client string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sh := m.shard(client)
	sh.banMu.Lock()
	delete(sh.bans, client)
	sh.banMu.Unlock()
	return nil
}

// Banned implements Store.
func (m *Memory) Banned(ctx context.Context, client string, now time.Time) (Ban, bool, error) {
	if err := ctx.Err(); err != nil {
		return Ban{}, false, err
	}
	sh := m.shard(client)
	sh.banMu.RLock()
	e, ok := sh.bans[client]
	sh.banMu.RUnlock()
	if !ok || now.UnixMilli() >= e.until {
		return Ban{}, false, nil
	}
	return Ban{Client: client, Until: time.UnixMilli(e.until), Reason: e.reason}, true, nil
}

// Bans implements Store; the result is sorted by client.
func (m *Memory) Bans(ctx context.Context, now time.Time) ([]Ban, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ms := now.UnixMilli()
	var out []Ban
	for i := range m.shards {
		sh := &m.shards[i]
		sh.banMu.RLock()
		for c, e := range sh.bans {
			if ms < e.until {
				out = append(out, Ban{Client: c, Until: time.UnixMilli(e.until), Reason: e.reason})
			}
		}
		sh.banMu.RUnlock()
	}
	slices.SortFunc(out, func(a, b Ban) int { return strings.Compare(a.Client, b.Client) })
	return out, nil
}

// PutPattern implements Store.
func (m *Memory) PutPattern(ctx context.Context, id string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.patMu.Lock()
	m.pats[id] = slices.Clone(data)
	m.patMu.Unlock()
	return nil
}

// DeletePattern implements Store.
func (m *Memory) DeletePattern(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.patMu.Lock()
	delete(m.pats, id)
	m.patMu.Unlock()
	return nil
}

// Patterns implements Store. The result is a copy the caller may keep.
func (m *Memory) Patterns(ctx context.Context) (map[string][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.patMu.RLock()
	defer m.patMu.RUnlock()
	out := make(map[string][]byte, len(m.pats))
	for id, d := range m.pats {
		out[id] = slices.Clone(d)
	}
	return out, nil
}

// Stats returns a snapshot of what the store holds.
func (m *Memory) Stats() MemoryStats {
	var s MemoryStats
	for i := range m.shards {
		sh := &m.shards[i]
		sh.mu.Lock()
		s.Keys += len(sh.windows) + len(sh.counters) + len(sh.exact)
		s.Evictions += sh.evictions
		sh.mu.Unlock()
		sh.banMu.RLock()
		s.Bans += len(sh.bans)
		sh.banMu.RUnlock()
	}
	return s
}

// Sweep reclaims every entry expired at the latest time the store has been
// called with (Hit or Add, any client). The janitor calls it periodically;
// tests may call it directly.
func (m *Memory) Sweep() {
	var now int64
	for i := range m.shards {
		sh := &m.shards[i]
		sh.mu.Lock()
		now = max(now, sh.last)
		sh.mu.Unlock()
	}
	if now == 0 {
		return
	}
	for i := range m.shards {
		sh := &m.shards[i]
		sh.mu.Lock()
		maps.DeleteFunc(sh.windows, func(_ string, w *window) bool { return w.exp <= now })
		maps.DeleteFunc(sh.counters, func(_ string, c *counter) bool { return c.exp <= now })
		maps.DeleteFunc(sh.exact, func(_ string, w *window) bool { return w.exp <= now })
		sh.mu.Unlock()
		sh.banMu.Lock()
		maps.DeleteFunc(sh.bans, func(_ string, e banEntry) bool { return e.until <= now })
		sh.banMu.Unlock()
	}
}

func (m *Memory) janitor(interval time.Duration) {
	defer close(m.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.Sweep()
		}
	}
}

// Close stops the janitor. The store stays usable; Close is idempotent.
func (m *Memory) Close() error {
	m.closing.Do(func() { close(m.stop) })
	<-m.done
	return nil
}
