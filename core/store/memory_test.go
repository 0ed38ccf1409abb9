package store_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/guardgo/guard/core/store"
	"github.com/guardgo/guard/core/store/storetest"
)

func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return store.NewMemory(store.MemoryOptions{})
	})
}

func hitOne(t testing.TB, m *store.Memory, client string, l store.Limit, now time.Time) store.HitResult {
	t.Helper()
	res, err := m.Hit(context.Background(), store.HitRequest{Client: client, Limits: []store.Limit{l}}, now)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

var t0 = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func TestMemoryBounded(t *testing.T) {
	tests := []struct {
		name    string
		opts    store.MemoryOptions
		clients int
		wantMax int
	}{
		{"4 shards cap 1000", store.MemoryOptions{Shards: 4, MaxKeys: 1000, SweepInterval: -1}, 20000, 1000},
		{"default shards cap 640", store.MemoryOptions{MaxKeys: 640, SweepInterval: -1}, 5000, 640},
		{"cap 1 per shard", store.MemoryOptions{Shards: 2, MaxKeys: 1, SweepInterval: -1}, 100, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := store.NewMemory(tc.opts)
			defer m.Close()
			// An abusive client, limited for an hour, must survive a flood of
			// short-lived clients: eviction takes the sampled entry that
			// expires first.
			long := store.Limit{Key: "global", Max: 1, Window: time.Hour}
			hitOne(t, m, "attacker", long, t0)
			short := store.Limit{Key: "global", Max: 10, Window: time.Minute}
			for i := range tc.clients {
				hitOne(t, m, fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), short, t0.Add(time.Duration(i)*time.Millisecond))
			}
			st := m.Stats()
			if st.Keys > tc.wantMax {
				t.Fatalf("%d keys tracked, cap %d", st.Keys, tc.wantMax)
			}
			if st.Evictions < int64(tc.clients+1-tc.wantMax) {
				t.Fatalf("%d evictions, want at least %d", st.Evictions, tc.clients+1-tc.wantMax)
			}
			if tc.wantMax >= 1000 {
				if res := hitOne(t, m, "attacker", long, t0.Add(time.Minute)); res.Allowed {
					t.Fatal("the limited client was evicted by the flood and admitted again")
				}
			}
		})
	}
}

