package main

import (
	"strings"
	"testing"
)

// FuzzLocation: a location is either refused or maps to one whose prefix
// is a known kind.
func FuzzLocation(f *testing.F) {
	for _, s := range []string{"query", "header:Referer", "body:json:a.b", "moon", "", ":", "path:"} {
		f.Add(s, "p", "h")
	}
	f.Fuzz(func(t *testing.T, where, param, header string) {
		loc, ok := location(where, param, header)
		if !ok {
			return
		}
		kind, _, _ := strings.Cut(loc, ":")
		if _, ok2 := location(kind, "", ""); !ok2 {
			t.Fatalf("location(%q) = %q with unknown kind %q", where, loc, kind)
		}
	})
}
