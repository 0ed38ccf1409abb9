package detect

import (
	"html"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// decodeRounds is how many rounds of percent- and HTML-decoding Normalize applies.
// Three rounds undo double and triple encoding (%252e%252e%252f); a fourth layer is
// left encoded, which the patterns for encoded traversal still see.
const decodeRounds = 3

// Normalize returns the form of s the patterns are matched against:
//
//   - up to three rounds of percent-decoding (%XX, IIS-style %uXXXX, overlong UTF-8
//     forms of '.', '/' and '\') and HTML entity decoding, stopping early when a round
//     changes nothing;
//   - NFKC normalisation when s is not ASCII, then folding of look-alike characters
//     (typographic quotes, fraction slash, Cyrillic letters shaped like Latin ones…);
//   - NUL and other control bytes removed, except TAB, CR and LF (CR/LF stay so that
//     response-splitting patterns can see them);
//   - SQL block comments replaced by a space (MySQL versioned comments /*!50000 … */
//     keep their content);
//   - runs of blanks folded to one space.
//
// Case is not folded here: every pattern is matched case-insensitively, which is
// equivalent and lets clean input pass through without a copy. When nothing applies
// the input string itself is returned (no allocation).
func Normalize(s string) string {
	if s == "" {
		return s
	}
	// Fast path: one pass over the bytes tells whether anything but the final cleanup
	// can apply (no escapes, entities or non-ASCII bytes), which is the common case.
	if f := scanBytes(s); f&(bPercent|bAmp|bBackslash|bHigh) == 0 {
		if f&bCleanup != 0 || f&bNewline != 0 && newlineInKeyword(s) {
			s = cleanup(s)
		}
		return s
	}
	for range decodeRounds {
		next := s
		if strings.IndexByte(next, '%') >= 0 {
			next = percentDecode(next)
		}
		if strings.IndexByte(next, '&') >= 0 {
			next = htmlDecode(next)
		}
		if strings.IndexByte(next, '\\') >= 0 {
			next = jsUnescape(next)
		}
		if next == s {
			break
		}
		s = next
	}
	if !isASCII(s) {
		if hasOverlongLead(s) {
			s = string(foldOverlong([]byte(s)))
		}
		s = foldUnicode(s)
	}
	if needsCleanup(s) {
		s = cleanup(s)
	}
	return s
}

// Byte flags of scanBytes.
const (
	bPercent   = 1 << iota // '%'
	bAmp                   // '&'
	bBackslash             // '\\'
	bHigh                  // a non-ASCII byte
	bCleanup               // cleanup would change s (see needsCleanup)
	bSpace                 // ' ' (internal to scanBytes)
	bSlash                 // '/' (internal to scanBytes)
	bStar                  // '*' (internal to scanBytes)
	bNewline               // CR or LF
)

// byteFlags maps a byte to its scanBytes flags (a read-only table).
var byteFlags = func() (t [256]uint16) {
	t['%'], t['&'], t['\\'] = bPercent, bAmp, bBackslash
	for c := 0x80; c < 0x100; c++ {
		t[c] = bHigh
	}
	for c := 0; c < 0x20; c++ {
		t[c] = bCleanup
	}
	t['\r'], t['\n'] = bNewline, bNewline
	t[0x7f] = bCleanup
	t[' '], t['/'], t['*'] = bSpace, bSlash, bStar
	return t
}()

// scanBytes returns the flags of the bytes of s, with bCleanup set exactly when
// needsCleanup(s) is true, in one pass, except for a line break inside a keyword
// (newlineInKeyword), which the caller checks separately.
func scanBytes(s string) uint16 {
	var f uint16
	var prev uint16 // flags of the previous byte
	for i := 0; i < len(s); i++ {
		t := byteFlags[s[i]]
		if t&(bSpace|bStar) != 0 {
			switch {
			case t == bSpace && prev == bSpace:
				f |= bCleanup // a run of blanks
			case t == bStar && prev == bSlash:
				f |= bCleanup // "/*"
			}
		}
		f |= t
		prev = t
	}
	return f &^ (bSpace | bSlash | bStar)
}

// newlineInKeyword reports whether a CR or LF of s sits inside a keyword
// ("jav\rascript:", "sel\nect"): browsers drop CR, LF and TAB inside a URL scheme.
func newlineInKeyword(s string) bool {
	for _, nl := range [2]byte{'\n', '\r'} {
		for i := strings.IndexByte(s, nl); i >= 0; {
			if i > 0 && isLetter(s[i-1]) && keywordJoin(letterRunBefore(s, i), s, i) > 0 {
				return true
			}
			k := strings.IndexByte(s[i+1:], nl)
			if k < 0 {
				break
			}
			i += 1 + k
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// percentDecode decodes %XX and %uXXXX escapes, and "%X%Y" nibble pairs that spell
// '/', '\\' or '.'. Invalid escapes are kept literally.
// '+' becomes a space only when the string contained at least one valid escape, i.e.
// when it looks form-encoded; a literal "1+1" stays as written.
func percentDecode(s string) string {
	var b []byte
	decoded := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+5 < len(s) && (s[i+1] == 'u' || s[i+1] == 'U') {
				var r rune
				ok := true
				for k := 2; k <= 5; k++ {
					h, good := unhex(s[i+k])
					if !good {
						ok = false
						break
					}
					r = r<<4 | rune(h)
				}
				if ok {
					if b == nil {
						b = make([]byte, 0, len(s))
						b = append(b, s[:i]...)
					}
					b = utf8.AppendRune(b, r)
					i += 5
					decoded = true
					continue
				}
			}
			if i+3 < len(s) && s[i+2] == '%' {
				// "%2%f", "%5%c": the two nibbles escaped one by one, which some
				// decoders join into one byte. Only path syntax is taken this way.
				h, ok1 := unhex(s[i+1])
				l, ok2 := unhex(s[i+3])
				if r := h<<4 | l; ok1 && ok2 && (r == '/' || r == '\\' || r == '.') {
					if b == nil {
						b = make([]byte, 0, len(s))
						b = append(b, s[:i]...)
					}
					b = append(b, r)
					i += 3
					decoded = true
					continue
				}
			}
			if i+2 < len(s) {
				h, ok1 := unhex(s[i+1])
				l, ok2 := unhex(s[i+2])
				if ok1 && ok2 {
					if b == nil {
						b = make([]byte, 0, len(s))
						b = append(b, s[:i]...)
					}
					b = append(b, h<<4|l)
					i += 2
					decoded = true
					continue
				}
			}
		}
		if b != nil {
			b = append(b, c)
		}
	}
	if !decoded {
		return s
	}
	for i, c := range b {
		if c == '+' {
			b[i] = ' '
		}
	}
	return string(foldOverlong(b))
}

// foldOverlong replaces the overlong UTF-8 encodings attackers use for '.', '/' and '\'
// (%c0%ae, %c0%af, %e0%80%ae, %c1%9c, …) by the ASCII character.
func foldOverlong(b []byte) []byte {
	out := b[:0]
	for i := 0; i < len(b); i++ {
		c := b[i]
		if (c == 0xc0 || c == 0xc1) && i+1 < len(b) {
			if r := overlong2(c, b[i+1]); r != 0 {
				out = append(out, r)
				i++
				continue
			}
		}
		if n := overlongLen(c); n > 0 && i+n < len(b) {
			// e0 80 xx, f0 80 80 xx, f8 80 80 80 xx, fc 80 80 80 80 xx
			ok := true
			for k := 1; k < n; k++ {
				if b[i+k] != 0x80 {
					ok = false
					break
				}
			}
			if last := b[i+n]; ok && last >= 0x80 && last <= 0xbf {
				if r := last & 0x3f; r == '.' || r == '/' || r == 0x1c {
					if r == 0x1c {
						r = '\\'
					}
					out = append(out, r)
					i += n
					continue
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// overlongLen returns how many bytes follow lead c in an overlong sequence whose
// middle bytes are all 0x80 (0 when c does not start one).
func overlongLen(c byte) int {
	switch c {
	case 0xe0:
		return 2
	case 0xf0:
		return 3
	case 0xf8:
		return 4
	case 0xfc:
		return 5
	}
	return 0
}

func overlong2(c, d byte) byte {
	if d == '.' || d == '/' || d == '\\' {
		// %c0%2e: a lead byte glued to the ASCII character, read by lenient decoders as
		// the character alone.
		return d
	}
	if d < 0x80 && c == 0xc1 {
		// %c1%1c and friends: decoders that ignore the top bits.
		d |= 0x80
	}
	if d < 0x80 || d > 0xbf {
		return 0
	}
	r := (rune(c&0x1f) << 6) | rune(d&0x3f)
	if r == '.' || r == '/' || r == '\\' || r == '<' || r == '>' || r == '\'' || r == '"' {
		return byte(r)
	}
	return 0
}

// htmlDecode decodes HTML character references, including numeric ones without the
// trailing semicolon and with leading zeros (&#0000060), and &lbrace/&rbrace without
// it.
func htmlDecode(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	d := html.UnescapeString(s)
	if strings.Contains(d, "&lbrace") || strings.Contains(d, "&rbrace") {
		// Braces named without the semicolon ("$&lbracejndi:…}"): not a legacy entity,
		// so html leaves them, but lenient decoders in front of an application do not.
		d = strings.NewReplacer("&lbrace;", "{", "&lbrace", "{", "&rbrace;", "}", "&rbrace", "}").Replace(d)
	}
	return d
}

// lookalike maps characters that render like ASCII syntax characters but survive
// NFKC; -1 means "drop". Typographic apostrophes are folded too, so "don’t" and
// "don't" are the same input to the patterns.
func lookalike(r rune) (rune, bool) {
	switch r {
	case '\u02bc', '\u02b9', '\u2018', '\u2019', '\u201b', '\u2032', '\u00b4':
		return '\'', true
	case '\u201c', '\u201d', '\u201f', '\u2033', '\u02ba':
		return '"', true
	case '\u02c2', '\u2039', '\u27e8', '\u3008', '\u2329', '\u276e':
		return '<', true
	case '\u02c3', '\u203a', '\u27e9', '\u3009', '\u232a', '\u276f':
		return '>', true
	case '\u2215', '\u2044', '\u29f8', '\u2571':
		return '/', true
	case '\u2216', '\u29f9', '\u2572':
		return '\\', true
	case '\u2024', '\u3002', '\uff61':
		return '.', true
	case '\u037e':
		return ';', true
	case '\u2225', '\u01c0', '\u2223':
		return '|', true
	case '\u0430', '\u03b1':
		return 'a', true
	case '\u0435':
		return 'e', true
	case '\u043e', '\u03bf':
		return 'o', true
	case '\u0441':
		return 'c', true
	case '\u0440':
		return 'p', true
	case '\u0445':
		return 'x', true
	case '\u0455':
		return 's', true
	case '\u0456':
		return 'i', true
	case '\u0458':
		return 'j', true
	case '\u04bb':
		return 'h', true
	case '\u0501':
		return 'd', true
	case '\u051b':
		return 'q', true
	case '\u0410', '\u0391':
		return 'A', true
	case '\u0415', '\u0395':
		return 'E', true
	case '\u041e', '\u039f':
		return 'O', true
	case '\u0421':
		return 'C', true
	case '\u0420', '\u03a1':
		return 'P', true
	case '\u0425', '\u03a7':
		return 'X', true
	case '\u0405':
		return 'S', true
	case '\u0406', '\u0399':
		return 'I', true
	case '\u0408':
		return 'J', true
	case '\u041d', '\u0397':
		return 'H', true
	case '\u041c', '\u039c':
		return 'M', true
	case '\u0422', '\u03a4':
		return 'T', true
	case '\u0412', '\u0392':
		return 'B', true
	case '\u041a', '\u039a':
		return 'K', true
	case '\u039d':
		return 'N', true
	case '\u0396':
		return 'Z', true
	case '\u00a0', '\u2000', '\u2001', '\u2002', '\u2003', '\u2009', '\u200a', '\u202f',
		'\u3000':
		return ' ', true
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
		return -1, true
	}
	return 0, false
}

// foldUnicode applies NFKC and the look-alike table.
func foldUnicode(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	changed := false
	for i, r := range s {
		m, ok := lookalike(r)
		if !ok {
			if changed {
				b.WriteRune(r)
			}
			continue
		}
		if !changed {
			b.Grow(len(s))
			b.WriteString(s[:i])
			changed = true
		}
		if m >= 0 {
			b.WriteRune(m)
		}
	}
	if !changed {
		return s
	}
	return b.String()
}

// needsCleanup reports whether s has control bytes, SQL block comments, runs of
// blanks or a line break inside a keyword.
func needsCleanup(s string) bool {
	prevBlank := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\v' || c == '\f':
			if prevBlank || c != ' ' {
				return true
			}
			prevBlank = true
			continue
		case c == '\r' || c == '\n':
		case c < 0x20, c == 0x7f:
			return true
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			return true
		}
		prevBlank = false
	}
	return newlineInKeyword(s)
}

// maxKeyword is the longest keyword keywordJoin reassembles.
const maxKeyword = 16

// letterRunBefore returns the run of ASCII letters that ends at s[i-1].
func letterRunBefore[T string | []byte](s T, i int) T {
	j := i
	for j > 0 && i-j < maxKeyword && isLetter(s[j-1]) {
		j--
	}
	return s[j:i]
}

// junkLen returns the length of the filler at s[i] that attackers put inside a
// keyword to hide it: a control byte (NUL, TAB, CR, LF…) or a short SQL block
// comment (not a MySQL versioned one, whose content runs). 0 when there is none.
func junkLen(s string, i int) int {
	c := s[i]
	if c < 0x20 || c == 0x7f {
		return 1
	}
	if c == '/' && i+1 < len(s) && s[i+1] == '*' && (i+2 >= len(s) || s[i+2] != '!') {
		if end := strings.Index(s[i+2:], "*/"); end >= 0 && end <= maxKeyword {
			return end + 4
		}
	}
	return 0
}

// keywordJoin reports whether the letters left (a whole letter run ending at s[i])
// and the letter runs after the filler at s[i] (more filler may separate them)
// spell a keyword once the filler is removed: "uni/**/on", "sel\x00ect",
// "jav\rascript", "s\tc\tr\ti\tp\tt". It returns the index in s just after the
// keyword's last letter, or -1. Only the words of isFilterKeyword count, so filler
// between ordinary words is left to the other cleanup rules.
func keywordJoin[T string | []byte](left T, s string, i int) int {
	if len(left) == 0 || len(left) >= maxKeyword {
		return -1
	}
	var w [maxKeyword]byte
	n := 0
	for k := 0; k < len(left); k++ {
		w[n] = left[k] | 0x20
		n++
	}
	j := i
	for j < len(s) {
		k := junkLen(s, j)
		if k == 0 {
			return -1
		}
		j += k
		start := j
		for j < len(s) && isLetter(s[j]) {
			if n == maxKeyword {
				return -1
			}
			w[n] = s[j] | 0x20
			n++
			j++
		}
		if j == start {
			return -1
		}
		if isFilterKeyword(string(w[:n])) {
			return j
		}
	}
	return -1
}

// isFilterKeyword lists the words filters look for and attackers therefore split
// with filler (lower case).
func isFilterKeyword(w string) bool {
	switch w {
	case "select", "union", "insert", "update", "delete", "drop", "from", "where",
		"and", "or", "order", "group", "having", "into", "values", "table", "exec",
		"execute", "declare", "waitfor", "delay", "sleep", "benchmark", "concat",
		"char", "substring", "information", "schema", "outfile", "dumpfile",
		"script", "javascript", "vbscript", "livescript", "alert", "prompt",
		"confirm", "eval", "expression", "onerror", "onload", "iframe", "svg",
		"object", "embed", "document", "cookie", "window", "location":
		return true
	}
	return false
}

// cleanup removes control bytes, replaces SQL block comments by a space and folds
// runs of blanks. Filler inside a keyword (see keywordJoin) is removed, so that
// "uni/**/on" reads "union"; a control byte between two other words is a blank
// ("SELECT\x00name\x00FROM"), elsewhere it is dropped.
func cleanup(s string) string {
	b := make([]byte, 0, len(s))
	blank := func() {
		if n := len(b); n > 0 && b[n-1] == ' ' {
			return
		}
		b = append(b, ' ')
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if n := len(b); n > 0 && isLetter(b[n-1]) && (c < 0x20 || c == 0x7f || c == '/' && i+1 < len(s) && s[i+1] == '*') {
			if end := keywordJoin(letterRunBefore(b, n), s, i); end > 0 {
				for j := i; j < end; {
					if isLetter(s[j]) {
						b = append(b, s[j])
						j++
					} else {
						j += junkLen(s, j)
					}
				}
				i = end - 1
				continue
			}
		}
		switch {
		case c == ' ' || c == '\t' || c == '\v' || c == '\f':
			blank()
		case c == '\r' || c == '\n':
			b = append(b, c)
		case c < 0x20, c == 0x7f:
			// NUL and control bytes hide keywords ("un\x00ion", handled above) or
			// separate words ("SELECT\x00name"); next to anything else they are dropped.
			if n := len(b); n > 0 && isLetter(b[n-1]) && i+1 < len(s) && isLetter(s[i+1]) {
				blank()
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			j := i + 2
			if j < len(s) && s[j] == '!' {
				// MySQL versioned comment: the content is executed, keep it.
				j++
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					j++
				}
				blank()
				i = j - 1
				continue
			}
			end := strings.Index(s[j:], "*/")
			if end < 0 {
				// Unterminated comment: keep it as written. "admin'/*" cuts the rest
				// of a query, and that is the evidence.
				b = append(b, '/', '*')
				i++
				continue
			}
			if end > 64 || strings.ContainsAny(s[j:j+end], "<>") {
				// Long comment or one hiding markup: drop only the delimiter, so that
				// the text inside is still inspected.
				blank()
				i++
				continue
			}
			blank()
			i = j + end + 1
		case c == '*' && i+1 < len(s) && s[i+1] == '/':
			// closing of a versioned comment
			blank()
			i++
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func hasOverlongLead(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 0xc0 || c == 0xc1 || (overlongLen(c) > 0 && i+1 < len(s) && s[i+1] == 0x80) {
			return true
		}
	}
	return false
}

// jsUnescape decodes JavaScript/JSON escapes that spell ASCII characters: \u00XX,
// \u{XX} and \xXX, including NUL and TAB (which cleanup then handles as filler) and
// the high bytes a 7-bit charset reads as markup (see sevenBitSyntax). Other
// backslashes (Windows paths, regex snippets) are kept.
func jsUnescape(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+3 < len(s) {
			var v, n int
			switch {
			case s[i+1] == 'u' && i+5 < len(s) && s[i+2] == '0' && s[i+3] == '0':
				v, n = hex2(s[i+4], s[i+5]), 6
			case s[i+1] == 'u' && s[i+2] == '{' && i+5 < len(s) && s[i+5] == '}':
				v, n = hex2(s[i+3], s[i+4]), 6
			case s[i+1] == 'x':
				v, n = hex2(s[i+2], s[i+3]), 4
				if sevenBitSyntax(v) && !(i >= 4 && s[i-4] == '\\' && s[i-3] == 'x' && hex2(s[i-2], s[i-1]) >= 0xc2) {
					// "\xbcscript\xbe": a charset that ignores the top bit (US-ASCII
					// read as 7 bits) turns 0xbc into '<', 0xbe into '>', 0xa2 into '"'.
					// After an escaped UTF-8 lead byte ("\xd0\xbc") it is part of a
					// character (Cyrillic м), not a stripped byte.
					v &= 0x7f
				}
			default:
				v = -1
			}
			if v >= 0x20 && v < 0x7f || v == 0 || v == '\t' {
				if b == nil {
					b = make([]byte, 0, len(s))
					b = append(b, s[:i]...)
				}
				b = append(b, byte(v))
				i += n - 1
				continue
			}
		}
		if b != nil {
			b = append(b, c)
		}
	}
	if b == nil {
		return s
	}
	return string(b)
}

// sevenBitSyntax reports whether byte v is markup or quote syntax once its top bit
// is dropped: 0xbc '<', 0xbe '>', 0xa2 '"', 0xa7 '\”.
func sevenBitSyntax(v int) bool {
	return v == 0xbc || v == 0xbe || v == 0xa2 || v == 0xa7
}

func hex2(a, b byte) int {
	h, ok1 := unhex(a)
	l, ok2 := unhex(b)
	if !ok1 || !ok2 {
		return -1
	}
	return int(h)<<4 | int(l)
}
