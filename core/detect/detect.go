package detect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/textproto"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config tunes a Detector. Zero values mean the defaults given per field.
type Config struct {
	// SemanticThreshold is the 0..1 score at which a category's evidence becomes a
	// threat (`detection_semantic_threshold`). Default 0.7.
	SemanticThreshold float64
	// MaxContentLength is the per-value budget in bytes
	// (`detection_max_content_length`). Longer values are cut to this size, keeping the
	// regions around suspicious literals. Default 10000.
	MaxContentLength int
	// MaxRequestBytes is the budget across all values of one request for Inspect.
	// Default 256 KiB.
	MaxRequestBytes int
	// ExcludedHeaders are header names (case-insensitive) not inspected, in addition
	// to DefaultExcludedHeaders (`excluded_detection_headers`).
	ExcludedHeaders []string
	// SlowPatternThreshold marks a pattern execution as slow in Stats
	// (`detection_slow_pattern_threshold`). Default 100ms.
	SlowPatternThreshold time.Duration
	// Patterns are custom patterns added to the built-in sets at construction.
	Patterns []Pattern
	// DisableBuiltin drops the built-in pattern sets (tests, custom-only setups).
	DisableBuiltin bool
	// Logger receives pattern problems and slow-pattern warnings. Optional.
	Logger *slog.Logger
}

// DefaultExcludedHeaders are never inspected: protocol plumbing whose values are
// either validated by the HTTP server, opaque tokens, or too noisy to score. Cookie is
// listed because cookies are inspected one by one, parsed from that header.
func DefaultExcludedHeaders() []string {
	return []string{
		"accept", "accept-encoding", "accept-language", "accept-charset", "authorization",
		"cache-control", "connection", "content-length", "content-type", "cookie", "dnt",
		"host", "if-match", "if-modified-since", "if-none-match", "if-unmodified-since",
		"keep-alive", "pragma", "priority", "proxy-authorization", "te", "upgrade-insecure-requests",
		"sec-fetch-dest", "sec-fetch-mode", "sec-fetch-site", "sec-fetch-user",
		"sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "sec-ch-ua-full-version-list",
		"sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol",
	}
}

// Result is the outcome of Detect or Inspect.
type Result struct {
	// IsThreat is true when some category's score reached the threshold.
	IsThreat bool
	// ThreatScore is the highest category score, 0..1.
	ThreatScore float64
	// Category is the category with the highest score ("" when clean).
	Category string
	// Threats lists the evidence, strongest first.
	Threats []Threat
	// Context is the location passed to Detect; for Inspect, the location of the
	// value that decided the result.
	Context string
	// OriginalLength and ProcessedLength are the byte sizes before and after
	// truncation and normalisation (summed over values for Inspect).
	OriginalLength, ProcessedLength int
	// Elapsed is the wall time spent.
	Elapsed time.Duration
}

// Threat is one piece of evidence.
type Threat struct {
	// Type is "regex", "semantic" (several weak signals adding up, or a structural
	// score), "libinjection", "protocol" (an anomaly in the raw bytes or a header's
	// name) or "probe" (a filter probe only the raw bytes show, such as &#x003C;).
	Type string
	// Category is the attack class, e.g. "sqli".
	Category string
	// Pattern is the pattern id, or the libinjection fingerprint.
	Pattern string
	// Match is an excerpt of the normalised value (at most 80 bytes, control bytes
	// escaped), safe to log.
	Match string
	// Location says where the value came from, e.g. "query:q", "header:User-Agent",
	// "body:json:a.b".
	Location string
	// Position is the byte offset of the match in the normalised value.
	Position int
	// Score is the weight this evidence carries, 0..1.
	Score float64
}

// Detector is the compiled detection engine. It is safe for concurrent use; custom
// patterns can be added and removed while it is in use.
type Detector struct {
	cfg      Config
	excluded map[string]bool // lower-case names
	// excludedCanon holds the same names in canonical MIME form for allocation-free
	// lookups of http.Header keys.
	excludedCanon map[string]bool
	log           *slog.Logger
	rules         atomic.Pointer[ruleset]
	mu            sync.Mutex // serialises AddPattern/RemovePattern
	custom        []Pattern
	builtin       []Pattern
	stats         sync.Map // id → *patStats
	scratch       sync.Pool
	clean         *cleanCache // values recently found clean (see cleanCache)
	started       time.Time
	// wholeAnchored runs text-anchored patterns over the whole value, as before they
	// had window variants: tests compare the two.
	wholeAnchored bool
	// noChecks runs patterns without their checks (checks.go): tests compare.
	noChecks  bool
	requests  atomic.Uint64
	values    atomic.Uint64
	threats   atomic.Uint64
	truncated atomic.Uint64
}

