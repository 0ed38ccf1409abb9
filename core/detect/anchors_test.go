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
	}{
		{expr: `^\s*whoami\s*$`},
		{expr: `(?:^|[;&])\s*id\b`, head: "x; id", mid: "x; id", tail: "x; id"},
		{expr: `--\s*$`, tail: "a --"},
		{expr: `^\s*select\b`, head: "select 1"},
		// The quote-parity branch runs from unpaired quotes (TestQuoteRuns), not
		// through the window variants.
		{expr: `(?:^[^']*(?:'[^']*'[^']*)*')\s*or\b`},
		// A continuation that is not a quote (or one character and a quote) keeps
		// the prefix, run from an even-count window start.
		{expr: `^[^']*(?:'[^']*'[^']*)*\s*'or`, head: "'or", mid: "'or", tail: "'or", parity: true},
		{expr: `^[^']*'\s*or\b`, head: "' or"}, // the first quote only: not parity
		{expr: `^[^()]*\)\s*\(`, head: ") ("},
	}
	for _, tt := range tests {
		v, ok := buildAnchorVariants(tt.expr)
		if !ok {
			t.Fatalf("%s: no variants", tt.expr)
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

// TestAnchorReach: branches whose match reaches far from the literal that made the
// pattern a candidate — a ^ prefix of 300 bytes, a command line whose tail runs to the
// value's end, a closing script tag whose [^<>]*$ runs to the end, a parity quote
// counted across a contraction — are found on windows as on the whole value.
func TestAnchorReach(t *testing.T) {
	win, whole := windowAndWholeDetectors(t)
	prose, quoted := paddings()
	for _, in := range []string{
		"/" + strings.Repeat(`.\`, 150) + `..\boot.ini ` + prose,
		"nc -lvvp 4447 -e /bin/sh; " + prose,
		quoted + ` <<scr\0ipt/src=http://x.example:3555/kcf.js></script ` + quoted,
		quoted + ` '=' 'or' and '=' 'or'`,
	} {
		a, b := win.Detect(context.Background(), in, "body:text"), whole.Detect(context.Background(), in, "body:text")
		if a.IsThreat != b.IsThreat || a.ThreatScore != b.ThreatScore || len(a.Threats) != len(b.Threats) {
			t.Errorf("%.40q…: windows %v %.2f, whole value %v %.2f", in, a.IsThreat, a.ThreatScore, b.IsThreat, b.ThreatScore)
		}
	}
}

// TestAnchorStart: the start variant finds a ^ branch whose prefix reaches far past
// any window, and only at the value's start.
func TestAnchorStart(t *testing.T) {
	v, ok := buildAnchorVariants(`^\s*(?:[\\/]|\.[\\/])*(?:\.\.[\\/]+)+[^\s./\\]|\w'--`)
	if !ok || v.start == nil {
		t.Fatal("no start variant")
	}
	long := "/" + strings.Repeat(`.\`, 400) + `..\boot.ini`
	if !v.start.MatchString(long + " and some text after it") {
		t.Error("start variant should match the long prefix")
	}
	if v.start.MatchString("x " + long) {
		t.Error("start variant matched away from the value's start")
	}
}

func TestQuoteRuns(t *testing.T) {
	tests := []struct {
		expr   string
		quote  int // 0: ', 1: "
		shifts []int
		match  string // matched by the quote's run variant from its start
	}{
		{`(?:^[^']*(?:'[^']*'[^']*)*'|\w'')\s*or\b`, 0, []int{0}, "' or"},
		{`^[^"]*(?:"[^"]*"[^"]*)*\w"\s*or$`, 1, []int{1}, `a" or`},
		{`(?:^[^']*(?:'[^']*'[^']*)*'|^[^']*(?:'[^']*'[^']*)*[\w)]')\s*=`, 0, []int{0, 1}, "x'="},
	}
	for _, tt := range tests {
		v, ok := buildAnchorVariants(tt.expr)
		if !ok || !v.quoteRuns || v.parity {
			t.Fatalf("%s: quoteRuns %v parity %v ok %v", tt.expr, v.quoteRuns, v.parity, ok)
		}
		if !slices.Equal(v.qShift[tt.quote], tt.shifts) {
			t.Errorf("%s: shifts %v, want %v", tt.expr, v.qShift[tt.quote], tt.shifts)
		}
		if re := v.qEnd[tt.quote]; re == nil || !re.MatchString(tt.match) || re.MatchString("zz"+tt.match) {
			t.Errorf("%s: run variant should match %q at its start only", tt.expr, tt.match)
		}
	}
	norm := `a 'b' c 'd e "f 'g` // ' at 2, 4, 8, 16: the 1st and 3rd are unpaired
	var q quoteIndex
	var got []int
	q.unpaired(norm, 0, 0, len(norm), func(p int) bool { got = append(got, p); return false })
	if want := []int{2, 8}; !slices.Equal(got, want) {
		t.Errorf("unpaired ' = %v, want %v", got, want)
	}
	got = got[:0]
	q.unpaired(norm, 0, 5, len(norm), func(p int) bool { got = append(got, p); return false })
	if want := []int{8}; !slices.Equal(got, want) {
		t.Errorf("unpaired ' from 5 = %v, want %v", got, want)
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
	if testing.Short() || raceEnabled {
		// The comparison is single-goroutine logic; under the race detector a
		// sample keeps the run short (every record runs without -race).
		sample := recs[:0:0]
		for i, r := range recs {
			if i%8 == 0 {
				sample = append(sample, r)
			}
		}
		recs = sample
	}
	win, whole := windowAndWholeDetectors(t)
	pad, padQuote := paddings()
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

// windowAndWholeDetectors returns a detector as configured for long values and one
// that runs text-anchored patterns over the whole value without checks: the reference
// the windowed runs are compared with.
func windowAndWholeDetectors(t *testing.T) (win, whole *Detector) {
	t.Helper()
	cfg := Config{MaxContentLength: 64 << 10, Logger: slog.New(slog.DiscardHandler)}
	win, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if whole, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	whole.wholeAnchored, whole.noChecks = true, true
	return win, whole
}

// paddings returns ordinary prose to bury a value in, without and with an apostrophe
// (which changes the quote parity of everything after it).
func paddings() (plain, apostrophe string) {
	return strings.Repeat(neutralProse, 3),
		strings.Repeat(neutralProse, 2) + "The baker's daughter waved. " + neutralProse
}
