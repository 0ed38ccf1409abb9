package behavior

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/guardgo/guard/core/store"
)

// DefaultMaxBodyBytes is how much of a response body is captured for return
// patterns when Compile is not given WithMaxBodyBytes.
const DefaultMaxBodyBytes = 64 << 10

// maxEndpointKey is the longest endpoint used verbatim in a counter key;
// longer ones are replaced by a hash so keys stay bounded.
const maxEndpointKey = 128

// ErrInvalidRule is matched (errors.Is) by every error Compile returns.
var ErrInvalidRule = errors.New("invalid behaviour rule")

// FieldError is one problem with one field of one rule. Path names the
// field, e.g. "behavior_analysis[1].pattern" or "usage_monitor.max_calls".
// It matches ErrInvalidRule, and ErrInvalidPattern for pattern problems.
type FieldError struct {
	Path string
	Err  error
}

// Error returns "path: problem".
func (e *FieldError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the underlying problem.
func (e *FieldError) Unwrap() error { return e.Err }

// Is reports whether target is ErrInvalidRule.
func (e *FieldError) Is(target error) bool { return target == ErrInvalidRule }

// Option configures Compile.
type Option func(*options)

type options struct {
	maxBody     int
	path        string
	scope       string
	endpoint    string
	hasEndpoint bool
}

// WithMaxBodyBytes sets how much of a response body is captured and
// inspected by body patterns (default DefaultMaxBodyBytes). n must be > 0.
func WithMaxBodyBytes(n int) Option { return func(o *options) { o.maxBody = n } }

// WithPath sets the field path used in errors for specs without a Source:
// rule i is reported as "<prefix>[i]" (default "behavior_analysis").
func WithPath(prefix string) Option { return func(o *options) { o.path = prefix } }

// WithScope namespaces the Set's counter keys ("bh:<scope>:…"). Two Sets
// whose counters go into the same store.Hit need different scopes, or
// identical rules in both would count each request twice; rules inside one
// Set never need it (identical counters are shared).
func WithScope(scope string) Option { return func(o *options) { o.scope = scope } }

// ForEndpoint precomputes the counter keys for one endpoint, so that calls
// with that endpoint build no strings (a route's Set always sees its own
// route template). Other endpoints still work, at one allocation per key.
func ForEndpoint(endpoint string) Option {
	return func(o *options) { o.endpoint, o.hasEndpoint = endpoint, true }
}

// Set is a compiled, validated group of rules — typically one route's rules
// plus the global ones. A Set is immutable and safe for concurrent use. A nil
// *Set means "no rules": every method works on it and does nothing.
type Set struct {
	rules       []rule
	req         []*slot // request counters (usage and frequency rules), by window
	ret         []*slot // return-pattern counters, by (pattern, window)
	peek        []*slot // return slots with a throttle rule, peeked on requests
	needsBody   bool
	maxBody     int
	endpoint    string
	hasEndpoint bool
}

// rule is one compiled rule.
type rule struct {
	label     string
	typ       RuleType
	threshold int64
	window    time.Duration
	action    Action
	ban       time.Duration
	pattern   string
	custom    ActionFunc
}

// slot is one counter shared by every rule that counts the same events over
// the same window.
type slot struct {
	prefix   string // "bh:[scope:]id:"
	fixed    string // prefix + the ForEndpoint endpoint
	window   time.Duration
	cap      int   // store.Counter.Cap: the largest threshold of rules + 1
	rules    []int // indices into Set.rules, in declaration order
	throttle []int // the throttle rules among them (return slots)
	pat      *Pattern
}

// Compile validates specs and builds a Set. It reports every problem at
// once, joined with errors.Join, each a *FieldError naming its field. An
// empty specs gives a nil Set and no error.
func Compile(specs []RuleSpec, opts ...Option) (*Set, error) {
	o := options{maxBody: DefaultMaxBodyBytes, path: "behavior_analysis"}
	for _, opt := range opts {
		opt(&o)
	}
	var errs []error
	if o.maxBody <= 0 {
		errs = append(errs, fieldErr("max_body_bytes", "must be > 0, got %d", o.maxBody))
	}
	if len(specs) == 0 {
		return nil, errors.Join(errs...)
	}
	s := &Set{maxBody: o.maxBody, endpoint: o.endpoint, hasEndpoint: o.hasEndpoint}
	names := map[string]string{}  // name → path of its first use
	labels := map[string]string{} // label → path of its first use
	reqByWindow := map[time.Duration]*slot{}
	type retKey struct {
		pattern string
		window  time.Duration
	}
	retBy := map[retKey]*slot{}

	for i, sp := range specs {
		base := sp.Source
		if base == "" {
			base = o.path + "[" + strconv.Itoa(i) + "]"
		}
		r, pat, ruleErrs := compileRule(sp, base)
		if len(ruleErrs) > 0 {
			errs = append(errs, ruleErrs...)
			continue
		}
		if sp.Name != "" {
			if first, dup := names[sp.Name]; dup {
				errs = append(errs, fieldErr(base+".name", "duplicate rule name %q (also %s)", sp.Name, first))
				continue
			}
			names[sp.Name] = base
		}
		r.label = sp.Name
		if r.label == "" {
			// Two identical unnamed rules would fire twice for one event:
			// almost certainly a mistake. Naming them makes it deliberate.
			r.label = autoLabel(r)
			if first, dup := labels[r.label]; dup {
				errs = append(errs, fieldErr(base, "duplicates rule %s (%s); name them to keep both", first, r.label))
				continue
			}
			labels[r.label] = base
		}
		idx := len(s.rules)
		s.rules = append(s.rules, r)

		if r.typ != ReturnPattern {
			sl := reqByWindow[r.window]
			if sl == nil {
				sl = s.newSlot(&o, "u"+r.window.String(), r.window)
				reqByWindow[r.window] = sl
				s.req = append(s.req, sl)
			}
			sl.rules = append(sl.rules, idx)
			continue
		}
		k := retKey{r.pattern, r.window}
		sl := retBy[k]
		if sl == nil {
			h := fnv.New64a()
			h.Write([]byte(r.pattern))
			sl = s.newSlot(&o, "r"+r.window.String()+"."+fmt.Sprintf("%016x", h.Sum64()), r.window)
			sl.pat = pat
			retBy[k] = sl
			s.ret = append(s.ret, sl)
			if pat.NeedsBody() {
				s.needsBody = true
			}
		}
		sl.rules = append(sl.rules, idx)
		if r.action == Throttle {
			if len(sl.throttle) == 0 {
				s.peek = append(s.peek, sl)
			}
			sl.throttle = append(sl.throttle, idx)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, sls := range [][]*slot{s.req, s.ret} {
		for _, sl := range sls {
			sl.cap = s.counterCap(sl.rules)
		}
	}
	return s, nil
}

// counterCap is the store.Counter.Cap of a counter shared by rules: their
// largest threshold + 1, which is all they need to see (a count of
// threshold+1 fires, and the store reports each value up to Cap+1 once per
// climb). A threshold of store.ExactMaxLimit or more gives
// store.ExactMaxLimit+1, which stores track with their approximate counter.
func (s *Set) counterCap(rules []int) int {
	var top int64
	for _, ri := range rules {
		top = max(top, s.rules[ri].threshold)
	}
	return int(min(top, store.ExactMaxLimit) + 1)
}

func (s *Set) newSlot(o *options, id string, window time.Duration) *slot {
	prefix := "bh:" + id + ":"
	if o.scope != "" {
		prefix = "bh:" + o.scope + ":" + id + ":"
	}
	sl := &slot{prefix: prefix, window: window}
	if o.hasEndpoint {
		sl.fixed = prefix + endpointKey(o.endpoint)
	}
	return sl
}

// compileRule validates one spec; base is its path in errors.
func compileRule(sp RuleSpec, base string) (rule, *Pattern, []error) {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fieldErr(base+"."+field, format, args...))
	}
	r := rule{
		typ:       sp.RuleType,
		threshold: int64(sp.Threshold),
		window:    sp.Window.D(),
		action:    orDefault(sp.Action, Log),
		ban:       sp.BanDuration.D(),
		pattern:   sp.Pattern,
		custom:    sp.Custom,
	}
	switch sp.RuleType {
	case Usage, Frequency, ReturnPattern:
	case "":
		bad("rule_type", "required (usage, return_pattern or frequency)")
	default:
		bad("rule_type", "unknown rule type %q (want usage, return_pattern or frequency)", string(sp.RuleType))
	}
	switch sp.origin.kind {
	case fromSuspiciousFrequency:
		switch f := sp.origin.maxFreq; {
		case !(f > 0):
			bad("max_frequency", "must be > 0, got %v", f)
		case sp.Threshold <= 0 && sp.Window > 0:
			bad("max_frequency", "max_frequency × window must allow at least 1 request, got %v × %s", f, sp.Window)
		}
	case fromUsageMonitor:
		if sp.Threshold <= 0 {
			bad("max_calls", "must be > 0, got %d", sp.Threshold)
		}
	case fromReturnMonitor:
		if sp.Threshold <= 0 {
			bad("max_occurrences", "must be > 0, got %d", sp.Threshold)
		}
	default:
		if sp.Threshold <= 0 {
			bad("threshold", "must be > 0, got %d", sp.Threshold)
		}
	}
	switch {
	case sp.Window <= 0:
		bad("window", "must be > 0, got %s", sp.Window)
	case sp.Window.D() < time.Millisecond:
		bad("window", "must be at least 1ms (stores count in milliseconds), got %s", sp.Window)
	}
	switch r.action {
	case Ban, Throttle, Alert, Log:
	default:
		bad("action", "unknown action %q (want ban, throttle, alert or log)", string(sp.Action))
	}
	if sp.BanDuration < 0 {
		bad("ban_duration", "must not be negative, got %s", sp.BanDuration)
	}
	if r.ban == 0 {
		r.ban = DefaultBanDuration.D()
	}
	if sp.Name != "" && !validName(sp.Name) {
		bad("name", "invalid name %q: use at most 64 letters, digits, '_', '-' or '.'", sp.Name)
	}
	var pat *Pattern
	if sp.RuleType == ReturnPattern {
		if sp.Pattern == "" {
			bad("pattern", "required for return_pattern rules")
		} else {
			p, err := ParsePattern(sp.Pattern)
			if err != nil {
				errs = append(errs, &FieldError{Path: base + ".pattern", Err: err})
			}
			pat = p
		}
	} else if sp.Pattern != "" && sp.RuleType != "" {
		bad("pattern", "only return_pattern rules take a pattern (rule_type is %s)", string(sp.RuleType))
	}
	return r, pat, errs
}

func fieldErr(path, format string, args ...any) *FieldError {
	return &FieldError{Path: path, Err: fmt.Errorf(format, args...)}
}

func validName(n string) bool {
	if len(n) > 64 {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// autoLabel names a rule from its fields, e.g. "usage:10/1h0m0s:ban" or
// "return_pattern:3/24h0m0s:ban:json:result==win".
func autoLabel(r rule) string {
	l := string(r.typ) + ":" + strconv.FormatInt(r.threshold, 10) + "/" + r.window.String() + ":" + string(r.action)
	if r.action == Ban && r.ban != DefaultBanDuration.D() {
		l += "(" + r.ban.String() + ")"
	}
	if r.typ == ReturnPattern {
		l += ":" + r.pattern
	}
	return l
}

// endpointKey bounds the endpoint part of a counter key.
func endpointKey(endpoint string) string {
	if len(endpoint) <= maxEndpointKey {
		return endpoint
	}
	h := fnv.New64a()
	h.Write([]byte(endpoint))
	return fmt.Sprintf("#%016x", h.Sum64())
}