// ruleset is an immutable compiled set of patterns.
type ruleset struct {
	pats    []*compiled
	ac      *acMatcher
	litPats [][]int32 // literal id → pattern indices
	litLen  []int32   // literal id → length
	// strongLit marks literals selective enough to locate attack regions when a value
	// is truncated (five bytes or more, or two non-letters).
	strongLit []bool
	// wordLit marks literals made of word characters (letters, digits, '_', '-', '.'),
	// which as near literals must be whole words.
	wordLit []bool
	// near prefilter: literal id → patterns for which it is a first / second literal
	nearFirst, nearSecond [][]int32
	always                []int32
	cats                  []string
	catIdx                map[string]int
	sqli                  int
	xss                   int
	protocol              int
	// quotable are the categories whose evidence is damped inside prose (see
	// dampQuoted): commands, file names, paths, SQL and Mongo queries that posts quote
	// (a query operator inside prose is documentation: only a parsed JSON body or a
	// form key can carry one to the database).
	quotable []int
	// custom is set when custom patterns are loaded: they may match plain tokens,
	// so the plain-token fast path is off.
	custom bool
}

type patStats struct {
	executions atomic.Uint64
	matches    atomic.Uint64
	totalNanos atomic.Int64
	maxNanos   atomic.Int64
	slow       atomic.Uint64
}

// New compiles the built-in and configured patterns.
func New(cfg Config) (*Detector, error) {
	if cfg.SemanticThreshold <= 0 {
		cfg.SemanticThreshold = 0.7
	}
	if cfg.SemanticThreshold > 1 {
		return nil, fmt.Errorf("detect: semantic threshold %v not in 0..1", cfg.SemanticThreshold)
	}
	if cfg.MaxContentLength <= 0 {
		cfg.MaxContentLength = 10000
	}
	if cfg.MaxRequestBytes <= 0 {
		cfg.MaxRequestBytes = 256 << 10
	}
	if cfg.SlowPatternThreshold <= 0 {
		cfg.SlowPatternThreshold = 100 * time.Millisecond
	}
	d := &Detector{cfg: cfg, log: cfg.Logger, excluded: map[string]bool{}, started: time.Now()}
	d.excludedCanon = map[string]bool{}
	for _, h := range append(DefaultExcludedHeaders(), cfg.ExcludedHeaders...) {
		h = strings.TrimSpace(h)
		d.excluded[strings.ToLower(h)] = true
		d.excludedCanon[textproto.CanonicalMIMEHeaderKey(h)] = true
	}
	if !cfg.DisableBuiltin {
		b, err := BuiltinPatterns()
		if err != nil {
			return nil, err
		}
		d.builtin = b
	}
	for _, p := range cfg.Patterns {
		if p.Weight == 0 {
			p.Weight = 0.9
		}
		d.custom = append(d.custom, p)
	}
	rs, err := d.build(d.custom)
	if err != nil {
		return nil, err
	}
	d.rules.Store(rs)
	d.scratch.New = func() any { return &scratch{} }
	d.clean = newCleanCache()
	return d, nil
}

