package behavior

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestJSONPatterns(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		body    string
		want    bool
	}{
		// == on strings: case-insensitive like the reference, quotes stripped
		{"eq string", "json:result==win", `{"result":"win"}`, true},
		{"eq string case", "json:result==WIN", `{"result":"Win"}`, true},
		{"eq string unicode case", "json:city==ÉVRY", `{"city":"évry"}`, true},
		{"eq string mismatch", "json:result==win", `{"result":"winner"}`, false},
		{"eq double-quoted value", `json:result=="win"`, `{"result":"win"}`, true},
		{"eq single-quoted value", `json:result=='win'`, `{"result":"win"}`, true},
		{"eq spaces around", "json: result == win ", `{"result":"win"}`, true},
		{"eq empty string", `json:note==""`, `{"note":""}`, true},
		{"eq value containing operators", "json:expr==a>=b", `{"expr":"a>=b"}`, true},
		{"eq escaped value", `json:msg==a"b`, `{"msg":"a\"b"}`, true},
		{"eq unicode escape", "json:msg==é", `{"msg":"\u00e9"}`, true},
		{"eq surrogate pair", "json:msg==😀", `{"msg":"\ud83d\ude00"}`, true},
		{"eq escaped key", "json:result==win", `{"res\u0075lt":"win"}`, true},
		{"keys are case-sensitive", "json:result==win", `{"Result":"win"}`, false},

		// nested paths
		{"nested", "json:a.b.c==x", `{"a":{"b":{"c":"x"}}}`, true},
		{"nested missing", "json:a.b.c==x", `{"a":{"b":{"d":"x"}}}`, false},
		{"nested through non-object", "json:a.b==x", `{"a":"b"}`, false},
		{"nested through array without []", "json:a.b==x", `{"a":[{"b":"x"}]}`, false},
		{"sibling with same key deeper", "json:b==x", `{"a":{"b":"x"}}`, false},
		{"key skipped before match", "json:b==x", `{"a":{"b":"y","c":[1,2,{"b":"z"}]},"b":"x"}`, true},

		// [] any element
		{"array any scalar", "json:tags[]==vip", `{"tags":["new","VIP"]}`, true},
		{"array none", "json:tags[]==vip", `{"tags":["new","old"]}`, false},
		{"array empty", "json:tags[]==vip", `{"tags":[]}`, false},
		{"array of objects", "json:items[].state==won", `{"items":[{"state":"lost"},{"state":"won"}]}`, true},
		{"array of objects none", "json:items[].state==won", `{"items":[{"state":"lost"},{"x":"won"}]}`, false},
		{"nested arrays", "json:a[].b[].c==1", `{"a":[{"b":[{"c":2}]},{"b":[{"c":1}]}]}`, true},
		{"array of arrays", "json:m[][]==5", `{"m":[[1,2],[3,5]]}`, true},
		{"top-level array", "json:[].id==7", `[{"id":1},{"id":7}]`, true},
		{"top-level array scalars", "json:[]>10", `[1, 5, 11]`, true},
		{"[] on an object", "json:tags[]==vip", `{"tags":{"a":"vip"}}`, false},
		{"[] on a string", "json:tags[]==vip", `{"tags":"vip"}`, false},
		{"array later elements still validated", "json:tags[]==a", `{"tags":["a", tru]}`, false},

		// numbers
		{"eq integer", "json:score==10", `{"score":10}`, true},
		{"eq numeric equality", "json:score==1", `{"score":1.0}`, true},
		{"eq exponent", "json:score==100", `{"score":1e2}`, true},
		{"eq number vs text", "json:score==ten", `{"score":10}`, false},
		{"eq numeric string compared as string", "json:code==10", `{"code":"10"}`, true},
		{"eq numeric string not normalised", "json:code==10", `{"code":"10.0"}`, false},
		{"ne number", "json:score!=10", `{"score":11}`, true},
		{"ne number equal", "json:score!=10", `{"score":10}`, false},
		{"ne number vs text", "json:score!=ten", `{"score":10}`, true},
		{"gt", "json:score>10", `{"score":10.5}`, true},
		{"gt boundary", "json:score>10", `{"score":10}`, false},
		{"ge boundary", "json:score>=10", `{"score":10}`, true},
		{"ge below", "json:score>=10", `{"score":9.99}`, false},
		{"lt", "json:score<0", `{"score":-1}`, true},
		{"lt boundary", "json:score<0", `{"score":0}`, false},
		{"le boundary", "json:score<=-2.5", `{"score":-2.5}`, true},
		{"le above", "json:score<=-2.5", `{"score":-2}`, false},
		{"ordering negative value", "json:balance<-100", `{"balance":-250}`, true},
		{"ordering exponent value", "json:n>=1e3", `{"n":1000}`, true},
		{"ordering numeric string", "json:amount>100", `{"amount":"120.50"}`, true},
		{"ordering non-numeric string", "json:amount>100", `{"amount":"lots"}`, false},
		{"ordering on bool", "json:flag>0", `{"flag":true}`, false},
		{"ordering on null", "json:n<1", `{"n":null}`, false},
		{"ordering huge number", "json:n>1e300", `{"n":1e400}`, true},
		{"ordering on object", "json:n>1", `{"n":{"v":2}}`, false},

		// literals
		{"eq true", "json:ok==true", `{"ok":true}`, true},
		{"eq TRUE", "json:ok==TRUE", `{"ok":true}`, true},
		{"eq false vs true", "json:ok==false", `{"ok":true}`, false},
		{"eq true as string", "json:ok==true", `{"ok":"true"}`, true},
		{"eq null", "json:err==null", `{"err":null}`, true},
		{"ne null", "json:err!=null", `{"err":"boom"}`, true},
		{"ne null on null", "json:err!=null", `{"err":null}`, false},
		{"ne literal", "json:ok!=true", `{"ok":false}`, true},

		// missing paths and containers never match, not even !=
		{"ne missing path", "json:err!=null", `{"other":1}`, false},
		{"eq object leaf", "json:a=={}", `{"a":{}}`, false},
		{"ne object leaf", "json:a!=x", `{"a":{"b":1}}`, false},
		{"ne array leaf", "json:a!=x", `{"a":[1]}`, false},

		// duplicate keys: last wins
		{"duplicate last wins", "json:r==win", `{"r":"win","r":"lose"}`, false},
		{"duplicate last wins match", "json:r==win", `{"r":"lose","r":"win"}`, true},

		// validity: only a complete, valid document matches
		{"truncated", "json:result==win", `{"result":"win","more":`, false},
		{"truncated in string", "json:result==win", `{"result":"win","m":"ab`, false},
		{"trailing garbage", "json:result==win", `{"result":"win"} x`, false},
		{"two documents", "json:result==win", `{"result":"win"}{"result":"win"}`, false},
		{"surrounding whitespace", "json:result==win", " \n\t{\"result\":\"win\"}\r\n", true},
		{"trailing comma", "json:result==win", `{"result":"win",}`, false},
		{"single quotes", "json:result==win", `{'result':'win'}`, false},
		{"bad escape", "json:result==win", `{"result":"win","x":"\q"}`, false},
		{"short unicode escape", "json:result==win", `{"result":"win","x":"\u12"}`, false},
		{"raw control char", "json:result==win", "{\"result\":\"win\",\"x\":\"a\tb\"}", false},
		{"leading zero", "json:n==1", `{"n":01}`, false},
		{"bare dot", "json:n==1", `{"n":1.}`, false},
		{"plus sign", "json:n==1", `{"n":+1}`, false},
		{"bad literal", "json:ok==true", `{"ok":tru}`, false},
		{"missing colon", "json:a==1", `{"a" 1}`, false},
		{"unquoted key", "json:a==1", `{a:1}`, false},
		{"empty body", "json:a==1", ``, false},
		{"whitespace body", "json:a==1", `   `, false},
		{"not json", "json:a==1", `<html>a==1</html>`, false},
		{"scalar document", "json:a==1", `1`, false},
		{"deep but valid", "json:a==1", `{"a":1,"d":` + strings.Repeat("[", 500) + strings.Repeat("]", 500) + `}`, true},
		{"too deep", "json:a==1", `{"a":1,"d":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePattern(tt.pattern)
			if err != nil {
				t.Fatalf("ParsePattern(%q): %v", tt.pattern, err)
			}
			if got := p.Match(200, []byte(tt.body)); got != tt.want {
				t.Errorf("%q on %q = %v, want %v", tt.pattern, tt.body, got, tt.want)
			}
			// The decoder-based reference agrees wherever it applies.
			if depth(tt.body) < 400 {
				if ref := refJSONMatch(p.json, []byte(tt.body)); ref != tt.want {
					t.Errorf("reference evaluator says %v", ref)
				}
			}
		})
	}
}

// refJSONMatch is a straightforward evaluator over encoding/json's decoded
// value, used to cross-check the streaming matcher (here and in the fuzz
// target). It implements the semantics documented on Pattern.Match.
func refJSONMatch(e *jsonExpr, body []byte) bool {
	if !json.Valid(body) {
		return false
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return false
	}
	return refEval(e, e.steps, v)
}

func refEval(e *jsonExpr, steps []jsonStep, v any) bool {
	if len(steps) == 0 {
		return refCompare(e, v)
	}
	st := steps[0]
	if st.any {
		arr, ok := v.([]any)
		if !ok {
			return false
		}
		for _, el := range arr {
			if refEval(e, steps[1:], el) {
				return true
			}
		}
		return false
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return false
	}
	child, ok := obj[st.key]
	if !ok {
		return false
	}
	return refEval(e, steps[1:], child)
}

func refCompare(e *jsonExpr, v any) bool {
	want := string(e.want)
	num := func(s string) bool {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !math.IsInf(f, 0) {
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
	switch x := v.(type) {
	case string:
		switch e.op {
		case opEq:
			return strings.EqualFold(x, want)
		case opNe:
			return !strings.EqualFold(x, want)
		default:
			return isJSONNumber([]byte(x)) && num(x)
		}
	case json.Number:
		if !e.isNum {
			return e.op == opNe
		}
		return num(string(x))
	case bool, nil:
		lit := "null"
		if b, ok := x.(bool); ok {
			lit = strconv.FormatBool(b)
		}
		switch e.op {
		case opEq:
			return strings.EqualFold(want, lit)
		case opNe:
			return !strings.EqualFold(want, lit)
		}
		return false
	default:
		return false
	}
}

// depth returns the maximum bracket nesting in s (ignoring strings; good
// enough to keep the reference away from its own depth limit).
func depth(s string) int {
	d, m := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '{':
			d++
			m = max(m, d)
		case ']', '}':
			d--
		}
	}
	return m
}
