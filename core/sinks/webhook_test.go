package sinks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	guard "github.com/guardgo/guard/core"
)

// receiver is an httptest endpoint that records every POST.
type receiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	bodies  [][]byte
	headers []http.Header
	times   []time.Time
	got     chan int // number of events in each accepted batch
	status  func(attempt int) int
	hits    atomic.Int64
}

func newReceiver(t *testing.T, status func(attempt int) int) *receiver {
	t.Helper()
	r := &receiver{got: make(chan int, 1000), status: status}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		n := int(r.hits.Add(1)) - 1
		code := http.StatusOK
		if r.status != nil {
			code = r.status(n)
		}
		r.mu.Lock()
		r.bodies = append(r.bodies, body)
		r.headers = append(r.headers, req.Header.Clone())
		r.times = append(r.times, time.Now())
		r.mu.Unlock()
		w.WriteHeader(code)
		if code >= 200 && code < 300 {
			var evs []json.RawMessage
			if err := json.Unmarshal(body, &evs); err != nil {
				t.Errorf("body is not a JSON array: %v", err)
			}
			r.got <- len(evs)
		}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case n := <-r.got:
		return n
	case <-time.After(d):
		t.Fatalf("no batch within %s", d)
		return 0
	}
}

func (r *receiver) events(t *testing.T) []map[string]any {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var all []map[string]any
	for i, b := range r.bodies {
		if c := r.status; c != nil && c(i)/100 != 2 {
			continue
		}
		var evs []map[string]any
		if err := json.Unmarshal(b, &evs); err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
		all = append(all, evs...)
	}
	return all
}

func testEvent(i int) guard.Event {
	return guard.Event{
		Time:     time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Type:     "request_blocked",
		Client:   netip.MustParseAddr("203.0.113.7"),
		Method:   "GET",
		Path:     "/items/" + strconv.Itoa(i),
		Route:    "/items/{id}",
		Check:    "detection",
		Reason:   "penetration_attempt",
		Status:   403,
		Passive:  false,
		Details:  map[string]any{"seq": i},
		Severity: slog.LevelWarn,
	}
}