func (d *Detector) build(custom []Pattern) (*ruleset, error) {
	rs := &ruleset{catIdx: map[string]int{}}
	var errs []error
	seen := map[string]bool{}
	add := func(p Pattern, isCustom bool) {
		if seen[p.ID] {
			errs = append(errs, fmt.Errorf("%w: duplicate id %q", ErrInvalidPattern, p.ID))
			return
		}
		c, err := compilePattern(p)
		if err != nil {
			errs = append(errs, err)
			return
		}
		seen[p.ID] = true
		c.custom = isCustom
		ci, ok := rs.catIdx[c.Category]
		if !ok {
			ci = len(rs.cats)
			rs.cats = append(rs.cats, c.Category)
			rs.catIdx[c.Category] = ci
		}
		c.cat = ci
		v, _ := d.stats.LoadOrStore(c.ID, &patStats{})
		c.stats = v.(*patStats)
		rs.pats = append(rs.pats, c)
	}
	for _, c := range Categories() {
		rs.catIdx[c] = len(rs.cats)
		rs.cats = append(rs.cats, c)
	}
	rs.sqli, rs.xss, rs.protocol = rs.catIdx["sqli"], rs.catIdx["xss"], rs.catIdx["protocol"]
	rs.quotable = []int{rs.catIdx["cmdi"], rs.catIdx["sensitive_file"], rs.catIdx["path_traversal"], rs.catIdx["sqli"], rs.catIdx["nosql"], rs.catIdx["code_injection"]}
	for _, p := range d.builtin {
		add(p, false)
	}
	for _, p := range custom {
		add(p, true)
	}
	rs.custom = len(custom) > 0
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	litID := map[string]int32{}
	var lits []string
	lit := func(l string) int32 {
		id, ok := litID[l]
		if !ok {
			id = int32(len(lits))
			litID[l] = id
			lits = append(lits, l)
			rs.litPats = append(rs.litPats, nil)
			rs.litLen = append(rs.litLen, int32(len(l)))
			rs.nearFirst = append(rs.nearFirst, nil)
			rs.nearSecond = append(rs.nearSecond, nil)
		}
		return id
	}
	for i, c := range rs.pats {
		if c.always {
			rs.always = append(rs.always, int32(i))
			continue
		}
		if c.near {
			for _, l := range c.Near[0] {
				id := lit(l)
				rs.nearFirst[id] = append(rs.nearFirst[id], int32(i))
			}
			for _, l := range c.Near[1] {
				id := lit(l)
				rs.nearSecond[id] = append(rs.nearSecond[id], int32(i))
			}
		} else {
			for _, l := range c.Literals {
				id := lit(l)
				rs.litPats[id] = append(rs.litPats[id], int32(i))
			}
		}
		if _, ok := d.stats.Load(c.ID); !ok {
			d.stats.Store(c.ID, &patStats{})
		}
	}
	for _, i := range rs.always {
		if _, ok := d.stats.Load(rs.pats[i].ID); !ok {
			d.stats.Store(rs.pats[i].ID, &patStats{})
		}
	}
	for _, c := range codeChecks {
		d.stats.LoadOrStore(c.id, &patStats{})
	}
	rs.ac = newACMatcher(lits)
	rs.ac.lens = rs.litLen
	rs.ac.inWordSkip = make([]bool, len(lits))
	rs.strongLit = make([]bool, len(lits))
	rs.wordLit = make([]bool, len(lits))
	for i, l := range lits {
		rs.wordLit[i] = strings.IndexFunc(l, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.')
		}) < 0
		nonLetter := 0
		for j := 0; j < len(l); j++ {
			if !isLetter(l[j]) {
				nonLetter++
			}
		}
		rs.strongLit[i] = len(l) >= 5 || nonLetter >= 2
		rs.ac.inWordSkip[i] = rs.wordLit[i] && len(rs.nearFirst[i])+len(rs.nearSecond[i]) > 0 && len(rs.litPats[i]) == 0
	}
	return rs, nil
}

// Categories returns the categories of the built-in pattern sets (design §7). Custom
// patterns may use other names.
func Categories() []string {
	return []string{
		"sqli", "xss", "cmdi", "path_traversal", "file_inclusion", "ssrf", "xxe", "ldap",
		"nosql", "ssti", "code_injection", "deserialization", "crlf", "proto_pollution",
		"sensitive_file", "recon", "ssi", "xpath", "protocol",
	}
}

// scratch is per-call working memory, pooled.
type scratch struct {
	cand   []uint64 // candidate pattern bitset
	first  []int32  // per pattern: first literal end position (+1), for excerpts
	scores []float64
	group  []float64 // per category: strongest grouped evidence
	best   []int32   // per category: index into threats of the strongest evidence
	hits   []Threat
	hitGrp []bool     // per hit: grouped evidence (see addGroupedHit)
	touch  []bool     // per category: some literal of the category was seen
	values uint64     // values inspected since the scratch was taken
	starts []litStart // literal hits of split patterns
	// spans are the windows of windowed patterns, merged per pattern as hits arrive
	// and chained from winFirst; winOverflow is set when maxWindows was reached.
	spans       []winSpan
	winFirst    []int32 // per pattern: first span (-1: none)
	winLast     []int32 // per pattern: last span (-1: none)
	winDirty    []int32 // patterns with spans in the current value
	winOverflow bool
	quotes      quoteIndex // quote positions, for parity windows (anchors.go)
	noChecks    bool       // run patterns without their checks (tests compare)
	acBuf       []acHit    // held-back prefilter hits (acMatcher.scan2)
	// lastFirst: per pattern, end of the last Near[0] literal seen (-1: none)
	lastFirst  []int32
	firstStart []int32
	dirty      []int32 // patterns whose lastFirst was set for the current value
	// clock is when the previous pattern execution of the current value ended.
	clock time.Time
}

// litStart records where a literal of an AnchorAtLiteral pattern starts.
type litStart struct{ pat, pos, n int32 }

