package store

import (
	"math"
	"slices"
	"unsafe"
)

// This file holds the per-key state machines of the in-memory store: the
// exact sliding window (a ring of admitted timestamps), its bucketed
// approximation for very large limits, and the sliding-window counter. They
// are pure: the caller passes the time in milliseconds and holds the lock.

const (
	// ExactMaxLimit is the largest Limit.Max the in-memory store tracks
	// exactly (one timestamp per admitted request). Larger limits use a
	// bucketed approximation; see the package documentation.
	ExactMaxLimit = 512

	// maxExactWindowMS is the longest window tracked exactly: timestamps are
	// stored as uint32 millisecond offsets, and the live ones must span less
	// than 2^31 ms (about 24.8 days).
	maxExactWindowMS = math.MaxInt32

	// Buckets is the number of sub-windows the bucketed approximation
	// divides a window into.
	Buckets = 32
)

// window is one rate-limit tier of one client: a 24-byte header followed,
// in the same allocation, by a ring of size uint32 slots (see newWindow).
// One allocation per tier keeps the default limit (Max 10) in 64 bytes. A
// nil *window is the empty state; check returns the window to keep, which
// differs from the receiver when the ring had to be (re)allocated.
//
// Exact mode: the ring holds the admitted timestamps as millisecond offsets
// from base, oldest at head, n of them.
//
// Bucketed mode: the first Buckets+1 slots hold admitted counts, one per
// sub-window of width ms, indexed by the absolute sub-window number modulo
// Buckets+1; base is the newest sub-window number written, and the last
// slot holds the width the state was built with.
type window struct {
	base int64
	exp  int64 // ms at which every admitted request has left the window
	head uint16
	n    uint16
	size uint16 // ring slots following the header
	mode uint16 // modeExact or modeBuckets
}

const (
	modeExact uint16 = iota
	modeBuckets

	// headerSize is the size of a window's header; its ring starts there.
	headerSize = unsafe.Sizeof(window{})
	// bucketSlots is the ring size of a bucketed window: the counts, then
	// the width.
	bucketSlots = Buckets + 2
)

// newWindow allocates a window with a ring of size slots in one pointer-free
// block of 8-byte words (so the header's int64 fields are aligned), the
// header at its start. The garbage collector never scans the block (it holds
// no pointers) and keeps all of it alive through the *window at its start;
// ring stays within it (checked by -race's pointer checks in the tests).
func newWindow(size int) *window {
	words := (int(headerSize) + 4*size + 7) / 8
	block := make([]uint64, words)
	w := (*window)(unsafe.Pointer(unsafe.SliceData(block)))
	w.size = uint16(size)
	return w
}

// ring returns the slots following the header.
func (w *window) ring() []uint32 {
	return unsafe.Slice((*uint32)(unsafe.Add(unsafe.Pointer(w), headerSize)), w.size)
}

// bucketed reports whether a limit is tracked by the bucketed approximation.
func bucketed(max int, windowMS int64) bool {
	return max > ExactMaxLimit || windowMS > maxExactWindowMS
}

// bucketWidth is the sub-window width in ms for a window of windowMS ms.
func bucketWidth(windowMS int64) int64 {
	w := (windowMS + Buckets - 1) / Buckets
	if w < 1 {
		w = 1
	}
	if w > math.MaxUint32 {
		w = math.MaxUint32
	}
	return w
}

// initialSize is the ring size of a new exact window: the exact capacity
// for small limits, else 8 slots that grow by doubling.
func initialSize(max int) int {
	if max <= 16 {
		return max
	}
	return 8
}

