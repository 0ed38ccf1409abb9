package sinks

import "testing"

// FuzzVerify: Verify never panics on any header, accepts what Sign
// produces, and rejects that signature for another body.
func FuzzVerify(f *testing.F) {
	f.Add([]byte("k"), []byte(`[{"type":"x"}]`), "sha256=00")
	f.Add([]byte(""), []byte(""), "")
	f.Add([]byte("k"), []byte("b"), "sha256=zz")
	f.Fuzz(func(t *testing.T, secret, body []byte, header string) {
		_ = Verify(secret, body, header)
		sig := Sign(secret, body)
		if !Verify(secret, body, sig) {
			t.Fatal("Verify rejects Sign's output")
		}
		if Verify(secret, append(body, 'x'), sig) {
			t.Fatal("Verify accepts a signature for a different body")
		}
	})
}
