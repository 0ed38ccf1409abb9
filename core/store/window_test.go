package store

import (
	"math/rand/v2"
	"testing"
	"time"
)

// admit records a request at now in *w the way Hit does (a check, then an
// admitting check when there was room) and returns the admitting check.
func admit(w **window, now int64, max int, windowMS int64) (count int, exceeded bool, retryMS int64) {
	if _, count, exceeded, retryMS = (*w).check(now, max, windowMS, false); exceeded {
		return count, exceeded, retryMS
	}
	*w, count, exceeded, retryMS = (*w).check(now, max, windowMS, true)
	return count, exceeded, retryMS
}

func TestWindowBucketed(t *testing.T) {
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	const max, win = 1000, int64(60_000) // width 1875 ms
	var w *window
	for i := range max {
		if _, exceeded, _ := admit(&w, t0+int64(i), max, win); exceeded {
			t.Fatalf("request %d refused", i)
		}
	}
	count, exceeded, retry := admit(&w, t0+1000, max, win)
	if !exceeded || count != max || retry != 1875+win-1000 {
		t.Fatalf("full: count %d exceeded %v retry %d", count, exceeded, retry)
	}
	// The sub-window holding t0 counts until its end leaves the window.
	if _, exceeded, _ := admit(&w, t0+1875+win-1, max, win); !exceeded {
		t.Fatal("admitted before the sub-window left")
	}
	if count, exceeded, _ := admit(&w, t0+1875+win, max, win); exceeded || count != 1 {
		t.Fatalf("after the sub-window left: count %d exceeded %v", count, exceeded)
	}
	if w.mode != modeBuckets || w.size != bucketSlots || w.width() != 1875 {
		t.Fatalf("bucketed state: mode %d, %d slots, width %d", w.mode, w.size, w.width())
	}
}

func TestWindowClockJumps(t *testing.T) {
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	day := int64(24 * time.Hour / time.Millisecond)
	tests := []struct {
		name  string
		times []int64
		want  []int // count after each request
	}{
		{"60 days later", []int64{t0, t0 + 60*day}, []int{1, 1}},
		{"backwards within window", []int64{t0, t0 - 1000, t0 + 500}, []int{1, 2, 3}},
		{"far backwards", []int64{t0, t0 - 100*day}, []int{1, 1}},
		{"offsets near 2^32", []int64{t0, t0 + 49*day, t0 + 49*day + 1, t0 + 50*day}, []int{1, 1, 2, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var w *window
			for i, now := range tc.times {
				count, exceeded, _ := admit(&w, now, 5, 60_000)
				if exceeded || count != tc.want[i] {
					t.Fatalf("request %d: count %d exceeded %v, want %d", i, count, exceeded, tc.want[i])
				}
			}
		})
	}
}

func TestWindowGrowsToMax(t *testing.T) {
	var w *window
	sizes := map[uint16]bool{}
	for i := range 300 {
		admit(&w, int64(i), 300, 1_000_000)
		sizes[w.size] = true
	}
	if w.size != 300 || w.n != 300 {
		t.Fatalf("ring %d, n %d", w.size, w.n)
	}
	for _, s := range []uint16{8, 16, 32, 64, 128, 256, 300} {
		if !sizes[s] {
			t.Errorf("the ring never had %d slots (had %v)", s, sizes)
		}
	}
	if _, exceeded, retry := admit(&w, 300, 300, 1_000_000); !exceeded || retry != 1_000_000-300 {
		t.Fatalf("exceeded %v retry %d", exceeded, retry)
	}
}

// TestWindowRebaseWrapped moves the clock back before the offsets' base
// while the ring wraps around its end: the entries must keep their order.
func TestWindowRebaseWrapped(t *testing.T) {
	var w *window
	for _, now := range []int64{0, 1, 2, 3, 4, 5, 1000} {
		admit(&w, now, 6, 1000)
	}
	w.check(1001, 6, 1000, false) // expires the entry at 1 ms
	if w.head != 2 || w.n != 5 {
		t.Fatalf("ring head %d, n %d; want the entries 2..5 then 1000 wrapped", w.head, w.n)
	}
	if count, exceeded, _ := admit(&w, -10, 6, 1000); exceeded || count != 6 {
		t.Fatalf("back in time: count %d exceeded %v", count, exceeded)
	}
	want := []int64{2, 3, 4, 5, 1000, -10}
	for i, at := range want {
		if got := w.at(i); got != at {
			t.Fatalf("entry %d at %d ms, want %d (entries %v)", i, got, at, want)
		}
	}
	// The entry at 2 ms leaves at 1002 ms: the one to wait for at 1001 ms.
	if count, exceeded, retry := admit(&w, 1001, 6, 1000); !exceeded || count != 6 || retry != 1 {
		t.Fatalf("full: count %d exceeded %v retry %d", count, exceeded, retry)
	}
}

// TestWindowFootprint pins the layout the memory budget relies on: a
// 24-byte header, and the default limit's window (Max 10) in one 64-byte
// allocation made only when a request is recorded.
func TestWindowFootprint(t *testing.T) {
	if headerSize != 24 {
		t.Fatalf("window header is %d bytes, want 24", headerSize)
	}
	var w *window
	if next, count, exceeded, _ := w.check(0, 10, 60_000, false); next != nil || count != 1 || exceeded {
		t.Fatalf("checking an empty window: %p, count %d, exceeded %v", next, count, exceeded)
	}
	var now int64
	allocs := testing.AllocsPerRun(100, func() {
		w = nil
		for range 10 {
			now++
			admit(&w, now, 10, 60_000)
		}
	})
	if allocs != 1 || w.size != 10 || w.n != 10 {
		t.Fatalf("%v allocations for 10 requests, ring %d, n %d; want 1, 10, 10", allocs, w.size, w.n)
	}
}

