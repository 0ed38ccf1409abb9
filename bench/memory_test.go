package bench

import (
	"context"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/guardgo/guard/core/store"
)

// BenchmarkMemoryClients measures the heap the in-memory store holds for
// many tracked client IPs: each distinct client makes one request counted
// against guard's default global limit (10 per 60 s), the state an engine
// with default settings keeps per client. "1M" is the design's target
// (≤ 200 MB for 1,000,000 clients); "2M" drives twice as many clients
// than the default cap (store.DefaultMaxKeys) to show the heap stays
// bounded. Run it with -benchtime=1x: one iteration is the whole drive.
func BenchmarkMemoryClients(b *testing.B) {
	for _, tc := range []struct {
		name    string
		clients int
	}{{"1M", 1_000_000}, {"2M", 2_000_000}} {
		b.Run(tc.name, func(b *testing.B) {
			var heap, inuse uint64
			var stats store.MemoryStats
			for b.Loop() {
				heap, inuse, stats = trackClients(b, tc.clients)
			}
			b.ReportMetric(float64(heap)/1e6, "heap_MB")
			b.ReportMetric(float64(inuse)/1e6, "heap_inuse_MB")
			b.ReportMetric(float64(heap)/float64(stats.Keys), "B/client")
			b.ReportMetric(float64(stats.Keys), "tracked")
			b.ReportMetric(float64(stats.Evictions), "evicted")
		})
	}
}

// trackClients drives n distinct IPv4 clients through a default Memory
// store and returns the growth of the live heap (HeapAlloc after a GC) and
// of the heap in use (HeapInuse) that the store accounts for.
func trackClients(b *testing.B, n int) (heap, inuse uint64, stats store.MemoryStats) {
	b.Helper()
	ctx := context.Background()
	limit := store.Limit{Key: "global", Max: 10, Window: time.Minute}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heap0, inuse0 := ms.HeapAlloc, ms.HeapInuse
	m := store.NewMemory(store.MemoryOptions{})
	limits := []store.Limit{limit}
	for i := range n {
		ip := netip.AddrFrom4([4]byte{byte(10 + i>>24), byte(i >> 16), byte(i >> 8), byte(i)})
		// One millisecond apart: 1M clients arrive within 17 minutes.
		res, err := m.Hit(ctx, store.HitRequest{Client: ip.String(), Limits: limits}, now.Add(time.Duration(i)*time.Millisecond))
		if err != nil {
			b.Fatal(err)
		}
		if !res.Allowed {
			b.Fatalf("client %s refused on its first request", ip)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	stats = m.Stats()
	heap, inuse = ms.HeapAlloc-heap0, ms.HeapInuse-inuse0
	runtime.KeepAlive(m)
	_ = m.Close()
	return heap, inuse, stats
}
