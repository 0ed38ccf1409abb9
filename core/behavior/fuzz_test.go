package behavior

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzParsePattern: any string either fails with ErrInvalidPattern or gives
// a pattern that matches any response without panicking.
func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{
		"", "error", "status:404", "status:", "status:-1", "regex:(a|b)+", "regex:(",
		"json:a.b==v", "json:items[].state==won", "json:[]>=1", "json:a[][]<=-1e3",
		"json:a==", "json:==", "json:a=b", "json:a.b.[]!=null", "json:x>'3'", "ÉCHEC",
	} {
		f.Add(s, 200, []byte(`{"a":{"b":"v"},"items":[{"state":"won"}]}`))
	}
	f.Fuzz(func(t *testing.T, pattern string, status int, body []byte) {
		p, err := ParsePattern(pattern)
		if err != nil {
			if p != nil {
				t.Fatalf("ParsePattern(%q) returned a pattern and an error", pattern)
			}
			return
		}
		if p.String() != pattern {
			t.Fatalf("String() = %q, want %q", p.String(), pattern)
		}
		p.Match(status, body)
	})
}

// FuzzJSONMatch cross-checks the streaming JSON matcher against an
// evaluator over encoding/json's decoded value: same verdict on every
// document, and never a match on an invalid one.
func FuzzJSONMatch(f *testing.F) {
	seeds := []struct{ expr, body string }{
		{"result==win", `{"result":"win"}`},
		{"items[].state==won", `{"items":[{"state":"lost"},{"state":"won"}]}`},
		{"a.b>=10", `{"a":{"b":10.5}}`},
		{"[].id!=3", `[{"id":3},{"id":4}]`},
		{"m[][]<0", `{"m":[[1],[-2]]}`},
		{"k==null", `{"k":null,"k":1}`},
		{"s==é", `{"s":"\u00e9"}`},
		{"s==x", `{"s":"\ud800"}`},
		{"n>1", `{"n":1e400}`},
		{"r==win", `{"r":"win"`},
		{"r==win", `{"r":"win"} `},
		{"a==true", ` {"a" : true } `},
	}
	for _, s := range seeds {
		f.Add(s.expr, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, expr string, body []byte) {
		e, err := parseJSONExpr(expr)
		if err != nil {
			return
		}
		got := e.match(body)
		if got && !json.Valid(body) {
			t.Fatalf("matched invalid JSON %q with %q", body, expr)
		}
		// The reference decodes invalid UTF-8 to U+FFFD and has its own depth
		// limit; compare only where both read the same document.
		if !utf8.Valid(body) || depth(string(body)) >= 400 {
			return
		}
		if want := refJSONMatch(e, body); got != want {
			t.Fatalf("json:%s on %q: streaming = %v, reference = %v", expr, body, got, want)
		}
	})
}
