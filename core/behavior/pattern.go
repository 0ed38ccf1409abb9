package behavior

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrInvalidPattern is wrapped by every error ParsePattern returns.
var ErrInvalidPattern = errors.New("invalid return pattern")

// Pattern forms, by prefix.
const (
	prefixStatus = "status:"
	prefixRegex  = "regex:"
	prefixJSON   = "json:"
)

type patternKind uint8

const (
	kindSubstring patternKind = iota
	kindStatus
	kindRegex
	kindJSON
)

// Pattern is a compiled return pattern: what a response must look like to
// count toward a return_pattern rule. The zero value matches nothing; build
// one with ParsePattern. A Pattern is immutable and safe for concurrent use.
//
// Forms (the prefix selects the form; anything else is a substring):
//
//	status:404         the response status code equals 404
//	regex:err(or|no)   an RE2 regular expression found in the body
//	json:a.b==v        a JSON path compared with a value (see below)
//	anything else      a substring of the body
//
// Like the reference implementation, substring and regex matching ignore
// case (a regex can turn that off with the (?-i) flag) and so does string
// equality in json patterns. JSON object keys are matched exactly.
//
// JSON patterns are "json:PATH OP VALUE". PATH is dot-separated object keys;
// a key suffixed with [] steps into every element of an array
// ("items[].state"), a bare [] steps into a top-level array ("[].id"). OP is
// one of ==, !=, >, >=, <, <=. VALUE may be quoted with ' or "; the literals
// true, false and null compare with JSON booleans and null. See Match for the
// comparison rules.
type Pattern struct {
	src    string
	kind   patternKind
	status int
	lit    []byte         // lower-cased ASCII substring (kindSubstring)
	anchor int            // index of lit's rarest byte
	raw    []byte         // substring that is not valid UTF-8, matched exactly
	re     *regexp.Regexp // kindRegex, or kindSubstring with a non-ASCII needle
	json   *jsonExpr
}

// ParsePattern compiles a return pattern. The error matches
// ErrInvalidPattern (errors.Is) and says what is wrong (an invalid regex, a bad status code, a JSON
// pattern without an operator, …).
func ParsePattern(s string) (*Pattern, error) {
	p := &Pattern{src: s}
	switch {
	case strings.HasPrefix(s, prefixStatus):
		p.kind = kindStatus
		v := strings.TrimSpace(s[len(prefixStatus):])
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 || n > 999 {
			return nil, patternErr("invalid status %q: want status:NNN with a code from 100 to 999", v)
		}
		p.status = n
	case strings.HasPrefix(s, prefixRegex):
		p.kind = kindRegex
		expr := s[len(prefixRegex):]
		if expr == "" {
			return nil, patternErr("empty regex")
		}
		re, err := regexp.Compile("(?i)" + expr)
		if err != nil {
			return nil, patternErr("invalid regex: %v", err)
		}
		p.re = re
	case strings.HasPrefix(s, prefixJSON):
		p.kind = kindJSON
		e, err := parseJSONExpr(s[len(prefixJSON):])
		if err != nil {
			return nil, patternErr("%v", err)
		}
		p.json = e
	default:
		p.kind = kindSubstring
		if s == "" {
			return nil, patternErr("empty pattern")
		}
		switch {
		case isASCII(s):
			p.lit = []byte(strings.ToLower(s))
			p.anchor = rareIndex(p.lit)
		case utf8.ValidString(s):
			// Unicode case folding: let RE2 do it on the quoted literal.
			p.re = regexp.MustCompile("(?i)" + regexp.QuoteMeta(s))
		default:
			// Not UTF-8: no case to fold; match the bytes exactly.
			p.raw = []byte(s)
		}
	}
	return p, nil
}

// String returns the pattern as written.
func (p *Pattern) String() string {
	if p == nil {
		return ""
	}
	return p.src
}

// NeedsBody reports whether matching needs the response body (every form
// except status:).
func (p *Pattern) NeedsBody() bool { return p != nil && p.kind != kindStatus }

