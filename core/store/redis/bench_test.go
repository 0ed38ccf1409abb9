package redisstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/guardgo/guard/core/store"
	redisstore "github.com/guardgo/guard/core/store/redis"
)

// BenchmarkHit compares one request (2 limits + 1 counter) against the
// in-memory store and against Redis on loopback.
func BenchmarkHit(b *testing.B) {
	c := sharedClient(b)
	stores := []struct {
		name string
		s    store.Store
	}{
		{"memory", store.NewMemory(store.MemoryOptions{})},
		{"redis", newStore(b, c, redisstore.Options{FailClosed: true, OpTimeout: 5 * time.Second})},
	}
	reqs := make([]store.HitRequest, 256)
	for i := range reqs {
		reqs[i] = twoLimitsOneCounter(fmt.Sprint("10.9.0.", i))
	}
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			ctx := context.Background()
			now := time.Now()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := st.s.Hit(ctx, reqs[i&255], now.Add(time.Duration(i)*time.Microsecond)); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(st.name+"-parallel", func(b *testing.B) {
			ctx := context.Background()
			now := time.Now()
			b.ReportAllocs()
			b.SetParallelism(8) // 8 goroutines per CPU: concurrent requests, as a server has
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					i++
					if _, err := st.s.Hit(ctx, reqs[i&255], now); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
		st.s.Close()
	}
}

// BenchmarkHitExactCounter is BenchmarkHit with the counter exact
// (Cap 11, a behavioural rule with threshold 10), saturated after the first
// few rounds.
func BenchmarkHitExactCounter(b *testing.B) {
	c := sharedClient(b)
	stores := []struct {
		name string
		s    store.Store
	}{
		{"memory", store.NewMemory(store.MemoryOptions{})},
		{"redis", newStore(b, c, redisstore.Options{FailClosed: true, OpTimeout: 5 * time.Second})},
	}
	reqs := make([]store.HitRequest, 256)
	for i := range reqs {
		reqs[i] = twoLimitsOneCounter(fmt.Sprint("10.9.0.", i))
		reqs[i].Counters[0].Cap = 11
	}
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			ctx := context.Background()
			now := time.Now()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := st.s.Hit(ctx, reqs[i&255], now.Add(time.Duration(i)*time.Microsecond)); err != nil {
					b.Fatal(err)
				}
			}
		})
		st.s.Close()
	}
}

// BenchmarkBanned measures the ban check, answered from the local cache.
func BenchmarkBanned(b *testing.B) {
	c := sharedClient(b)
	s := newStore(b, c, redisstore.Options{FailClosed: true, OpTimeout: 5 * time.Second})
	ctx := context.Background()
	now := time.Now()
	if err := s.Ban(ctx, store.Ban{Client: "10.0.0.1", Until: now.Add(time.Hour)}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s.Banned(ctx, "10.0.0.2", now); err != nil {
			b.Fatal(err)
		}
	}
}
