package uarules

import (
	"regexp"
	"strings"
	"testing"
)

func TestMatchAgreesWithRegexp(t *testing.T) {
	rules := []string{"sqlmap", "^python-requests/", `nikto\b`, "Go-http-client/1\\.1", "curl|wget", "(?i)masscan", "ÄgentÖ", `^$`}
	m, err := Compile(rules)
	if err != nil {
		t.Fatal(err)
	}
	uas := []string{
		"sqlmap/1.7.2#stable (https://sqlmap.org)", "SQLMAP", "Mozilla/5.0 sqlMap", "python-requests/2.31.0",
		"my python-requests/2.31.0", "Nikto/2.5", "niktoX", "Go-http-client/1.1", "Go-http-client/1x1", "curl/8.4",
		"Wget/1.21", "MASSCAN/1.3", "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0", "", "ägentö", strings.Repeat("a", 600) + "SQLMAP",
	}
	for _, ua := range uas {
		want := false
		for _, r := range rules {
			if regexp.MustCompile("(?i)" + r).MatchString(ua) {
				want = true
			}
		}
		if _, got := m.Match(ua); got != want {
			t.Errorf("Match(%q) = %v, want %v", ua, got, want)
		}
	}
}

func TestCompileReportsEveryBadRule(t *testing.T) {
	_, err := Compile([]string{"ok", "(bad", "[worse"})
	if err == nil || !strings.Contains(err.Error(), "(bad") || !strings.Contains(err.Error(), "[worse") {
		t.Fatalf("err = %v", err)
	}
}

func BenchmarkMatchBrowserUA(b *testing.B) {
	m, _ := Compile([]string{"sqlmap", "nikto", "^python-requests/", "curl", "masscan", "nmap"})
	ua := "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
	b.ReportAllocs()
	for b.Loop() {
		m.Match(ua)
	}
}
