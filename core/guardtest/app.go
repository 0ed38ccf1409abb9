// Package guardtest is the adapter conformance suite: one table of requests
// and expected responses that every guard adapter (httpguard, ginguard,
// echoguard, chiguard) must answer identically, through a real HTTP server.
//
// An adapter's test supplies a Factory that serves Routes behind its
// middleware for a given engine, and calls Run:
//
//	func TestConformance(t *testing.T) {
//		guardtest.Run(t, func(t testing.TB, e *guard.Engine) (http.Handler, error) {
//			r := chi.NewRouter()
//			r.Use(chiguard.New(e))
//			for _, rt := range guardtest.Routes() { ... }
//			return r, chiguard.Verify(r, e)
//		})
//	}
//
// The table covers IP lists, trusted proxies, user agents, rate limits with
// Retry-After, emergency and passive modes, HTTPS redirects, security and
// CORS headers, custom error bodies, exact body delivery, penetration
// detection, every route decorator declared under `routes:` and in code, and
// the start-up errors of policies that cannot be attached. Time is driven by
// an injected clock, never by sleeping.
package guardtest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"path"
	"strings"
)

// Route is one route of the conformance application: methods, a template
// in {param} form (convert with Colon for routers using :param), and a
// plain net/http handler every framework can call.
type Route struct {
	Methods  []string
	Template string
	Handler  http.HandlerFunc
}

// Routes returns the application every adapter serves in the suite: the
// demo server's routes (design §8).
func Routes() []Route {
	return []Route{
		{[]string{http.MethodGet}, "/", hello},
		{[]string{http.MethodGet, http.MethodPost}, "/echo", echo},
		{[]string{http.MethodGet}, "/items/{id}", item},
		{[]string{http.MethodPost}, "/login", login},
		{[]string{http.MethodGet}, "/lottery", lottery},
		{[]string{http.MethodGet}, "/health", health},
	}
}

// Colon converts a {param} template to :param form ("/items/{id}" →
// "/items/:id").
func Colon(template string) string {
	segs := strings.Split(template, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = ":" + s[1:len(s)-1]
		}
	}
	return strings.Join(segs, "/")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func hello(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"message": "Hello from guard"})
}

// echo returns the method, the raw query and the body exactly as received.
func echo(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"method":      r.Method,
		"query":       r.URL.RawQuery,
		"body":        string(body),
		"body_base64": base64.StdEncoding.EncodeToString(body),
		"body_length": len(body),
	})
}

// item answers the last path segment, so it works whatever the framework's
// parameter API.
func item(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"id": path.Base(r.URL.Path)})
}

func login(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func lottery(w http.ResponseWriter, r *http.Request) {
	result := "lose"
	if r.URL.Query().Get("outcome") == "win" {
		result = "win"
	}
	writeJSON(w, http.StatusOK, map[string]string{"result": result})
}

func health(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "healthy"})
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
