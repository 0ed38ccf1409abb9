package sinks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	guard "github.com/guardgo/guard/core"
)

// Defaults of WebhookOptions.
const (
	DefaultBatchSize     = 100
	DefaultFlushInterval = 5 * time.Second
	DefaultMaxBuffer     = 10000
	DefaultMaxRetries    = 3
	DefaultTimeout       = 10 * time.Second
	DefaultCloseTimeout  = 5 * time.Second
	DefaultBackoffMin    = 500 * time.Millisecond
	DefaultBackoffMax    = 30 * time.Second
)

// SignatureHeader carries the HMAC-SHA256 of the request body, as
// "sha256=<lower-case hex>", when WebhookOptions.Secret is set.
const SignatureHeader = "X-Guard-Signature"

// Backoff is the wait between delivery attempts: Min doubled after each
// failed attempt, capped at Max, with "equal jitter" (a uniformly random
// value between half the step and the full step), so that many instances
// recovering together do not retry in lockstep.
type Backoff struct {
	// Min is the first step. Default DefaultBackoffMin.
	Min time.Duration
	// Max caps every step. Default DefaultBackoffMax.
	Max time.Duration
}

// Delay returns the jittered wait after failed attempt number attempt
// (0 for the first failure). It is always in [step/2, step] where step is
// min(Min·2^attempt, Max).
func (b Backoff) Delay(attempt int) time.Duration {
	step := b.Min
	for i := 0; i < attempt && step < b.Max; i++ {
		step *= 2
	}
	if step > b.Max || step <= 0 {
		step = b.Max
	}
	half := step / 2
	if half <= 0 {
		return step
	}
	return half + rand.N(step-half+1)
}

// WebhookOptions configures a Webhook. Only URL is required.
type WebhookOptions struct {
	// URL receives each batch as an HTTP POST of a JSON array of EventJSON.
	URL string
	// Secret, when set, signs every body: the SignatureHeader holds
	// "sha256=" and the hex HMAC-SHA256 of the exact body bytes under
	// Secret (see Sign and Verify). The signature authenticates the body,
	// not its freshness: a receiver that must reject replays should also
	// check the events' times.
	Secret string
	// BatchSize is the most events per POST; a full batch is sent at once.
	// Default DefaultBatchSize.
	BatchSize int
	// FlushInterval is how often a partial batch is sent. Default
	// DefaultFlushInterval.
	FlushInterval time.Duration
	// MaxBuffer bounds the events waiting to be sent. When it is full, the
	// oldest event is dropped for the new one and counted in
	// WebhookStats.Dropped. Default DefaultMaxBuffer.
	MaxBuffer int
	// MaxRetries is how many times a batch is re-sent after a network error,
	// a 5xx, a 408 or a 429. Other 4xx answers are not retried. Zero means
	// DefaultMaxRetries; a negative value means no retries.
	MaxRetries int
	// Backoff spaces the retries.
	Backoff Backoff
	// Timeout bounds each POST. Default DefaultTimeout.
	Timeout time.Duration
	// CloseTimeout bounds how long Close spends flushing. Default
	// DefaultCloseTimeout.
	CloseTimeout time.Duration
	// HTTPClient sends the requests. Default: a client with no overall
	// timeout of its own (Timeout applies per POST).
	HTTPClient *http.Client
	// Logger receives delivery failures. Default: discard.
	Logger *slog.Logger
	// Headers are added to every POST (an API key, say). Content-Type and
	// the signature header cannot be overridden.
	Headers http.Header
}

// WebhookStats counts what a Webhook did since it was created.
type WebhookStats struct {
	// Sent is the number of events delivered (a 2xx answer).
	Sent uint64
	// Batches is the number of POSTs answered with 2xx.
	Batches uint64
	// Retries is the number of re-sent POSTs.
	Retries uint64
	// Failed is the number of events given up on: a 4xx answer, retries
	// exhausted, or unsent when Close's deadline passed.
	Failed uint64
	// Dropped is the number of events discarded because the buffer was
	// full (the oldest ones) or because they arrived after Close.
	Dropped uint64
	// Buffered is the number of events waiting now.
	Buffered int
}

