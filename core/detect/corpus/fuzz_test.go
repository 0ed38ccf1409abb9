package corpus

import (
	"net/url"
	"testing"
)

// FuzzFormDecode: never panics, never grows the input, and agrees with
// url.QueryUnescape whenever that accepts the input.
func FuzzFormDecode(f *testing.F) {
	for _, s := range []string{"", "a+b", "%27%20OR%201%3D1", "%", "%%", "%4", "%zz", "%u0027", "100%+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := FormDecode(s)
		if len(got) > len(s) {
			t.Fatalf("FormDecode(%q) = %q grew", s, got)
		}
		if want, err := url.QueryUnescape(s); err == nil && got != want {
			t.Fatalf("FormDecode(%q) = %q, url.QueryUnescape says %q", s, got, want)
		}
	})
}
