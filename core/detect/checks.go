package detect

import (
	"regexp/syntax"
	"slices"
	"sort"
	"strings"
)

// Second literal sets ("checks").
//
// The prefilter runs a pattern where one literal of a required set occurs: every
// match holds one of them. Many patterns' best such set is made of words ("file",
// "string", "document") that prose is full of, so on ordinary text their regexes ran
// on window after window and found nothing. Most patterns require more than one thing:
// ssti-groovy-java needs "${" as well as one of its method names. A pattern's check is
// a second required set, told apart from the first: a window (or a short value) holding
// none of its members cannot hold a match, and the regex is not run there. This is
// exact, not a heuristic: a match lies inside its window, and holds a member of every
// required set.
//
// The start and the end of the value count as members too (pseudoStart, pseudoEnd): a
// branch anchored with ^ is satisfied by a window that starts at the value's start.

// checkSet is a pattern's second required set, with its own small automaton: it is
// only consulted for a window the pattern is about to run on, so its members cost
// nothing on values where the pattern is not a candidate.
type checkSet struct {
	ac         *acMatcher // the literal members
	start, end bool       // the value's start / end satisfies the check
}

// newCheckSet compiles a check derived by deriveCheck.
func newCheckSet(members []string) *checkSet {
	c := &checkSet{}
	var lits []string
	for _, l := range members {
		switch l {
		case pseudoStart:
			c.start = true
		case pseudoEnd:
			c.end = true
		default:
			lits = append(lits, l)
		}
	}
	if len(lits) > 0 {
		c.ac = newACMatcher(lits)
	}
	return c
}

// holds reports whether [wa, wb) of norm contains a member of the check.
func (c *checkSet) holds(norm string, wa, wb int) bool {
	if c.start && wa == 0 || c.end && wb == len(norm) {
		return true
	}
	return c.ac != nil && c.ac.contains(norm[wa:wb])
}

const (
	pseudoStart = "\x00^"
	pseudoEnd   = "\x00$"
	// maxCheckSet bounds a check's members: a big set is rarely missing.
	maxCheckSet = 24
	// minCheckScore: every member at least as rare as a symbol prose seldom has. A
	// set with a common character or a two-letter run is present in nearly every
	// window, so checking it costs a scan and rarely saves a run.
	minCheckScore = 3*100 - maxCheckSet
)

// deriveCheck returns the best required literal set of expr other than primary, or
// nil when there is none worth checking.
func deriveCheck(expr string, primary []string) []string {
	re, err := syntax.Parse("(?i)"+expr, syntax.Perl)
	if err != nil {
		return nil
	}
	sets := requiredSets(re.Simplify())
	prim := slices.Clone(primary)
	sort.Strings(prim)
	var best []string
	bestScore := 0
	for _, s := range sets {
		s = normSet(s)
		if s == nil || len(s) > maxCheckSet || !useful(s, prim) {
			continue
		}
		if sc := checkScore(s); sc >= minCheckScore && sc > bestScore {
			best, bestScore = s, sc
		}
	}
	return best
}

// normSet lower-cases, sorts and de-duplicates a set; nil when a member is empty or
// not ASCII (the automaton folds ASCII case only).
func normSet(s []string) []string {
	out := make([]string, 0, len(s))
	for _, l := range s {
		if l == "" {
			return nil
		}
		if l != pseudoStart && l != pseudoEnd {
			for i := 0; i < len(l); i++ {
				if l[i] >= 0x80 {
					return nil
				}
			}
			l = strings.ToLower(l)
		}
		out = append(out, l)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// checkScore rates a set by how rarely ordinary text would hold one of its members:
// its weakest member's rarity (see litRarity), less one per member.
func checkScore(s []string) int {
	weakest := 1 << 30
	for _, l := range s {
		w := 8 // the value's start or end: one position
		if l != pseudoStart && l != pseudoEnd {
			w = litRarity(l)
		}
		weakest = min(weakest, w)
	}
	return weakest*100 - len(s)
}

// litRarity rates how rarely a literal occurs in ordinary text, for choosing checks
// (the automaton matches literals inside words too): letters and sentence punctuation
// count 2 each, other symbols ("${", "<%", "{{") 5; a run of two letters is
// everywhere ("on" is in "one", "long", "mention") and counts 1, three count 3; a
// single character counts 3 when prose rarely has it (= ; < { $ |), 1 otherwise.
func litRarity(l string) int {
	if len(l) == 1 {
		if proseByte(l[0]) {
			return 1
		}
		return 3
	}
	n, letters := 0, 0
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			n += 2
			letters++
		case proseByte(c):
			n += 2
		default:
			n += 5
		}
	}
	if letters == len(l) && len(l) <= 3 {
		return 2*len(l) - 3 // 1, 3
	}
	return n
}

