// Package store defines Store, the one interface through which a guard engine
// keeps shared state (rate-limit windows, bans, auto-ban and behavioural
// counters, custom detection patterns), and provides the in-memory
// implementation used by default.
//
// Every implementation must pass the conformance suite in package storetest.
// All times are passed in by the caller (never read from the wall clock inside
// a store), so semantics are deterministic and testable without sleeping.
//
// # Rate limits
//
// A Limit is an exact sliding window: a request at now is admitted when fewer
// than Max requests were admitted in (now-Window, now], and an exceeded
// limit's RetryAfter is the exact time until enough of them leave the window
// for one more to fit. Stores keep one timestamp per admitted request
// (the in-memory store as uint32 millisecond offsets in a ring of at most Max
// entries, so state is bounded per key and small for the usual limits).
// Times are in whole milliseconds. A store assumes each client's times do not
// go backwards; if they do (clock skew between engines), it errs on the side
// of counting too many, never too few.
//
// Approximation: a limit with Max above ExactMaxLimit (512), or a Window over
// 24 days, is tracked in Buckets (32) sub-windows of Window/32 instead. A
// sub-window counts in full while any part of it is inside the window, so
// such a limit still never admits more than Max requests in any window, but
// may refuse up to one sub-window (1/32 of the window) early, and its
// RetryAfter is rounded up to a sub-window boundary.
//
// # Counters
//
// A Counter with Cap > 0 (up to ExactMaxLimit, and a Window of at most 24
// days) is exact over the trailing window, saturating at Cap: the store
// keeps the timestamps of at most the Cap latest events (the in-memory store
// in the same compact ring as a limit), and an event at t is inside the
// window ending at now while now-t < Window, i.e. it leaves exactly Window
// after it happened, the boundary the limits use. Counting an event reports
// b+1, where b is the number of earlier events inside the window, while
// b < Cap, and Cap+1 ("more than Cap") once b reaches Cap, so the reported
// values climb 1, 2, …, Cap and then stay at Cap+1; each value up to Cap+1
// is reported once per climb. A Peek reports b (at most Cap). Behavioural
// rules set Cap to their largest threshold plus one, which is all they need
// to know. Like limits, exact counters assume a client's times do not go
// backwards; events recorded out of order may be counted a little late or
// early.
//
// A Counter with Cap 0 (or a Cap or Window beyond the exact range above) is
// a sliding-window counter with O(1) state: the count of the current fixed
// window (aligned to multiples of Window since the Unix epoch) plus the
// previous window's count weighted by the fraction of it still inside the
// sliding window, rounded down. It is exact while events stay in one fixed
// window and otherwise lies between the true count and the true count plus
// the previous window's events; all of it expires after two windows. It
// never saturates.
//
// The two kinds are kept apart: changing a counter's Cap between 0 and a
// positive value starts it afresh (the other state expires on its own), and
// Reset clears both.
//
// # The in-memory store
//
// Memory is sharded by client and bounded: at most MemoryOptions.MaxKeys
// limit and counter states (about 145 bytes each with the default rate
// limit, and about as much for an exact counter with Cap 11) and MaxBans
// bans. When full, a new entry evicts, in its shard, the
// one of a few sampled entries that expires first (an approximate LRU that
// drops idle and expired clients before a client still being limited). An
// evicted client starts afresh, so a flood of new clients can at worst reset
// the limits of the least active ones: limits fail open under memory
// pressure, bans only for the bans closest to their end. Expired entries are
// reset on access and reclaimed by a janitor goroutine stopped by Close.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrUnavailable is returned (wrapped) by a store whose backend cannot be
// reached. Engines treat it according to their fail-open/fail-closed policy.
var ErrUnavailable = errors.New("store: backend unavailable")

// Limit is one rate-limit tier a request is counted against, e.g. the global
// limit, an endpoint limit or a route limit.
//
// Semantics: at most Max admitted requests in any window of length Window
// (a sliding window). Key must be unique per tier and scope for the client,
// for example "global" or "ep:/login".
type Limit struct {
	Key    string
	Max    int
	Window time.Duration
}

