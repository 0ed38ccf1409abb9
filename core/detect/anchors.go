package detect

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// Windowing patterns that use text anchors.
//
// On a long value a pattern's regex runs only on windows around its prefilter hits
// (see windowMatch). A pattern with ^ or $ used to be exempt and ran over the whole
// value, because on a window ^ would match at the window's start and $ at its end.
// On ordinary prose of a few kilobytes that exemption was most of the cost: dozens of
// anchored patterns, each run by Go's regexp over every byte (a 32 KB licence text
// took ~120 ms). Instead, each anchored pattern gets variants in which the anchors that
// cannot hold inside a window are replaced by a match that never succeeds:
//
//   - head (a window that starts at the value's start): $ never matches;
//   - tail (a window that ends at the value's end): ^ never matches;
//   - mid (neither): ^ and $ never match;
//   - start: the pattern anchored at the value's start, run once over the whole
//     value. A ^ branch may reach far from the literal that made the pattern a
//     candidate (^\s*(?:\.[\\/])* over 300 bytes of dots before the "..", a command
//     line whose [^\n]*$ runs to the end); anchored, this run stops at once on a value
//     that does not start that way.
//
// The quote-parity prefix ^[^']*(?:'[^']*'[^']*)*' (the quote that follows is an
// unpaired one) is handled apart: the variants leave such branches out, and the rest of
// each branch runs, anchored, from every unpaired quote of a window (quoteRuns). Where
// a branch's shape does not allow that, the prefix is kept and windows are moved back
// to an even count of both quotes (parityStart), where it holds as on the whole value.
//
// A variant that can never match (a whole-value pattern ^…$ on a mid window) is nil:
// the window is not run at all.

// anchorVariants are the window forms of a text-anchored pattern.
type anchorVariants struct {
	head, mid, tail *regexp.Regexp
	// parity: the pattern has a quote-parity prefix, so window starts are moved to an
	// even quote count (see parityStart). Used when quoteRuns is not possible.
	parity bool
	// quoteRuns: the variants above never match through a parity prefix; instead,
	// for quote i (' and "), qMid[i] / qEnd[i] (the rest of the pattern, anchored)
	// run from each unpaired quote of the window, qShift[i] characters before it.
	quoteRuns  bool
	qMid, qEnd [2]*regexp.Regexp
	qShift     [2][]int
	// start is the pattern anchored at the value's start (\A), parity branches left
	// out when quoteRuns: run once over the whole value, it finds the matches of the
	// ^ branches wherever they end, however far their prefix reaches from the
	// window of a literal (^\s*(?:\.[\\/])*\.\.[\\/] over 300 bytes of dots, ^cmd …[^\n]*$ up
	// to the end). Anchored, it costs little on a value that does not start that way.
	start *regexp.Regexp
	// suffixExcl are the characters excluded by the pattern's [^C]* runs that end at
	// $ (<\/script[^<>]*$): such a branch can reach the value's end from any window
	// after which no character of C occurs, so those windows are run to the end.
	suffixExcl string
}

