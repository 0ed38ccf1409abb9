package main

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzFormDecode: never panics, never grows the input, and agrees with
// url.QueryUnescape whenever that accepts the input.
func FuzzFormDecode(f *testing.F) {
	for _, s := range []string{"", "a+b", "%27%20OR%201%3D1", "%", "%%", "%4", "%zz", "%u0027", "100%+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := formDecode(s)
		if len(got) > len(s) {
			t.Fatalf("formDecode(%q) = %q grew", s, got)
		}
		if want, err := url.QueryUnescape(s); err == nil && got != want {
			t.Fatalf("formDecode(%q) = %q, url.QueryUnescape says %q", s, got, want)
		}
	})
}

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
