package guard

import "time"

// Metrics receives the engine's measurements (requests checked, blocks by
// reason and check, detection latency, store errors). Implementations must
// be safe for concurrent use and cheap: they are called on the request path.
// The Prometheus implementation lives in its own module; nil costs nothing.
type Metrics interface {
	// RequestChecked counts one request through the request-side pipeline.
	RequestChecked()
	// RequestBlocked counts a block (passive: a would-be block).
	RequestBlocked(reason Reason, check string, passive bool)
	// DetectionObserved records the time penetration detection took on one
	// request, and whether it found a threat.
	DetectionObserved(d time.Duration, threat bool)
	// StoreError counts a failed store call of the named check.
	StoreError(check string)
}

// WithMetrics sets the metrics recorder.
func WithMetrics(m Metrics) Option { return func(o *options) { o.metrics = m } }