// buildAnchorVariants returns the window variants of expr, or ok=false when the
// pattern cannot be windowed (multi-line anchors, or a variant fails to compile).
func buildAnchorVariants(expr string) (v anchorVariants, ok bool) {
	// Parsed without case folding; (?i) is added back on compile.
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return v, false
	}
	if hasOp(re, syntax.OpBeginLine) || hasOp(re, syntax.OpEndLine) {
		return v, false
	}
	v.parity = scanAnchors(re)
	v.suffixExcl = suffixExclusions(re)
	build := func(m *anchorMode, prefix string) (*regexp.Regexp, bool) {
		t, never := dropAnchors(re, m)
		if never {
			return nil, true
		}
		var b strings.Builder
		b.WriteString("(?i)" + prefix)
		writeRegexp(&b, t)
		c, err := regexp.Compile(b.String())
		if err != nil {
			return nil, false
		}
		return c, true
	}
	mode := parityKeep
	if v.parity {
		// Try running the rest of each parity branch from the unpaired quotes.
		ok := true
		for i, q := range [2]byte{'\'', '"'} {
			for j, end := range [2]bool{false, true} {
				m := &anchorMode{keepEnd: end, parity: parityRun, quote: q}
				re, ok1 := build(m, `\A`)
				ok = ok && ok1 && !m.unsupported
				if j == 0 {
					v.qMid[i] = re
				} else {
					v.qEnd[i] = re
				}
				v.qShift[i] = m.shifts
			}
		}
		if ok {
			v.quoteRuns, v.parity, mode = true, false, parityDrop
		} else {
			v.qMid, v.qEnd, v.qShift = [2]*regexp.Regexp{}, [2]*regexp.Regexp{}, [2][]int{}
		}
	}
	var ok1, ok2, ok3, ok4 bool
	v.head, ok1 = build(&anchorMode{keepBegin: true, parity: mode}, "")
	v.mid, ok2 = build(&anchorMode{parity: mode}, "")
	v.tail, ok3 = build(&anchorMode{keepEnd: true, parity: mode}, "")
	v.start, ok4 = build(&anchorMode{keepBegin: true, keepEnd: true, parity: mode}, `\A`)
	return v, ok1 && ok2 && ok3 && ok4
}

func hasOp(r *syntax.Regexp, op syntax.Op) bool {
	if r.Op == op {
		return true
	}
	for _, s := range r.Sub {
		if hasOp(s, op) {
			return true
		}
	}
	return false
}

// negatedStar returns the characters a star of a negated class excludes ([^()]*
// excludes "()"), or ok=false when r is not such a star or excludes more than a few
// ASCII characters.
func negatedStar(r *syntax.Regexp) (excluded string, ok bool) {
	if r.Op != syntax.OpStar || len(r.Sub) != 1 || r.Sub[0].Op != syntax.OpCharClass {
		return "", false
	}
	cc := r.Sub[0].Rune
	n := len(cc)
	if n < 4 || cc[0] != 0 || cc[n-1] != unicode.MaxRune {
		return "", false
	}
	var b []byte
	for i := 1; i+1 < n; i += 2 {
		for c := cc[i] + 1; c < cc[i+1]; c++ {
			if c >= 0x80 || len(b) >= 8 {
				return "", false
			}
			b = append(b, byte(c))
		}
	}
	return string(b), len(b) > 0
}

// isParity reports whether sub[i:] opens with the quote-parity prefix
// ^[^q]*(?:q[^q]*q[^q]*)* for a quote q.
func isParity(sub []*syntax.Regexp, i int) bool {
	if i+2 >= len(sub) || sub[i].Op != syntax.OpBeginText {
		return false
	}
	q, ok := negatedStar(sub[i+1])
	if !ok || (q != "'" && q != `"`) {
		return false
	}
	pairs := sub[i+2]
	if pairs.Op != syntax.OpStar || pairs.Sub[0].Op != syntax.OpConcat || len(pairs.Sub[0].Sub) != 4 {
		return false
	}
	p := pairs.Sub[0].Sub
	lit := func(r *syntax.Regexp) bool { return r.Op == syntax.OpLiteral && string(r.Rune) == q }
	same := func(r *syntax.Regexp) bool { e, ok := negatedStar(r); return ok && e == q }
	return lit(p[0]) && same(p[1]) && lit(p[2]) && same(p[3])
}

// scanAnchors reports whether r holds a quote-parity prefix.
func scanAnchors(r *syntax.Regexp) bool {
	if r.Op == syntax.OpConcat {
		for i := 0; i+1 < len(r.Sub); i++ {
			if isParity(r.Sub, i) {
				return true
			}
		}
	}
	for _, s := range r.Sub {
		if scanAnchors(s) {
			return true
		}
	}
	return false
}

