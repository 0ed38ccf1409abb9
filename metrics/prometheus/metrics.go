// Package guardprom records a guard engine's measurements as Prometheus
// metrics. It implements guard.Metrics over
// github.com/prometheus/client_golang and lives in its own module so that
// the Prometheus client stays out of the core's dependencies.
//
// Metrics (the "guard" prefix can be changed with WithNamespace):
//
//	guard_requests_checked_total                          counter
//	guard_requests_blocked_total{reason,check,passive}    counter
//	guard_detection_duration_seconds{threat}              histogram, 1µs .. 10ms
//	guard_store_errors_total{check}                       counter
//
// reason is the stable block reason (ip_banned, rate_limited, ...), check
// the pipeline step that fired, passive "true" for what passive mode only
// reported. Label values come from the engine, never from the request, so
// cardinality is bounded by the number of checks.
//
// The request path does not allocate: the histogram's two series are
// resolved in New, and the labelled counters are looked up in a
// copy-on-write map that gains an entry the first time a (reason, check,
// passive) combination or a check name is seen. The common combinations
// (DefaultBlocks) are created in New so they are exported as zero from the
// start, which keeps rate() and absent() queries simple.
package guardprom

import (
	"sync"
	"sync/atomic"
	"time"

	guard "github.com/guardgo/guard/core"
	"github.com/prometheus/client_golang/prometheus"
)

// DefaultBuckets returns the detection-latency histogram's upper bounds in
// seconds: 1µs to 10ms, roughly three per decade. Detection of a clean
// request takes a few microseconds; the top buckets catch large bodies.
func DefaultBuckets() []float64 {
	return []float64{1e-6, 2.5e-6, 5e-6, 10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3}
}

// Blocked is one (reason, check) combination of
// guard_requests_blocked_total.
type Blocked struct {
	Reason guard.Reason
	Check  string
}

// DefaultBlocks returns the combinations the built-in checks produce most,
// created (at zero, passive="false") by New unless WithKnownBlocks says
// otherwise.
func DefaultBlocks() []Blocked {
	return []Blocked{
		{guard.ReasonIPBanned, "ip_ban"},
		{guard.ReasonIPBlacklisted, "ip"},
		{guard.ReasonIPNotWhitelisted, "ip"},
		{guard.ReasonRateLimited, "rate_limit"},
		{guard.ReasonPenetration, "penetration"},
		{guard.ReasonUserAgent, "user_agent"},
		{guard.ReasonCountryBlocked, "country"},
		{guard.ReasonCloudProvider, "cloud"},
		{guard.ReasonHTTPSRequired, "https"},
		{guard.ReasonEmergencyMode, "emergency"},
	}
}

// Option configures New.
type Option func(*options)

type options struct {
	namespace   string
	buckets     []float64
	constLabels prometheus.Labels
	known       []Blocked
	storeChecks []string
}

// WithNamespace replaces the "guard" prefix of every metric name.
func WithNamespace(ns string) Option { return func(o *options) { o.namespace = ns } }

// WithBuckets replaces DefaultBuckets() (upper bounds in seconds, increasing).
func WithBuckets(b []float64) Option { return func(o *options) { o.buckets = b } }

// WithConstLabels adds fixed labels to every metric (e.g. {"engine":"api"}
// when several engines share a registry).
func WithConstLabels(l prometheus.Labels) Option { return func(o *options) { o.constLabels = l } }

// WithKnownBlocks replaces DefaultBlocks: the combinations created at zero
// in New (with passive="false"). Others are created on first use.
func WithKnownBlocks(b ...Blocked) Option { return func(o *options) { o.known = b } }

// WithKnownStoreChecks names checks whose guard_store_errors_total series
// are created at zero in New (e.g. "rate_limit", "ip_ban").
func WithKnownStoreChecks(checks ...string) Option {
	return func(o *options) { o.storeChecks = checks }
}

// Metrics implements guard.Metrics. Give it to the engine with
// guard.WithMetrics. It is safe for concurrent use.
type Metrics struct {
	checked     prometheus.Counter
	blockedVec  *prometheus.CounterVec
	storeVec    *prometheus.CounterVec
	clean       prometheus.Observer
	threat      prometheus.Observer
	blocked     cache[blockKey]
	storeErrors cache[string]
}

