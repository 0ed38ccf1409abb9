package store

import (
	"testing"
	"time"
)

func TestWindowBucketed(t *testing.T) {
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	const max, win = 1000, int64(60_000) // width 1875 ms
	var w window
	for i := range max {
		if _, exceeded, _ := w.check(t0+int64(i), max, win, true); exceeded {
			t.Fatalf("request %d refused", i)
		}
	}
	count, exceeded, retry := w.check(t0+1000, max, win, true)
	if !exceeded || count != max || retry != 1875+win-1000 {
		t.Fatalf("full: count %d exceeded %v retry %d", count, exceeded, retry)
	}
	// The sub-window holding t0 counts until its end leaves the window.
	if _, exceeded, _ := w.check(t0+1875+win-1, max, win, true); !exceeded {
		t.Fatal("admitted before the sub-window left")
	}
	if count, exceeded, _ := w.check(t0+1875+win, max, win, true); exceeded || count != 1 {
		t.Fatalf("after the sub-window left: count %d exceeded %v", count, exceeded)
	}
	if len(w.ring) != Buckets+1 {
		t.Fatalf("bucketed state has %d slots", len(w.ring))
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
			var w window
			for i, now := range tc.times {
				count, exceeded, _ := w.check(now, 5, 60_000, true)
				if exceeded || count != tc.want[i] {
					t.Fatalf("request %d: count %d exceeded %v, want %d", i, count, exceeded, tc.want[i])
				}
			}
		})
	}
}

func TestWindowGrowsToMax(t *testing.T) {
	var w window
	for i := range 300 {
		w.check(int64(i), 300, 1_000_000, true)
	}
	if len(w.ring) != 300 || w.n != 300 {
		t.Fatalf("ring %d, n %d", len(w.ring), w.n)
	}
	if _, exceeded, retry := w.check(300, 300, 1_000_000, true); !exceeded || retry != 1_000_000-300 {
		t.Fatalf("exceeded %v retry %d", exceeded, retry)
	}
}
