package sinks

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	guard "github.com/guardgo/guard/core"
)

// BenchmarkWebhookEmit measures the request-path cost of Emit (enqueue only;
// a full buffer drops the oldest event).
func BenchmarkWebhookEmit(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	w, err := NewWebhook(WebhookOptions{URL: srv.URL, FlushInterval: time.Hour, BatchSize: 1 << 20, MaxBuffer: 1024})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	ev := testEvent(1)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		w.Emit(ctx, ev)
	}
}

// BenchmarkEncodeBatch measures encoding a batch of 100 events.
func BenchmarkEncodeBatch(b *testing.B) {
	batch := make([]guard.Event, 100)
	for i := range batch {
		batch[i] = testEvent(i)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = encodeBatch(batch)
	}
}
