package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
)

// The demo application, written once as plain net/http handlers; every
// adapter serves these same handlers on the same routes (design §8), setting
// path parameters with Request.SetPathValue so handlers read r.PathValue.

type route struct {
	methods  []string
	template string // in {param} form; adapters convert to their syntax
	handler  http.HandlerFunc
}

func appRoutes() []route {
	return []route{
		{[]string{http.MethodGet}, "/", hello},
		{[]string{http.MethodGet, http.MethodPost}, "/echo", echo},
		{[]string{http.MethodGet}, "/items/{id}", item},
		{[]string{http.MethodPost}, "/login", login},
		{[]string{http.MethodGet}, "/lottery", lottery},
		{[]string{http.MethodGet}, "/health", health},
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func hello(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"message": "Hello from guard"})
}

// echo returns the method, the raw query and the body exactly as received
// (body as a string, and base64 for bodies that are not valid UTF-8).
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

func item(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"id": r.PathValue("id")})
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

func health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "healthy"})
}
