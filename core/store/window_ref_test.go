package store

import "math"

// refWindow is the in-memory store's window before it kept its header and
// ring in one allocation: the reference the window must agree with.
//
// Exact mode: ring holds the admitted timestamps as millisecond offsets from
// base, oldest at head, n of them.
//
// Bucketed mode: ring has Buckets+1 slots of admitted counts, one per
// sub-window of width ceil(W/Buckets) ms, indexed by the absolute sub-window
// number modulo len(ring); base is the newest sub-window number written and
// width the sub-window width the state was built with.
type refWindow struct {
	ring  []uint32
	base  int64
	exp   int64 // ms at which every admitted request has left the window
	head  uint16
	n     uint16
	width uint32 // bucketed mode only; 0 in exact mode
}

// check evaluates the limit at now (ms) and, when admit is true and there is
// room, records the request. It returns the count of admitted requests in
// the window (including this one when recorded), whether the limit is
// exceeded and, if so, the retry-after in ms.
//
// Hit calls check twice per limit: first with admit false for every limit
// (all-or-nothing), then with admit true when all had room.
func (w *refWindow) check(now int64, max int, windowMS int64, admit bool) (count int, exceeded bool, retryMS int64) {
	if bucketed(max, windowMS) {
		return w.checkBuckets(now, max, windowMS, admit)
	}
	if w.width != 0 { // the limit changed mode: start afresh
		*w = refWindow{}
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
		return n, true, retry
	}
	if !admit {
		return n + 1, false, 0
	}
	w.push(now, max)
	if e := now + windowMS; e > w.exp {
		w.exp = e
	}
	return int(w.n), false, 0
}

// at returns the absolute time (ms) of the i-th oldest entry.
func (w *refWindow) at(i int) int64 {
	return w.base + int64(w.ring[(int(w.head)+i)%len(w.ring)])
}

// expire drops the entries that have left the window ending at now: an entry
// at t is live while now-t < windowMS.
func (w *refWindow) expire(now, windowMS int64) {
	for w.n > 0 && now-w.at(0) >= windowMS {
		w.head = uint16((int(w.head) + 1) % len(w.ring))
		w.n--
	}
	if w.n == 0 {
		w.head = 0
	}
}

// push appends now, growing the ring (up to max) and rebasing the offsets
// when now is out of their range.
func (w *refWindow) push(now int64, max int) {
	if w.n == 0 {
		w.base = now
		w.head = 0
	}
	if now < w.base || now-w.base > math.MaxUint32 {
		w.rebase(now)
	}
	if int(w.n) == len(w.ring) {
		w.grow(max)
	}
	w.ring[(int(w.head)+int(w.n))%len(w.ring)] = uint32(now - w.base)
	w.n++
}

// rebase moves base to the oldest live entry (or to now if earlier), so that
// every live entry and now fit in uint32 offsets. Entries that cannot be
// represented (more than 2^32 ms apart from now, which only happens when the
// caller's clock jumps by weeks) are dropped.
func (w *refWindow) rebase(now int64) {
	nb := now
	if w.n > 0 && w.at(0) < nb {
		nb = w.at(0)
	}
	kept := make([]uint32, 0, len(w.ring))
	for i := 0; i < int(w.n); i++ {
		t := w.at(i)
		if t-nb < 0 || t-nb > math.MaxUint32 || now-nb > math.MaxUint32 {
			continue
		}
		kept = append(kept, uint32(t-nb))
	}
	copy(w.ring, kept)
	w.head, w.n, w.base = 0, uint16(len(kept)), nb
}

// grow enlarges a full ring: the exact capacity for small limits, else
// doubling from 8, never beyond max (a limit whose Max was lowered keeps its
// larger ring until its entries expire).
func (w *refWindow) grow(max int) {
	c := len(w.ring) * 2
	switch {
	case len(w.ring) == 0 && max <= 16:
		c = max
	case c < 8:
		c = 8
	}
	if c > max {
		c = max
	}
	if c <= len(w.ring) {
		c = len(w.ring) + 1
	}
	ring := make([]uint32, c)
	for i := 0; i < int(w.n); i++ {
		ring[i] = w.ring[(int(w.head)+i)%len(w.ring)]
	}
	w.ring, w.head = ring, 0
}

// checkBuckets is check for the bucketed approximation. A sub-window counts
// in full while any part of it overlaps the window (now-W, now], so the
// count never under-estimates: at most Max requests are admitted in any
// window, and a client may be refused up to one sub-window (W/32) early.
func (w *refWindow) checkBuckets(now int64, max int, windowMS int64, admit bool) (count int, exceeded bool, retryMS int64) {
	width := bucketWidth(windowMS)
	if w.width != uint32(width) || len(w.ring) != Buckets+1 {
		*w = refWindow{ring: make([]uint32, Buckets+1), width: uint32(width), base: floorDiv(now, width)}
	}
	cur := floorDiv(now, width)
	slots := int64(len(w.ring))
	if cur > w.base { // clear the sub-windows skipped since the last write
		for b := w.base + 1; b <= cur && b <= w.base+slots; b++ {
			w.ring[mod(b, slots)] = 0
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
		total += int(w.ring[mod(b, slots)])
	}
	if total >= max {
		// Wait until enough old sub-windows leave for one request to fit.
		left := total
		for b := oldest; b <= w.base; b++ {
			left -= int(w.ring[mod(b, slots)])
			if left < max {
				retry := (b+1)*width + windowMS - now
				if retry < 1 {
					retry = 1
				}
				return total, true, retry
			}
		}
		return total, true, windowMS
	}
	if !admit {
		return total + 1, false, 0
	}
	if cur < w.base { // clock went backwards: count in the newest sub-window
		cur = w.base
	}
	w.ring[mod(cur, slots)]++
	if e := (cur+1)*width + windowMS; e > w.exp {
		w.exp = e
	}
	return total + 1, false, 0
}
