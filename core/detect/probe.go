package detect

import "strings"

// Probes are values that are nothing but a fragment a tester sends to learn what a
// filter lets through: an angle bracket spelled in an unusual encoding, a function
// name cut at its parenthesis, a closing tag. Most are patterns (see the *-probe rules);
// the one here needs the raw bytes, because normalisation decodes the spelling away.

// escapedAngleID names the probe escapedAngle finds, in Threats and Stats.
const escapedAngleID = "xss-escaped-angle-probe"

// escapedAngleWeight is its score: a threat at the default threshold.
const escapedAngleWeight = 0.75

// escapedAngle reports whether the whole of v, spaces aside, is one or more angle
// brackets spelled as something other than the bracket or its ordinary named entity:
// numeric character references (&#60, &#x003C;), the legacy &LT / &lt without its
// semicolon, JavaScript and CSS escapes (\x3c, \u003C, \u{3c}, \3c), or a percent
// escape that survived URL decoding (%3C in a decoded value was sent as %253C). Every
// one of them is a question to a filter ("which of these do you decode?"); "&lt;" on
// its own is how people ask about the entity and is left alone.
func escapedAngle(v string) bool {
	v = strings.TrimSpace(v)
	if len(v) < 3 || len(v) > 64 || v[0] != '&' && v[0] != '\\' && v[0] != '%' {
		return false
	}
	for v != "" {
		n := angleEscapeLen(v)
		if n == 0 {
			return false
		}
		v = strings.TrimLeft(v[n:], " ")
	}
	return true
}

// angleEscapeLen returns the length of the escaped angle bracket v starts with, or 0.
func angleEscapeLen(v string) int {
	switch v[0] {
	case '&':
		if len(v) >= 3 && (v[1]|0x20 == 'l' || v[1]|0x20 == 'g') && v[2]|0x20 == 't' {
			if len(v) > 3 && v[3] == ';' {
				if v[1] == 'l' && v[2] == 't' || v[1] == 'g' && v[2] == 't' {
					return 0 // the ordinary entity
				}
				return 4
			}
			return 3
		}
		if len(v) < 3 || v[1] != '#' {
			return 0
		}
		i, hex := 2, false
		if v[i]|0x20 == 'x' {
			i, hex = 3, true
		}
		n, val := scanNumber(v[i:], hex)
		if n == 0 || val != '<' && val != '>' {
			return 0
		}
		i += n
		if i < len(v) && v[i] == ';' {
			i++
		}
		return i
	case '%':
		if len(v) >= 3 && v[1] == '3' && (v[2]|0x20 == 'c' || v[2]|0x20 == 'e') {
			return 3
		}
		if len(v) >= 6 && v[1]|0x20 == 'u' && v[2:4] == "00" && v[4] == '3' && (v[5]|0x20 == 'c' || v[5]|0x20 == 'e') {
			return 6
		}
		return 0
	case '\\':
		if len(v) < 3 {
			return 0
		}
		i, hex := 1, true
		switch v[1] | 0x20 {
		case 'x', 'u':
			i = 2
			if i < len(v) && v[i] == '{' {
				n, val := scanNumber(v[i+1:], true)
				if n == 0 || i+1+n >= len(v) || v[i+1+n] != '}' || val != '<' && val != '>' {
					return 0
				}
				return i + n + 2
			}
		default:
			if v[1] < '0' || v[1] > '9' {
				return 0
			}
			// \3c (CSS) or \074 (octal, in JavaScript and shells).
			if v[1] == '0' {
				hex = false
			}
		}
		n, val := scanNumber(v[i:], hex)
		if !hex {
			n, val = scanOctal(v[i:])
		}
		if n == 0 || val != '<' && val != '>' {
			return 0
		}
		return i + n
	}
	return 0
}

// scanNumber reads up to 10 decimal or hexadecimal digits.
func scanNumber(v string, hex bool) (n int, val int) {
	for n < len(v) && n < 10 {
		c := v[n]
		switch {
		case c >= '0' && c <= '9':
			val = val*base(hex) + int(c-'0')
		case hex && ishexByte(c):
			val = val*16 + int(unhexByte(c))
		default:
			return n, val
		}
		n++
	}
	return n, val
}

func scanOctal(v string) (n int, val int) {
	for n < len(v) && n < 4 && v[n] >= '0' && v[n] <= '7' {
		val = val*8 + int(v[n]-'0')
		n++
	}
	return n, val
}

func base(hex bool) int {
	if hex {
		return 16
	}
	return 10
}

// escapedAngleThreat is the evidence of an escaped-angle probe in v.
func escapedAngleThreat(v string) Threat {
	return Threat{
		Type: "probe", Category: "xss", Pattern: escapedAngleID,
		Match: excerpt(v, 0, len(v)), Score: escapedAngleWeight,
	}
}

// versionedCommentID names the MySQL versioned-comment evidence, in Threats and Stats.
const versionedCommentID = "sqli-versioned-comment"

// versionedKeywords are what follows "/*!" (and its version digits) in an injection:
// query syntax a filter is meant not to see. mysqldump's own versioned comments hold
// SET, ALTER, CREATE, DEFINER, VIEW and table options, none of which is here.
var versionedKeywords = []string{
	"select", "union", "and", "or", "from", "where", "sleep", "concat", "benchmark",
	"if", "case", "having", "order", "limit", "procedure", "exec", "load_file", "into",
	"'", "\"", "(", "*", "0x", "@@",
}

// versionedComment reports where v has a MySQL versioned comment (/*!50000 … */)
// opening onto query syntax: MySQL runs its content, other readers skip it, which is
// why injections hide keywords in one. Normalize unwraps these comments (their content
// is what runs), so only the raw value still shows the trick.
func versionedComment(v string) (int, bool) {
	for off := 0; ; {
		j := strings.Index(v[off:], "/*!")
		if j < 0 {
			return 0, false
		}
		pos := off + j
		i := pos + 3
		for n := 0; i < len(v) && n < 6 && v[i] >= '0' && v[i] <= '9'; n++ {
			i++
		}
		for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '+') {
			i++
		}
		for _, k := range versionedKeywords {
			if len(v)-i >= len(k) && strings.EqualFold(v[i:i+len(k)], k) {
				end := i + len(k)
				if isLetter(k[0]) && end < len(v) && (isLetter(v[end]) || v[end] == '_') {
					continue // "orders", "iframe": a longer word
				}
				return pos, true
			}
		}
		off = pos + 3
	}
}

// versionedCommentThreat is the evidence of a versioned comment at pos in v.
func versionedCommentThreat(v string, pos int) Threat {
	return Threat{
		Type: "probe", Category: "sqli", Pattern: versionedCommentID,
		Match: excerpt(v, pos, min(len(v), pos+24)), Position: pos, Score: escapedAngleWeight,
	}
}