func (s *scratch) reset(rs *ruleset) {
	n := (len(rs.pats) + 63) / 64
	if cap(s.cand) < n {
		s.cand = make([]uint64, n)
	}
	s.cand = s.cand[:n]
	clear(s.cand)
	if cap(s.scores) < len(rs.cats) {
		s.scores = make([]float64, len(rs.cats))
		s.group = make([]float64, len(rs.cats))
		s.touch = make([]bool, len(rs.cats))
	}
	s.scores = s.scores[:len(rs.cats)]
	s.group = s.group[:len(rs.cats)]
	s.touch = s.touch[:len(rs.cats)]
	clear(s.scores)
	clear(s.group)
	clear(s.touch)
	s.hits = s.hits[:0]
	s.hitGrp = s.hitGrp[:0]
	s.starts = s.starts[:0]
	s.quotes.reset()
	s.spans = s.spans[:0]
	s.winOverflow = false
	if cap(s.winFirst) < len(rs.pats) {
		s.winFirst = make([]int32, len(rs.pats))
		s.winLast = make([]int32, len(rs.pats))
		for i := range s.winFirst {
			s.winFirst[i], s.winLast[i] = -1, -1
		}
		s.winDirty = s.winDirty[:0]
	}
	s.winFirst = s.winFirst[:len(rs.pats)]
	s.winLast = s.winLast[:len(rs.pats)]
	for _, pi := range s.winDirty {
		if int(pi) < len(s.winFirst) {
			s.winFirst[pi], s.winLast[pi] = -1, -1
		}
	}
	s.winDirty = s.winDirty[:0]
	if cap(s.lastFirst) < len(rs.pats) {
		s.lastFirst = make([]int32, len(rs.pats))
		s.firstStart = make([]int32, len(rs.pats))
		s.dirty = s.dirty[:0]
		for i := range s.lastFirst {
			s.lastFirst[i] = -1 << 20
		}
	}
	s.lastFirst = s.lastFirst[:len(rs.pats)]
	s.firstStart = s.firstStart[:len(rs.pats)]
	// Only the entries touched by the previous value need resetting.
	for _, pi := range s.dirty {
		if int(pi) < len(s.lastFirst) {
			s.lastFirst[pi] = -1 << 20
		}
	}
	s.dirty = s.dirty[:0]
}

// Detect inspects one value. where names its location ("query:q", "header:Referer",
// "body:json:user.name", "path", …); its prefix selects which patterns apply (see
// Pattern.Contexts). An unknown prefix applies every pattern. Exactly "body:json" or
// "body:xml" means content is a whole document of that type: it is walked as
// Inspect walks such a body.
func (d *Detector) Detect(ctx context.Context, content string, where string) Result {
	start := time.Now()
	d.requests.Add(1)
	if where == "body:xml" || where == "body:json" {
		// A whole XML or JSON document: inspected as Inspect inspects such a body
		// (XML: the raw text, then every attribute value and text node; JSON: every
		// key and value at any depth, or the text when it does not parse).
		res := d.Inspect(ctx, &Target{Method: "POST", ContentType: "application/" + where[len("body:"):], Body: []byte(content)})
		if res.Context == "" || res.Context == "body:text" {
			// Not parsable as the declared type: read as text, at the caller's location.
			res.Context = where
			setLocation(res.Threats, where)
		}
		return res
	}
	kind, name, _ := strings.Cut(where, ":")
	if kind == "header" {
		if a, ok := headerAnomaly(name, content); ok {
			res := d.anomalyResult(a, content)
			res.Context = where
			setLocation(res.Threats, where)
			d.threats.Add(1)
			res.Elapsed = time.Since(start)
			return res
		}
	}
	s := d.scratch.Get().(*scratch)
	res := d.detectValue(ctx, s, d.rules.Load(), content, contextOf(where))
	d.values.Add(s.values)
	s.values = 0
	d.scratch.Put(s)
	res.Context = where
	setLocation(res.Threats, where)
	if res.IsThreat {
		d.threats.Add(1)
	}
	res.Elapsed = time.Since(start)
	return res
}

func setLocation(ts []Threat, where string) {
	for i := range ts {
		ts[i].Location = where
	}
}

