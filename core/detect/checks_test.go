package detect

import (
	"slices"
	"testing"
)

func TestDeriveCheck(t *testing.T) {
	tests := []struct {
		name    string
		expr    string
		primary []string
		want    []string
	}{
		{"symbol pair beats method names", `\$\{[^}]{0,200}?(?:new\s+file\s*\(|\.execute\s*\()`, []string{".execute", "file"}, []string{"${"}},
		{"separator or value start", `(?:[;&|=]|\|\|)\s*(?:copy|del)\s+/[a-z]|^\s*(?:copy|del)\s+/[a-z]`, []string{"copy", "del"}, []string{pseudoStart, "&", ";", "=", "|", "||"}},
		{"end anchor", `\$\([^)]*$`, []string{"$("}, []string{pseudoEnd}},
		{"one required set only", `\bselect\b`, []string{"select"}, nil},
		{"two-letter runs are no check", `<\w+\s+on\w+`, []string{"<"}, nil},
		{"a check inside every primary literal is no check", `(?:alert|confirm)\s*\(`, []string{"alert", "confirm"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := deriveCheck(tt.expr, tt.primary)
			if !slices.Equal(got, tt.want) {
				t.Errorf("deriveCheck(%q) = %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
}

func TestCheckSetHolds(t *testing.T) {
	c := newCheckSet([]string{"${", "{{"})
	norm := "some prose ${x} more prose {{y}} end"
	tests := []struct {
		wa, wb int
		want   bool
	}{
		{0, 11, false}, {0, 13, true}, {12, 13, false}, {13, 27, false}, {13, 29, true}, {0, len(norm), true},
	}
	for _, tt := range tests {
		if got := c.holds(norm, tt.wa, tt.wb); got != tt.want {
			t.Errorf("holds(%q) = %v, want %v", norm[tt.wa:tt.wb], got, tt.want)
		}
	}
	anchored := newCheckSet([]string{pseudoStart, pseudoEnd, "|"})
	if !anchored.holds(norm, 0, 5) || !anchored.holds(norm, 30, len(norm)) || anchored.holds(norm, 1, len(norm)-1) {
		t.Error("value start / end should satisfy an anchored check, and only they")
	}
	if !newCheckSet([]string{"DOLLAR"}).holds("a dollar", 0, 8) {
		t.Error("checks should ignore ASCII case")
	}
}
