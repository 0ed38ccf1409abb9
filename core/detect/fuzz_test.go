package detect

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// The seeds below run in every plain `go test`; testdata/fuzz/<Fuzz…>/ holds more
// checked-in seeds (inputs that once mattered).

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"", "plain", "%", "%2", "%zz", "%u", "%u12", "%uD800", "%c0%ae%c0%af", "%e0%80%ae", "%fc%80%80%80%80%ae",
		"&", "&#", "&#x;", "&#99999999;", "&lt", "/*", "/**/", "/*!", "/*!5", "*/", "\x00\x01\r\n",
		"ｓｅｌｅｃｔ", "\xff\xfe", "a\u200bb", "%25%32%35",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Normalize(s)
		if len(out) > 8*len(s)+16 {
			t.Fatalf("output grew from %d to %d bytes", len(s), len(out))
		}
		// Idempotence is not required (decoding is bounded to 3 rounds), but a second
		// pass must not panic either.
		_ = Normalize(out)
		if utf8.ValidString(s) && !strings.ContainsAny(s, "%&") && !utf8.ValidString(out) {
			t.Fatalf("valid input %q produced invalid UTF-8 %q", s, out)
		}
	})
}

func FuzzDetect(f *testing.F) {
	for _, tc := range attackCases {
		f.Add(tc.in, tc.where)
	}
	for _, tc := range hardBenign {
		f.Add(tc.in, tc.where)
	}
	f.Add("", "")
	f.Add("x", "nowhere:at:all")
	f.Add(`<a b="c"><d>e</d></a>`, "body:xml")
	f.Add(`{"a":{"constructor":{"prototype":1}}}`, "body:json")
	f.Add("a\x00%uFF0F\u0061b\xc0\xaf", "query:q")
	f.Add("bytes 1-2/3", "header:Content-Range")
	// Raw probes and the vetoes' constructs (they slice around matches).
	f.Add("&#X0003C \\u{3c} %u003e", "query:q")
	f.Add("1 /*!50000union*/ /*!", "query:q")
	f.Add("{{=}} {{=<% %>=}}", "body:text")
	f.Add(`<!DOCTYPE x PUBLIC "-//W3C//DTD X//EN" "http://www.w3.org/x.dtd" [<!ELEMENT x ANY>]>`, "body:xml")
	f.Add(`<!DOCTYPE n SYSTEM "n.dtd"><script type="application/ld+json">{}</script>`, "body:text")
	f.Add("javascript:void(0); doesn't ' or x $(date +%F) ${jndi:...}", "body:text")
	f.Add(`{"p":"../a","c":["/bin/sh"],"u":"ldaps://h","f":"(&(a=b)(c=d))"}`, "body:json")
	d, err := New(Config{MaxContentLength: 512})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s, where string) {
		r := d.Detect(context.Background(), s, where)
		if r.ThreatScore < 0 || r.ThreatScore > 1 {
			t.Fatalf("score %v", r.ThreatScore)
		}
		if r.IsThreat && len(r.Threats) == 0 {
			t.Fatal("threat without evidence")
		}
		for _, th := range r.Threats {
			if len(th.Match) > 400 {
				t.Fatalf("excerpt too long: %d", len(th.Match))
			}
		}
	})
}

// FuzzDetectLong puts the fuzzed value into long prose, so that patterns run on
// windows: anchor variants, quote-parity runs from unpaired quotes, merged windows
// and checks (FuzzDetect's values stay under the window size).
func FuzzDetectLong(f *testing.F) {
	for _, tc := range attackCases {
		f.Add(tc.in, 1)
	}
	f.Add("' or 1=1--", 3)
	f.Add(`" or ""="`, 2)
	f.Add("x'", 7)
	f.Add(") (|(uid=*", 1)
	f.Add("; ls -la", 0)
	f.Add("--", 5)
	d, err := New(Config{MaxContentLength: 64 << 10})
	if err != nil {
		f.Fatal(err)
	}
	prose := strings.Repeat(neutralProse, 3)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if len(s) > 4096 {
			return
		}
		n = n & 7
		var b strings.Builder
		b.WriteString(s)
		for i := 0; i <= n; i++ {
			b.WriteString(prose[:len(prose)*(i+1)/(n+1)])
			b.WriteString(s)
		}
		r := d.Detect(context.Background(), b.String(), "body:text")
		if r.ThreatScore < 0 || r.ThreatScore > 1 || r.IsThreat && len(r.Threats) == 0 {
			t.Fatalf("score %v, %d threats", r.ThreatScore, len(r.Threats))
		}
		for _, th := range r.Threats {
			if th.Position < 0 || th.Position > b.Len() {
				t.Fatalf("position %d outside the value", th.Position)
			}
		}
	})
}

func FuzzInspect(f *testing.F) {
	f.Add("/a/b", "q=1&x=%27", "application/json", `{"a":[1,{"b":"c"}],"d":"\u0041"}`, "sid=1; t=2")
	f.Add("/", "a=%zz&&=&b", "application/x-www-form-urlencoded", "x=1&y=%3Cb%3E", "")
	f.Add("/", "", "multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"../a\"\r\n\r\nv\r\n--XX--\r\n", "a")
	f.Add("/", "", "application/json", `{"a":`, "")
	f.Add("/", "", "application/json", `[[[[[[[[[[`, "")
	f.Add("/", "", "application/json", `{"\u12":"\`, "")
	f.Add("/", "", "text/xml", `<!DOCTYPE x [<!ENTITY y SYSTEM "z">]>`, "")
	f.Add("", "", "multipart/form-data", "garbage", "=;=;;")
	f.Add("/", "", "application/xml", `<a x="1" xmlns="http://a/"><b><![CDATA[<i>]]></b>&amp;<c/></a>`, "bytes 0-1/2")
	f.Add("/", "", "application/rss+xml", `<rss><channel><link>http://x/</link></channel>`, "bytes */9")
	f.Add("/", "f=a%00b", "application/xml", "<a\x00 b='\xc0\xaf'>\\u0061lert</a>", "$Version=1")
	d, err := New(Config{MaxContentLength: 256, MaxRequestBytes: 4096})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, path, query, ct, body, cookie string) {
		h := http.Header{}
		if cookie != "" {
			h.Set("Cookie", cookie)
		}
		h.Set("X-Test", query)
		h.Set("Content-Range", cookie)
		b := []byte(body)
		orig := string(b)
		r := d.Inspect(context.Background(), &Target{Method: "POST", Path: path, RawQuery: query,
			Header: h, ContentType: ct, Body: b})
		if string(b) != orig {
			t.Fatal("body modified")
		}
		if r.IsThreat && len(r.Threats) == 0 {
			t.Fatal("threat without evidence")
		}
	})
}
