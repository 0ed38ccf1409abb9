package detect

import (
	"context"
	"testing"
)

// TestCRLFQuality pins the response-splitting rules in query values: a line break that
// ends the header the value is copied into is caught, multi-line text and code that merely
// has lines shaped like "Name: value" deep inside it is not.
func TestCRLFQuality(t *testing.T) {
	d := newTestDetector(t)
	cases := []struct {
		where, in string
		threat    bool
	}{
		{"query:lang", "en\r\nSet-Cookie: sid=attacker", true},
		{"query:next", "/home\r\nX-Frame-Options: ALLOW", true},
		{"query:q", "\r\n\r\n", true},
		{"query:q", "\r\nLocation: https://evil.example/", true},
		{"query:redir", "a\nCustom-Hdr: 1", true},
		{"query:q", "x\r\n=inject", true},
		{"query:q", "\n\r\n\r", true},
		// Multi-line text and code.
		{"query:q", "/* load the keys */\n    mngr = load_keys(argv[2]);\n    if (mngr == NULL) {\n        return -1;\n    }", false},
		{"query:q", "Fix the parser for empty input.\n\nThe old code looped forever on an empty buffer.\n\nSigned-off-by: Jane Doe <jane@example.org>\nReviewed-by: John Roe <john@example.org>", false},
		{"query:q", "Miklos (1):\n      git-read-tree: document -v option.", false},
		{"query:q", "const options = {\n  port: 1337,\n  host: '127.0.0.1',\n  method: 'CONNECT',\n};", false},
		{"query:q", "if (a\n    && b) {\n  x = 1;\n}", false},
		{"query:q", "first line\r\nsecond line\r\n\r\nthird paragraph", false},
	}
	for _, tc := range cases {
		r := d.Detect(context.Background(), tc.in, tc.where)
		if r.IsThreat != tc.threat {
			t.Errorf("Detect(%q, %s) threat = %v, want %v (%+v)", tc.in, tc.where, r.IsThreat, tc.threat, r.Threats)
		}
	}
}
