package behavior

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxJSONDepth bounds nesting in a response body; deeper documents do not
// match (they are treated as invalid).
const maxJSONDepth = 512

type jsonOp uint8

const (
	opEq jsonOp = iota
	opNe
	opGt
	opGe
	opLt
	opLe
)

var opNames = [...]string{opEq: "==", opNe: "!=", opGt: ">", opGe: ">=", opLt: "<", opLe: "<="}

// jsonStep is one step of a path: into an object member (key) or into every
// element of an array (any).
type jsonStep struct {
	key string
	any bool
}

// jsonExpr is a compiled "json:PATH OP VALUE" pattern.
type jsonExpr struct {
	steps   []jsonStep
	op      jsonOp
	want    []byte // VALUE, unquoted
	wantNum float64
	isNum   bool // VALUE is a JSON number
}

// parseJSONExpr parses "PATH OP VALUE" (the text after "json:").
func parseJSONExpr(s string) (*jsonExpr, error) {
	i := strings.IndexAny(s, "=!<>")
	if i < 0 {
		return nil, fmt.Errorf("json pattern %q needs an operator (==, !=, >, >=, <, <=)", s)
	}
	path, rest := strings.TrimSpace(s[:i]), s[i:]
	e := &jsonExpr{}
	var opLen int
	switch {
	case strings.HasPrefix(rest, "=="):
		e.op, opLen = opEq, 2
	case strings.HasPrefix(rest, "!="):
		e.op, opLen = opNe, 2
	case strings.HasPrefix(rest, ">="):
		e.op, opLen = opGe, 2
	case strings.HasPrefix(rest, "<="):
		e.op, opLen = opLe, 2
	case strings.HasPrefix(rest, ">"):
		e.op, opLen = opGt, 1
	case strings.HasPrefix(rest, "<"):
		e.op, opLen = opLt, 1
	default:
		return nil, fmt.Errorf("json pattern %q: unknown operator at %q (want ==, !=, >, >=, <, <=)", s, rest)
	}
	steps, err := parseJSONPath(path)
	if err != nil {
		return nil, fmt.Errorf("json pattern %q: %v", s, err)
	}
	e.steps = steps
	want := strings.TrimSpace(rest[opLen:])
	if len(want) >= 2 && (want[0] == '"' || want[0] == '\'') && want[len(want)-1] == want[0] {
		want = want[1 : len(want)-1]
	}
	e.want = []byte(want)
	if isJSONNumber(e.want) {
		f, err := strconv.ParseFloat(want, 64)
		if err == nil && !math.IsInf(f, 0) {
			e.wantNum, e.isNum = f, true
		}
	}
	if e.op >= opGt && !e.isNum {
		return nil, fmt.Errorf("json pattern %q: operator %s needs a number, got %q", s, opNames[e.op], want)
	}
	return e, nil
}

// parseJSONPath parses "a.b[].c" into steps.
func parseJSONPath(path string) ([]jsonStep, error) {
	if path == "" {
		return nil, fmt.Errorf("empty path")
	}
	var steps []jsonStep
	for _, seg := range strings.Split(path, ".") {
		name := seg
		n := 0
		for strings.HasSuffix(name, "[]") {
			name = name[:len(name)-2]
			n++
		}
		if strings.ContainsAny(name, "[]") {
			return nil, fmt.Errorf("path segment %q: only [] (any element) is supported", seg)
		}
		if name == "" && n == 0 {
			return nil, fmt.Errorf("empty path segment in %q", path)
		}
		if name != "" {
			steps = append(steps, jsonStep{key: name})
		}
		for range n {
			steps = append(steps, jsonStep{any: true})
		}
	}
	return steps, nil
}

// match evaluates e over body in one validating pass.
func (e *jsonExpr) match(body []byte) bool {
	s := jsonScanner{b: body}
	s.ws()
	m := s.value(e, e.steps, true, 0)
	s.ws()
	return m && !s.bad && s.i == len(s.b)
}

// jsonScanner is a minimal validating JSON reader over a byte slice. It
// never panics on malformed input: it sets bad and every caller unwinds.
type jsonScanner struct {
	b   []byte
	i   int
	bad bool
}

func (s *jsonScanner) ws() {
	b, i := s.b, s.i
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	s.i = i
}

// value reads one value. When active, steps is the rest of the path below
// this value, and the result is whether the pattern matches inside it.
func (s *jsonScanner) value(e *jsonExpr, steps []jsonStep, active bool, depth int) bool {
	if s.bad {
		return false
	}
	if depth > maxJSONDepth || s.i >= len(s.b) {
		s.bad = true
		return false
	}
	leaf := active && len(steps) == 0
	switch c := s.b[s.i]; c {
	case '{':
		return s.object(e, steps, active && !leaf, depth)
	case '[':
		return s.array(e, steps, active && !leaf, depth)
	case '"':
		start := s.i + 1
		esc := s.str()
		if !leaf || s.bad {
			return false
		}
		return e.compareString(s.b[start:s.i-1], esc)
	case 't', 'f', 'n':
		lit := "null"
		if c == 't' {
			lit = "true"
		} else if c == 'f' {
			lit = "false"
		}
		if !bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
			s.bad = true
			return false
		}
		s.i += len(lit)
		if !leaf {
			return false
		}
		return e.compareLiteral(lit)
	default:
		start := s.i
		if !s.number() {
			s.bad = true
			return false
		}
		if !leaf {
			return false
		}
		return e.compareNumber(s.b[start:s.i])
	}
}

