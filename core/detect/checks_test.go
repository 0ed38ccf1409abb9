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

func TestCheckPositionsHolds(t *testing.T) {
	var p checkPositions
	p.reset(3)
	total := 0
	litLen := []int32{2, 1, 3}
	for _, pos := range []int32{10, 50, 300} {
		p.add(0, pos, &total)
	}
	c := &checkSet{lits: []int32{0}}
	tests := []struct {
		wa, wb int
		want   bool
	}{
		{0, 10, false}, {0, 12, true}, {11, 52, true}, {11, 51, false}, {53, 299, false}, {290, 400, true},
	}
	for _, tt := range tests {
		if got := p.holds(c, litLen, tt.wa, tt.wb, 1000); got != tt.want {
			t.Errorf("holds([%d,%d)) = %v, want %v", tt.wa, tt.wb, got, tt.want)
		}
	}
	anchored := &checkSet{lits: []int32{1}, start: true, end: true}
	if !p.holds(anchored, litLen, 0, 100, 1000) || !p.holds(anchored, litLen, 900, 1000, 1000) || p.holds(anchored, litLen, 1, 999, 1000) {
		t.Error("value start / end should satisfy an anchored check, and only they")
	}
	p.reset(3)
	if p.holds(c, litLen, 0, 1000, 1000) {
		t.Error("positions survived reset")
	}
	total = maxCheckPositions
	p.add(2, 5, &total)
	if !p.holds(c, litLen, 0, 1, 1000) {
		t.Error("after overflow every check should pass")
	}
}
