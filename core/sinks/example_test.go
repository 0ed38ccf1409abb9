package sinks_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/sinks"
)

// A receiver authenticates batches with Verify; the engine gets the webhook
// as a sink (here only warnings and worse) and as a closer, so that
// Engine.Close flushes it.
func ExampleNewWebhook() {
	secret := []byte("change me")
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !sinks.Verify(secret, body, r.Header.Get(sinks.SignatureHeader)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var events []sinks.EventJSON
		_ = json.Unmarshal(body, &events)
		for _, ev := range events {
			fmt.Println(ev.Type, ev.ClientIP, ev.Reason)
		}
		close(done)
	}))
	defer srv.Close()

	hook, err := sinks.NewWebhook(sinks.WebhookOptions{
		URL:           srv.URL,
		Secret:        string(secret),
		BatchSize:     100,
		FlushInterval: 2 * time.Second,
	})
	if err != nil {
		panic(err)
	}
	cfg := guard.DefaultConfig()
	cfg.Blacklist = []string{"198.51.100.0/24"}
	cfg.LogSuspiciousLevel = "NONE"
	engine, err := guard.New(cfg,
		guard.WithSink(sinks.MinSeverity(hook, slog.LevelWarn)),
		guard.WithCloser(hook))
	if err != nil {
		panic(err)
	}

	r := httptest.NewRequest("GET", "/admin", nil)
	r.RemoteAddr = "198.51.100.9:4711"
	engine.Check(r.Context(), guard.NewHTTPRequest(r, "")) // blocked: one event enqueued

	_ = engine.Close() // flushes the webhook
	<-done
	// Output: request_blocked 198.51.100.9 ip_blacklisted
}
