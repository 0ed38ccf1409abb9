package detect

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"clean unchanged", "hello world", "hello world"},
		{"case kept", "SeLeCt", "SeLeCt"},
		{"percent once", "%3Cscript%3E", "<script>"},
		{"percent twice", "%253Cscript%253E", "<script>"},
		{"percent thrice", "%25253Cb%25253E", "<b>"},
		{"plus is space only when form-encoded", "a+b%20c", "a b c"},
		{"literal plus kept", "1+1=2", "1+1=2"},
		{"invalid escape kept", "100% sure", "100% sure"},
		{"iis unicode escape", "%u003cscript%u003e", "<script>"},
		{"overlong dot slash", "%c0%ae%c0%ae%c0%af", "../"},
		{"overlong backslash", "..%c1%9c..", "..\\.."},
		{"overlong glued", "%c0%2e%c0%2e/", "../"},
		{"three byte overlong", "%e0%80%ae%e0%80%ae/", "../"},
		{"html named", "&lt;img&gt;", "<img>"},
		{"html numeric", "&#60;&#x3c;&#0000060", "<<<"},
		{"html then percent", "%26lt%3Bb%26gt%3B", "<b>"},
		{"fullwidth nfkc", "＜ｓｃｒｉｐｔ＞", "<script>"},
		{"lookalike quote", "O’Reilly", "O'Reilly"},
		{"lookalike slash", "..∕..∕etc", "../../etc"},
		{"cyrillic homoglyph", "sеlеct", "select"},
		{"zero width removed", "un\u200bion", "union"},
		{"nul removed", "un\x00ion", "union"},
		{"control between words is a blank", "a\x01b\x7fc", "a b c"},
		{"control next to punctuation dropped", "passwd\x00.jpg", "passwd.jpg"},
		{"nul separates keywords", "SELECT\x00name\x00FROM\x00t", "SELECT name FROM t"},
		{"nul inside keyword", "sel\x00ect un\x00ion\x00select", "select union select"},
		{"comment inside keyword", "uni/**/on sel/*x*/ect", "union select"},
		{"comment between words kept as blank", "union/**/select", "union select"},
		{"comment inside ordinary word", "foo/**/bar", "foo bar"},
		{"cr inside scheme", "jav\rascript:alert(1)", "javascript:alert(1)"},
		{"tabs inside scheme", "j\ta\tv\ta\ts\tc\tr\ti\tp\tt:", "javascript:"},
		{"entity cr inside scheme", "jav&#13ascript:x", "javascript:x"},
		{"line break between words kept", "hello\r\nworld", "hello\r\nworld"},
		{"line break before header kept", "x\r\nSet-Cookie: a=b", "x\r\nSet-Cookie: a=b"},
		{"tab between words", "order\tby", "order by"},
		{"escaped nul", "SELECT\\x00name", "SELECT name"},
		{"nibble escapes of a slash", "..%2%f..%5%cetc", "../..\\etc"},
		{"nibble escapes of other bytes kept", "50%4%1 off", "50%4%1 off"},
		{"percent then an escape", "100%2%41", "100*"},
		{"brace entities without semicolon", "$&lbracejndi:x&rbrace", "${jndi:x}"},
		{"unknown entity without semicolon kept", "a&lbrack b", "a&lbrack b"},
		{"seven bit markup escapes", "\\xbcscript\\xbe", "<script>"},
		{"utf8 continuation not stripped", "\\xd0\\xbcx", "\\xd0\\xbcx"},
		{"escaped high byte kept", "\\xe9t\\xe9", "\\xe9t\\xe9"},
		{"crlf kept", "a\r\nb", "a\r\nb"},
		{"blank runs folded", "a  \t b", "a b"},
		{"sql comment", "union/**/select", "union select"},
		{"mysql versioned comment", "/*!50000union*/ select", " union select"},
		{"long comment keeps markup", "/* <script>alert(1)</script> and more text to make it long enough */", " <script>alert(1)</script> and more text to make it long enough "},
		{"unterminated comment kept", "a /* b", "a /* b"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Normalize(tc.in); got != tc.want {
				t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNormalizeNoAllocOnClean(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	in := "page=2 sort=price_asc en-GB Mozilla/5.0 (X11; Linux x86_64)"
	if n := testing.AllocsPerRun(100, func() { Normalize(in) }); n != 0 {
		t.Errorf("allocs = %v, want 0", n)
	}
}

func TestTruncateKeepsAttackRegion(t *testing.T) {
	d := newTestDetector(t)
	pad := strings.Repeat("lorem ipsum dolor sit amet ", 2000) // ~54 KB
	in := pad + "' UNION SELECT password FROM users-- " + pad
	r := d.Detect(t.Context(), in, "body:text")
	if !r.IsThreat {
		t.Fatalf("attack in the middle of a long value lost by truncation: %+v", r)
	}
	if r.OriginalLength != len(in) || r.ProcessedLength > 10000+64 {
		t.Fatalf("lengths: original %d processed %d", r.OriginalLength, r.ProcessedLength)
	}
}
