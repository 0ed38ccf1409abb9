package behavior

import (
	"errors"
	"strings"
	"testing"
)

func TestParsePatternErrors(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		wantErr string
	}{
		{"empty substring", "", "empty pattern"},
		{"status not a number", "status:abc", `invalid status "abc": want status:NNN with a code from 100 to 999`},
		{"status empty", "status:", `invalid status ""`},
		{"status too small", "status:99", `invalid status "99"`},
		{"status too large", "status:1000", `invalid status "1000"`},
		{"empty regex", "regex:", "empty regex"},
		{"invalid regex", "regex:(abc", "invalid regex: error parsing regexp: missing closing ): `(?i)(abc`"},
		{"look-around is not RE2", "regex:a(?=b)", "invalid regex: error parsing regexp: invalid or unsupported Perl syntax"},
		{"json without operator", "json:result", `json pattern "result" needs an operator (==, !=, >, >=, <, <=)`},
		{"json single equals", "json:result=win", `json pattern "result=win": unknown operator at "=win"`},
		{"json bang alone", "json:a!b", `unknown operator at "!b"`},
		{"json empty path", "json:==win", `json pattern "==win": empty path`},
		{"json empty segment", "json:a..b==1", `empty path segment in "a..b"`},
		{"json trailing dot", "json:a.==1", `empty path segment in "a."`},
		{"json index not supported", "json:items[0].id==1", `path segment "items[0]": only [] (any element) is supported`},
		{"json bracket in name", "json:it[]ems==1", `path segment "it[]ems": only [] (any element) is supported`},
		{"json ordering needs number", "json:score>=high", `operator >= needs a number, got "high"`},
		{"json ordering needs number lt", "json:score<", `operator < needs a number, got ""`},
		{"json ordering rejects hex", "json:score>0x10", `operator > needs a number, got "0x10"`},
		{"json ordering rejects inf", "json:score>1e999", `operator > needs a number, got "1e999"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePattern(tt.pattern)
			if err == nil {
				t.Fatalf("ParsePattern(%q) = %v, want error", tt.pattern, p)
			}
			if !errors.Is(err, ErrInvalidPattern) {
				t.Errorf("error %v does not match ErrInvalidPattern", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestPatternMatch(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		status  int
		body    string
		want    bool
	}{
		// status:
		{"status equal", "status:404", 404, "", true},
		{"status other", "status:404", 200, "not found", false},
		{"status with spaces", "status: 429 ", 429, "", true},
		{"status ignores body", "status:200", 200, "anything", true},

		// substring (case-insensitive like the reference)
		{"substring exact", "error", 200, "an error occurred", true},
		{"substring other case", "ERROR", 200, "an Error occurred", true},
		{"substring absent", "error", 500, "all good", false},
		{"substring at end", "end", 200, "the END", true},
		{"substring at start", "the", 200, "The end", true},
		{"substring longer than body", "longer", 200, "long", false},
		{"substring empty body", "x", 200, "", false},
		{"substring non-letter first", "#42", 200, "ticket #42 closed", true},
		{"substring near miss", "abcd", 200, "abcabcabd", false},
		{"substring after many candidates", "aab", 200, strings.Repeat("a", 100) + "b", true},
		{"substring upper candidate only", "xyz", 200, "XXXXYZ", true},
		{"substring unicode fold", "ÉCHEC", 200, "opération en échec", true},
		{"substring unicode absent", "échec", 200, "succès", false},
		{"substring invalid UTF-8 exact", "\xd9\xff", 200, "a\xd9\xffb", true},
		{"substring invalid UTF-8 absent", "\xd9\xff", 200, "a\xd9\xfeb", false},
		{"substring is not a prefix form", "statut:404", 404, "statut:404", true},

		// regex: (case-insensitive unless (?-i))
		{"regex match", `regex:err(or|no)\s+\d+`, 200, "ERRNO 17", true},
		{"regex no match", `regex:^ok$`, 200, "not ok", false},
		{"regex case-sensitive opt-out", `regex:(?-i)Error`, 200, "error", false},
		{"regex case-sensitive opt-out match", `regex:(?-i)Error`, 200, "Error", true},
		{"regex sees status? no", `regex:404`, 404, "", false},

		// json: (more in json_test.go)
		{"json equal", "json:result==win", 200, `{"result":"win"}`, true},
		{"json equal other", "json:result==win", 200, `{"result":"lose"}`, false},
		{"json status irrelevant", "json:result==win", 500, `{"result":"WIN"}`, true},
		{"json invalid body", "json:result==win", 200, `{"result":"win"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePattern(tt.pattern)
			if err != nil {
				t.Fatalf("ParsePattern(%q): %v", tt.pattern, err)
			}
			if got := p.Match(tt.status, []byte(tt.body)); got != tt.want {
				t.Errorf("%q.Match(%d, %q) = %v, want %v", tt.pattern, tt.status, tt.body, got, tt.want)
			}
			if p.String() != tt.pattern {
				t.Errorf("String() = %q, want %q", p.String(), tt.pattern)
			}
		})
	}
}

func TestRareIndex(t *testing.T) {
	for needle, want := range map[string]int{
		"\"result\":\"win\"": 10, // 'w'
		"error":              1,  // the first r: rarer than e and o
		"zebra":              0,
		"a":                  0,
		"#42":                0, // '#' is not listed: rare
	} {
		if got := rareIndex([]byte(needle)); got != want {
			t.Errorf("rareIndex(%q) = %d (%q), want %d", needle, got, needle[got], want)
		}
	}
}

func TestPatternNeedsBody(t *testing.T) {
	for pat, want := range map[string]bool{
		"status:404":  false,
		"regex:x":     true,
		"json:a==1":   true,
		"some text":   true,
		"status:500 ": false,
	} {
		p, err := ParsePattern(pat)
		if err != nil {
			t.Fatal(err)
		}
		if p.NeedsBody() != want {
			t.Errorf("%q.NeedsBody() = %v, want %v", pat, p.NeedsBody(), want)
		}
	}
	var nilp *Pattern
	if nilp.NeedsBody() || nilp.Match(200, []byte("x")) || nilp.String() != "" {
		t.Error("nil *Pattern must match nothing")
	}
}

// TestContainsFoldASCII checks the substring search against a naive one on
// inputs that stress the candidate bookkeeping.
func TestContainsFoldASCII(t *testing.T) {
	hay := []string{"", "a", "A", "aA", "Aa", "xAaAb", "aaaaAAAAb", "bbbbA", "AbAbAbAc", "cab", "CAB", "zzzzzzzzzzzzzc", "q\"Win\"x", "WIWINWIN"}
	needles := []string{"a", "ab", "aab", "abc", "b", "c", "zc", "aaaab", "1", "\"win\"", "win", "wwin"}
	for _, h := range hay {
		for _, n := range needles {
			want := strings.Contains(strings.ToLower(h), n)
			for k := range len(n) { // every anchor position
				if got := containsFoldASCII([]byte(h), []byte(n), k); got != want {
					t.Errorf("containsFoldASCII(%q, %q, %d) = %v, want %v", h, n, k, got, want)
				}
			}
		}
	}
}