// suffixExclusions returns the characters excluded by [^C]* runs that $ may follow
// directly, anywhere in r.
func suffixExclusions(r *syntax.Regexp) string {
	out := ""
	if r.Op == syntax.OpConcat {
		for i := 0; i+1 < len(r.Sub); i++ {
			if !opensWithEnd(r.Sub[i+1]) {
				continue
			}
			if c, ok := endsWithNegatedStar(r.Sub[i]); ok {
				out += c
			}
		}
	}
	for _, sub := range r.Sub {
		out += suffixExclusions(sub)
	}
	return out
}

// opensWithEnd reports whether r can match the empty string at the text's end by
// way of $ first ($, or an alternation with a $ branch).
func opensWithEnd(r *syntax.Regexp) bool {
	switch r.Op {
	case syntax.OpEndText:
		return true
	case syntax.OpAlternate:
		for _, s := range r.Sub {
			if opensWithEnd(s) {
				return true
			}
		}
	case syntax.OpConcat, syntax.OpCapture:
		return len(r.Sub) > 0 && opensWithEnd(r.Sub[0])
	}
	return false
}

// endsWithNegatedStar returns what a [^C]* at the end of r excludes.
func endsWithNegatedStar(r *syntax.Regexp) (string, bool) {
	switch r.Op {
	case syntax.OpStar:
		return negatedStar(r)
	case syntax.OpConcat, syntax.OpCapture, syntax.OpQuest:
		if len(r.Sub) > 0 {
			return endsWithNegatedStar(r.Sub[len(r.Sub)-1])
		}
	case syntax.OpAlternate:
		out := ""
		for _, s := range r.Sub {
			if c, ok := endsWithNegatedStar(s); ok {
				out += c
			}
		}
		return out, out != ""
	}
	return "", false
}

// Parity modes of dropAnchors.
const (
	parityKeep = iota // keep the prefix, ^ live (window starts at an even count)
	parityDrop        // the prefix never matches
	parityRun         // the prefix is removed: the rest runs from an unpaired quote
)

// anchorMode says how dropAnchors treats anchors.
type anchorMode struct {
	keepBegin, keepEnd bool
	parity             int
	quote              byte // parityRun: the quote whose prefixes are removed
	// shifts collects, in parityRun, how many characters each removed prefix's
	// continuation reads before its quote (0 for ', 1 for \w'); unsupported is set
	// when a continuation has another shape.
	shifts      []int
	unsupported bool
}

// dropAnchors returns a copy of r in which ^ (unless keepBegin; parity prefixes as
// m.parity says) and $ (unless keepEnd) never match, simplified; never is true when
// the whole expression can no longer match.
func dropAnchors(r *syntax.Regexp, m *anchorMode) (out *syntax.Regexp, never bool) {
	switch r.Op {
	case syntax.OpNoMatch:
		return r, true
	case syntax.OpBeginText:
		return r, !m.keepBegin
	case syntax.OpEndText:
		return r, !m.keepEnd
	case syntax.OpConcat:
		n := &syntax.Regexp{Op: r.Op, Flags: r.Flags}
		for i := 0; i < len(r.Sub); i++ {
			s := r.Sub[i]
			if isParity(r.Sub, i) {
				switch m.parity {
				case parityKeep:
					n.Sub = append(n.Sub, s)
					continue
				case parityDrop:
					return nil, true
				}
				q, _ := negatedStar(r.Sub[i+1])
				if q[0] != m.quote {
					return nil, true
				}
				d, ok := quoteShift(r.Sub[i+3:], m.quote)
				if !ok {
					m.unsupported = true
					return nil, true
				}
				if !slices.Contains(m.shifts, d) {
					m.shifts = append(m.shifts, d)
				}
				i += 2 // the prefix's ^, [^q]* and (?:q[^q]*q[^q]*)*
				continue
			}
			t, nv := dropAnchors(s, m)
			if nv {
				return nil, true
			}
			n.Sub = append(n.Sub, t)
		}
		if len(n.Sub) == 0 {
			return &syntax.Regexp{Op: syntax.OpEmptyMatch, Flags: r.Flags}, false
		}
		return n, false
	case syntax.OpAlternate:
		n := &syntax.Regexp{Op: r.Op, Flags: r.Flags}
		for _, s := range r.Sub {
			if t, nv := dropAnchors(s, m); !nv {
				n.Sub = append(n.Sub, t)
			}
		}
		switch len(n.Sub) {
		case 0:
			return nil, true
		case 1:
			return n.Sub[0], false
		}
		return n, false
	case syntax.OpCapture, syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		t, nv := dropAnchors(r.Sub[0], m)
		n := *r
		n.Sub = []*syntax.Regexp{t}
		if nv {
			optional := r.Op == syntax.OpStar || r.Op == syntax.OpQuest || r.Op == syntax.OpRepeat && r.Min == 0
			if !optional {
				return nil, true
			}
			return &syntax.Regexp{Op: syntax.OpEmptyMatch, Flags: r.Flags}, false
		}
		return &n, false
	}
	return r, false
}