// detectValue runs the pipeline on one value with the given scratch space.
// Threat locations are left empty for the caller to fill in.
func (d *Detector) detectValue(ctx context.Context, s *scratch, rs *ruleset, content string, cm ctxMask) Result {
	s.values++
	res := Result{OriginalLength: len(content)}
	if len(content) > d.cfg.MaxContentLength {
		d.truncated.Add(1)
		content = truncateKeep(rs, content, d.cfg.MaxContentLength)
	}
	if content == "" || (!rs.custom && cm&(ctxHeader|ctxUA) == 0 && plainToken(content)) {
		res.ProcessedLength = len(content)
		return res
	}
	cacheIt := cacheable(content, cm)
	var h uint64
	if cacheIt {
		h = d.clean.hash(content, cm)
		if n, ok := d.clean.lookup(h, rs, content, cm); ok {
			res.ProcessedLength = n
			return res
		}
	}
	key := content
	if cm == ctxQuery && strings.IndexByte(content, '+') >= 0 && strings.IndexByte(content, ' ') < 0 {
		// A raw query component: '+' is a space (form encoding). Values that already
		// went through Inspect's decoding carry no '+' from encoding.
		content = strings.ReplaceAll(content, "+", " ")
	}
	anom, anomalous := rawAnomaly(content, cm)
	norm := Normalize(content)
	res.ProcessedLength = len(norm)
	s.reset(rs)
	s.noChecks = d.noChecks
	if anomalous {
		// Evidence in the raw bytes, recorded next to what the patterns find in
		// the normalised text: the strongest category names the attack.
		d.countAnomaly(anom.id)
		s.addHit(rs.protocol, anom.threat(content))
	}
	if escapedAngle(content) {
		d.countAnomaly(escapedAngleID)
		s.addHit(rs.xss, escapedAngleThreat(content))
	}
	if pos, ok := versionedComment(content); ok {
		d.countAnomaly(versionedCommentID)
		s.addHit(rs.sqli, versionedCommentThreat(content, pos))
	}
	any := false
	rs.ac.scan2(norm, func(lit int32, end int) {
		if rs.wordLit[lit] && len(rs.nearFirst[lit])+len(rs.nearSecond[lit]) > 0 && !wordBounded(norm, end-int(rs.litLen[lit]), end) {
			// Near literals that start or end with a letter must be whole words:
			// "cat" in "category" is no command.
			goto plain
		}
		// Second literals first: a literal in both lists must pair with an earlier
		// first literal, not with itself.
		for _, pi := range rs.nearSecond[lit] {
			if gap := int32(end) - rs.litLen[lit] - s.lastFirst[pi]; gap >= 0 && gap <= int32(rs.pats[pi].NearGap) {
				s.cand[pi>>6] |= 1 << (pi & 63)
				any = true
				if c := rs.pats[pi]; c.anchoredRe != nil && len(s.starts) < maxAnchorStarts {
					s.starts = append(s.starts, litStart{pi, s.firstStart[pi], int32(end) - s.firstStart[pi]})
				} else if c.windowed {
					s.addWin(pi, s.lastFirst[pi], int32(end), len(norm))
				}
			}
		}
		for _, pi := range rs.nearFirst[lit] {
			if s.lastFirst[pi] < 0 {
				s.dirty = append(s.dirty, pi)
			}
			s.lastFirst[pi] = int32(end)
			s.firstStart[pi] = int32(end) - rs.litLen[lit]
		}
	plain:
		for _, pi := range rs.litPats[lit] {
			s.cand[pi>>6] |= 1 << (pi & 63)
			if c := rs.pats[pi]; c.split {
				s.addStart(litStart{pi, int32(end) - rs.litLen[lit], rs.litLen[lit]})
			} else if c.windowed {
				s.addWin(pi, int32(end)-rs.litLen[lit], int32(end), len(norm))
			}
		}
		any = true
	}, &s.acBuf)
	for _, pi := range rs.always {
		s.cand[pi>>6] |= 1 << (pi & 63)
		any = true
	}
	if any {
		// One clock read per pattern: each execution is timed from the end of the
		// previous one (the loop between them is a few instructions).
		s.clock = time.Now()
		for w, bits := range s.cand {
			for bits != 0 {
				b := trailingZeros(bits)
				bits &^= 1 << b
				pi := w*64 + b
				c := rs.pats[pi]
				if c.ctx&cm == 0 {
					continue
				}
				if ctx.Err() != nil {
					break
				}
				d.runPattern(s, c, pi, norm, cm)
			}
		}
	}
	d.dampQuoted(s, rs, norm)
	d.unionInStatement(s, rs, norm)
	d.semantic(s, rs, norm, cm)
	if len(s.hits) == 0 {
		if cacheIt && ctx.Err() == nil {
			d.clean.store(h, rs, key, cm, res.ProcessedLength)
		}
		return res
	}
	d.finish(s, rs, &res)
	return res
}

func trailingZeros(x uint64) int {
	n := 0
	for x&1 == 0 {
		x >>= 1
		n++
	}
	return n
}

// addStart records a literal position; past maxAnchorStarts the list is marked as
// overflowed (len == maxAnchorStarts) and patterns fall back to a whole-value search.
func (s *scratch) addStart(ls litStart) {
	if len(s.starts) < maxAnchorStarts {
		s.starts = append(s.starts, ls)
	}
}

// window is how far around a literal hit a windowed pattern looks. Patterns are
// written so that a match sits within this distance of its literal.
const window = 256

// winSpan is a window [a, b) of a windowed pattern; next chains the pattern's spans
// (-1: last).
type winSpan struct{ a, b, next int32 }

