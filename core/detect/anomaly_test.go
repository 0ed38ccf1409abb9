package detect

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

func TestProtocolAnomaliesDetect(t *testing.T) {
	d := newTestDetector(t)
	cases := []struct {
		name, where, in string
		want            string // pattern id, "" for clean
	}{
		{"NUL in a query value", "query:file", "report.pdf\x00.txt", "proto-nul-byte"},
		{"NUL in a header", "header:Referer", "https://example.org/\x00", "proto-nul-byte"},
		{"NUL in a binary body is not protocol abuse", "body:text", "PK\x03\x04\x00\x00", ""},
		{"overlong slash", "query:p", "..\xc0\xafetc", "proto-utf8-overlong"},
		{"overlong three-byte dot", "query:p", "\xe0\x80\xae\xe0\x80\xae/", "proto-utf8-overlong"},
		{"beyond U+10FFFF", "query:p", "a\xf5\x80\x80\x80", "proto-utf8-overlong"},
		{"Latin-1 umlaut is not overlong", "query:city", "M\xfcnchen", ""},
		{"lone C0 byte (Latin-1 capital A grave)", "query:name", "\xc0 la carte", ""},
		{"valid UTF-8", "query:name", "Zoë Ærøskøbing — 東京", ""},
		{"IIS full-width escape", "query:q", "%uFF1Cscript%uFF1E", "proto-iis-fullwidth"},
		{"%u escape of a non-full-width char is left to decoding", "query:q", "%u20AC 5", ""},
		{"escaped letters inside a word", "query:cb", `\u0061lert(1)`, "proto-unicode-escape-letter"},
		{"escaped letter after letters", "body:text", `ev\u0061l(x)`, "proto-unicode-escape-letter"},
		{"an escape shown in Java code", "body:text", `char c = '\u0041'; String s = "\u00e9t\u00e9";`, ""},
		{"an escaped backslash shows an escape", "body:text", `{"testarg": "\\u0065val"}`, ""},
		{"JSON escapes of non-letters", "body:text", `{"html":"\u003cb\u003e"}`, ""},
		{"Request-Range", "header:Request-Range", "bytes=0-1023", "proto-request-range"},
		{"Request-Range in any case", "header:REQUEST-RANGE", "bytes=1-2", "proto-request-range"},
		{"httpoxy", "header:Proxy", "http://evil.example:8080", "proto-httpoxy"},
		{"Next.js middleware bypass", "header:X-Middleware-Subrequest", "middleware:middleware:middleware", "proto-middleware-subrequest"},
		{"garbage Content-Range", "header:Content-Range", "test", "proto-content-range"},
		{"resumable upload Content-Range", "header:Content-Range", "bytes 0-524287/2000000", ""},
		{"final-size probe Content-Range", "header:Content-Range", "bytes */2000000", ""},
		{"Range header is ordinary", "header:Range", "bytes=0-1023", ""},
		{"cookie $Version", "cookie:c", `$Version=1; session="x; admin=1"`, "proto-cookie-v1-attribute"},
		{"a cookie called version", "cookie:c", "version=1", ""},
		{"UTF-16 multipart part", "body:text", "--b\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Type: text/plain; charset=utf-16\r\n\r\nx\r\n--b--", "proto-multipart-charset"},
		{"UTF-8 multipart part", "body:text", "--b\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nx\r\n--b--", ""},
		{"multipart file name climbing", "body:text", "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"../../var/www/shell.php\"\r\n\r\nx\r\n--b--", "pt-multipart-filename"},
		{"multipart file name with dots", "body:text", "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"report..v2.pdf\"\r\n\r\nx\r\n--b--", ""},
		{"prose about Shift_JIS", "body:text", "Our legacy pages are served as Content-Type: text/html; charset=Shift_JIS, please convert them.", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := d.Detect(context.Background(), tc.in, tc.where)
			if tc.want == "" {
				if r.IsThreat {
					t.Fatalf("Detect(%q, %s) flagged: %+v", tc.in, tc.where, r.Threats)
				}
				return
			}
			if !r.IsThreat {
				t.Fatalf("Detect(%q, %s) not a threat, want %s: %+v", tc.in, tc.where, tc.want, r)
			}
			for _, th := range r.Threats {
				if th.Pattern == tc.want {
					if (strings.HasPrefix(th.Pattern, "proto-") && th.Category != "protocol") || th.Location != tc.where {
						t.Fatalf("category %q location %q", th.Category, th.Location)
					}
					return
				}
			}
			t.Fatalf("Detect(%q, %s): no %s in %+v", tc.in, tc.where, tc.want, r.Threats)
		})
	}
}

