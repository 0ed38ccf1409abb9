package detect

import (
	"context"
	"testing"
)

// proseBenign are documentation and code fragments of the kinds the prose report
// (detect-report -prose) found flagged: each pins a rule that now needs attack grammar,
// not just a file name or a keyword, written for these tests.
var proseBenign = []struct{ where, in string }{
	{"body:text", "If the check succeeds the promise resolves. The example below checks whether\n`/etc/passwd` is readable by the current process."},
	{"body:text", "On most systems the /etc/passwd file lists local accounts; passwords live in /etc/shadow."},
	{"query:q", "the /etc/hosts file maps names to addresses"},
	{"body:text", "* zlib: fix an assertion on truncated input (J. Doe)\n* http: close idle sockets sooner"},
	{"body:text", "Open file:///C:/work/app/index.html in the browser to preview the build."},
	{"body:text", "{\"virtualService\": {\"serviceName\": \"orders.svc.cluster.local\", \"mesh\": \"prod\"}}"},
	{"query:q", "Run it, then:\n  >>> parse('http://localhost/a/b')\n  >>> parse('http://example.org/')"},
	{"body:text", "static void init(struct ctx *c, void (*cb)(void*))\n{\n\tmemset(c, 0, sizeof *c);\n}"},
	{"body:text", "const char *zerr OF((gzFile, int *));"},
	{"body:text", "do {\n    p = next(p);\n    count++;\n} while (p != NULL);"},
	{"body:text", "check() {\n  probe >/dev/null || { echo missing; return 1; }\n}"},
	{"body:text", "<!-- history\nadded: v2.1.0\nchanges:\n  - version: v3.0.0\n    description: `strict` is now the default and `loose()` was removed.\n-->"},
	{"query:q", "<!-- TODO: document `retry` and `backoff` options -->"},
	{"body:text", "List<Object> rows = new ArrayList<>();\nMap<String, List<Object>> byKey = new HashMap<>();"},
	{"body:text", "void Init(Local<Object> exports, Local<Object> module) {\n  Register(module, \"exports\", Create);\n}"},
	{"query:q", "Promise<Embed> load(); Class<Applet> c; std::vector<Frame> frames;"},
	{"body:text", "In Python I run cur.execute(\"update accounts set active = 0 where last_login < %s\", (cutoff,)) every night."},
	{"body:text", "The docs say the query \"select id from orders where total > 100\" uses the index."},
	{"body:text", "if a == \"x\" or b == \"y\": return f(1) + g(2) # long enough to count as prose"},
	{"body:text", "The instance metadata service answers at 169.254.169.254 and IMDSv2 wants a session token first."},
	{"body:text", "Our cache is at redis://cache.internal:6379/0 and the database at postgresql://app@db:5432/app."},
	{"body:text", "Mongo: db.items.find({ price: { $lt: 20 } }) and { tags: { $in: [\"a\", \"b\"] } } in the shell."},
	{"body:text", "Our directory filter is (&(objectClass=person)(department=Sales)) and it returns nobody."},
	{"body:text", "The log says: could not find 'C:\\inetpub\\wwwroot\\App_Data\\web.settings.json'."},
	{"body:text", "The boot.ini file was replaced by BCD long ago; use bcdedit instead."},
	{"body:text", "In my TS file: import { Card } from '../../components/ui/Card';"},
	{"body:text", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"16\" height=\"16\"><circle cx=\"8\" cy=\"8\" r=\"7\" fill=\"#0a0\"/></svg>"},
	{"body:json:code", "print('hello, world')"},
	{"body:text", "The theme strips <script> and inline handlers from posts, so my widget never loaded."},
	{"body:text", "<p>Put <code>&lt;script&gt;</code> tags in the layout only.</p>"},
	{"body:text", "I'm testing timeouts with SELECT SLEEP(2); in the MySQL client."},
	{"body:text", "In T-SQL, WAITFOR DELAY '00:00:03' pauses the batch; we use it in integration tests."},
	{"body:text", "if (!(fp = fopen(path, \"r\")))\n\treturn -1;\nelse if (!(n = read(fd, buf, sizeof buf)))\n\tgoto done;"},
	{"body:text", "static DWORD run(LPVOID x)\n{\n    Sleep(666);\n    return 0;\n}"},
	{"body:text", "There is no standard JSON encoding for certificates. The `toJSON()` method returns a PEM string."},
	{"body:text", "if (state == 'pan' || state == 'drag') {\n  state = '';\n}"},
	{"query:file", "C:\\Windows\\Temp\\setup_2025-01-07.log"},
	{"body:text", "# .env.sample\nAPP_URL=http://localhost:8000\nCACHE_URL=redis://localhost:6379/1\nDEBUG=true"},
	{"body:text", "db.invoices.find({ paid: false, due: { $lt: new Date() } }).limit(20)"},
	{"query:q", "Our logs live in /var/log/app/access.log and /var/log/app/error.log on each node"},
	{"body:text", "In PowerShell 7 you can use `Invoke-RestMethod -Uri https://api.example.org/v2/orders -Method Get` instead"},
	{"body:text", "Prefer UNION ALL when duplicates cannot occur, it skips the sort:\n\nSELECT id FROM archive\nUNION ALL\nSELECT id FROM live;"},
	{"body:text", "var text = '';\nvar menu = root.firstChild;\nif (!menu) return;"},
}

