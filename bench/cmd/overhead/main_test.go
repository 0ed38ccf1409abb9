package main

import (
	"strings"
	"testing"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []float64
		want float64
	}{
		{"empty", nil, 0},
		{"one", []float64{3}, 3},
		{"odd unsorted", []float64{9, 1, 5}, 5},
		{"even", []float64{4, 1, 3, 2}, 2.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := median(tc.in); got != tc.want {
				t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	out := `goos: linux
BenchmarkPeers/GET/bare-2         	 8979937	        24.06 ns/op	       2 B/op	       1 allocs/op
BenchmarkPeers/GET/bare-2         	 8979937	        20.00 ns/op	       2 B/op	       1 allocs/op
BenchmarkHTTPThroughput-2   	       3	4045312271 ns/op	     22449 mem_req/s	        52.08 redis/mem_%
--- FAIL: BenchmarkBroken
PASS
`
	res, err := parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, bench, unit string
		want              float64
		ok                bool
	}{
		{"median of two runs", "BenchmarkPeers/GET/bare", "ns/op", 22.03, true},
		{"allocs", "BenchmarkPeers/GET/bare", "allocs/op", 1, true},
		{"custom metric", "BenchmarkHTTPThroughput", "redis/mem_%", 52.08, true},
		{"proc suffix stripped", "BenchmarkPeers/GET/bare-2", "ns/op", 0, false},
		{"unknown unit", "BenchmarkHTTPThroughput", "B/op", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := res.med(tc.bench, tc.unit)
			if ok != tc.ok || (ok && (got < tc.want-1e-9 || got > tc.want+1e-9)) {
				t.Errorf("med(%s, %s) = %v, %v; want %v, %v", tc.bench, tc.unit, got, ok, tc.want, tc.ok)
			}
		})
	}
	if len(res.order) != 2 {
		t.Errorf("%d benchmarks parsed, want 2: %v", len(res.order), res.order)
	}
}