// object reads an object; active means the next step applies to it.
func (s *jsonScanner) object(e *jsonExpr, steps []jsonStep, active bool, depth int) bool {
	s.i++ // '{'
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return false
	}
	want := active && !steps[0].any
	res := false
	for {
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			s.bad = true
			return false
		}
		start := s.i + 1
		esc := s.str()
		if s.bad {
			return false
		}
		hit := want && keyEquals(s.b[start:s.i-1], esc, steps[0].key)
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			s.bad = true
			return false
		}
		s.i++
		s.ws()
		if hit {
			res = s.value(e, steps[1:], true, depth+1) // the last duplicate key wins
		} else {
			s.value(e, nil, false, depth+1)
		}
		if s.bad {
			return false
		}
		s.ws()
		if s.i >= len(s.b) {
			s.bad = true
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return res
		default:
			s.bad = true
			return false
		}
	}
}

// array reads an array; active means the next step applies to it.
func (s *jsonScanner) array(e *jsonExpr, steps []jsonStep, active bool, depth int) bool {
	s.i++ // '['
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return false
	}
	into := active && steps[0].any
	res := false
	for {
		s.ws()
		if into && !res {
			res = s.value(e, steps[1:], true, depth+1)
		} else {
			s.value(e, nil, false, depth+1)
		}
		if s.bad {
			return false
		}
		s.ws()
		if s.i >= len(s.b) {
			s.bad = true
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			return res
		default:
			s.bad = true
			return false
		}
	}
}

// str reads a string starting at its opening quote and leaves s.i after the
// closing quote. It reports whether the string contains escapes.
func (s *jsonScanner) str() (escaped bool) {
	b, i := s.b, s.i+1 // after the opening quote
	for {
		// Plain bytes, in a local loop (the hot path of the scanner).
		for i < len(b) {
			if c := b[i]; c < 0x20 || c == '"' || c == '\\' {
				break
			}
			i++
		}
		if i >= len(b) || b[i] < 0x20 {
			s.i, s.bad = i, true
			return escaped
		}
		if b[i] == '"' {
			s.i = i + 1
			return escaped
		}
		escaped = true // b[i] == '\\'
		if i+1 >= len(b) {
			s.i, s.bad = i, true
			return escaped
		}
		switch b[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i += 2
		case 'u':
			if i+6 > len(b) || !isHex4(b[i+2:i+6]) {
				s.i, s.bad = i, true
				return escaped
			}
			i += 6
		default:
			s.i, s.bad = i, true
			return escaped
		}
	}
}

// number reads a JSON number at s.i.
func (s *jsonScanner) number() bool {
	n := numberLen(s.b[s.i:])
	if n == 0 {
		return false
	}
	s.i += n
	return true
}

// numberLen returns the length of the JSON number at the start of b, or 0.
func numberLen(b []byte) int {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return 0
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return 0
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return 0
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	return i
}

// isJSONNumber reports whether b is exactly one JSON number.
func isJSONNumber(b []byte) bool { return len(b) > 0 && numberLen(b) == len(b) }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// keyEquals compares a raw (still escaped if esc) key with name exactly.
func keyEquals(raw []byte, esc bool, name string) bool {
	if !esc {
		return string(raw) == name
	}
	return string(unescape(raw)) == name
}

// unescape decodes the body of a JSON string already validated by str.
// Invalid surrogates become U+FFFD, as encoding/json does.
func unescape(raw []byte) []byte {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		switch raw[i+1] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := rune(hex4(raw[i+2 : i+6]))
			i += 6
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					if d := utf16.DecodeRune(r, rune(hex4(raw[i+2:i+6]))); d != utf8.RuneError {
						r2 = d
						i += 6
					}
				}
				r = r2
			}
			out = utf8.AppendRune(out, r)
			continue
		default: // '"', '\\', '/'
			out = append(out, raw[i+1])
		}
		i += 2
	}
	return out
}

func hex4(b []byte) uint16 {
	var v uint16
	for _, c := range b[:4] {
		v <<= 4
		switch {
		case c >= 'a':
			v |= uint16(c-'a') + 10
		case c >= 'A':
			v |= uint16(c-'A') + 10
		default:
			v |= uint16(c - '0')
		}
	}
	return v
}

// compareString applies the operator to a JSON string value (raw content,
// escaped if esc).
func (e *jsonExpr) compareString(raw []byte, esc bool) bool {
	if esc {
		raw = unescape(raw)
	}
	switch e.op {
	case opEq:
		return bytes.EqualFold(raw, e.want)
	case opNe:
		return !bytes.EqualFold(raw, e.want)
	default:
		if !isJSONNumber(raw) {
			return false
		}
		return e.compareNumber(raw)
	}
}

// compareLiteral applies the operator to true, false or null.
func (e *jsonExpr) compareLiteral(lit string) bool {
	switch e.op {
	case opEq:
		return bytes.EqualFold(e.want, []byte(lit))
	case opNe:
		return !bytes.EqualFold(e.want, []byte(lit))
	default:
		return false
	}
}

// compareNumber applies the operator to a JSON number (validated text).
func (e *jsonExpr) compareNumber(raw []byte) bool {
	if !e.isNum {
		return e.op == opNe // a number never equals a non-numeric VALUE
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil && !math.IsInf(f, 0) { // out-of-range numbers compare as ±Inf
		return false
	}
	switch e.op {
	case opEq:
		return f == e.wantNum
	case opNe:
		return f != e.wantNum
	case opGt:
		return f > e.wantNum
	case opGe:
		return f >= e.wantNum
	case opLt:
		return f < e.wantNum
	default:
		return f <= e.wantNum
	}
}