// Webhook is a guard.Sink that POSTs events in batches to an HTTP endpoint
// from a background goroutine. Emit never waits on the network. Close
// flushes what is buffered (bounded by CloseTimeout) and stops the
// goroutine. It is safe for concurrent use.
type Webhook struct {
	url           string
	secret        []byte
	batchSize     int
	flushInterval time.Duration
	maxBuffer     int
	maxRetries    int
	backoff       Backoff
	timeout       time.Duration
	closeTimeout  time.Duration
	client        *http.Client
	log           *slog.Logger
	headers       http.Header

	mu     sync.Mutex
	buf    []guard.Event // ring buffer of maxBuffer slots
	head   int           // index of the oldest event
	n      int           // events buffered
	closed bool

	wake   chan struct{} // a full batch is waiting (capacity 1)
	stop   chan struct{} // closed by Close
	done   chan struct{} // closed when the goroutine returns
	ctx    context.Context
	cancel context.CancelFunc
	once   sync.Once

	sent, batches, retries, failed, dropped atomic.Uint64
	deadlineLoss                            atomic.Uint64 // failed because Close's deadline passed
}

var (
	_ guard.Sink = (*Webhook)(nil)
	_ io.Closer  = (*Webhook)(nil)
)

// ErrInvalidWebhook is returned (wrapped) by NewWebhook for unusable options.
var ErrInvalidWebhook = errors.New("sinks: invalid webhook options")

// NewWebhook validates opts, applies the defaults and starts the sending
// goroutine. Call Close (or give the Webhook to guard.WithCloser) to stop it.
func NewWebhook(opts WebhookOptions) (*Webhook, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: URL %q must be an absolute http or https URL", ErrInvalidWebhook, opts.URL)
	}
	if opts.BatchSize < 0 || opts.MaxBuffer < 0 || opts.FlushInterval < 0 || opts.Timeout < 0 ||
		opts.CloseTimeout < 0 || opts.Backoff.Min < 0 || opts.Backoff.Max < 0 {
		return nil, fmt.Errorf("%w: sizes and durations must not be negative", ErrInvalidWebhook)
	}
	for name, vals := range opts.Headers {
		for _, v := range vals {
			if strings.ContainsAny(name+v, "\r\n") {
				return nil, fmt.Errorf("%w: header %q contains CR or LF", ErrInvalidWebhook, name)
			}
		}
	}
	w := &Webhook{
		url:           opts.URL,
		secret:        []byte(opts.Secret),
		batchSize:     orDefault(opts.BatchSize, DefaultBatchSize),
		flushInterval: orDefault(opts.FlushInterval, DefaultFlushInterval),
		maxBuffer:     orDefault(opts.MaxBuffer, DefaultMaxBuffer),
		maxRetries:    orDefault(opts.MaxRetries, DefaultMaxRetries),
		backoff: Backoff{
			Min: orDefault(opts.Backoff.Min, DefaultBackoffMin),
			Max: orDefault(opts.Backoff.Max, DefaultBackoffMax),
		},
		timeout:      orDefault(opts.Timeout, DefaultTimeout),
		closeTimeout: orDefault(opts.CloseTimeout, DefaultCloseTimeout),
		client:       opts.HTTPClient,
		log:          opts.Logger,
		headers:      opts.Headers.Clone(),
		wake:         make(chan struct{}, 1),
		stop:         make(chan struct{}),
		done:         make(chan struct{}),
	}
	if w.maxRetries < 0 {
		w.maxRetries = 0
	}
	if w.backoff.Max < w.backoff.Min {
		w.backoff.Max = w.backoff.Min
	}
	if w.batchSize > w.maxBuffer {
		w.batchSize = w.maxBuffer
	}
	if w.client == nil {
		w.client = &http.Client{}
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	w.buf = make([]guard.Event, w.maxBuffer)
	w.ctx, w.cancel = context.WithCancel(context.Background())
	go w.run()
	return w, nil
}

func orDefault[T int | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// Emit enqueues ev without waiting on the network. When the buffer is full
// the oldest event is dropped; after Close the event is dropped. Both are
// counted in WebhookStats.Dropped.
func (w *Webhook) Emit(_ context.Context, ev guard.Event) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		w.dropped.Add(1)
		return
	}
	if w.n == w.maxBuffer {
		w.buf[w.head] = guard.Event{}
		w.head = (w.head + 1) % w.maxBuffer
		w.n--
		w.dropped.Add(1)
	}
	w.buf[(w.head+w.n)%w.maxBuffer] = ev
	w.n++
	full := w.n >= w.batchSize
	w.mu.Unlock()
	if full {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// take removes up to max events from the front of the buffer.
func (w *Webhook) take(max int) []guard.Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	k := min(max, w.n)
	out := make([]guard.Event, k)
	for i := range k {
		j := (w.head + i) % w.maxBuffer
		out[i] = w.buf[j]
		w.buf[j] = guard.Event{}
	}
	w.head = (w.head + k) % w.maxBuffer
	w.n -= k
	return out
}

