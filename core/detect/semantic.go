package detect

import (
	"regexp"
	"strings"

	"github.com/corazawaf/libinjection-go"
)

// Weights of the libinjection verdicts. libinjection's SQLi tokenizer is tuned for
// recall and flags some ordinary text ("1 and 2", names with apostrophes followed by a
// keyword), so its verdict alone sits just below the default threshold; with any
// regex evidence of the same category it crosses it. Its XSS verdict is precise enough
// to stand alone, except on prose, where quoted markup is what posts are made of.
const (
	libSQLiWeight       = 0.6
	libSQLiStrongWeight = 0.8
	libSQLiWeakWeight   = 0.45
	libXSSWeight        = 0.8
	libXSSProseWeight   = 0.45 // the XSS verdict alone on prose (see semantic)
)

// semantic runs the libinjection tokenisers, gated so that clean input does not pay for
// them: SQLi only when the value has a quote or some SQL pattern's literal was seen,
// XSS only when it has '<' or some XSS literal was seen.
func (d *Detector) semantic(s *scratch, rs *ruleset, norm string, cm ctxMask) {
	if len(norm) < 2 {
		return
	}
	if s.touch[rs.sqli] || containsAnyByte(norm, '\'', '"', '`', '#') || strings.Contains(norm, "--") {
		if ok, fp := libinjection.IsSQLi(norm); ok {
			w := libSQLiWeight
			switch {
			case strongFingerprint(fp):
				w = libSQLiStrongWeight
			case len(norm) > 40 && proseFingerprint(fp):
				// Short string/number shapes over a long value are what code and
				// maths produce ("a" or "b", f(n)); they need more company.
				w = libSQLiWeakWeight
			}
			// A fingerprint that starts with a statement keyword (E), or with a
			// string and then one (sE: SQL quoted in prose or code, "the query
			// \"select … where …\""), describes SQL text, not a break-out: it is
			// statement-shape evidence like the "shape" patterns and does not add up
			// with them.
			s.addGroupedHit(rs.sqli, Threat{
				Type: "libinjection", Category: "sqli", Pattern: "sqli:" + fp,
				Match: excerpt(norm, 0, min(len(norm), 80)), Score: w,
			}, strings.HasPrefix(fp, "E") || strings.HasPrefix(fp, "sE"))
		}
	}
	if cm&ctxRawXML == 0 && (s.touch[rs.xss] || strings.IndexByte(norm, '<') >= 0) {
		if libinjection.IsXSS(norm) && (!strings.Contains(norm, "<?") || libinjection.IsXSS(stripXMLDecl(norm))) &&
			!commentBacktickOnly(norm) && !typeParamsOnly(norm) && !inertMarkupOnly(norm) &&
			!(dataScriptsOnly(norm, nil, cm) && !libinjection.IsXSS(strings.ReplaceAll(asciiLower(norm), "<script", "<x-data"))) {
			w := libXSSWeight
			if !s.strongHit("xss") && proseLike(norm) {
				// Markup quoted in a post or a document (an <iframe> in a feature
				// request, an SVG sprite in a question) with no pattern finding
				// more than evidence: the tokenizer's verdict alone is evidence.
				w = libXSSProseWeight
			}
			s.addHit(rs.xss, Threat{
				Type: "libinjection", Category: "xss", Pattern: "xss",
				Match: excerpt(norm, 0, min(len(norm), 80)), Score: w,
			})
		}
	}
}

// strongHit reports whether a pattern of category cat has matched with a weight of at
// least 0.5 (more than evidence) so far.
func (s *scratch) strongHit(cat string) bool {
	for _, h := range s.hits {
		if h.Category == cat && h.Score >= 0.5 {
			return true
		}
	}
	return false
}

// commentBacktickOnly reports a verdict that rests on libinjection's rule that a
// backtick inside an HTML comment is dangerous (an old Internet Explorer parsing quirk):
// markdown puts code spans in comments (<!-- changes: `noAssert` removed -->). With
// the backticks turned into quotes the value must still be XSS to count; markup hidden
// in such a comment is still seen by the tokenizer and by the patterns.
func commentBacktickOnly(norm string) bool {
	if !strings.Contains(norm, "<!--") || strings.IndexByte(norm, '`') < 0 {
		return false
	}
	return !libinjection.IsXSS(strings.ReplaceAll(norm, "`", "'"))
}

