package detect

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/guardgo/guard/core/detect/corpus"
)

func TestAnchorVariants(t *testing.T) {
	tests := []struct {
		expr            string
		head, mid, tail string // "" when the variant can never match
		parity          bool
		excluded        string
	}{
		{expr: `^\s*whoami\s*$`},
		{expr: `(?:^|[;&])\s*id\b`, head: "x; id", mid: "x; id", tail: "x; id"},
		{expr: `--\s*$`, tail: "a --"},
		{expr: `^\s*select\b`, head: "select 1"},
		{expr: `(?:^[^']*(?:'[^']*'[^']*)*')\s*or\b`, head: "' or", mid: "' or", tail: "' or", parity: true},
		{expr: `^[^']*'\s*or\b`, head: "' or", excluded: "'"}, // the first quote only: not parity
		{expr: `^[^()]*\)\s*\(`, head: ") (", excluded: "()"},
	}
	for _, tt := range tests {
		v, ok := buildAnchorVariants(tt.expr)
		if !ok {
			t.Fatalf("%s: no variants", tt.expr)
		}
		if v.excluded != tt.excluded {
			t.Errorf("%s: excluded %q, want %q", tt.expr, v.excluded, tt.excluded)
		}
		if v.parity != tt.parity {
			t.Errorf("%s: parity %v, want %v", tt.expr, v.parity, tt.parity)
		}
		for _, c := range []struct {
			name  string
			re    interface{ MatchString(string) bool }
			isNil bool
			match string
		}{{"head", v.head, v.head == nil, tt.head}, {"mid", v.mid, v.mid == nil, tt.mid}, {"tail", v.tail, v.tail == nil, tt.tail}} {
			if c.match == "" {
				if !c.isNil {
					t.Errorf("%s: %s variant should never match, got one", tt.expr, c.name)
				}
				continue
			}
			if c.isNil || !c.re.MatchString(c.match) {
				t.Errorf("%s: %s variant should match %q", tt.expr, c.name, c.match)
			}
		}
	}
}

func TestParityStart(t *testing.T) {
	norm := `it's a "quoted" word, isn't it, and "one more`
	var q quoteIndex
	for wa := 0; wa <= len(norm); wa++ {
		got := q.parityStart(norm, wa)
		if got > wa {
			t.Fatalf("parityStart(%d) = %d moved forward", wa, got)
		}
		if strings.Count(norm[:got], "'")%2 != 0 || strings.Count(norm[:got], `"`)%2 != 0 {
			t.Errorf("parityStart(%d) = %d: odd quote count before it", wa, got)
		}
	}
}

// TestAnchorWindowsAgree checks that running text-anchored patterns on windows, and
// skipping windows that fail a pattern's check (checks.go), finds what running every
// pattern on the whole value finds, on attacks buried in long prose: at the
// start, in the middle and at the end, with an apostrophe in the padding (quote parity).
func TestAnchorWindowsAgree(t *testing.T) {
	var recs []corpus.Record
	for _, set := range []string{"independent", "independent2", "independent3"} {
		r, err := corpus.Load(filepath.Join("testdata", set, "attacks.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r...)
	}
	if testing.Short() {
		recs = recs[:200]
	}
	cfg := Config{MaxContentLength: 64 << 10, Logger: slog.New(slog.DiscardHandler)}
	win, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	whole.wholeAnchored, whole.noChecks = true, true
	pad := strings.Repeat(neutralProse, 3)
	padQuote := strings.Repeat(neutralProse, 2) + "The baker's daughter waved. " + neutralProse
	ctx := context.Background()
	ids := func(r Result) []string {
		var out []string
		for _, th := range r.Threats {
			// Combined evidence names its parts in the order they matched, which
			// windows may change.
			out = append(out, strings.Split(th.Pattern, "+")...)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	compared := 0
	for _, r := range recs {
		v := r.Value()
		for _, in := range []string{v, pad + v, v + pad, pad + v + pad, padQuote + v, padQuote + v + " " + padQuote} {
			a, b := ids(win.Detect(ctx, in, "body:text")), ids(whole.Detect(ctx, in, "body:text"))
			compared++
			if !slices.Equal(a, b) {
				t.Errorf("%s (%d bytes): windows found %v, whole value %v", r.ID, len(in), a, b)
			}
		}
	}
	t.Logf("%d padded values compared", compared)
}