var _ guard.Metrics = (*Metrics)(nil)

type blockKey struct {
	reason  guard.Reason
	check   string
	passive bool
}

// New creates the metrics and registers them with reg (use
// prometheus.DefaultRegisterer to export them on the default /metrics
// handler, or a prometheus.NewRegistry for isolation). It fails if a metric
// of the same name is already registered there; two engines can share a
// registry only through WithConstLabels or WithNamespace.
func New(reg prometheus.Registerer, opts ...Option) (*Metrics, error) {
	o := options{namespace: "guard", buckets: DefaultBuckets(), known: DefaultBlocks()}
	for _, opt := range opts {
		opt(&o)
	}
	m := &Metrics{
		checked: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: o.namespace, Name: "requests_checked_total",
			Help:        "Requests that went through the guard's request-side checks.",
			ConstLabels: o.constLabels,
		}),
		blockedVec: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: o.namespace, Name: "requests_blocked_total",
			Help:        "Requests blocked (passive=\"true\": would have been blocked), by reason and check.",
			ConstLabels: o.constLabels,
		}, []string{"reason", "check", "passive"}),
		storeVec: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: o.namespace, Name: "store_errors_total",
			Help:        "Failed store calls, by the check that made them.",
			ConstLabels: o.constLabels,
		}, []string{"check"}),
	}
	hist := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: o.namespace, Name: "detection_duration_seconds",
		Help:        "Time penetration detection took per request, by whether it found a threat.",
		Buckets:     o.buckets,
		ConstLabels: o.constLabels,
	}, []string{"threat"})
	for _, c := range []prometheus.Collector{m.checked, m.blockedVec, hist, m.storeVec} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	m.clean = hist.WithLabelValues("false")
	m.threat = hist.WithLabelValues("true")
	m.blocked.make = func(k blockKey) prometheus.Counter {
		return m.blockedVec.WithLabelValues(string(k.reason), k.check, boolLabel(k.passive))
	}
	m.storeErrors.make = func(check string) prometheus.Counter { return m.storeVec.WithLabelValues(check) }
	for _, b := range o.known {
		m.blocked.get(blockKey{b.Reason, b.Check, false})
	}
	for _, c := range o.storeChecks {
		m.storeErrors.get(c)
	}
	return m, nil
}

func boolLabel(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// RequestChecked implements guard.Metrics.
func (m *Metrics) RequestChecked() { m.checked.Inc() }

// RequestBlocked implements guard.Metrics.
func (m *Metrics) RequestBlocked(reason guard.Reason, check string, passive bool) {
	m.blocked.get(blockKey{reason, check, passive}).Inc()
}

// DetectionObserved implements guard.Metrics.
func (m *Metrics) DetectionObserved(d time.Duration, threat bool) {
	if threat {
		m.threat.Observe(d.Seconds())
		return
	}
	m.clean.Observe(d.Seconds())
}

// StoreError implements guard.Metrics.
func (m *Metrics) StoreError(check string) { m.storeErrors.get(check).Inc() }

// cache maps label keys to resolved counters. Reads are a lock-free lookup
// in an immutable map; a miss copies the map with the new entry (label sets
// are few and fixed, so copies stop after warm-up).
type cache[K comparable] struct {
	m    atomic.Pointer[map[K]prometheus.Counter]
	mu   sync.Mutex
	make func(K) prometheus.Counter
}

func (c *cache[K]) get(k K) prometheus.Counter {
	if m := c.m.Load(); m != nil {
		if ctr, ok := (*m)[k]; ok {
			return ctr
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	if old != nil {
		if ctr, ok := (*old)[k]; ok {
			return ctr
		}
	}
	next := make(map[K]prometheus.Counter, 1+lenOf(old))
	if old != nil {
		for kk, v := range *old {
			next[kk] = v
		}
	}
	ctr := c.make(k)
	next[k] = ctr
	c.m.Store(&next)
	return ctr
}

func lenOf[K comparable](m *map[K]prometheus.Counter) int {
	if m == nil {
		return 0
	}
	return len(*m)
}