// check evaluates the limit at now (ms) and, when admit is true and there is
// room, records the request. It returns the window to keep (w itself unless
// a ring was allocated; nil when w is nil and nothing was recorded), the
// count of admitted requests in the window (including this one when
// recorded), whether the limit is exceeded and, if so, the retry-after in
// ms.
//
// Hit calls check twice per limit: first with admit false for every limit
// (all-or-nothing), then with admit true when all had room. Only a call with
// admit true allocates.
func (w *window) check(now int64, max int, windowMS int64, admit bool) (next *window, count int, exceeded bool, retryMS int64) {
	if bucketed(max, windowMS) {
		return w.checkBuckets(now, max, windowMS, admit)
	}
	if w != nil && w.mode != modeExact { // the limit changed mode: start afresh
		w = nil
	}
	if w == nil {
		if !admit {
			return nil, 1, false, 0
		}
		w = newWindow(initialSize(max))
	}
	w.expire(now, windowMS)
	n := int(w.n)
	if n >= max {
		// The request fits once all but max-1 of the entries have left:
		// the (n-max)th oldest is the one to wait for.
		at := w.at(n - max)
		retry := at + windowMS - now
		if retry < 1 {
			retry = 1
		}
		return w, n, true, retry
	}
	if !admit {
		return w, n + 1, false, 0
	}
	w = w.push(now, max)
	if e := now + windowMS; e > w.exp {
		w.exp = e
	}
	return w, int(w.n), false, 0
}

// at returns the absolute time (ms) of the i-th oldest entry.
func (w *window) at(i int) int64 {
	return w.base + int64(w.ring()[(int(w.head)+i)%int(w.size)])
}

// expire drops the entries that have left the window ending at now: an entry
// at t is live while now-t < windowMS.
func (w *window) expire(now, windowMS int64) {
	ring := w.ring()
	for w.n > 0 && now-(w.base+int64(ring[w.head])) >= windowMS {
		w.head = uint16((int(w.head) + 1) % len(ring))
		w.n--
	}
	if w.n == 0 {
		w.head = 0
	}
}

// push appends now, growing the ring (up to max) and rebasing the offsets
// when now is out of their range. It returns the window to keep.
func (w *window) push(now int64, max int) *window {
	if w.n == 0 {
		w.base = now
		w.head = 0
	}
	if now < w.base || now-w.base > math.MaxUint32 {
		w.rebase(now)
	}
	if w.n == w.size {
		w = w.grow(max)
	}
	ring := w.ring()
	ring[(int(w.head)+int(w.n))%len(ring)] = uint32(now - w.base)
	w.n++
	return w
}

// rebase moves base to the oldest live entry (or to now if earlier), so that
// every live entry and now fit in uint32 offsets. Entries that cannot be
// represented (more than 2^32 ms apart from now, which only happens when the
// caller's clock jumps by weeks) are dropped.
func (w *window) rebase(now int64) {
	nb := now
	if w.n > 0 && w.at(0) < nb {
		nb = w.at(0)
	}
	// Rotate the ring so that the entries start at slot 0, then keep the
	// representable ones in order.
	ring := w.ring()
	slices.Reverse(ring[:w.head])
	slices.Reverse(ring[w.head:])
	slices.Reverse(ring)
	kept := 0
	for _, off := range ring[:w.n] {
		t := w.base + int64(off)
		if t-nb < 0 || t-nb > math.MaxUint32 || now-nb > math.MaxUint32 {
			continue
		}
		ring[kept] = uint32(t - nb)
		kept++
	}
	w.head, w.n, w.base = 0, uint16(kept), nb
}

// grow returns a copy of a full window with a larger ring: doubling from 8,
// never beyond max (a limit whose Max was lowered keeps its larger ring
// until it is next reallocated).
func (w *window) grow(max int) *window {
	c := int(w.size) * 2
	if c < 8 {
		c = 8
	}
	if c > max {
		c = max
	}
	if c <= int(w.size) {
		c = int(w.size) + 1
	}
	g := newWindow(c)
	g.base, g.exp, g.n, g.mode = w.base, w.exp, w.n, w.mode
	old, ring := w.ring(), g.ring()
	for i := range int(w.n) {
		ring[i] = old[(int(w.head)+i)%len(old)]
	}
	return g
}

// width is the sub-window width a bucketed window was built with.
func (w *window) width() uint32 { return w.ring()[Buckets+1] }