// TestWindowMatchesReference drives the window and the reference (the
// previous implementation, window_ref_test.go) through the same random
// requests, checked the way Hit checks them (a check, then an admitting
// check when every limit had room; some requests are refused by a sibling
// limit): limits that change Max and mode, clocks that stall, jump and go
// backwards. Every result, and the expiry eviction and sweeping rely on,
// must agree.
//
// The one allowed difference: a limit reconfigured into another mode is
// reset by the first admitted request, where the reference reset it on the
// first check. Both then start afresh, so a reconfigured limit's next
// request here is admitted by its siblings.
func TestWindowMatchesReference(t *testing.T) {
	const day = int64(24 * time.Hour / time.Millisecond)
	maxes := []int{1, 2, 3, 10, 16, 17, 100, 512, 513, 1000}
	windows := []int64{1, 7, 1000, 60_000, 3_600_000, 25 * day}
	steps := []int64{0, 0, 1, 1, 3, 50, 999, 1000, 20_000, 61_000, -1, -500, 40 * day, -30 * day, 49*day + 17}
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	type result struct {
		count     int
		exceeded  bool
		retryMS   int64
		recorded  bool
		expiresAt int64
	}
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 42))
		var (
			w   *window
			ref *refWindow // nil until a request is recorded, as Hit kept it
			now = t0
			max = maxes[rng.IntN(len(maxes))]
			win = windows[rng.IntN(len(windows))]
		)
		for i := range 3000 {
			siblingsAdmit := rng.IntN(5) != 0
			if rng.IntN(200) == 0 { // the limit was reconfigured
				max = maxes[rng.IntN(len(maxes))]
				win = windows[rng.IntN(len(windows))]
				siblingsAdmit = true
			}
			if rng.IntN(4) == 0 {
				now += steps[rng.IntN(len(steps))]
			}
			var got, want result
			_, got.count, got.exceeded, got.retryMS = w.check(now, max, win, false)
			want.count = 1
			if ref != nil {
				want.count, want.exceeded, want.retryMS = ref.check(now, max, win, false)
			}
			if !got.exceeded && siblingsAdmit {
				w, got.count, got.exceeded, got.retryMS = w.check(now, max, win, true)
				got.recorded, got.expiresAt = true, w.exp
			}
			if !want.exceeded && siblingsAdmit {
				if ref == nil {
					ref = &refWindow{}
				}
				want.count, want.exceeded, want.retryMS = ref.check(now, max, win, true)
				want.recorded, want.expiresAt = true, ref.exp
			}
			if got != want {
				t.Fatalf("seed %d request %d at %+d ms (max %d, window %d ms): got %+v, reference %+v",
					seed, i, now-t0, max, win, got, want)
			}
		}
	}
}

// TestExactCounterMatchesNaive drives exact counters (window.count) and a
// naive list of every event through the same random events and peeks, with
// clocks that stall and jump forward: every reported value must be
// min(b+1, Cap+1) (or min(b, Cap) for a peek) for the b events the naive
// list holds inside the window.
func TestExactCounterMatchesNaive(t *testing.T) {
	caps := []int{1, 2, 3, 11, 16, 17, 100, 512}
	windows := []int64{1, 7, 1000, 60_000}
	steps := []int64{0, 0, 1, 1, 3, 50, 999, 1000, 20_000, 61_000}
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 7))
		var (
			w      *window
			events []int64
			now    = t0
			capN   = caps[rng.IntN(len(caps))]
			win    = windows[rng.IntN(len(windows))]
		)
		for i := range 3000 {
			if rng.IntN(3) == 0 {
				now += steps[rng.IntN(len(steps))]
			}
			b := 0
			for _, e := range events {
				if now-e < win {
					b++
				}
			}
			peek := rng.IntN(5) == 0
			want := int64(min(b, capN))
			if !peek {
				want = int64(min(b+1, capN+1))
				events = append(events, now)
			}
			var got int64
			w, got = w.count(now, capN, win, peek)
			if got != want {
				t.Fatalf("seed %d event %d at %+d ms (cap %d, window %d ms, peek %v): got %d, want %d",
					seed, i, now-t0, capN, win, peek, got, want)
			}
			if w != nil && (int(w.n) > capN || int(w.size) > capN) {
				t.Fatalf("seed %d: ring holds %d of %d slots, more than Cap %d", seed, w.n, w.size, capN)
			}
			if !peek && w.exp != now+win {
				t.Fatalf("seed %d: expiry %d, want %d", seed, w.exp-t0, now+win-t0)
			}
		}
	}
}

func TestExactCounterFootprint(t *testing.T) {
	var w *window
	if next, n := w.count(0, 11, 60_000, true); next != nil || n != 0 {
		t.Fatalf("peeking an empty counter: %p, %d", next, n)
	}
	var now int64
	allocs := testing.AllocsPerRun(100, func() {
		w = nil
		for range 30 {
			now++
			w, _ = w.count(now, 11, 60_000, false)
		}
	})
	// Cap 11 (a threshold of 10): one 72-byte block, 24-byte header and 11
	// slots, however many events.
	if allocs != 1 || w.size != 11 || w.n != 11 {
		t.Fatalf("%v allocations for 30 events, ring %d, n %d; want 1, 11, 11", allocs, w.size, w.n)
	}
}
