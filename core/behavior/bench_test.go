package behavior

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/guardgo/guard/core/store"
)

// jsonBody builds a JSON response of about n bytes whose interesting
// field comes last (the worst case for a streaming matcher).
func jsonBody(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"items":[`)
	for i := 0; b.Len() < n-64; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"id":` + strconv.Itoa(i) + `,"state":"lost","name":"item number ` + strconv.Itoa(i) + `","score":12.5,"ok":true}`)
	}
	b.WriteString(`],"result":"win","total":99}`)
	return []byte(b.String())
}

// BenchmarkNilSet is the cost for a route without behavioural rules: the
// whole request and response protocol on a nil Set.
func BenchmarkNilSet(b *testing.B) {
	var s *Set
	cs := make([]store.Counter, 0, 8)
	vs := make([]Violation, 0, 4)
	m := make([]int, 0, 4)
	body := []byte("{}")
	b.ReportAllocs()
	for b.Loop() {
		cs = s.RequestCounters("/items/{id}", cs[:0])
		vs = s.CheckRequest("/items/{id}", nil, vs[:0])
		if s.HasReturnRules() {
			m = s.MatchResponse(200, body, m[:0])
		}
	}
}

// BenchmarkRequestPath is step 11 for a route with a usage, a frequency
// and a return-throttle rule (three rules, two counters), store excluded.
func BenchmarkRequestPath(b *testing.B) {
	specs := []RuleSpec{
		UsageMonitor{MaxCalls: 100, Window: sec(3600)}.Rule(),
		SuspiciousFrequency{MaxFrequency: 1, Window: sec(3600), Action: Throttle}.Rule(),
		ReturnMonitor{Pattern: "status:404", MaxOccurrences: 10, Window: sec(60), Action: Throttle}.Rule(),
	}
	counts := []int64{5, 3}
	for _, bc := range []struct {
		name string
		opts []Option
	}{
		{"ForEndpoint", []Option{ForEndpoint("/items/{id}")}},
		{"dynamic-endpoint", nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s, err := Compile(specs, bc.opts...)
			if err != nil {
				b.Fatal(err)
			}
			cs := make([]store.Counter, 0, 8)
			vs := make([]Violation, 0, 4)
			b.ReportAllocs()
			for b.Loop() {
				cs = s.RequestCounters("/items/{id}", cs[:0])
				vs = s.CheckRequest("/items/{id}", counts, vs[:0])
			}
		})
	}
}

// BenchmarkMatchResponse is step 13's matching for one return rule over a
// response body whose match (if any) is at the very end.
func BenchmarkMatchResponse(b *testing.B) {
	patterns := []struct {
		name, pattern string
		match         bool
	}{
		{"status", "status:404", false},
		{"substring", "\"result\":\"win\"", true},
		{"substring-absent", "exception", false},
		{"substring-near-misses", "item numbers", false}, // a candidate in every item
		{"regex", `regex:"result"\s*:\s*"win"`, true},
		{"json-eq", "json:result==win", true},
		{"json-array", "json:items[].state==won", false},
		{"json-ge", "json:total>=50", true},
	}
	for _, size := range []int{1 << 10, 64 << 10} {
		body := jsonBody(size)
		if !json.Valid(body) {
			b.Fatal("invalid benchmark body")
		}
		for _, p := range patterns {
			b.Run(p.name+"/"+strconv.Itoa(size>>10)+"KB", func(b *testing.B) {
				s, err := Compile([]RuleSpec{{RuleType: ReturnPattern, Threshold: 1, Window: sec(60), Pattern: p.pattern}})
				if err != nil {
					b.Fatal(err)
				}
				m := make([]int, 0, 1)
				if got := len(s.MatchResponse(200, body, m)) == 1; got != p.match {
					b.Fatalf("matched = %v, want %v", got, p.match)
				}
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					m = s.MatchResponse(200, body, m[:0])
				}
			})
		}
	}
}

// BenchmarkJSONDecodeBaseline is the alternative the streaming matcher
// replaces: decode the whole body with encoding/json, then walk the value.
func BenchmarkJSONDecodeBaseline(b *testing.B) {
	p, err := ParsePattern("json:result==win")
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{1 << 10, 64 << 10} {
		body := jsonBody(size)
		b.Run(strconv.Itoa(size>>10)+"KB", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if !refJSONMatch(p.json, body) {
					b.Fatal("no match")
				}
			}
		})
	}
}