// proseByte reports whether c is common in prose: letters, digits, blanks and the
// punctuation of sentences.
func proseByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c >= 0x80 || strings.IndexByte(" \t\r\n.,'\"-:()/!?", c) >= 0
}

// useful reports whether check can skip a window around some member of primary: a
// window around a primary literal that contains a check member always passes.
func useful(check, primary []string) bool {
	for _, p := range primary {
		covered := false
		for _, m := range check {
			if strings.Contains(p, m) {
				covered = true
				break
			}
		}
		if !covered {
			return true
		}
	}
	return false
}

// requiredSets returns literal sets each of which has a member in every match of re
// (pseudoStart / pseudoEnd for the anchors), a few at most per node.
func requiredSets(re *syntax.Regexp) [][]string {
	const perNode = 6
	switch re.Op {
	case syntax.OpLiteral:
		return [][]string{{string(re.Rune)}}
	case syntax.OpBeginText:
		return [][]string{{pseudoStart}}
	case syntax.OpEndText:
		return [][]string{{pseudoEnd}}
	case syntax.OpCharClass:
		if s := requiredLits(re); s != nil {
			return [][]string{s}
		}
		return nil
	case syntax.OpCapture, syntax.OpPlus:
		return requiredSets(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredSets(re.Sub[0])
		}
		return nil
	case syntax.OpConcat:
		var out [][]string
		for _, sub := range re.Sub {
			out = append(out, requiredSets(sub)...)
		}
		if j := joinConcat(re.Sub); j != nil {
			out = append(out, j)
		}
		return bestSets(out, perNode)
	case syntax.OpAlternate:
		// A set for the alternation takes one set from every branch: every
		// combination while there are few (so that a check can avoid the words the
		// primary set is made of), else each branch's k-th best (its last when it
		// has fewer).
		branches := make([][][]string, len(re.Sub))
		combos := 1
		for i, sub := range re.Sub {
			branches[i] = bestSets(requiredSets(sub), 3)
			if len(branches[i]) == 0 {
				return nil
			}
			combos *= len(branches[i])
		}
		var out [][]string
		if combos <= 64 {
			idx := make([]int, len(branches))
			for {
				var u []string
				for b, k := range idx {
					u = append(u, branches[b][k]...)
				}
				if len(u) <= maxLitSet {
					out = append(out, u)
				}
				b := 0
				for ; b < len(idx); b++ {
					if idx[b]++; idx[b] < len(branches[b]) {
						break
					}
					idx[b] = 0
				}
				if b == len(idx) {
					break
				}
			}
			return out
		}
		for k := 0; k < 3; k++ {
			var u []string
			for _, b := range branches {
				u = append(u, b[min(k, len(b)-1)]...)
			}
			if len(u) <= maxLitSet {
				out = append(out, u)
			}
		}
		return out
	}
	return nil
}

// bestSets keeps the n best-scoring distinct sets.
func bestSets(sets [][]string, n int) [][]string {
	type scored struct {
		s     []string
		score int
	}
	var all []scored
	seen := map[string]bool{}
	for _, s := range sets {
		ns := normSet(s)
		if ns == nil {
			continue
		}
		k := strings.Join(ns, "\x01")
		if seen[k] {
			continue
		}
		seen[k] = true
		all = append(all, scored{ns, checkScore(ns)})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].score > all[j].score })
	out := make([][]string, 0, min(n, len(all)))
	for i := 0; i < len(all) && i < n; i++ {
		out = append(out, all[i].s)
	}
	return out
}
