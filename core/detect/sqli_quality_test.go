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
	}
	for _, tc := range cases {
		r := d.Detect(context.Background(), tc.in, tc.where)
		if r.IsThreat != tc.threat {
			t.Errorf("Detect(%q, %s) threat = %v, want %v (%+v)", tc.in, tc.where, r.IsThreat, tc.threat, r.Threats)
		}
	}
}
