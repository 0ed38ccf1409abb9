package detect

import (
	"bufio"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:embed rules/*.rules
var builtinRules embed.FS

// Pattern is one detection rule: an RE2 regular expression matched
// case-insensitively against the normalised value (see Normalize).
type Pattern struct {
	// ID is unique within a Detector, e.g. "sqli-union-select".
	ID string `json:"id"`
	// Category is the attack class, e.g. "sqli" (see Categories).
	Category string `json:"category"`
	// Regex is RE2 syntax; it is compiled with the (?i) flag.
	Regex string `json:"regex"`
	// Weight is the confidence 0..1 a match gives its category. A match alone is a
	// threat when Weight reaches Config.SemanticThreshold; weaker matches add up.
	// Zero means 0.9 for custom patterns.
	Weight float64 `json:"weight"`
	// Contexts restricts where the pattern applies: any of "query", "path", "header",
	// "user-agent", "cookie", "body". Empty means everywhere.
	Contexts []string `json:"contexts,omitempty"`
	// Literals are lower-case strings of which at least one must occur in the value for
	// the regex to run. Empty means derived from Regex; a regex with no derivable
	// literal runs on every value.
	Literals []string `json:"literals,omitempty"`
	// Description is free text for operators.
	Description string `json:"description,omitempty"`
	// Near, when set, replaces Literals as the prefilter: the regex runs only when a
	// literal of Near[0] is followed, at most NearGap bytes later, by a literal of
	// Near[1] (e.g. a shell separator then a command name). Lower-case.
	Near [2][]string `json:"near,omitempty"`
	// NearGap is the largest distance for Near; zero means 24.
	NearGap int `json:"near_gap,omitempty"`
	// NearAnchor says every match starts where a Near[0] literal starts, so the regex
	// is tried anchored there instead of searched for.
	NearAnchor bool `json:"near_anchor,omitempty"`
	// Group names evidence that describes the same fact as other patterns of the
	// group (e.g. "statement shape" for SQL): within a category only the strongest
	// hit of a group counts, so one well-formed SQL statement in a forum post does not
	// add up to an injection.
	Group string `json:"group,omitempty"`
	// NotAfter lists bytes that must not directly precede a match whose pattern starts
	// with a literal alternation (e.g. "." so that "re.exec(" is not "exec(").
	NotAfter string `json:"not_after,omitempty"`
}

// ErrInvalidPattern is returned (wrapped) by AddPattern and New for a pattern that
// cannot be used.
var ErrInvalidPattern = errors.New("detect: invalid pattern")

// context bits
type ctxMask uint8

const (
	ctxQuery ctxMask = 1 << iota
	ctxPath
	ctxHeader
	ctxUA
	ctxCookie
	ctxBody
	ctxAll = ctxQuery | ctxPath | ctxHeader | ctxUA | ctxCookie | ctxBody

	// ctxRawXML is not a context patterns select: it marks a whole XML document,
	// whose elements and namespaces are the format, not content. Patterns still run
	// on it (DOCTYPE/ENTITY declarations live there); libinjection's HTML verdict does
	// not, its text and attribute values are inspected one by one instead.
	ctxRawXML ctxMask = 1 << 7
	// ctxJSONValue marks a string a JSON parser has already unescaped: a \u0065
	// left in it was written as \\u0065, text that shows an escape.
	ctxJSONValue ctxMask = 1 << 6
)

// ctxByName maps a context name of Pattern.Contexts to its bits.
func ctxByName(name string) (ctxMask, bool) {
	switch name {
	case "query":
		return ctxQuery, true
	case "path":
		return ctxPath, true
	case "header":
		return ctxHeader | ctxUA, true
	case "user-agent":
		return ctxUA, true
	case "cookie":
		return ctxCookie, true
	case "body":
		return ctxBody, true
	case "all":
		return ctxAll, true
	}
	return 0, false
}

// contextOf maps a location such as "query:q", "header:User-Agent" or "body:json:a.b"
// to its context bit.
func contextOf(where string) ctxMask {
	kind, rest, _ := strings.Cut(where, ":")
	switch kind {
	case "query", "query-key", "query-raw":
		return ctxQuery
	case "path":
		return ctxPath
	case "header":
		if strings.EqualFold(rest, "user-agent") {
			return ctxUA
		}
		return ctxHeader
	case "cookie", "cookie-key":
		return ctxCookie
	case "body", "body-key":
		return ctxBody
	case "user-agent":
		return ctxUA
	}
	return ctxAll
}

// compiled is one pattern ready to run.
type compiled struct {
	Pattern
	re     *regexp.Regexp
	ctx    ctxMask
	always bool // no literal: run on every value of its contexts
	// near: the prefilter is the Near pair (see Pattern.Near).
	near bool
	// anchoredRe is the regex anchored with ^ for NearAnchor patterns.
	anchoredRe *regexp.Regexp
	// textAnchored: the regex uses ^ or $; it runs on windows around the prefilter
	// hits only through its anchor variants (anchors.go), and on the whole value
	// when it has none.
	textAnchored bool
	// anchors are the window variants of a text-anchored pattern, built on first
	// use (nil after that: it cannot be windowed and runs on the whole value).
	anchors     *anchorVariants
	anchorsOnce sync.Once
	// windowed: on a long value the regex runs on windows around the prefilter hits.
	windowed bool
	// checkLits is a second required literal set (checks.go); chk is it compiled.
	checkLits []string
	chk       *checkSet
	// split: the regex is (\b)?(lit1|lit2|…)tail; Literals are exactly the leading
	// alternatives and tail (nil when empty) is matched right after a literal hit.
	split bool
	tail  *regexp.Regexp
	// wordStart: the regex begins with \b, so a literal preceded by a word character
	// cannot start a match.
	wordStart bool
	cat       int // index into ruleset.cats
	custom    bool
	stats     *patStats
}

// variants returns the anchor variants of a text-anchored pattern, building them on
// first use; nil when it has none.
func (c *compiled) variants() *anchorVariants {
	c.anchorsOnce.Do(func() {
		if v, ok := buildAnchorVariants(c.Regex); ok {
			c.anchors = &v
		}
	})
	return c.anchors
}

func compilePattern(p Pattern) (*compiled, error) {
	if p.ID == "" {
		return nil, fmt.Errorf("%w: empty id", ErrInvalidPattern)
	}
	if p.Category == "" {
		return nil, fmt.Errorf("%w: %s: empty category", ErrInvalidPattern, p.ID)
	}
	if p.Regex == "" {
		return nil, fmt.Errorf("%w: %s: empty regex", ErrInvalidPattern, p.ID)
	}
	if p.Weight < 0 || p.Weight > 1 {
		return nil, fmt.Errorf("%w: %s: weight %v not in 0..1", ErrInvalidPattern, p.ID, p.Weight)
	}
	re, err := regexp.Compile("(?i)" + p.Regex)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalidPattern, p.ID, err)
	}
	c := &compiled{Pattern: p, re: re}
	if len(p.Contexts) == 0 {
		c.ctx = ctxAll
	}
	for _, name := range p.Contexts {
		m, ok := ctxByName(strings.ToLower(name))
		if !ok {
			return nil, fmt.Errorf("%w: %s: unknown context %q", ErrInvalidPattern, p.ID, name)
		}
		c.ctx |= m
	}
	if len(p.Literals) == 0 {
		c.Literals = deriveLiterals(p.Regex)
		if lits, tail, wordStart, ok := splitLeadingLiterals(p.Regex); ok {
			// Every match starts with one of these literals: prefilter on them and,
			// where one occurs, match only the rest of the pattern from there.
			c.Literals = lits
			c.split = true
			c.wordStart = wordStart
			if tail != "" {
				c.tail, err = regexp.Compile("(?i)^(?s:.)(?:" + tail + ")")
				if err != nil {
					return nil, fmt.Errorf("%w: %s: %v", ErrInvalidPattern, p.ID, err)
				}
			}
		}
	} else {
		lits := make([]string, 0, len(p.Literals))
		for _, l := range p.Literals {
			if l == "" {
				return nil, fmt.Errorf("%w: %s: empty literal", ErrInvalidPattern, p.ID)
			}
			lits = append(lits, strings.ToLower(l))
		}
		c.Literals = lits
	}
	if len(p.Near[0]) > 0 || len(p.Near[1]) > 0 {
		if len(p.Near[0]) == 0 || len(p.Near[1]) == 0 {
			return nil, fmt.Errorf("%w: %s: near needs literals on both sides", ErrInvalidPattern, p.ID)
		}
		for k := range p.Near {
			for i, l := range p.Near[k] {
				if l == "" {
					return nil, fmt.Errorf("%w: %s: empty near literal", ErrInvalidPattern, p.ID)
				}
				p.Near[k][i] = strings.ToLower(l)
			}
		}
		c.Near = p.Near
		c.near = true
		if p.NearAnchor {
			var err error
			c.anchoredRe, err = regexp.Compile("(?i)^(?:" + p.Regex + ")")
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrInvalidPattern, p.ID, err)
			}
		}
		c.split = false
		if c.NearGap <= 0 {
			c.NearGap = 24
		}
	}
	c.always = len(c.Literals) == 0 && !c.near
	if !c.near && !c.always {
		if c.checkLits = deriveCheck(p.Regex, c.Literals); c.checkLits != nil {
			c.chk = newCheckSet(c.checkLits)
		}
	}
	c.textAnchored = usesTextAnchors(p.Regex)
	c.windowed = !c.always
	return c, nil
}

// deriveLiterals returns a set of lower-case strings one of which occurs in every
// match of re, or nil when no useful set exists.
func deriveLiterals(expr string) []string {
	re, err := syntax.Parse("(?i)"+expr, syntax.Perl)
	if err != nil {
		return nil
	}
	set := requiredLits(re.Simplify())
	if len(set) == 0 {
		return nil
	}
	out := make([]string, 0, len(set))
	seen := map[string]bool{}
	for _, s := range set {
		s = strings.ToLower(s)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

const maxLitSet = 512

// splitLeadingLiterals recognises regexes written as \b?(?:lit|lit|…)tail where the
// leading group matches exactly a set of literals (at least two bytes each). The
// split is textual, so tail is the pattern's own source text.
func splitLeadingLiterals(expr string) (lits []string, tail string, wordStart, ok bool) {
	rest := expr
	if strings.HasPrefix(rest, `\b`) {
		wordStart = true
		rest = rest[2:]
	}
	if !strings.HasPrefix(rest, "(?:") {
		return nil, "", false, false
	}
	end := closingParen(rest)
	if end < 0 {
		return nil, "", false, false
	}
	head, tail := rest[:end+1], rest[end+1:]
	if tail != "" && strings.ContainsRune("?*+{", rune(tail[0])) {
		return nil, "", false, false // the group is quantified
	}
	if closingParen("("+tail+"|)") != len(tail)+2 || hasTopLevelBar(tail) {
		return nil, "", false, false // unbalanced, or an alternative at the top level
	}
	re, err := syntax.Parse(head, syntax.Perl)
	if err != nil {
		return nil, "", false, false
	}
	set, exact := prefixLitsExact(re.Simplify())
	if !exact || len(set) == 0 || len(set) > 512 {
		return nil, "", false, false
	}
	seen := map[string]bool{}
	for _, l := range set {
		if len(l) < 2 {
			return nil, "", false, false
		}
		l = strings.ToLower(l)
		if !seen[l] {
			seen[l] = true
			lits = append(lits, l)
		}
	}
	sort.Strings(lits)
	return lits, tail, wordStart, true
}

// scanRegex walks the regular expression s outside escapes and character
// classes, calling f with the index and group depth of every '(', ')' and
// '|' (depth after an opening, before a closing parenthesis is counted);
// f returns false to stop.
func scanRegex(s string, f func(i, depth int) bool) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '[':
			// skip the class: a ']' right after '[' or '[^' is literal
			j := i + 1
			if j < len(s) && s[j] == '^' {
				j++
			}
			if j < len(s) && s[j] == ']' {
				j++
			}
			for j < len(s) && s[j] != ']' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			i = j
		case '(':
			depth++
			if !f(i, depth) {
				return
			}
		case ')':
			depth--
			if !f(i, depth) {
				return
			}
		case '|':
			if !f(i, depth) {
				return
			}
		}
	}
}

// hasTopLevelBar reports whether s has a '|' outside any group or class.
func hasTopLevelBar(s string) bool {
	found := false
	scanRegex(s, func(i, depth int) bool {
		found = s[i] == '|' && depth == 0
		return !found
	})
	return found
}

// closingParen returns the index of the parenthesis closing the group that starts at
// s[0], skipping escapes and character classes; -1 if unbalanced.
func closingParen(s string) int {
	end := -1
	scanRegex(s, func(i, depth int) bool {
		if s[i] == ')' && depth == 0 {
			end = i
			return false
		}
		return true
	})
	return end
}

// prefixLitsExact returns strings one of which every match of re starts with; exact
// is true when re matches exactly those strings.
func prefixLitsExact(re *syntax.Regexp) ([]string, bool) {
	const limit = 512
	switch re.Op {
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return []string{strings.ToLower(string(re.Rune))}, true
		}
		return []string{string(re.Rune)}, true
	case syntax.OpCapture:
		return prefixLitsExact(re.Sub[0])
	case syntax.OpQuest:
		s, exact := prefixLitsExact(re.Sub[0])
		if s == nil {
			return nil, false
		}
		return append(s, ""), exact
	case syntax.OpCharClass:
		s := requiredLits(re)
		if s == nil {
			return nil, false
		}
		return s, true
	case syntax.OpAlternate:
		var out []string
		exact := true
		for _, sub := range re.Sub {
			s, e := prefixLitsExact(sub)
			if s == nil {
				return nil, false
			}
			exact = exact && e
			out = append(out, s...)
			if len(out) > limit {
				return nil, false
			}
		}
		return out, exact
	case syntax.OpConcat:
		cur := []string{""}
		for _, sub := range re.Sub {
			if sub.Op == syntax.OpWordBoundary {
				continue
			}
			s, exact := prefixLitsExact(sub)
			if s == nil || len(cur)*len(s) > limit {
				if len(cur) == 1 && cur[0] == "" {
					return nil, false
				}
				return cur, false
			}
			next := make([]string, 0, len(cur)*len(s))
			for _, a := range cur {
				for _, b := range s {
					next = append(next, a+b)
				}
			}
			cur = next
			if !exact {
				return cur, false
			}
		}
		return cur, true
	}
	return nil, false
}

// requiredLits: nil means "no requirement known".
func requiredLits(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{string(re.Rune)}
	case syntax.OpCapture:
		return requiredLits(re.Sub[0])
	case syntax.OpPlus:
		return requiredLits(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLits(re.Sub[0])
		}
		return nil
	case syntax.OpCharClass:
		var out []string
		seen := map[rune]bool{}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi-lo > 3 {
				return nil
			}
			for r := lo; r <= hi; r++ {
				lr := []rune(strings.ToLower(string(r)))[0]
				if !seen[lr] {
					seen[lr] = true
					out = append(out, string(lr))
				}
			}
		}
		if len(out) == 0 || len(out) > 6 {
			return nil
		}
		return out
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			s := requiredLits(sub)
			if s == nil {
				return nil
			}
			out = append(out, s...)
			if len(out) > maxLitSet {
				return nil
			}
		}
		return out
	case syntax.OpConcat:
		// Adjacent literal children are merged by the parser; pick the child whose set
		// is the most selective (longest shortest member, then fewest members).
		var best []string
		bestScore := -1
		for _, sub := range re.Sub {
			s := requiredLits(sub)
			if s == nil {
				continue
			}
			score := litScore(s)
			if score > bestScore {
				best, bestScore = s, score
			}
		}
		// Also try the concatenation of a literal run with fixed neighbours, e.g.
		// "sleep" "(" → "sleep(".
		if joined := joinConcat(re.Sub); joined != nil && litScore(joined) > bestScore {
			best, bestScore = joined, litScore(joined)
		}
		// And the strings spelled by a run of children starting at each position,
		// e.g. "n" (c|cat|etcat) → nc, ncat, netcat.
		for k := range re.Sub {
			sub := &syntax.Regexp{Op: syntax.OpConcat, Sub: re.Sub[k:], Flags: re.Flags}
			set, _ := prefixLitsExact(sub)
			if len(set) == 0 || len(set) > maxLitSet {
				continue
			}
			empty := false
			for _, l := range set {
				if l == "" {
					empty = true
				}
			}
			if !empty && litScore(set) > bestScore {
				best, bestScore = set, litScore(set)
			}
		}
		return best
	}
	return nil
}

func litScore(s []string) int {
	minLen := 1 << 30
	for _, l := range s {
		if len(l) < minLen {
			minLen = len(l)
		}
	}
	return minLen*1000 - len(s)
}

// joinConcat joins the longest run of consecutive single-string children (literals
// and one-rune classes) into one literal.
func joinConcat(subs []*syntax.Regexp) []string {
	best, cur := "", ""
	for _, sub := range subs {
		var one string
		ok := false
		switch sub.Op {
		case syntax.OpLiteral:
			one, ok = string(sub.Rune), true
		case syntax.OpCharClass:
			if s := requiredLits(sub); len(s) == 1 {
				one, ok = s[0], true
			}
		}
		if ok {
			cur += one
			if len(cur) > len(best) {
				best = cur
			}
		} else {
			cur = ""
		}
	}
	if best == "" {
		return nil
	}
	return []string{best}
}

// parseRules reads the block format of rules/*.rules:
//
//	category: sqli          # file default, in the first block
//
//	id: sqli-union-select
//	weight: 0.9
//	contexts: query body cookie
//	literals: union         # optional
//	desc: free text         # optional
//	re: \bunion\b…
//
// Blocks are separated by blank lines; '#' starts a comment line.
func parseRules(name, text string) ([]Pattern, error) {
	var (
		out     []Pattern
		cur     Pattern
		have    bool
		defCat  string
		errs    []error
		lineNum int
	)
	flush := func() {
		if !have {
			return
		}
		if cur.Category == "" {
			cur.Category = defCat
		}
		if cur.ID == "" && cur.Regex == "" {
			if cur.Category != "" {
				defCat = cur.Category
			}
		} else {
			out = append(out, cur)
		}
		cur, have = Pattern{}, false
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		lineNum++
		line := sc.Text()
		trim := strings.TrimSpace(line)
		if trim == "" {
			flush()
			continue
		}
		if strings.HasPrefix(trim, "#") {
			continue
		}
		key, val, ok := strings.Cut(trim, ":")
		if !ok {
			errs = append(errs, fmt.Errorf("%s:%d: expected key: value", name, lineNum))
			continue
		}
		val = strings.TrimSpace(val)
		have = true
		switch strings.TrimSpace(key) {
		case "category":
			cur.Category = val
		case "id":
			cur.ID = val
		case "weight":
			w, err := strconv.ParseFloat(val, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s:%d: weight: %v", name, lineNum, err))
			}
			cur.Weight = w
		case "contexts":
			cur.Contexts = strings.Fields(val)
		case "literals":
			cur.Literals = unescapeLits(strings.Fields(val))
		case "near":
			a, b, ok := strings.Cut(val, "=>")
			if !ok {
				errs = append(errs, fmt.Errorf("%s:%d: near: want \"first… => second…\"", name, lineNum))
			}
			cur.Near = [2][]string{unescapeLits(strings.Fields(a)), unescapeLits(strings.Fields(b))}
		case "near_gap":
			g, err := strconv.Atoi(val)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s:%d: near_gap: %v", name, lineNum, err))
			}
			cur.NearGap = g
		case "near_anchor":
			cur.NearAnchor = val == "start"
		case "group":
			cur.Group = val
		case "not_after":
			cur.NotAfter = val
		case "desc":
			cur.Description = val
		case "re":
			cur.Regex = val
		default:
			errs = append(errs, fmt.Errorf("%s:%d: unknown key %q", name, lineNum, key))
		}
	}
	flush()
	return out, errors.Join(errs...)
}

// usesTextAnchors reports whether expr has ^, $, \A or \z (or cannot be parsed).
func usesTextAnchors(expr string) bool {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return true
	}
	var walk func(*syntax.Regexp) bool
	walk = func(r *syntax.Regexp) bool {
		switch r.Op {
		case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText:
			return true
		}
		for _, s := range r.Sub {
			if walk(s) {
				return true
			}
		}
		return false
	}
	return walk(re)
}

// unescapeLits turns \n, \t and \s (space) in literal tokens into the bytes, and \\
// into one backslash.
func unescapeLits(ls []string) []string {
	r := strings.NewReplacer(`\\`, `\`, `\n`, "\n", `\t`, "\t", `\s`, " ")
	for i, l := range ls {
		ls[i] = r.Replace(l)
	}
	return ls
}

// BuiltinPatterns returns the embedded pattern sets.
func BuiltinPatterns() ([]Pattern, error) {
	files, err := fs.Glob(builtinRules, "rules/*.rules")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var all []Pattern
	var errs []error
	for _, f := range files {
		b, err := builtinRules.ReadFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ps, err := parseRules(f, string(b))
		if err != nil {
			errs = append(errs, err)
		}
		all = append(all, ps...)
	}
	return all, errors.Join(errs...)
}
