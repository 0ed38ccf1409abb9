package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuild(t *testing.T) {
	for _, tc := range []struct {
		name             string
		rec              record
		method, uri      string
		header, value    string // one header the request must carry
		body, query, arg string // body; query parameter arg must decode to query
	}{
		{name: "query default param", rec: record{Location: "query", Payload: "1' OR '1'='1"},
			method: "GET", uri: "/search?q=1%27+OR+%271%27%3D%271", arg: "q", query: "1' OR '1'='1"},
		{name: "query named param and path", rec: record{Location: "query", Param: "id", Path: "/item.php", Payload: "<b>&x"},
			method: "GET", uri: "/item.php?id=%3Cb%3E%26x", arg: "id", query: "<b>&x"},
		{name: "encoded payload decoded once", rec: record{Location: "query", Payload: "%2527+or%201%3D1", Encoded: true},
			method: "GET", arg: "q", query: "%27 or 1=1"},
		{name: "not encoded: percent kept", rec: record{Location: "query", Payload: "100%25 sure"},
			method: "GET", arg: "q", query: "100%25 sure"},
		{name: "whole query string for a path", rec: record{Location: "query", Path: "/x.php", Payload: "dir=http://a.example/s.txt?"},
			method: "GET", uri: "/x.php?dir=http://a.example/s.txt?", arg: "dir", query: "http://a.example/s.txt?"},
		{name: "form body", rec: record{Location: "body", Payload: "a b;c"},
			method: "POST", uri: "/submit", header: "Content-Type", value: "application/x-www-form-urlencoded", body: "data=a+b%3Bc"},
		{name: "whole form body sent raw", rec: record{Location: "body", Payload: "user=admin'--&pw=x"},
			method: "POST", uri: "/submit", body: "user=admin'--&pw=x"},
		{name: "param given: the payload is its value", rec: record{Location: "body", Param: "code", Payload: "<?=`id`?>"},
			method: "POST", body: "code=%3C%3F%3D%60id%60%3F%3E"},
		{name: "json body raw", rec: record{Location: "body", ContentType: "application/json", Payload: `{"a": "b c"}`},
			method: "POST", header: "Content-Type", value: "application/json", body: `{"a": "b c"}`},
		{name: "header", rec: record{Location: "header", Header: "Referer", Payload: "http://x/<script>"},
			method: "GET", uri: "/", header: "Referer", value: "http://x/<script>"},
		{name: "user agent replaces the default", rec: record{Location: "header", Header: "User-Agent", Payload: "sqlmap/1.7"},
			method: "GET", header: "User-Agent", value: "sqlmap/1.7"},
		{name: "header default name", rec: record{Location: "header", Payload: "() { :; }; id"},
			header: "X-Test", value: "() { :; }; id"},
		{name: "cookie bare value", rec: record{Location: "cookie", Payload: "x' or 1"},
			header: "Cookie", value: "c=x' or 1"},
		{name: "cookie with name", rec: record{Location: "cookie", Payload: "session=../../etc/passwd"},
			header: "Cookie", value: "session=../../etc/passwd"},
		{name: "path escaped", rec: record{Location: "path", Payload: "/a b/../etc/passwd?x#y"},
			method: "GET", uri: "/a%20b/../etc/passwd%3Fx%23y"},
		{name: "encoded path decoded once, escapes kept", rec: record{Location: "path", Payload: "/%252e%252e/%0d%0aSet-Cookie:x", Encoded: true},
			uri: "/%252e%252e/%0D%0ASet-Cookie:x"}, // %252e → %2e, sent as %252e
	} {
		t.Run(tc.name, func(t *testing.T) {
			wire, err := build(tc.rec)
			if err != nil {
				t.Fatal(err)
			}
			req, err := parse(wire)
			if err != nil {
				t.Fatal(err)
			}
			if tc.method != "" && req.Method != tc.method {
				t.Errorf("method %s, want %s", req.Method, tc.method)
			}
			if tc.uri != "" && req.RequestURI != tc.uri {
				t.Errorf("request URI %q, want %q", req.RequestURI, tc.uri)
			}
			if req.Host != host || req.UserAgent() == "" || req.Header.Get("Accept") == "" || req.Header.Get("Accept-Language") == "" {
				t.Errorf("browser headers missing: host %q, %q", req.Host, req.Header)
			}
			if tc.header != "" && req.Header.Get(tc.header) != tc.value {
				t.Errorf("%s: %q, want %q", tc.header, req.Header.Get(tc.header), tc.value)
			}
			if tc.arg != "" && req.URL.Query().Get(tc.arg) != tc.query {
				t.Errorf("query %s=%q, want %q", tc.arg, req.URL.Query().Get(tc.arg), tc.query)
			}
			b, _ := io.ReadAll(req.Body)
			if tc.body != "" && string(b) != tc.body {
				t.Errorf("body %q, want %q", b, tc.body)
			}
		})
	}
}

func TestBuildNotPlaceable(t *testing.T) {
	for _, r := range []record{
		{Location: "header", Header: "X-Forwarded-Host", Payload: "a\r\nX-Evil: 1"},
		{Location: "header", Payload: "a%0d%0aSet-Cookie: x=1", Encoded: true},
		{Location: "cookie", Payload: "a\nb"},
		{Location: "path", Payload: "www.example.org:80"},
		{Location: "header", Payload: "nul\x00byte"}, // net/http's parser refuses it
	} {
		if _, err := build(r); !errors.Is(err, errNotPlaceable) {
			t.Errorf("%q in %s: err %v, want not placeable", r.Payload, r.Location, err)
		}
	}
}

// TestRun runs the whole report, guard and CRS PL1, on a five-record corpus
// written here (one record above PL1, one not placeable).
func TestRun(t *testing.T) {
	dir := t.TempDir()
	attacks := `{"id":"a1","label":"attack","category":"sqli","location":"query","param":"id","payload":"1' UNION SELECT password FROM users--","encoded":false}
{"id":"a2","label":"attack","category":"xss","location":"query","payload":"%3Cscript%3Ealert(1)%3C%2Fscript%3E","encoded":true}
{"id":"a3","label":"attack","category":"sqli","location":"query","payload":"x","paranoia_level":3}
`
	benign := `{"id":"b1","label":"benign","category":"other","location":"query","payload":"red running shoes","encoded":false}
{"id":"b2","label":"benign","category":"other","location":"header","header":"X-Note","payload":"line\r\nbreak","encoded":false}
`
	for name, s := range map[string]string{"attacks.jsonl": attacks, "benign.jsonl": benign} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out strings.Builder
	if err := run(&out, io.Discard, dir, options{pls: "1", perCat: true}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"4 records (paranoia_level ≤ 1), 3 sent",
		"| **overall** | 2 | 100.0 | 100.0 | 1 | 0.0 | 0.0 |",
		"not placeable (left out of every column): 1; header: CR/LF in a header value: 1",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