// typeParamsOnly reports a verdict that rests on type parameters in code read as
// tags: List<Object>, Promise<Embed>, Class<Applet> in Java, C++, TypeScript or C#.
// A '<' glued to an identifier, opening a capitalised name and closed by '>' around
// nothing but type names, commas and dots is neutralised (innermost first, so Map<K, List<Object>> unwinds);
// if libinjection still sees XSS, markup remains and the verdict stands. The patterns
// keep seeing the original text, so x<script>alert(1)</script> is still caught there.
func typeParamsOnly(norm string) bool {
	if !gluedAngle(norm) {
		return false
	}
	b := []byte(norm)
	for pass := 0; pass < 4; pass++ {
		changed := false
		for i := 1; i < len(b); i++ {
			if b[i] != '<' || !isTypeChar(b[i-1]) || b[i-1] == ' ' || i+1 >= len(b) || b[i+1] < 'A' || b[i+1] > 'Z' {
				continue // type names are capitalised: XXX<style> stays a tag
			}
			j := i + 1
			for j < len(b) && (isTypeChar(b[j]) || b[j] == ',') {
				j++
			}
			if j < len(b) && b[j] == '>' && j > i+1 {
				b[i], b[j] = ' ', ' '
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	return !libinjection.IsXSS(string(b))
}

// gluedAngle reports a '<' right after an identifier character.
func gluedAngle(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] == '<' && isTypeChar(s[i-1]) && s[i-1] != ' ' {
			return true
		}
	}
	return false
}

// isTypeChar reports bytes of a type expression: identifiers, dots, '?', '[]', '*',
// '&', '::' and the blank after a comma.
func isTypeChar(c byte) bool {
	return isWordByte(c) || c == '.' || c == '?' || c == '[' || c == ']' || c == '*' || c == '&' || c == ':' || c == ' '
}

// inertMarkup matches markup libinjection's HTML tokenizer reports although a browser
// runs nothing for it: namespace declarations pointing at http(s) URLs, an HTML
// doctype, a style attribute of plain declarations (colours, lengths, rgb()/calc()
// values; nothing that loads or evaluates: url(), expression(), binding, @import,
// escapes, comments), and a JSX handler that only names or defines a function
// (onClick={save}, onClick={() => setOpen(true)}), and a bare <script> named in a
// sentence ("strips <script> and on* attributes") or shown in code markup
// (<code>&lt;script&gt;</code>, which decoding turns into a tag). Iframes and embeds are not on the
// list: framing another site into a page is HTML injection.
var inertMarkup = regexp.MustCompile(`(?i)` +
	`\bxmlns(?::[\w-]+)?\s*=\s*(?:"https?://[^"<>]*"|'https?://[^'<>]*')` +
	`|<!doctype\s+html[^>\[<]*>` +
	`|\bstyle\s*=\s*(?:"(?:[\w\s:;#%.,!-]|(?:rgba?|hsla?|calc|var)\([\w\s%.,+*/-]*\))*"|'(?:[\w\s:;#%.,!-]|(?:rgba?|hsla?|calc|var)\([\w\s%.,+*/-]*\))*')` +
	`|\bon[a-z]+\s*=\s*\{\s*(?:[\w.]+|\([\w\s,]*\)\s*=>[^{}<>]*)\}` +
	`|<script>\s+(?:and|or|is|are|was|were|tags?|elements?|blocks?|in|inside|with|from|to|into|on|at|for|but|that|which)\s` +
	`|<script>\s*</(?:code|kbd|tt|samp|var|em|strong|b|i)>` +
	// A page's head: meta data and links that load nothing to run (a stylesheet
	// only from the site itself: a remote one is CSS injection). A refresh, cookie or
	// charset meta, an import link, script URLs and style elements stay.
	`|<meta(?:\s+(?:(?:name|content|property|itemprop|scheme|lang)\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'<>]+)|http-equiv\s*=\s*["']?(?:content-type|x-ua-compatible|content-language|content-style-type|content-script-type)["']?))*\s*/?>` +
	`|<link(?:\s+(?:rel\s*=\s*["']?(?:canonical|(?:shortcut\s+)?icon|alternate|start|index|prev|next|up|contents|help|author|license|preconnect|dns-prefetch|manifest|apple-touch-icon|made|copyright|glossary|home|top|search|bookmark|chapter|section|appendix|first|last)["']?|href\s*=\s*(?:"(?:https?://|/|\.|#|[\w.-])[^"<>:]*(?::[^"<>]*)?"|'(?:https?://|/|\.|#|[\w.-])[^'<>:]*(?::[^'<>]*)?')|type\s*=\s*["']?(?:text/css|image/[\w.+-]+|application/[\w.+-]*xml|application/manifest\+json)["']?|(?:title|media|sizes|hreflang|crossorigin|rev)\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'<>]+)))*\s*/?>` +
	// An entity declaration is the XXE patterns' business, not script.
	`|<!entity\b[^<>]*>` +
	`|<link(?:\s+(?:rel\s*=\s*["']?stylesheet["']?|href\s*=\s*(?:"(?:\.{0,2}/?[\w.-]+)(?:/[\w.-]+)*"|'(?:\.{0,2}/?[\w.-]+)(?:/[\w.-]+)*')|type\s*=\s*["']?text/css["']?|(?:title|media)\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'<>]+)))*\s*/?>`)

// svgShapeTag matches the opening tags of an SVG drawing (the svg element and its
// shapes); activeAttr rejects the ones with anything that can run or load: event
// handlers, links, script and data URLs.
var (
	svgShapeTag = regexp.MustCompile(`(?i)</?(?:svg|path|g|circle|rect|line|polyline|polygon|ellipse|defs|title|desc|lineargradient|radialgradient|stop|clippath|symbol)\b[^<>]*>`)
	svgDrawing  = regexp.MustCompile(`(?i)<(?:path|circle|rect|line|polyline|polygon|ellipse)\b[^<>]*/?>`)
	activeAttr  = regexp.MustCompile(`(?i)\bon[a-z]+\s*=|href|script|data:|url\s*\(|\\|&#|%[0-9a-f]{2}`)
)

// inertMarkupOnly reports a libinjection XSS verdict that rests only on inert markup
// (see inertMarkup): with that markup blanked the value must still be XSS to count.
// Script URLs, handlers with code and markup beside the inert parts keep the verdict,
// and the patterns see the original text either way. A schema location (a remote XSD
// the parser may fetch) keeps the namespaces around it suspicious.
func inertMarkupOnly(norm string) bool {
	if len(norm) > 64<<10 || hasFold(norm, "schemalocation") {
		return false // the check is for forum-sized text; long bodies keep the verdict
	}
	loc := inertMarkup.FindAllStringIndex(norm, -1)
	if wholeDocument(norm) {
		// A whole page (an e-mail template, a CMS page) declares its charset; a
		// charset meta slipped into a parameter is the attack (see inertMarkup).
		loc = append(loc, metaCharset.FindAllStringIndex(norm, -1)...)
	}
	if svgDrawing.MatchString(norm) {
		// A drawing (an svg with shapes in it), not a bare <svg> opener probing
		// whether markup is reflected.
		for _, l := range svgShapeTag.FindAllStringIndex(norm, -1) {
			if !activeAttr.MatchString(norm[l[0]:l[1]]) {
				loc = append(loc, l)
			}
		}
	}
	if loc == nil {
		return false
	}
	b := []byte(norm)
	for _, l := range loc {
		for i := l[0]; i < l[1]; i++ {
			b[i] = ' '
		}
	}
	return !libinjection.IsXSS(string(b))
}

// metaCharset matches a charset declaration.
var metaCharset = regexp.MustCompile(`(?i)<meta\s+charset\s*=\s*["']?[\w-]{1,20}["']?\s*/?>`)

// wholeDocument reports a value that is an HTML page: it opens with a doctype or
// the html element.
func wholeDocument(norm string) bool {
	t := strings.TrimLeft(norm, " \t\r\n")
	return len(t) >= 5 && (hasFold(t[:min(len(t), 14)], "<!doctype html") || strings.EqualFold(t[:5], "<html"))
}

// hasFold reports whether s contains the ASCII string w in any case.
func hasFold(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(w)], w) {
			return true
		}
	}
	return false
}