func TestMemoryBansBounded(t *testing.T) {
	m := store.NewMemory(store.MemoryOptions{Shards: 2, MaxBans: 100, SweepInterval: -1})
	defer m.Close()
	ctx := context.Background()
	// A long ban survives a flood of short ones.
	if err := m.Ban(ctx, store.Ban{Client: "worst", Until: t0.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for i := range 2000 {
		if err := m.Ban(ctx, store.Ban{Client: fmt.Sprint("c", i), Until: t0.Add(time.Minute + time.Duration(i)*time.Millisecond)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := m.Stats().Bans; n > 100 {
		t.Fatalf("%d bans held, cap 100", n)
	}
	if _, ok, _ := m.Banned(ctx, "worst", t0.Add(time.Hour)); !ok {
		t.Fatal("the long ban was evicted")
	}
}

func TestMemorySweep(t *testing.T) {
	tests := []struct {
		name string
		wait func(t *testing.T, m *store.Memory)
	}{
		{"direct", func(t *testing.T, m *store.Memory) { m.Sweep() }},
		{"janitor", func(t *testing.T, m *store.Memory) {
			deadline := time.Now().Add(5 * time.Second)
			for m.Stats().Keys > 1 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			m := store.NewMemory(store.MemoryOptions{SweepInterval: 10 * time.Millisecond})
			ctx := context.Background()
			l := store.Limit{Key: "global", Max: 5, Window: time.Second}
			for i := range 500 {
				hitOne(t, m, fmt.Sprint("10.0.", i/256, ".", i%256), l, t0)
				if _, err := m.Add(ctx, fmt.Sprint("c", i), store.Counter{Key: "k", Window: time.Second}, t0); err != nil {
					t.Fatal(err)
				}
			}
			if err := m.Ban(ctx, store.Ban{Client: "b", Until: t0.Add(time.Second)}); err != nil {
				t.Fatal(err)
			}
			if err := m.Ban(ctx, store.Ban{Client: "kept", Until: t0.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			if st := m.Stats(); st.Keys != 1000 || st.Bans != 2 {
				t.Fatalf("before sweep: %+v", st)
			}
			// Time moves on (for one client): everything else has expired.
			hitOne(t, m, "late", l, t0.Add(time.Minute))
			tc.wait(t, m)
			if st := m.Stats(); st.Keys != 1 || st.Bans != 1 {
				t.Fatalf("after sweep: %+v, want 1 key and 1 ban", st)
			}
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			if err := m.Close(); err != nil {
				t.Fatal("second Close:", err)
			}
			deadline := time.Now().Add(time.Second)
			for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			if n := runtime.NumGoroutine(); n > before {
				t.Fatalf("goroutines: %d before, %d after Close", before, n)
			}
		})
	}
}

// TestMemoryBytesPerClient measures the heap held per tracked client with
// the default rate limit (10 per 60 s): the design budget is 200 bytes (1M
// clients in 200 MB). The map's load factor varies with the number of
// clients, so BenchmarkMemoryTrackedClients measures the million itself
// (about 144 bytes per client there, against about 123 here).
func TestMemoryBytesPerClient(t *testing.T) {
	n := 200_000
	if testing.Short() {
		n = 20_000
	}
	per := bytesPerClient(t, n, 3)
	t.Logf("%.0f bytes per tracked client (%d clients, 3 requests each)", per, n)
	if per > 200 {
		t.Fatalf("%.0f bytes per tracked client, budget 200", per)
	}
}

func bytesPerClient(t testing.TB, n, requests int) float64 {
	l := store.Limit{Key: "global", Max: 10, Window: time.Minute}
	clients := make([]string, n)
	for i := range clients {
		clients[i] = fmt.Sprintf("%d.%d.%d.%d", 10+i>>24&127, i>>16&255, i>>8&255, i&255)
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	m := store.NewMemory(store.MemoryOptions{MaxKeys: 2 * n, SweepInterval: -1})
	for r := range requests {
		for _, c := range clients {
			hitOne(t, m, c, l, t0.Add(time.Duration(r)*time.Second))
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	after := ms.HeapAlloc
	if k := m.Stats().Keys; k != n {
		t.Fatalf("%d keys tracked, want %d", k, n)
	}
	// The clients' names are not the store's: keep them alive past the
	// measurement so that collecting them cannot hide the store's own.
	runtime.KeepAlive(clients)
	runtime.KeepAlive(m)
	m.Close()
	return float64(after-before) / float64(n)
}

// TestMemoryBytesPerExactCounter measures the memory an exact behavioural
// counter costs per client: Cap 11 (a rule with threshold 10), saturated.
// Its state is a window block like a limit's (72 bytes), so it must stay in
// the same budget.
func TestMemoryBytesPerExactCounter(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 20_000
	}
	c := store.Counter{Key: "bh:u1m0s:/login", Window: time.Minute, Cap: 11}
	clients := make([]string, n)
	for i := range clients {
		clients[i] = fmt.Sprintf("%d.%d.%d.%d", 10+i>>24&127, i>>16&255, i>>8&255, i&255)
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	m := store.NewMemory(store.MemoryOptions{MaxKeys: 2 * n, SweepInterval: -1})
	ctx := context.Background()
	for r := range 15 {
		for _, cl := range clients {
			if _, err := m.Add(ctx, cl, c, t0.Add(time.Duration(r)*time.Millisecond)); err != nil {
				t.Fatal(err)
			}
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	after := ms.HeapAlloc
	if k := m.Stats().Keys; k != n {
		t.Fatalf("%d keys tracked, want %d", k, n)
	}
	runtime.KeepAlive(clients)
	runtime.KeepAlive(m)
	m.Close()
	per := float64(after-before) / float64(n)
	t.Logf("%.0f bytes per exact counter (Cap 11, %d clients, saturated)", per, n)
	if per > 200 {
		t.Fatalf("%.0f bytes per exact counter, budget 200", per)
	}
}
