package behavior

import (
	"slices"
	"time"

	"github.com/guardgo/guard/core/store"
)

// Violation is one rule firing for one client: what the engine turns into
// an event and, outside passive mode, an action.
type Violation struct {
	// Rule is the rule's Name, or a label built from its fields such as
	// "usage:10/1h0m0s:ban".
	Rule string
	// Type is the rule's type.
	Type RuleType
	// Endpoint is the endpoint the counter is kept for (as passed in).
	Endpoint string
	// Pattern is the return pattern, for return_pattern rules.
	Pattern string
	// Count is the counter's value in the trailing window, > Threshold.
	// Counters are exact and saturate (see store.Counter.Cap): a counter
	// shared by rules whose largest threshold is T reports at most T+2,
	// meaning "more than T+1".
	Count int64
	// Threshold is the rule's threshold.
	Threshold int64
	// Window is the rule's window, an upper bound on the Retry-After for
	// throttle: a client that stops is released as soon as the trailing
	// window holds no more than Threshold counted events, at most one
	// Window after its last counted request. (Thresholds of
	// store.ExactMaxLimit or more use the stores' approximate counters,
	// which can take up to two windows.)
	Window time.Duration
	// Action is the rule's action.
	Action Action
	// BanDuration is how long to ban, for ban rules (DefaultBanDuration
	// when the rule set none).
	BanDuration time.Duration
	// Enforcing is true when the violation comes from a return_pattern
	// throttle rule's counter read (peeked) on a request: the client was
	// already over the threshold and is still throttled. The engine answers
	// 429 but this is not a new occurrence of the pattern.
	Enforcing bool
	// Custom is the rule's custom action, if it was given one in code.
	Custom ActionFunc
}

// FirstCrossing reports whether the count is exactly Threshold+1: the event
// that took the counter over the threshold. An engine can use it to emit
// alert and log events once rather than for every request above the
// threshold. The counters a Set emits are exact and saturating (see
// store.Counter.Cap), so a client that stays over the threshold crosses
// once, and crosses again only after its trailing count fell back to the
// threshold or below. (Thresholds of store.ExactMaxLimit or more use the
// stores' approximate counters, for which it is only a hint.)
func (v Violation) FirstCrossing() bool { return v.Count == v.Threshold+1 }

// Len returns the number of rules in the set (0 for a nil Set).
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.rules)
}

// NeedsBody reports whether some return pattern inspects the response body
// (anything but status:). When false the engine must not capture bodies.
func (s *Set) NeedsBody() bool { return s != nil && s.needsBody }

// MaxBodyBytes is how many leading bytes of the response body the engine
// must capture for MatchResponse: 0 unless NeedsBody. The client must still
// receive the whole, unmodified response.
func (s *Set) MaxBodyBytes() int {
	if !s.NeedsBody() {
		return 0
	}
	return s.maxBody
}

// HasReturnRules reports whether the response side has anything to do.
func (s *Set) HasReturnRules() bool { return s != nil && len(s.ret) > 0 }

// key builds slot sl's counter key for endpoint.
func (s *Set) key(sl *slot, endpoint string) string {
	if s.hasEndpoint && endpoint == s.endpoint {
		return sl.fixed
	}
	return sl.prefix + endpointKey(endpoint)
}

// RequestCounters appends to dst the counters the engine must include in
// the request's store.Hit (step 11): one incrementing counter per request
// window used by usage and frequency rules (rules with the same window
// share it), then one Peek counter per return pattern that has a throttle
// rule. Pass the resulting counts, in the same order, to CheckRequest.
// Every counter has Cap set to the largest threshold of its rules plus one,
// which makes it exact over the trailing window (see store.Counter.Cap).
func (s *Set) RequestCounters(endpoint string, dst []store.Counter) []store.Counter {
	if s == nil {
		return dst
	}
	// Grow once and fill the new elements in place: a store.Counter is too
	// large to be built in registers, and appending a literal costs a copy.
	n := len(dst)
	dst = slices.Grow(dst, len(s.req)+len(s.peek))[:n+len(s.req)+len(s.peek)]
	for i, sl := range s.req {
		c := &dst[n+i]
		c.Key, c.Window, c.Peek, c.Cap = s.key(sl, endpoint), sl.window, false, sl.cap
	}
	n += len(s.req)
	for i, sl := range s.peek {
		c := &dst[n+i]
		c.Key, c.Window, c.Peek, c.Cap = s.key(sl, endpoint), sl.window, true, sl.cap
	}
	return dst
}

// CheckRequest appends the rules that fire given counts, the values the
// store returned for the counters RequestCounters produced (same order;
// missing counts are treated as 0). A usage or frequency rule fires when its
// count exceeds its threshold — on every request while it does, so a
// throttle rule keeps answering 429. A return_pattern throttle rule fires
// (Enforcing) while its peeked counter exceeds its threshold.
func (s *Set) CheckRequest(endpoint string, counts []int64, dst []Violation) []Violation {
	if s == nil {
		return dst
	}
	for i, sl := range s.req {
		if i >= len(counts) {
			return dst
		}
		dst = s.fire(dst, sl.rules, endpoint, counts[i], false)
	}
	for j, sl := range s.peek {
		i := len(s.req) + j
		if i >= len(counts) {
			return dst
		}
		dst = s.fire(dst, sl.throttle, endpoint, counts[i], true)
	}
	return dst
}

// MatchResponse appends to dst the indices of the return counters whose
// pattern matches the response (step 13). body is the captured prefix; at
// most MaxBodyBytes of it is inspected. For each index the engine adds
// ReturnCounter(endpoint, i) with store.Add and passes the count to
// CheckReturn.
func (s *Set) MatchResponse(status int, body []byte, dst []int) []int {
	if s == nil {
		return dst
	}
	if len(body) > s.maxBody {
		body = body[:s.maxBody]
	}
	for i, sl := range s.ret {
		if sl.pat.Match(status, body) {
			dst = append(dst, i)
		}
	}
	return dst
}

// ReturnCounter returns the counter for return counter i (an index from
// MatchResponse) on endpoint.
func (s *Set) ReturnCounter(endpoint string, i int) store.Counter {
	sl := s.ret[i]
	return store.Counter{Key: s.key(sl, endpoint), Window: sl.window, Cap: sl.cap}
}

// CheckReturn appends the rules on return counter i that fire at count (the
// value store.Add returned). Ban rules are enforced by the ban the engine
// records; throttle rules by the Peek counters of later requests.
func (s *Set) CheckReturn(endpoint string, i int, count int64, dst []Violation) []Violation {
	if s == nil || i < 0 || i >= len(s.ret) {
		return dst
	}
	return s.fire(dst, s.ret[i].rules, endpoint, count, false)
}

func (s *Set) fire(dst []Violation, rules []int, endpoint string, count int64, enforcing bool) []Violation {
	for _, ri := range rules {
		r := &s.rules[ri]
		if count <= r.threshold {
			continue
		}
		v := Violation{
			Rule:      r.label,
			Type:      r.typ,
			Endpoint:  endpoint,
			Pattern:   r.pattern,
			Count:     count,
			Threshold: r.threshold,
			Window:    r.window,
			Action:    r.action,
			Enforcing: enforcing,
			Custom:    r.custom,
		}
		if r.action == Ban {
			v.BanDuration = r.ban
		}
		dst = append(dst, v)
	}
	return dst
}