// addWin records a literal hit at [pos, end) of windowed pattern pi as the window
// around it, merged into the pattern's previous window when they overlap.
func (s *scratch) addWin(pi, pos, end int32, size int) {
	if s.winOverflow {
		return
	}
	a, b := max(pos-window, 0), min(end+window, int32(size))
	if l := s.winLast[pi]; l >= 0 {
		if w := &s.spans[l]; a <= w.b {
			w.a, w.b = min(w.a, a), max(w.b, b)
			return
		}
	}
	if len(s.spans) >= maxWindows {
		s.winOverflow = true
		return
	}
	idx := int32(len(s.spans))
	s.spans = append(s.spans, winSpan{a, b, -1})
	if l := s.winLast[pi]; l >= 0 {
		s.spans[l].next = idx
	} else {
		s.winFirst[pi] = idx
		s.winDirty = append(s.winDirty, pi)
	}
	s.winLast[pi] = idx
}

// windowMatch runs the regex of c on the windows around c's literal hits.
func (s *scratch) windowMatch(c *compiled, pi int, norm string) ([]int, bool) {
	if s.winOverflow {
		return nil, false
	}
	var v *anchorVariants
	if c.textAnchored {
		if v = c.variants(); v == nil {
			return nil, false
		}
		// The ^ branches, once, over the whole value (see anchorVariants.start),
		// unless the first window is the whole value anyway.
		if f := s.winFirst[pi]; f >= 0 && !(s.spans[f].a == 0 && int(s.spans[f].b) == len(norm)) &&
			v.start != nil && s.checkPasses(c, norm, 0, len(norm)) {
			if loc := findIndex(v.start, norm); loc != nil {
				return loc, true
			}
		}
	}
	lastExcl := len(norm) // where the last character a [^C]*$ run excludes sits
	if v != nil && v.suffixExcl != "" {
		lastExcl = strings.LastIndexAny(norm, v.suffixExcl)
	}
	for i := s.winFirst[pi]; i >= 0; i = s.spans[i].next {
		wa, wb := int(s.spans[i].a), int(s.spans[i].b)
		toEnd := false
		if wb < len(norm) && lastExcl < wb {
			// A [^<>]*$ branch can reach the value's end from this window: run it
			// to the end (the later windows lie inside).
			wb, toEnd = len(norm), true
		}
		if loc := s.runWindow(c, v, norm, wa, wb); loc != nil || toEnd {
			return loc, true
		}
	}
	return nil, true
}

// checkPasses reports whether norm[wa:wb] holds a member of c's check (checks.go),
// or c has none: only then can the window hold a match.
func (s *scratch) checkPasses(c *compiled, norm string, wa, wb int) bool {
	return c.chk == nil || s.noChecks || c.chk.holds(norm, wa, wb)
}

// runWindow runs c on norm[wa:wb], in the anchor variant that fits the window.
func (s *scratch) runWindow(c *compiled, v *anchorVariants, norm string, wa, wb int) []int {
	re := c.re
	if v != nil {
		if v.parity && wa > 0 {
			wa = s.quotes.parityStart(norm, wa)
		}
		switch {
		case wa == 0 && wb == len(norm):
		case wa == 0:
			re = v.head
		case wb == len(norm):
			re = v.tail
		default:
			re = v.mid
		}
	}
	if !s.checkPasses(c, norm, wa, wb) {
		return nil
	}
	if re != nil {
		if loc := findIndex(re, norm[wa:wb]); loc != nil {
			return []int{wa + loc[0], wa + loc[1]}
		}
	}
	if v == nil || !v.quoteRuns || re == c.re {
		return nil
	}
	// The variants leave out the quote-parity branches: run the rest of such a
	// branch, anchored, from each unpaired quote of the window (the window contract:
	// a match lies within window bytes of that quote).
	var found []int
	for qi := range 2 {
		s.quotes.unpaired(norm, qi, wa, wb, func(p int) bool {
			for _, d := range v.qShift[qi] {
				st := p - d
				if st < 0 {
					continue
				}
				end := min(wb, st+window)
				qre := v.qMid[qi]
				if end == len(norm) {
					qre = v.qEnd[qi]
				}
				if qre == nil {
					continue
				}
				if loc := findIndex(qre, norm[st:end]); loc != nil {
					// As the whole pattern reports it: the parity prefix starts
					// at the value's start (vetoes and evidence positions read the
					// quotes from there).
					found = []int{0, st + loc[1]}
					return true
				}
			}
			return false
		})
		if found != nil {
			return found
		}
	}
	return nil
}

// nearAnchoredMatch tries the anchored regex at each recorded Near[0] position.
func (s *scratch) nearAnchoredMatch(c *compiled, pi int, norm string) ([]int, bool) {
	if len(s.starts) >= maxAnchorStarts {
		return nil, false
	}
	last := int32(-1)
	for _, ls := range s.starts {
		if int(ls.pat) != pi || ls.pos == last {
			continue
		}
		last = ls.pos
		if loc := c.anchoredRe.FindStringIndex(norm[ls.pos:]); loc != nil {
			return []int{int(ls.pos) + loc[0], int(ls.pos) + loc[1]}, true
		}
	}
	return nil, true
}