// checkBuckets is check for the bucketed approximation. A sub-window counts
// in full while any part of it overlaps the window (now-W, now], so the
// count never under-estimates: at most Max requests are admitted in any
// window, and a client may be refused up to one sub-window (W/32) early.
func (w *window) checkBuckets(now int64, max int, windowMS int64, admit bool) (next *window, count int, exceeded bool, retryMS int64) {
	width := bucketWidth(windowMS)
	if w != nil && (w.mode != modeBuckets || w.width() != uint32(width)) {
		w = nil // the limit changed: start afresh
	}
	if w == nil {
		if !admit {
			return nil, 1, false, 0
		}
		w = newWindow(bucketSlots)
		w.mode = modeBuckets
		w.base = floorDiv(now, width)
		w.ring()[Buckets+1] = uint32(width)
	}
	counts := w.ring()[:Buckets+1]
	cur := floorDiv(now, width)
	slots := int64(len(counts))
	if cur > w.base { // clear the sub-windows skipped since the last write
		for b := w.base + 1; b <= cur && b <= w.base+slots; b++ {
			counts[mod(b, slots)] = 0
		}
		w.base = cur
	}
	// Live sub-windows: b*width+width > now-W, i.e. b >= oldest.
	oldest := floorDiv(now-windowMS, width) // sub-window containing now-W: partially live
	if (oldest+1)*width <= now-windowMS {
		oldest++
	}
	if oldest < w.base-slots+1 {
		oldest = w.base - slots + 1
	}
	total := 0
	for b := oldest; b <= w.base; b++ {
		total += int(counts[mod(b, slots)])
	}
	if total >= max {
		// Wait until enough old sub-windows leave for one request to fit.
		left := total
		for b := oldest; b <= w.base; b++ {
			left -= int(counts[mod(b, slots)])
			if left < max {
				retry := (b+1)*width + windowMS - now
				if retry < 1 {
					retry = 1
				}
				return w, total, true, retry
			}
		}
		return w, total, true, windowMS
	}
	if !admit {
		return w, total + 1, false, 0
	}
	if cur < w.base { // clock went backwards: count in the newest sub-window
		cur = w.base
	}
	counts[mod(cur, slots)]++
	if e := (cur+1)*width + windowMS; e > w.exp {
		w.exp = e
	}
	return w, total + 1, false, 0
}

// count is the exact capped counter (Counter.Cap > 0) kept in an exact-mode
// window: the ring holds the timestamps of at most capN latest events. It
// counts an event at now (or only reads, for peek) and returns the window
// to keep (nil when w is nil and nothing was recorded) and the value to
// report: for b events inside the window before now, min(b, capN) for a
// peek, else b+1 while b < capN and capN+1 once b reaches capN. Once the
// ring holds capN events the oldest is dropped for the new one: while b >=
// capN the capN latest events are all inside the window, so that loses
// nothing the count needs.
func (w *window) count(now int64, capN int, windowMS int64, peek bool) (*window, int64) {
	if w != nil && w.mode != modeExact {
		w = nil
	}
	if w == nil {
		if peek {
			return nil, 0
		}
		w = newWindow(initialSize(capN))
	}
	w.expire(now, windowMS)
	b := min(int(w.n), capN)
	if peek {
		return w, int64(b)
	}
	for int(w.n) >= capN { // drop the oldest (more than one if Cap shrank)
		w.head = uint16((int(w.head) + 1) % int(w.size))
		w.n--
	}
	w = w.push(now, capN)
	if e := now + windowMS; e > w.exp {
		w.exp = e
	}
	return w, int64(min(b, capN) + 1)
}

// counter is the approximate sliding-window counter (Counter.Cap 0): the count of the current fixed
// sub-window (aligned to multiples of the window since the Unix epoch) plus
// the previous one weighted by how much of it still overlaps the sliding
// window.
type counter struct {
	start int64 // ms, start of the current fixed window
	exp   int64 // ms after which the counter reads zero
	cur   uint32
	prev  uint32
}

// add increments (unless peek) and returns the estimated count over the
// window ending at now.
func (c *counter) add(now, windowMS int64, peek bool) int64 {
	bs := floorDiv(now, windowMS) * windowMS
	switch {
	case bs == c.start:
	case bs == c.start+windowMS:
		c.prev, c.cur, c.start = c.cur, 0, bs
	case bs > c.start:
		c.prev, c.cur, c.start = 0, 0, bs
	default: // clock went backwards: keep counting in the newest window
		bs = c.start
	}
	if !peek && c.cur < math.MaxUint32 {
		c.cur++
	}
	if e := bs + 2*windowMS; e > c.exp {
		c.exp = e
	}
	elapsed := now - bs
	if elapsed < 0 {
		elapsed = 0
	}
	weighted := int64(c.prev) * (windowMS - elapsed) / windowMS
	return int64(c.cur) + weighted
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}