// quoteShift returns how many characters rest reads before the quote q that ends a
// parity prefix: 0 when rest opens with q, 1 when with a class without q and then q.
func quoteShift(rest []*syntax.Regexp, q byte) (int, bool) {
	startsWithQuote := func(r *syntax.Regexp) bool {
		return r.Op == syntax.OpLiteral && len(r.Rune) > 0 && r.Rune[0] == rune(q)
	}
	if len(rest) > 0 && startsWithQuote(rest[0]) {
		return 0, true
	}
	if len(rest) > 1 && rest[0].Op == syntax.OpCharClass && !classHas(rest[0].Rune, rune(q)) && startsWithQuote(rest[1]) {
		return 1, true
	}
	return 0, false
}

func classHas(ranges []rune, c rune) bool {
	for i := 0; i+1 < len(ranges); i += 2 {
		if ranges[i] <= c && c <= ranges[i+1] {
			return true
		}
	}
	return false
}

// quoteIndex holds the positions of the quote characters of one normalised value,
// collected on first use by a parity window.
type quoteIndex struct {
	built          bool
	single, double []int32
}

func (q *quoteIndex) reset() {
	q.built = false
	q.single = q.single[:0]
	q.double = q.double[:0]
}

func (q *quoteIndex) build(norm string) {
	q.built = true
	for i := 0; i < len(norm); i++ {
		switch norm[i] {
		case '\'':
			q.single = append(q.single, int32(i))
		case '"':
			q.double = append(q.double, int32(i))
		}
	}
}

// parityStart moves a window start back until the text before it holds an even number
// of each quote character: a quote-parity prefix matched from there sees the same
// quotes unpaired as it would from the value's start.
func (q *quoteIndex) parityStart(norm string, wa int) int {
	if !q.built {
		q.build(norm)
	}
	for wa > 0 {
		moved := false
		for _, pos := range [2][]int32{q.single, q.double} {
			k := sort.Search(len(pos), func(i int) bool { return int(pos[i]) >= wa })
			if k%2 == 1 {
				wa = int(pos[k-1]) // now k-1 quotes before it: even
				moved = true
			}
		}
		if !moved {
			break
		}
	}
	return wa
}