func TestProseBenign(t *testing.T) {
	d := newTestDetector(t)
	for _, tc := range proseBenign {
		r := d.Detect(context.Background(), tc.in, tc.where)
		if r.IsThreat {
			t.Errorf("Detect(%q, %s) flagged: %+v", tc.in, tc.where, r.Threats)
		}
	}
}

// TestNarrowedRulesStillCatch: the attacks the narrowed rules exist for.
func TestNarrowedRulesStillCatch(t *testing.T) {
	d := newTestDetector(t)
	for _, tc := range []struct{ where, in string }{
		{"query:file", "/etc/passwd"},
		{"query:file", "../../../etc/shadow"},
		{"query:file", "file:///etc/passwd"},
		{"query:file", "file:///c:/windows/win.ini"},
		{"query:file", "zlib://../../index.php"},
		{"query:url", "http://localhost:8080/admin"},
		{"query:url", "http://kubernetes.default.svc/api/v1/secrets"},
		{"query:user", "admin*))%00"},
		{"query:user", "*)(uid=*))(|(uid=*"},
		{"query:q", "x'; return true; var y='"},
		{"query:q", "a';do{}while(true);'"},
		{"query:tpl", "{{'/etc/passwd'|file_excerpt(1,30)}}"},
		{"query:q", "<!--`<img src=x onerror=alert(1)>-->"},
		{"query:q", "x<script>alert(1)</script>"},
		{"query:id", "1 UNION SELECT username, password FROM users--"},
		{"query:id", "' union select 1,2 from users union select 3,4-- -"},
		{"query:id", "-1 UNION ALL SELECT NULL,NULL,table_name FROM information_schema.tables"},
		{"query:dir", "C:\\WINDOWS\\TEMP\\"},
		{"query:url", "redis://127.0.0.1:6379/0"},
		{"query:q", "db.users.drop()"},
		{"query:q", "'; db.users.find(); var x='"},
		{"query:file", "/var/log/apache2/access.log"},
		{"query:user", "*)(|(uid=*)(cn=admin))"},
		{"query:user", "admin)(!(objectClass=void)"},
		{"query:q", "'; sleep(5000); var x='"},
		{"query:q", "' || 'a'=='a"},
		{"query:id", "1;SELECT SLEEP(5)"},
		{"query:id", "1' AND (SELECT 1 FROM (SELECT SLEEP(5))a)-- -"},
		{"query:id", "1'; WAITFOR DELAY '0:0:5'--"},
		{"query:id", "WAITFOR DELAY '0:0:5'"},
		{"query:q", "<svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"5\" onclick=\"alert(1)\"/></svg>"},
		{"query:q", "<svg><a href=\"javascript:alert(1)\"><rect width=\"9\" height=\"9\"/></a></svg>"},
		{"query:q", "print()"},
		{"query:q", "<script> alert(document.domain) </script>"},
		{"query:q", "<script>"},
		{"query:file", "c:\\boot.ini"},
		{"query:file", "..\\..\\..\\windows\\win.ini"},
		{"query:cmd", "$(`type C:\\boot.ini`)"},
		{"query:file", "%c0%2e%c0%2e%c1%9cboot.ini"},
		{"query:file", "'../../../etc/hosts'"},
		{"query:url", "http://169.254.169.254/latest/meta-data/iam/security-credentials/"},
		{"query:host", "169.254.169.254"},
		{"query:url", "gopher://127.0.0.1:6379/_FLUSHALL"},
		{"query:url", "dict://internal.example:11211/stats"},
		{"query:filter", "{\"$ne\": null}"},
		{"query:user", "', $or: [ {}, { 'a':'a"},
		{"query:user", "*)(&(objectClass=*)(uid=*))"},
		{"query:filter", "(&(uid=admin)(userPassword=*))"},
		{"query:id", "1' or '1'='1"},
		{"query:name", "x\" or \"a\"=\"a"},
		{"query:id", "'; update users set role='admin' where name='bob'--"},
		{"query:q", "x<Script>alert(document.cookie)</Script>"},
		{"query:q", "XXX<style>*{background:url(javascript:alert(1))}</style>"},
		{"query:q", "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->"},
	} {
		if r := d.Detect(context.Background(), tc.in, tc.where); !r.IsThreat {
			t.Errorf("Detect(%q, %s) not a threat: %+v", tc.in, tc.where, r)
		}
	}
}