func newTestWebhook(t *testing.T, opts WebhookOptions) *Webhook {
	t.Helper()
	if opts.Backoff.Min == 0 {
		opts.Backoff = Backoff{Min: time.Millisecond, Max: 4 * time.Millisecond}
	}
	w, err := NewWebhook(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

func TestWebhookBatchesBySize(t *testing.T) {
	r := newReceiver(t, nil)
	w := newTestWebhook(t, WebhookOptions{URL: r.srv.URL, BatchSize: 3, FlushInterval: time.Hour})
	for i := range 7 {
		w.Emit(context.Background(), testEvent(i))
	}
	if a, b := r.wait(t, 5*time.Second), r.wait(t, 5*time.Second); a != 3 || b != 3 {
		t.Fatalf("batches = %d, %d; want 3, 3", a, b)
	}
	select {
	case n := <-r.got:
		t.Fatalf("partial batch of %d sent before the flush interval", n)
	case <-time.After(50 * time.Millisecond):
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n := r.wait(t, time.Second); n != 1 {
		t.Fatalf("Close sent %d events, want the 1 left", n)
	}
	evs := r.events(t)
	for i, ev := range evs {
		if ev["path"] != "/items/"+strconv.Itoa(i) {
			t.Fatalf("event %d path %v: order not kept", i, ev["path"])
		}
	}
	if s := w.Stats(); s.Sent != 7 || s.Batches != 3 || s.Failed != 0 || s.Dropped != 0 || s.Buffered != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestWebhookBatchesByInterval(t *testing.T) {
	r := newReceiver(t, nil)
	w := newTestWebhook(t, WebhookOptions{URL: r.srv.URL, BatchSize: 100, FlushInterval: 20 * time.Millisecond})
	start := time.Now()
	w.Emit(context.Background(), testEvent(0))
	w.Emit(context.Background(), testEvent(1))
	if n := r.wait(t, 5*time.Second); n != 2 {
		t.Fatalf("batch of %d, want 2", n)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("partial batch took %s", d)
	}
}

func TestWebhookWireFormat(t *testing.T) {
	r := newReceiver(t, nil)
	hdr := http.Header{"X-Api-Key": {"k1"}}
	w := newTestWebhook(t, WebhookOptions{URL: r.srv.URL, BatchSize: 1, Secret: "s3cret", Headers: hdr})
	w.Emit(context.Background(), testEvent(42))
	r.wait(t, 5*time.Second)
	r.mu.Lock()
	body, h := r.bodies[0], r.headers[0]
	r.mu.Unlock()

	t.Run("fields", func(t *testing.T) {
		var evs []map[string]any
		if err := json.Unmarshal(body, &evs); err != nil || len(evs) != 1 {
			t.Fatalf("%v %s", err, body)
		}
		want := map[string]any{
			"time": "2026-01-02T03:04:05Z", "type": "request_blocked", "client_ip": "203.0.113.7",
			"method": "GET", "path": "/items/42", "route": "/items/{id}", "check": "detection",
			"reason": "penetration_attempt", "status": float64(403), "passive": false, "severity": "WARN",
		}
		for k, v := range want {
			if evs[0][k] != v {
				t.Errorf("%s = %#v, want %#v", k, evs[0][k], v)
			}
		}
		if d, _ := evs[0]["details"].(map[string]any); d["seq"] != float64(42) {
			t.Errorf("details = %#v", evs[0]["details"])
		}
	})
	t.Run("headers", func(t *testing.T) {
		if h.Get("Content-Type") != "application/json" || h.Get("X-Api-Key") != "k1" {
			t.Fatalf("headers %v", h)
		}
	})
	t.Run("signature", func(t *testing.T) {
		m := hmac.New(sha256.New, []byte("s3cret"))
		m.Write(body)
		want := "sha256=" + hex.EncodeToString(m.Sum(nil))
		if got := h.Get(SignatureHeader); got != want {
			t.Fatalf("signature %q, want %q", got, want)
		}
		if !Verify([]byte("s3cret"), body, h.Get(SignatureHeader)) {
			t.Fatal("Verify rejects a good signature")
		}
		tampered := append([]byte{}, body...)
		tampered[len(tampered)-2] ^= 1
		for name, c := range map[string]struct {
			secret, body []byte
			header       string
		}{
			"tampered body": {[]byte("s3cret"), tampered, want},
			"wrong secret":  {[]byte("other"), body, want},
			"no prefix":     {[]byte("s3cret"), body, want[len("sha256="):]},
			"not hex":       {[]byte("s3cret"), body, "sha256=zz"},
		} {
			if Verify(c.secret, c.body, c.header) {
				t.Errorf("%s: Verify accepted", name)
			}
		}
	})
	t.Run("no secret no signature", func(t *testing.T) {
		r2 := newReceiver(t, nil)
		w2 := newTestWebhook(t, WebhookOptions{URL: r2.srv.URL, BatchSize: 1})
		w2.Emit(context.Background(), testEvent(1))
		r2.wait(t, 5*time.Second)
		r2.mu.Lock()
		defer r2.mu.Unlock()
		if v := r2.headers[0].Get(SignatureHeader); v != "" {
			t.Fatalf("unexpected signature %q", v)
		}
	})
}

func TestWebhookRetries(t *testing.T) {
	tests := []struct {
		name        string
		statuses    []int // answers in order; the last repeats
		maxRetries  int
		wantHits    int64
		wantSent    uint64
		wantFailed  uint64
		wantRetries uint64
	}{
		{"5xx then success", []int{500, 503, 200}, 3, 3, 2, 0, 2},
		{"429 is retried", []int{429, 200}, 3, 2, 2, 0, 1},
		{"408 is retried", []int{408, 200}, 3, 2, 2, 0, 1},
		{"retries exhausted", []int{502}, 2, 3, 0, 2, 2},
		{"no retries", []int{500}, -1, 1, 0, 2, 0},
		{"400 not retried", []int{400}, 3, 1, 0, 2, 0},
		{"401 not retried", []int{401}, 3, 1, 0, 2, 0},
		{"413 not retried", []int{413}, 3, 1, 0, 2, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status := func(n int) int { return tc.statuses[min(n, len(tc.statuses)-1)] }
			r := newReceiver(t, status)
			w := newTestWebhook(t, WebhookOptions{
				URL: r.srv.URL, BatchSize: 2, FlushInterval: time.Hour, MaxRetries: tc.maxRetries,
				Backoff: Backoff{Min: 10 * time.Millisecond, Max: 40 * time.Millisecond},
			})
			w.Emit(context.Background(), testEvent(0))
			w.Emit(context.Background(), testEvent(1))
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if h := r.hits.Load(); h != tc.wantHits {
				t.Fatalf("attempts = %d, want %d", h, tc.wantHits)
			}
			s := w.Stats()
			if s.Sent != tc.wantSent || s.Failed != tc.wantFailed || s.Retries != tc.wantRetries {
				t.Fatalf("stats %+v", s)
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			for i := 1; i < len(r.times); i++ {
				// Equal jitter: at least half the step (10 ms doubled per attempt, capped at 40).
				minGap := min(10*time.Millisecond<<(i-1), 40*time.Millisecond) / 2
				if gap := r.times[i].Sub(r.times[i-1]); gap < minGap {
					t.Errorf("retry %d after %s, want ≥ %s", i, gap, minGap)
				}
			}
			for i := 1; i < len(r.bodies); i++ {
				if string(r.bodies[i]) != string(r.bodies[0]) {
					t.Errorf("retry %d sent a different body", i)
				}
			}
		})
	}
}

func TestWebhookNetworkErrorRetried(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // connections are refused from now on
	w := newTestWebhook(t, WebhookOptions{URL: url, BatchSize: 1, MaxRetries: 2})
	w.Emit(context.Background(), testEvent(0))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if s := w.Stats(); s.Retries != 2 || s.Failed != 1 || s.Sent != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestWebhookBoundedBufferDropsOldest(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 10)
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		entered <- struct{}{}
		<-release
		var evs []map[string]any
		_ = json.NewDecoder(req.Body).Decode(&evs)
		mu.Lock()
		for _, ev := range evs {
			paths = append(paths, ev["path"].(string))
		}
		mu.Unlock()
	}))
	defer srv.Close()
	w := newTestWebhook(t, WebhookOptions{URL: srv.URL, BatchSize: 1, MaxBuffer: 5, FlushInterval: time.Hour})

	w.Emit(context.Background(), testEvent(0))
	<-entered // the goroutine is now stuck sending event 0
	start := time.Now()
	for i := 1; i <= 20; i++ {
		w.Emit(context.Background(), testEvent(i))
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("Emit blocked for %s while the endpoint hangs", d)
	}
	if s := w.Stats(); s.Dropped != 15 || s.Buffered != 5 {
		t.Fatalf("stats %+v, want 15 dropped, 5 buffered", s)
	}
	close(release)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := []string{"/items/0", "/items/16", "/items/17", "/items/18", "/items/19", "/items/20"}
	mu.Lock()
	defer mu.Unlock()
	if len(paths) != len(want) {
		t.Fatalf("delivered %v, want %v", paths, want)
	}
	for i := range want {
		if paths[i] != want[i] {
			t.Fatalf("delivered %v, want %v", paths, want)
		}
	}
	if s := w.Stats(); s.Sent != 6 || s.Dropped != 15 {
		t.Fatalf("stats %+v", s)
	}
}

func TestWebhookCloseFlushes(t *testing.T) {
	r := newReceiver(t, nil)
	w := newTestWebhook(t, WebhookOptions{URL: r.srv.URL, BatchSize: 4, FlushInterval: time.Hour})
	for i := range 10 {
		w.Emit(context.Background(), testEvent(i))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := len(r.events(t)); got != 10 {
		t.Fatalf("delivered %d events, want 10", got)
	}
	w.Emit(context.Background(), testEvent(99))
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if s := w.Stats(); s.Sent != 10 || s.Dropped != 1 {
		t.Fatalf("stats %+v, want 10 sent, 1 dropped after Close", s)
	}
}

func TestWebhookCloseDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		select {
		case <-release:
		case <-req.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	w := newTestWebhook(t, WebhookOptions{URL: srv.URL, BatchSize: 2, FlushInterval: time.Hour, CloseTimeout: 50 * time.Millisecond})
	for i := range 5 {
		w.Emit(context.Background(), testEvent(i))
	}
	start := time.Now()
	err := w.Close()
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Close took %s with a 50ms deadline", d)
	}
	if err == nil {
		t.Fatal("Close reported no loss")
	}
	if s := w.Stats(); s.Failed != 5 || s.Sent != 0 || s.Buffered != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestWebhookConcurrentEmit(t *testing.T) {
	r := newReceiver(t, nil)
	w := newTestWebhook(t, WebhookOptions{URL: r.srv.URL, BatchSize: 16, MaxBuffer: 64, FlushInterval: 5 * time.Millisecond})
	const workers, each = 8, 200
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				w.Emit(context.Background(), testEvent(g*each+i))
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	s := w.Stats()
	if s.Sent+s.Dropped != workers*each || s.Failed != 0 {
		t.Fatalf("stats %+v: sent+dropped != %d", s, workers*each)
	}
	if got := uint64(len(r.events(t))); got != s.Sent {
		t.Fatalf("receiver got %d, stats say %d", got, s.Sent)
	}
}

func TestWebhookNoGoroutineLeak(t *testing.T) {
	r := newReceiver(t, func(n int) int { return []int{500, 200}[n%2] })
	tr := &http.Transport{}
	client := &http.Client{Transport: tr}
	before := runtime.NumGoroutine()
	for range 5 {
		w, err := NewWebhook(WebhookOptions{URL: r.srv.URL, BatchSize: 2, HTTPClient: client,
			Backoff: Backoff{Min: time.Millisecond, Max: 2 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			w.Emit(context.Background(), testEvent(i))
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	tr.CloseIdleConnections()
	r.srv.CloseClientConnections()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestNewWebhookRejects(t *testing.T) {
	tests := []struct {
		name string
		opts WebhookOptions
	}{
		{"empty URL", WebhookOptions{}},
		{"relative URL", WebhookOptions{URL: "/events"}},
		{"other scheme", WebhookOptions{URL: "ftp://example.com/x"}},
		{"negative batch", WebhookOptions{URL: "http://127.0.0.1:1/", BatchSize: -1}},
		{"negative buffer", WebhookOptions{URL: "http://127.0.0.1:1/", MaxBuffer: -1}},
		{"negative interval", WebhookOptions{URL: "http://127.0.0.1:1/", FlushInterval: -time.Second}},
		{"CRLF header", WebhookOptions{URL: "http://127.0.0.1:1/", Headers: http.Header{"X-A": {"a\r\nB: c"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := NewWebhook(tc.opts)
			if err == nil {
				_ = w.Close()
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrInvalidWebhook) {
				t.Fatalf("error %v does not wrap ErrInvalidWebhook", err)
			}
		})
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Min: 100 * time.Millisecond, Max: time.Second}
	tests := []struct {
		attempt int
		step    time.Duration
	}{
		{0, 100 * time.Millisecond},
		{1, 200 * time.Millisecond},
		{2, 400 * time.Millisecond},
		{3, 800 * time.Millisecond},
		{4, time.Second},
		{50, time.Second},
	}
	for _, tc := range tests {
		t.Run(strconv.Itoa(tc.attempt), func(t *testing.T) {
			seen := map[time.Duration]bool{}
			for range 200 {
				d := b.Delay(tc.attempt)
				if d < tc.step/2 || d > tc.step {
					t.Fatalf("Delay(%d) = %s, want in [%s, %s]", tc.attempt, d, tc.step/2, tc.step)
				}
				seen[d] = true
			}
			if len(seen) < 10 {
				t.Fatalf("Delay(%d) hardly varies: %d distinct values in 200", tc.attempt, len(seen))
			}
		})
	}
}

func TestMarshalEventUnencodableDetail(t *testing.T) {
	ev := testEvent(1)
	ev.Details = map[string]any{"ch": make(chan int), "ok": "yes"}
	ev.Client = netip.Addr{}
	var got map[string]any
	if err := json.Unmarshal(marshalEvent(ev), &got); err != nil {
		t.Fatal(err)
	}
	d := got["details"].(map[string]any)
	if d["ok"] != "yes" || d["ch"] == nil || got["client_ip"] != "" {
		t.Fatalf("got %v", got)
	}
}

func TestWebhookWithEngine(t *testing.T) {
	r := newReceiver(t, nil)
	hook := newTestWebhook(t, WebhookOptions{URL: r.srv.URL, FlushInterval: time.Hour})
	cfg := guard.DefaultConfig()
	cfg.Blacklist = []string{"198.51.100.0/24"}
	cfg.LogSuspiciousLevel = "NONE"
	engine, err := guard.New(cfg, guard.WithSink(hook), guard.WithCloser(hook))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/admin?x=1", nil)
	req.RemoteAddr = "198.51.100.9:4711"
	if d := engine.Check(req.Context(), guard.NewHTTPRequest(req, "/admin")); d.Allowed {
		t.Fatal("blacklisted client allowed")
	}
	if got := len(r.events(t)); got != 0 {
		t.Fatalf("%d events sent before Close with a 1h interval", got)
	}
	if err := engine.Close(); err != nil {
		t.Fatal(err)
	}
	evs := r.events(t)
	if len(evs) != 1 {
		t.Fatalf("%d events after engine.Close, want 1", len(evs))
	}
	ev := evs[0]
	if ev["type"] != "request_blocked" || ev["client_ip"] != "198.51.100.9" || ev["reason"] != "ip_blacklisted" ||
		ev["path"] != "/admin" || ev["status"] != float64(403) || ev["method"] != "GET" {
		t.Fatalf("event %v", ev)
	}
}