// writeRegexp prints a tree parsed with syntax.Perl (no case folding) back as an
// expression. syntax.Regexp.String would do, but it recomputes case-folding flags by
// walking every rune of every class: over a second for the built-in set, whose [^']
// classes span all of Unicode.
func writeRegexp(b *strings.Builder, r *syntax.Regexp) {
	group := func(subs ...*syntax.Regexp) {
		b.WriteString("(?:")
		for _, s := range subs {
			writeRegexp(b, s)
		}
		b.WriteString(")")
	}
	nongreedy := func() {
		if r.Flags&syntax.NonGreedy != 0 {
			b.WriteByte('?')
		}
	}
	switch r.Op {
	case syntax.OpNoMatch:
		b.WriteString(`[^\x00-\x{10FFFF}]`)
	case syntax.OpEmptyMatch:
		b.WriteString("(?:)")
	case syntax.OpLiteral:
		b.WriteString("(?:")
		for _, c := range r.Rune {
			writeRune(b, c)
		}
		b.WriteString(")")
	case syntax.OpCharClass:
		// A class that reaches both ends of Unicode is printed as the negation of its
		// complement ([^'] stays [^']): re-parsing a range that spans Unicode under
		// (?i) folds every rune in it.
		ranges := r.Rune
		if n := len(ranges); n == 2 && ranges[0] == 0 && ranges[1] == unicode.MaxRune {
			b.WriteString("(?s:.)")
			return
		}
		b.WriteByte('[')
		if n := len(ranges); n > 0 && ranges[0] == 0 && ranges[n-1] == unicode.MaxRune {
			b.WriteByte('^')
			var comp []rune
			for i := 1; i+1 < n; i += 2 {
				comp = append(comp, ranges[i]+1, ranges[i+1]-1)
			}
			ranges = comp
		}
		for i := 0; i+1 < len(ranges); i += 2 {
			writeRune(b, ranges[i])
			if ranges[i+1] != ranges[i] {
				b.WriteByte('-')
				writeRune(b, ranges[i+1])
			}
		}
		if len(r.Rune) == 0 {
			b.WriteString(`^\x00-\x{10FFFF}`)
		}
		b.WriteByte(']')
	case syntax.OpAnyCharNotNL:
		b.WriteString("(?-s:.)")
	case syntax.OpAnyChar:
		b.WriteString("(?s:.)")
	case syntax.OpBeginText:
		b.WriteString(`\A`)
	case syntax.OpEndText:
		b.WriteString(`\z`)
	case syntax.OpWordBoundary:
		b.WriteString(`\b`)
	case syntax.OpNoWordBoundary:
		b.WriteString(`\B`)
	case syntax.OpCapture, syntax.OpConcat:
		group(r.Sub...)
	case syntax.OpAlternate:
		b.WriteString("(?:")
		for i, s := range r.Sub {
			if i > 0 {
				b.WriteByte('|')
			}
			writeRegexp(b, s)
		}
		b.WriteString(")")
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest:
		group(r.Sub[0])
		b.WriteByte(map[syntax.Op]byte{syntax.OpStar: '*', syntax.OpPlus: '+', syntax.OpQuest: '?'}[r.Op])
		nongreedy()
	case syntax.OpRepeat:
		group(r.Sub[0])
		switch {
		case r.Max == -1:
			fmt.Fprintf(b, "{%d,}", r.Min)
		case r.Max == r.Min:
			fmt.Fprintf(b, "{%d}", r.Min)
		default:
			fmt.Fprintf(b, "{%d,%d}", r.Min, r.Max)
		}
		nongreedy()
	default:
		// Line anchors are refused before printing (buildAnchorVariants).
		b.WriteString(`[^\x00-\x{10FFFF}]`)
	}
}

func writeRune(b *strings.Builder, c rune) {
	fmt.Fprintf(b, `\x{%x}`, c)
}

// unpaired calls f with the position of every unpaired occurrence of quote qi (0: ',
// 1: ") in [wa, wb): the first, third, fifth… of the value; f returns true to stop.
func (q *quoteIndex) unpaired(norm string, qi, wa, wb int, f func(pos int) bool) {
	if !q.built {
		q.build(norm)
	}
	pos := q.single
	if qi == 1 {
		pos = q.double
	}
	k := sort.Search(len(pos), func(i int) bool { return int(pos[i]) >= wa })
	if k%2 == 1 {
		k++
	}
	for ; k < len(pos) && int(pos[k]) < wb; k += 2 {
		if f(int(pos[k])) {
			return
		}
	}
}
