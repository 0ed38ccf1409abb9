// Package uarules matches User-Agent strings against blocking rules:
// case-insensitive regular expressions (RE2), as in the reference's
// blocked_user_agents.
//
// Most real rules are plain words ("sqlmap", "nikto") or anchored prefixes
// ("^python-requests/"). Those are recognised when the rules are compiled and
// matched with an ASCII case-folded substring or prefix search; only the
// remaining rules go through one combined regular expression. The result is
// the same as matching every rule as a regular expression, without the cost.
package uarules

import (
	"bytes"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// Matcher is a compiled rule list. The zero value matches nothing. It is safe
// for concurrent use.
type Matcher struct {
	contains [][]byte // lower-cased literals
	prefixes [][]byte // lower-cased literals anchored at the start
	names    []string // rule text for contains then prefixes
	re       []*regexp.Regexp
}

// Compile builds a Matcher. Every invalid rule is reported.
func Compile(rules []string) (*Matcher, error) {
	m := &Matcher{}
	var bad []string
	var litNames, preNames []string
	for _, r := range rules {
		re, err := regexp.Compile("(?i)" + r)
		if err != nil {
			bad = append(bad, fmt.Sprintf("invalid pattern %q: %v", r, err))
			continue
		}
		lit, anchored, ok := literal(r)
		switch {
		case ok && anchored:
			m.prefixes = append(m.prefixes, []byte(strings.ToLower(lit)))
			preNames = append(preNames, r)
		case ok:
			m.contains = append(m.contains, []byte(strings.ToLower(lit)))
			litNames = append(litNames, r)
		default:
			m.re = append(m.re, re)
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	m.names = append(litNames, preNames...)
	return m, nil
}

// literal reports whether expr is a plain ASCII literal, optionally anchored
// with ^, and returns it.
func literal(expr string) (lit string, anchored, ok bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return "", false, false
	}
	re = re.Simplify()
	if re.Op == syntax.OpConcat && len(re.Sub) == 2 && (re.Sub[0].Op == syntax.OpBeginText || re.Sub[0].Op == syntax.OpBeginLine) && re.Sub[1].Op == syntax.OpLiteral {
		anchored, re = true, re.Sub[1]
	}
	if re.Op != syntax.OpLiteral {
		return "", false, false
	}
	s := string(re.Rune)
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return "", false, false // non-ASCII folding is left to the regexp engine
		}
	}
	return s, anchored, true
}

// Empty reports whether the matcher has no rules.
func (m *Matcher) Empty() bool {
	return m == nil || len(m.contains)+len(m.prefixes)+len(m.re) == 0
}

// Match reports whether ua matches a rule, and which.
func (m *Matcher) Match(ua string) (rule string, ok bool) {
	if m.Empty() {
		return "", false
	}
	if len(m.contains)+len(m.prefixes) > 0 {
		var stack [512]byte
		var low []byte
		if len(ua) <= len(stack) {
			low = stack[:len(ua)]
		} else {
			low = make([]byte, len(ua))
		}
		for i := 0; i < len(ua); i++ {
			c := ua[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			low[i] = c
		}
		for i, lit := range m.contains {
			if bytes.Contains(low, lit) {
				return m.names[i], true
			}
		}
		for i, p := range m.prefixes {
			if bytes.HasPrefix(low, p) {
				return m.names[len(m.contains)+i], true
			}
		}
	}
	for _, re := range m.re {
		if re.MatchString(ua) {
			return re.String()[len("(?i)"):], true
		}
	}
	return "", false
}