func TestProtocolAnomaliesInspect(t *testing.T) {
	d := newTestDetector(t)
	cases := []struct {
		name string
		t    Target
		want string
	}{
		{"NUL in a decoded query value", Target{Method: "GET", Path: "/", RawQuery: "file=a%00.txt"}, "proto-nul-byte"},
		{"Request-Range header", Target{Method: "GET", Path: "/doc.pdf", Header: http.Header{"Request-Range": {"bytes=0-0"}}}, "proto-request-range"},
		{"Request-Range excluded by the route", Target{Method: "GET", Path: "/doc.pdf", Header: http.Header{"Request-Range": {"bytes=0-0"}},
			Exclude: Exclusions{Headers: []string{"request-range"}}}, ""},
		{"httpoxy", Target{Method: "GET", Path: "/cgi-bin/x", Header: http.Header{"Proxy": {"http://10.0.0.1:3128"}}}, "proto-httpoxy"},
		{"$Version cookie", Target{Method: "GET", Path: "/", Header: http.Header{"Cookie": {`$Version=1; session="a; b=c"`}}}, "proto-cookie-v1-attribute"},
		{"escaped letters in a form body", Target{Method: "POST", Path: "/", ContentType: "application/x-www-form-urlencoded",
			Body: []byte(`testarg=%5Cu0065val%28%29`)}, "proto-unicode-escape-letter"},
		{"an escape shown in a JSON string", Target{Method: "POST", Path: "/", ContentType: "application/json",
			Body: []byte(`{"snippet": "\\u0065val"}`)}, ""},
		{"ordinary cookies", Target{Method: "GET", Path: "/", Header: http.Header{"Cookie": {"session=abc; theme=dark"}}}, ""},
		{"multipart part in UTF-16", Target{Method: "POST", Path: "/upload", ContentType: "multipart/form-data; boundary=XX",
			Body: []byte("--XX\r\nContent-Disposition: form-data; name=\"q\"\r\nContent-Type: text/plain; charset=UTF-16\r\n\r\nhi\r\n--XX--\r\n")}, "proto-multipart-charset"},
		{"multipart part in UTF-8", Target{Method: "POST", Path: "/upload", ContentType: "multipart/form-data; boundary=XX",
			Body: []byte("--XX\r\nContent-Disposition: form-data; name=\"q\"\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhi\r\n--XX--\r\n")}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tgt := tc.t
			r := d.Inspect(context.Background(), &tgt)
			got := ""
			if r.IsThreat {
				got = r.Threats[0].Pattern
			}
			if got != tc.want {
				t.Fatalf("Inspect = %q, want %q (%+v)", got, tc.want, r)
			}
		})
	}
}

func TestProtocolAnomalyStats(t *testing.T) {
	d := newTestDetector(t)
	d.Detect(context.Background(), "a\x00", "query:q")
	for _, st := range d.Stats() {
		if st.ID == "proto-nul-byte" {
			if st.Matches != 1 || st.Category != "protocol" {
				t.Fatalf("stats %+v", st)
			}
			return
		}
	}
	t.Fatal("proto-nul-byte not in Stats")
}