// Counter is an event counter over a sliding window, used for behavioural
// monitors and auto-ban bookkeeping. Unlike a Limit it never refuses: every
// Add is counted and the current count is reported.
type Counter struct {
	Key    string
	Window time.Duration
	// Peek reads the counter without incrementing it (used to enforce an
	// action, such as throttling, while a counter stays over its threshold).
	Peek bool
	// Cap, when positive, makes the counter exact over the trailing window
	// and saturating: an increment reports min(b+1, Cap+1) for b earlier
	// events in the window, a Peek min(b, Cap), and the store keeps at most
	// Cap timestamps. 0 keeps the O(1) approximate counter, and so does a
	// Cap above ExactMaxLimit or a Window over 24 days (see Exact and the
	// package documentation). Every use of one counter key should pass the
	// same Cap.
	Cap int
}

// Exact reports whether stores track c exactly: 0 < Cap <= ExactMaxLimit
// and a Window of at most 2^31-1 ms (about 24.8 days).
func (c Counter) Exact() bool {
	return c.Cap > 0 && c.Cap <= ExactMaxLimit && c.Window.Milliseconds() <= maxExactWindowMS
}

// HitRequest is everything one request counts in the store. Implementations
// must apply it atomically and, for networked stores, in at most one round
// trip.
type HitRequest struct {
	// Client identifies the client (normally its IP). Keys are scoped by it,
	// and networked stores use it to keep a client's keys together.
	Client string
	// Limits are checked all-or-nothing: the request is admitted only if
	// every limit has room, and only an admitted request is recorded in them.
	Limits []Limit
	// Counters are incremented unconditionally (Peek counters are only read).
	Counters []Counter
}

// LimitState reports one Limit after a Hit.
type LimitState struct {
	// Count is the number of admitted requests in the window, including this
	// one if it was admitted.
	Count int
	// Exceeded is true when this limit had no room for the request.
	Exceeded bool
	// RetryAfter is, for an exceeded limit, how long until the oldest
	// request in the window leaves it.
	RetryAfter time.Duration
}

// HitResult reports the outcome of a Hit.
type HitResult struct {
	// Allowed is true when no limit was exceeded.
	Allowed bool
	// Limits is parallel to HitRequest.Limits.
	Limits []LimitState
	// Counts is parallel to HitRequest.Counters: each counter's value after
	// the increment (see Counter.Cap for exact counters).
	Counts []int64
}

// Ban is an active ban on a client.
type Ban struct {
	Client string
	Until  time.Time
	Reason string
}

// Store is shared state for one or many engines. Implementations must be safe
// for concurrent use.
type Store interface {
	// Hit counts one request against the limits and counters in req at time
	// now.
	Hit(ctx context.Context, req HitRequest, now time.Time) (HitResult, error)

	// Add increments the counter key scoped to client and returns the count
	// within the window ending at now.
	Add(ctx context.Context, client string, c Counter, now time.Time) (int64, error)

	// Reset clears the counter key scoped to client.
	Reset(ctx context.Context, client, key string) error

	// Ban bans client until b.Until. A later Ban replaces an earlier one.
	Ban(ctx context.Context, b Ban) error
	// Unban lifts a ban; lifting a ban that does not exist is not an error.
	Unban(ctx context.Context, client string) error
	// Banned reports the client's ban if one is active at now.
	Banned(ctx context.Context, client string, now time.Time) (Ban, bool, error)
	// Bans lists bans active at now. It is an operator call, not for the
	// request path.
	Bans(ctx context.Context, now time.Time) ([]Ban, error)

	// PutPattern stores a custom detection pattern under id (opaque bytes).
	PutPattern(ctx context.Context, id string, data []byte) error
	// DeletePattern removes a custom pattern; a missing id is not an error.
	DeletePattern(ctx context.Context, id string) error
	// Patterns returns every stored custom pattern.
	Patterns(ctx context.Context) (map[string][]byte, error)

	// Close releases resources.
	Close() error
}