// maxAnchorStarts bounds the literal positions remembered per value; past it, anchored
// patterns fall back to an ordinary search.
const maxAnchorStarts = 4096

// maxWindows bounds the literal positions remembered for windowed patterns.
const maxWindows = 4096

func (s *scratch) anchoredMatch(c *compiled, pi int, norm string) ([]int, bool) {
	if len(s.starts) >= maxAnchorStarts {
		return nil, false
	}
	for _, ls := range s.starts {
		if int(ls.pat) != pi {
			continue
		}
		p, e := int(ls.pos), int(ls.pos+ls.n)
		if p > 0 && (c.wordStart && isWordByte(norm[p-1]) || c.NotAfter != "" && strings.IndexByte(c.NotAfter, norm[p-1]) >= 0) {
			continue
		}
		if c.tail == nil {
			return []int{p, e}, true
		}
		// The tail regex starts with (?s:.) over the literal's last byte so that a
		// leading \b in the tail sees its left neighbour.
		if loc := c.tail.FindStringIndex(norm[e-1:]); loc != nil {
			return []int{p, e - 1 + loc[1]}, true
		}
	}
	return nil, true
}

// wordBounded reports whether s[a:b] does not continue a word on either side where it
// begins or ends with a letter.
func wordBounded(s string, a, b int) bool {
	if a > 0 && isLetter(s[a]) && isLetter(s[a-1]) && !(a >= 2 && s[a-2] == '\\' && (s[a-1] == 'n' || s[a-1] == 'r' || s[a-1] == 't')) {
		// (a letter after an escaped \n, \r or \t starts a word)
		return false
	}
	if b < len(s) && isLetter(s[b-1]) && isLetter(s[b]) {
		return false
	}
	return true
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func (d *Detector) runPattern(s *scratch, c *compiled, pi int, norm string, cm ctxMask) {
	st := c.stats
	t0 := s.clock
	var loc []int
	done := false
	switch {
	case c.anchoredRe != nil:
		loc, done = s.nearAnchoredMatch(c, pi, norm)
	case c.split:
		loc, done = s.anchoredMatch(c, pi, norm)
	case c.windowed && !(d.wholeAnchored && c.textAnchored) && len(norm) > 2*window:
		loc, done = s.windowMatch(c, pi, norm)
	}
	if !done && s.checkPasses(c, norm, 0, len(norm)) {
		loc = findIndex(c.re, norm)
	}
	s.clock = time.Now()
	el := s.clock.Sub(t0).Nanoseconds()
	if st != nil {
		st.executions.Add(1)
		st.totalNanos.Add(el)
		for {
			m := st.maxNanos.Load()
			if el <= m || st.maxNanos.CompareAndSwap(m, el) {
				break
			}
		}
		if time.Duration(el) >= d.cfg.SlowPatternThreshold {
			st.slow.Add(1)
			if d.log != nil {
				d.log.Warn("detect: slow pattern", "pattern", c.ID, "elapsed", time.Duration(el), "bytes", len(norm))
			}
		}
	}
	if loc == nil {
		return
	}
	if v := vetoes[c.ID]; v != nil && v(norm, loc, cm) {
		return
	}
	if st != nil {
		st.matches.Add(1)
	}
	pos := loc[0]
	if at := evidenceAt[c.ID]; at != nil {
		pos = at(norm, loc)
	}
	s.addGroupedHit(c.cat, Threat{
		Type: "regex", Category: c.Category, Pattern: c.ID,
		Match: excerpt(norm, pos, loc[1]), Position: pos, Score: c.Weight,
	}, c.Group != "")
	s.clock = time.Now() // the bookkeeping above is not the next pattern's time
}

func (d *Detector) statsFor(id string) *patStats {
	v, ok := d.stats.Load(id)
	if !ok {
		return nil
	}
	return v.(*patStats)
}

func (s *scratch) addHit(cat int, t Threat) {
	s.addGroupedHit(cat, t, false)
}

// addGroupedHit records evidence; grouped evidence only raises the category's group
// maximum, combined with the rest in finish.
func (s *scratch) addGroupedHit(cat int, t Threat, grouped bool) {
	s.touch[cat] = true
	s.hits = append(s.hits, t)
	s.hitGrp = append(s.hitGrp, grouped)
	if grouped {
		if t.Score > s.group[cat] {
			s.group[cat] = t.Score
		}
		return
	}
	s.scores[cat] = 1 - (1-s.scores[cat])*(1-t.Score)
}

// finish turns the scratch evidence into res.
func (d *Detector) finish(s *scratch, rs *ruleset, res *Result) {
	if len(s.hits) == 0 {
		return
	}
	for ci, g := range s.group {
		if g > 0 {
			s.scores[ci] = 1 - (1-s.scores[ci])*(1-g)
		}
	}
	best := -1
	for ci, sc := range s.scores {
		if best < 0 || sc > s.scores[best] {
			best = ci
		}
	}
	res.ThreatScore = round3(s.scores[best])
	res.Category = rs.cats[best]
	res.IsThreat = s.scores[best] >= d.cfg.SemanticThreshold
	threats := make([]Threat, len(s.hits), len(s.hits)+1)
	copy(threats, s.hits)
	sort.SliceStable(threats, func(i, j int) bool { return threats[i].Score > threats[j].Score })
	if res.IsThreat && threats[0].Score < d.cfg.SemanticThreshold {
		// Several weaker signals added up: say so first.
		var ids []string
		for _, t := range threats {
			if t.Category == res.Category {
				ids = append(ids, t.Pattern)
			}
		}
		first := threats[0]
		for _, t := range threats {
			if t.Category == res.Category {
				first = t
				break
			}
		}
		threats = append([]Threat{{
			Type: "semantic", Category: res.Category, Pattern: strings.Join(ids, "+"),
			Match: first.Match, Location: first.Location, Position: first.Position, Score: res.ThreatScore,
		}}, threats...)
	}
	res.Threats = threats
}

func round3(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', 3, 64), 64)
	return v
}

// excerpt returns at most 80 bytes around [i,j) with control bytes escaped.
func excerpt(s string, i, j int) string {
	const max = 80
	if j-i > max {
		j = i + max
	}
	if j-i < max {
		pad := (max - (j - i)) / 4
		i = max0(i - pad)
		j = min(len(s), j+pad)
	}
	// Whole runes at both ends: a rune has at most three continuation bytes (a run
	// of stray ones in invalid UTF-8 must not stretch the excerpt).
	for n := 0; n < 3 && i > 0 && i < len(s) && s[i]&0xc0 == 0x80; n++ {
		i--
	}
	for n := 0; n < 3 && j < len(s) && s[j]&0xc0 == 0x80; n++ {
		j++
	}
	frag := s[i:j]
	if strings.IndexFunc(frag, func(r rune) bool { return r < 0x20 || r == 0x7f }) < 0 {
		return frag
	}
	q := strconv.Quote(frag)
	return q[1 : len(q)-1]
}

func max0(i int) int {
	if i < 0 {
		return 0
	}
	return i
}

// plainToken reports whether s is made only of letters, digits and the characters
// "-_," plus at most one '.', and has no "__": ids, numbers, slugs, locales, host
// names. Dotted paths (java.lang.Runtime) and dunder names are not plain. Such values skip the
// prefilter entirely (the common case for ids, numbers, slugs, locales).
func plainToken(s string) bool {
	if len(s) > 64 {
		return false
	}
	// One pass: the character set, at most one '.', no "..", "__" or "0x".
	dots := 0
	var prev byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == ',':
			if c == 'x' && prev == '0' {
				return false // 0x41…
			}
		case c == '_':
			if prev == '_' {
				return false // __proto__, __class__ …
			}
		case c == '.':
			dots++
			if dots > 1 {
				return false // java.lang.Runtime, ../
			}
		default:
			return false
		}
		prev = c
	}
	return true
}