// Match reports whether a response with this status and body (or body
// prefix) matches. The work is linear in len(body) and allocation-free
// except for numeric comparisons in json patterns and strings with escapes.
//
// json patterns match only when body is exactly one complete, valid JSON
// value (surrounding whitespace allowed): a truncated or invalid body never
// matches. A path that does not exist never matches (for != too). The
// comparison, for the value found at the path (for [] steps: any element):
//   - == and !=: a JSON string equals VALUE ignoring case; a number equals a
//     numeric VALUE numerically (1.0 == 1); true, false and null equal the
//     same literal; objects and arrays equal nothing. != is the negation of
//     == for a value that exists.
//   - >, >=, <, <=: VALUE is a number; the JSON value must be a number or a
//     string holding a JSON number ("12.50"); compared as float64.
//   - a key that appears twice in one object: the last occurrence counts,
//     as in most JSON decoders.
func (p *Pattern) Match(status int, body []byte) bool {
	if p == nil {
		return false
	}
	switch p.kind {
	case kindStatus:
		return status == p.status
	case kindRegex:
		return p.re.Match(body)
	case kindJSON:
		return p.json.match(body)
	default:
		switch {
		case p.re != nil:
			return p.re.Match(body)
		case p.raw != nil:
			return bytes.Contains(body, p.raw)
		}
		return containsFoldASCII(body, p.lit, p.anchor)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// commonBytes lists bytes from most to least frequent in typical response
// bodies (JSON, HTML, English text); bytes not listed count as rare.
const commonBytes = ` "e:,tao1i0n2srlhd.c3u-m/4p5_f6g7y8w9b{}v<>=k\nx'jqz`

// rareIndex picks the position in needle (lower-case ASCII) whose byte is
// least frequent, so the scan stops at few false candidates (the memchr
// rare-byte heuristic).
func rareIndex(needle []byte) int {
	best, bestRank := 0, len(commonBytes)+1
	for i, c := range needle {
		r := len(commonBytes) - strings.IndexByte(commonBytes, c) // 0 when absent → len+1
		if r > len(commonBytes) {
			r = 0
		}
		if r < bestRank {
			best, bestRank = i, r
		}
	}
	return best
}

// containsFoldASCII reports whether s contains needle (lower-case ASCII)
// ignoring ASCII case. Candidates are found by searching for the needle's
// byte at index k (its rarest) in lower and upper case with bytes.IndexByte;
// each of the two searches only moves forward, so the scan stays linear in
// len(s) times the cost of a failed comparison.
func containsFoldASCII(s, needle []byte, k int) bool {
	n := len(needle)
	if n == 0 {
		return true
	}
	if n > len(s) {
		return false
	}
	lo := needle[k]
	up := lo
	if 'a' <= lo && lo <= 'z' {
		up = lo - ('a' - 'A')
	}
	// hay[j] is the anchor byte of a match starting at s[j].
	hay := s[k : len(s)-n+k+1]
	if lo == up {
		for j := 0; j < len(hay); {
			x := bytes.IndexByte(hay[j:], lo)
			if x < 0 {
				return false
			}
			j += x
			if equalFoldLower(s[j:j+n], needle) {
				return true
			}
			j++
		}
		return false
	}
	nextLo, nextUp := -1, -1 // next known anchor position of each case
	for j := 0; j < len(hay); {
		if nextLo < j {
			nextLo = len(hay)
			if x := bytes.IndexByte(hay[j:], lo); x >= 0 {
				nextLo = j + x
			}
		}
		if nextUp < j {
			nextUp = len(hay)
			if x := bytes.IndexByte(hay[j:], up); x >= 0 {
				nextUp = j + x
			}
		}
		j = min(nextLo, nextUp)
		if j >= len(hay) {
			return false
		}
		if equalFoldLower(s[j:j+n], needle) {
			return true
		}
		j++
	}
	return false
}

// equalFoldLower reports whether s equals lower (lower-case ASCII) ignoring
// ASCII case; len(s) == len(lower).
func equalFoldLower(s, lower []byte) bool {
	for k := range lower {
		if lowerASCII(s[k]) != lower[k] {
			return false
		}
	}
	return true
}

// patternError is a ParsePattern error; it matches ErrInvalidPattern.
type patternError struct{ msg string }

func (e *patternError) Error() string        { return e.msg }
func (e *patternError) Is(target error) bool { return target == ErrInvalidPattern }

func patternErr(format string, args ...any) error {
	return &patternError{msg: fmt.Sprintf(format, args...)}
}