func (w *Webhook) buffered() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// Stats returns the delivery counters.
func (w *Webhook) Stats() WebhookStats {
	return WebhookStats{
		Sent:     w.sent.Load(),
		Batches:  w.batches.Load(),
		Retries:  w.retries.Load(),
		Failed:   w.failed.Load(),
		Dropped:  w.dropped.Load(),
		Buffered: w.buffered(),
	}
}

// Close stops accepting events, sends everything buffered (in batches,
// with retries) until CloseTimeout passes, and stops the goroutine. Events
// still unsent at the deadline are counted as failed. Close is idempotent;
// it returns an error when events were lost to the deadline.
func (w *Webhook) Close() error {
	var err error
	w.once.Do(func() {
		w.mu.Lock()
		w.closed = true
		w.mu.Unlock()
		close(w.stop)
		timer := time.AfterFunc(w.closeTimeout, w.cancel)
		<-w.done
		timer.Stop()
		w.cancel()
		if n := w.deadlineLoss.Load(); n > 0 {
			err = fmt.Errorf("sinks: webhook closed with %d events unsent at the %s deadline", n, w.closeTimeout)
		}
	})
	return err
}

// run is the sending goroutine.
func (w *Webhook) run() {
	defer close(w.done)
	ticker := time.NewTicker(w.flushInterval)
	defer ticker.Stop()
	for {
		select {
		case <-w.wake:
			w.flush(false)
		case <-ticker.C:
			w.flush(true)
		case <-w.stop:
			w.flush(true)
			return
		}
	}
}

// flush sends full batches, and the last partial one when partial is set,
// until the buffer is empty or the context ends.
func (w *Webhook) flush(partial bool) {
	for {
		if w.ctx.Err() != nil {
			if n := w.take(w.maxBuffer); len(n) > 0 {
				w.failed.Add(uint64(len(n)))
				w.deadlineLoss.Add(uint64(len(n)))
			}
			return
		}
		n := w.buffered()
		if n == 0 || (!partial && n < w.batchSize) {
			return
		}
		w.deliver(w.take(w.batchSize))
	}
}

// deliver sends one batch, retrying as configured.
func (w *Webhook) deliver(batch []guard.Event) {
	body := encodeBatch(batch)
	for attempt := 0; ; attempt++ {
		status, err := w.post(body)
		switch {
		case err == nil && status >= 200 && status < 300:
			w.sent.Add(uint64(len(batch)))
			w.batches.Add(1)
			return
		case err == nil && status >= 400 && status < 500 && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests:
			w.failed.Add(uint64(len(batch)))
			w.log.LogAttrs(w.ctx, slog.LevelWarn, "guard: webhook rejected events",
				slog.Int("status", status), slog.Int("events", len(batch)))
			return
		}
		if err == nil {
			err = fmt.Errorf("status %d", status)
		}
		if attempt >= w.maxRetries || w.ctx.Err() != nil {
			w.failed.Add(uint64(len(batch)))
			if w.ctx.Err() != nil {
				w.deadlineLoss.Add(uint64(len(batch)))
			}
			w.log.LogAttrs(w.ctx, slog.LevelWarn, "guard: webhook delivery failed",
				slog.String("error", err.Error()), slog.Int("attempts", attempt+1), slog.Int("events", len(batch)))
			return
		}
		t := time.NewTimer(w.backoff.Delay(attempt))
		select {
		case <-t.C:
		case <-w.ctx.Done():
			t.Stop()
		}
		w.retries.Add(1)
	}
}

// post sends body once and returns the status code.
func (w *Webhook) post(body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(w.ctx, w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	for k, vs := range w.headers {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "guard-webhook/1")
	}
	if len(w.secret) > 0 {
		req.Header.Set(SignatureHeader, Sign(w.secret, body))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, err
	}
	// Drain a little so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// encodeBatch renders events as a JSON array.
func encodeBatch(batch []guard.Event) []byte {
	var b bytes.Buffer
	b.Grow(256 * len(batch))
	b.WriteByte('[')
	for i, ev := range batch {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(marshalEvent(ev))
	}
	b.WriteByte(']')
	return b.Bytes()
}

// Sign returns the SignatureHeader value for body under secret:
// "sha256=" followed by the lower-case hex HMAC-SHA256.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether header is a valid SignatureHeader value for body
// under secret. It compares in constant time. Receivers use it to
// authenticate batches.
func Verify(secret, body []byte, header string) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}