// truncateKeep cuts s to about max bytes, keeping the head and the regions around
// literal hits of the prefilter (attack regions), so that padding a payload with junk
// does not push it out of view.
func truncateKeep(rs *ruleset, s string, max int) string {
	const win = 192
	type span struct{ a, b int }
	var spans []span
	budget := max
	head := min(max/4, len(s))
	spans = append(spans, span{0, head})
	budget -= head
	rs.ac.scan(s, func(lit int32, end int) {
		if budget <= 0 || !rs.strongLit[lit] {
			return
		}
		a, b := max0(end-win), min(len(s), end+win)
		if n := len(spans); spans[n-1].b >= a {
			if b > spans[n-1].b {
				budget -= b - spans[n-1].b
				spans[n-1].b = b
			}
			return
		}
		budget -= b - a
		spans = append(spans, span{a, b})
	})
	if budget > 0 {
		// Fill with the tail.
		a := max0(len(s) - budget)
		if n := len(spans); spans[n-1].b >= a {
			spans[n-1].b = len(s)
		} else {
			spans = append(spans, span{a, len(s)})
		}
	}
	var b strings.Builder
	b.Grow(max + 2*len(spans))
	for i, sp := range spans {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s[sp.a:sp.b])
	}
	return b.String()
}

// findIndex is re.FindStringIndex(s), asked as MatchString first: on text that does
// not match, which is nearly all text, the match-only run tracks no positions and is
// faster.
func findIndex(re *regexp.Regexp, s string) []int {
	if !re.MatchString(s) {
		return nil
	}
	return re.FindStringIndex(s)
}
