package bench

import (
	"net/http"
	"testing"
)

// BenchmarkPeers runs every subject on the same two requests in one
// process: a clean browser GET (5 query parameters, 9 headers) and a 1 KB
// JSON POST. Overhead of a subject = its ns/op minus bare's.
func BenchmarkPeers(b *testing.B) {
	body := jsonBody()
	for _, s := range subjects() {
		b.Run("GET/"+s.name, func(b *testing.B) {
			h := s.build(b, okHandler)
			r := newGET(cleanQuery)
			w := newDiscardWriter()
			b.ReportAllocs()
			for b.Loop() {
				w.reset()
				h.ServeHTTP(w, r)
			}
			if w.status != http.StatusOK {
				b.Fatalf("status %d, want 200", w.status)
			}
		})
		b.Run("POST_JSON_1KB/"+s.name, func(b *testing.B) {
			h := s.build(b, okHandler)
			p := newPOST(body)
			w := newDiscardWriter()
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				w.reset()
				h.ServeHTTP(w, p.reset())
			}
			if w.status != http.StatusOK {
				b.Fatalf("status %d, want 200", w.status)
			}
		})
	}
}

// TestSubjects checks that every subject is wired as benchmarked: the clean
// GET and the JSON POST reach the application with a 200 (and the header
// the subject adds), and the WAFs refuse id=1' OR '1'='1, in the query and in a
// JSON body, without calling the application.
func TestSubjects(t *testing.T) {
	body := jsonBody()
	if n := len(body); n < 1000 || n > 1100 {
		t.Fatalf("JSON body is %d bytes, want about 1 KB", n)
	}
	for _, s := range subjects() {
		t.Run(s.name, func(t *testing.T) {
			calls := 0
			app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				okHandler.ServeHTTP(w, r)
			})
			h := s.build(t, app)
			cases := []struct {
				name      string
				req       *http.Request
				status    int
				reachesUp bool
			}{
				{"clean GET", newGET(cleanQuery), http.StatusOK, true},
				{"JSON POST", newPOST(body).r, http.StatusOK, true},
				{"SQLi GET", newGET(sqliQuery), http.StatusOK, true},
				{"SQLi JSON POST", newPOST(`{"order":{"id":"1' OR '1'='1","items":[]}}`).r, http.StatusOK, true},
			}
			if s.waf {
				for i := 2; i < len(cases); i++ {
					cases[i].status, cases[i].reachesUp = http.StatusForbidden, false
				}
			}
			for _, tc := range cases {
				calls = 0
				w := newDiscardWriter()
				h.ServeHTTP(w, tc.req)
				if w.status != tc.status {
					t.Errorf("%s: status %d, want %d", tc.name, w.status, tc.status)
				}
				if got := calls == 1; got != tc.reachesUp {
					t.Errorf("%s: application called %d times, want reached=%v", tc.name, calls, tc.reachesUp)
				}
				if s.marker != "" && tc.status == http.StatusOK && w.h.Get(s.marker) == "" {
					t.Errorf("%s: no %s header: subject not active", tc.name, s.marker)
				}
			}
		})
	}
}

// TestSecureParity checks that unrolled/secure is configured to write the
// same response headers with the same values as guard's defaults, so that
// comparing them compares equal work. unrolled/secure has no option for
// X-Download-Options.
func TestSecureParity(t *testing.T) {
	headersOf := func(h http.Handler) http.Header {
		w := newDiscardWriter()
		h.ServeHTTP(w, newGET(cleanQuery))
		return w.h
	}
	g := headersOf(guardSubject(t, okHandler))
	s := headersOf(secureSubject(t, okHandler))
	for k := range g {
		if k == "X-Download-Options" {
			continue
		}
		if got, want := s.Get(k), g.Get(k); got != want {
			t.Errorf("%s: unrolled/secure writes %q, guard %q", k, got, want)
		}
	}
	for k := range s {
		if g.Get(k) == "" {
			t.Errorf("%s: written by unrolled/secure, not by guard", k)
		}
	}
}
