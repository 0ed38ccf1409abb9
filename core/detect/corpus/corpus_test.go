package corpus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFormDecode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a+b", "a b"},
		{"%27%20or%201%3D1", "' or 1=1"},
		{"%2527", "%27"}, // once
		{"100%", "100%"},
		{"%zz%4", "%zz%4"},
		{"%C3%A9", "é"},
	} {
		if got := FormDecode(tc.in); got != tc.want {
			t.Errorf("FormDecode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "attacks.jsonl")
	data := strings.Join([]string{
		`{"id":"a1","label":"attack","category":"sqli","location":"query","payload":"%27+or+1%3D1","encoded":true}`,
		``,
		`{"id":"a2","label":"attack","category":"xss","location":"header","header":"Referer","payload":"<x>","paranoia_level":2}`,
		`{"id":"a3","label":"attack","category":"xss","location":"body","payload":"100%","paranoia_level":1}`,
	}, "\n")
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	recs, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].ID != "a1" || recs[1].ID != "a3" {
		t.Fatalf("records %+v", recs)
	}
	if v := recs[0].Value(); v != "' or 1=1" {
		t.Errorf("encoded value %q", v)
	}
	if v := recs[1].Value(); v != "100%" {
		t.Errorf("plain value %q", v)
	}
	if err := os.WriteFile(path, []byte("{\"id\":\"x\"}\nnot json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), ":2:") {
		t.Fatalf("bad line: err = %v, want the line number", err)
	}
}