// proseFingerprint reports the short fingerprints ordinary code and maths produce:
// strings or numbers around one operator or a function call ("a" or "b", f(1)).
func proseFingerprint(fp string) bool {
	switch fp {
	case "sos", "s&s", "sosos", "nof(n", "nf(1)", "nf(n)", "nof(1", "sof(n", "sof(1", "n&n", "1&1", "non", "nos", "son":
		return true
	}
	return false
}

// strongFingerprint reports libinjection fingerprints that ordinary text practically
// never produces: a string break-out followed by a keyword/operator and a comment or a
// UNION.
func strongFingerprint(fp string) bool {
	if strings.Contains(fp, "U") { // UNION
		return true
	}
	// A trailing comment after code (function, operator, keyword, statement). A
	// boolean between strings alone ("s&sc": "a" or 'b' -- x) is prose-shaped.
	return len(fp) >= 3 && strings.HasSuffix(fp, "c") && strings.ContainsAny(fp[:len(fp)-1], "oEfk(")
}

// stripXMLDecl removes XML declarations and processing instructions ("<?xml …?>"),
// which libinjection's HTML tokenizer reports as dangerous although browsers render
// them inert.
func stripXMLDecl(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "<?")
		if i < 0 {
			break
		}
		j := strings.Index(s[i:], "?>")
		if j < 0 {
			break
		}
		rest := s[i+2:]
		if !strings.HasPrefix(strings.ToLower(rest), "xml") {
			b.WriteString(s[:i+2])
			s = rest
			continue
		}
		b.WriteString(s[:i])
		s = s[i+j+2:]
	}
	b.WriteString(s)
	return b.String()
}

// containsAnyByte is strings.ContainsAny for a few bytes, one vectorised IndexByte
// per byte: on long clean text that is several times faster than ContainsAny's
// byte-by-byte set lookup.
func containsAnyByte(s string, bs ...byte) bool {
	for _, b := range bs {
		if strings.IndexByte(s, b) >= 0 {
			return true
		}
	}
	return false
}
