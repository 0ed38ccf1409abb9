package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/guardgo/guard/core/store"
)

// benchRequest is a typical request: a global and an endpoint limit and one
// behavioural counter.
func benchRequest(client string) store.HitRequest {
	return store.HitRequest{
		Client: client,
		Limits: []store.Limit{
			{Key: "global", Max: 100, Window: time.Minute},
			{Key: "ep:/login", Max: 10, Window: time.Second},
		},
		Counters: []store.Counter{{Key: "usage:/login", Window: time.Hour}},
	}
}

func clientNames(n int) []string {
	cs := make([]string, n)
	for i := range cs {
		cs[i] = fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
	}
	return cs
}

func BenchmarkMemoryHit(b *testing.B) {
	m := store.NewMemory(store.MemoryOptions{})
	defer m.Close()
	clients := clientNames(1024)
	reqs := make([]store.HitRequest, len(clients))
	for i, c := range clients {
		reqs[i] = benchRequest(c)
	}
	ctx := context.Background()
	now := t0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		now = now.Add(time.Millisecond)
		if _, err := m.Hit(ctx, reqs[i&1023], now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMemoryHitExactCounter is BenchmarkMemoryHit with the counter
// exact (Cap 11, a behavioural rule with threshold 10), saturated after the
// first rounds.
func BenchmarkMemoryHitExactCounter(b *testing.B) {
	m := store.NewMemory(store.MemoryOptions{})
	defer m.Close()
	clients := clientNames(1024)
	reqs := make([]store.HitRequest, len(clients))
	for i, c := range clients {
		reqs[i] = benchRequest(c)
		reqs[i].Counters[0].Cap = 11
	}
	ctx := context.Background()
	now := t0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		now = now.Add(time.Millisecond)
		if _, err := m.Hit(ctx, reqs[i&1023], now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemoryHitParallel(b *testing.B) {
	m := store.NewMemory(store.MemoryOptions{})
	defer m.Close()
	clients := clientNames(1024)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if _, err := m.Hit(ctx, benchRequest(clients[i&1023]), t0.Add(time.Duration(i)*time.Millisecond)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkMemoryBanned(b *testing.B) {
	m := store.NewMemory(store.MemoryOptions{})
	defer m.Close()
	ctx := context.Background()
	if err := m.Ban(ctx, store.Ban{Client: "10.0.0.1", Until: t0.Add(time.Hour)}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := m.Banned(ctx, "10.0.0.2", t0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMemoryTrackedClients reports the heap held per tracked client
// (default rate limit, 3 requests each) for the design's million clients
// (run it with -benchtime=1x).
func BenchmarkMemoryTrackedClients(b *testing.B) {
	var per float64
	for b.Loop() {
		per = bytesPerClient(b, 1_000_000, 3)
	}
	b.ReportMetric(per, "B/client")
}
