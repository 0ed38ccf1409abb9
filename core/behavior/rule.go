package behavior

import (
	"context"
	"math"
	"time"

	"github.com/guardgo/guard/core/units"
)

// RuleType is what a rule counts.
type RuleType string

// Rule types.
const (
	// Usage counts the client's requests to the endpoint.
	Usage RuleType = "usage"
	// ReturnPattern counts the client's responses from the endpoint that
	// match the rule's pattern.
	ReturnPattern RuleType = "return_pattern"
	// Frequency counts requests like Usage; it is what suspicious_frequency
	// produces (threshold = max_frequency × window).
	Frequency RuleType = "frequency"
)

// Action is what the engine does when a rule fires.
type Action string

// Actions.
const (
	// Ban bans the client for the rule's BanDuration (403 afterwards).
	Ban Action = "ban"
	// Throttle answers 429 while the rule's counter stays over its
	// threshold, i.e. until the trailing window holds no more than
	// threshold events (see the package documentation).
	Throttle Action = "throttle"
	// Alert emits an event at error level.
	Alert Action = "alert"
	// Log emits an event at the configured suspicious-activity level.
	Log Action = "log"
)

// DefaultBanDuration is the ban length when a ban rule sets none, as in the
// reference.
const DefaultBanDuration = units.Duration(time.Hour)

// ActionFunc is a custom action supplied in code. When a rule has one, the
// engine calls it instead of the built-in action (the event is still
// emitted; in passive mode it is not called). client is the client
// identity (normally its IP).
type ActionFunc func(ctx context.Context, client string, v Violation) error

// RuleSpec is one behavioural rule in configuration form: an entry of
// behavior_analysis (per route) or global_behavior_rules.
//
// The rule fires when its count over the trailing Window exceeds
// Threshold (count > Threshold, not ==).
type RuleSpec struct {
	// RuleType is usage, return_pattern or frequency.
	RuleType RuleType `yaml:"rule_type" json:"rule_type"`
	// Threshold is the largest count that does not fire; must be > 0.
	Threshold int `yaml:"threshold" json:"threshold"`
	// Window is the length of the sliding window; must be > 0 (there is no
	// default: a missing window is an error, not a silent 3600 s).
	Window units.Duration `yaml:"window" json:"window"`
	// Pattern is the return pattern (see Pattern); required for
	// return_pattern rules and invalid for the others.
	Pattern string `yaml:"pattern,omitempty" json:"pattern,omitempty"`
	// Action is ban, throttle, alert or log; empty means log (the
	// reference default for behavior rules).
	Action Action `yaml:"action,omitempty" json:"action,omitempty"`
	// BanDuration is how long a ban action bans; 0 means
	// DefaultBanDuration. Must not be negative.
	BanDuration units.Duration `yaml:"ban_duration,omitempty" json:"ban_duration,omitempty"`
	// Name optionally names the rule in events (letters, digits, '_', '-',
	// '.'; at most 64 bytes; unique within a Set). Without one the rule is
	// named from its fields, e.g. "usage:10/1h0m0s:ban".
	Name string `yaml:"name,omitempty" json:"name,omitempty"`

	// Custom, set in code, replaces the built-in action (see ActionFunc).
	Custom ActionFunc `yaml:"-" json:"-"`
	// Source names where the rule was declared, for error messages, e.g.
	// "routes[2].usage_monitor". When empty, Compile uses its path option
	// and the rule's index ("behavior_analysis[1]").
	Source string `yaml:"-" json:"-"`

	// origin records which decorator built the spec, so that errors name
	// the decorator's fields (max_calls rather than threshold).
	origin origin
}

// origin is the decorator a RuleSpec was converted from.
type origin struct {
	kind    originKind
	maxFreq float64
}

type originKind uint8

const (
	fromSpec originKind = iota
	fromUsageMonitor
	fromReturnMonitor
	fromSuspiciousFrequency
)

// UsageMonitor is the usage_monitor decorator: more than MaxCalls requests
// from one client to the endpoint within Window triggers Action (default
// ban).
type UsageMonitor struct {
	MaxCalls    int            `yaml:"max_calls" json:"max_calls"`
	Window      units.Duration `yaml:"window" json:"window"`
	Action      Action         `yaml:"action,omitempty" json:"action,omitempty"`
	BanDuration units.Duration `yaml:"ban_duration,omitempty" json:"ban_duration,omitempty"`
}

// Rule converts m to a usage RuleSpec. Validation happens in Compile, and
// its errors name this decorator's fields.
func (m UsageMonitor) Rule() RuleSpec {
	return RuleSpec{
		RuleType:    Usage,
		Threshold:   m.MaxCalls,
		Window:      m.Window,
		Action:      orDefault(m.Action, Ban),
		BanDuration: m.BanDuration,
		Source:      "usage_monitor",
		origin:      origin{kind: fromUsageMonitor},
	}
}

// ReturnMonitor is the return_monitor decorator: more than MaxOccurrences
// responses matching Pattern to one client from the endpoint within Window
// triggers Action (default ban).
type ReturnMonitor struct {
	Pattern        string         `yaml:"pattern" json:"pattern"`
	MaxOccurrences int            `yaml:"max_occurrences" json:"max_occurrences"`
	Window         units.Duration `yaml:"window" json:"window"`
	Action         Action         `yaml:"action,omitempty" json:"action,omitempty"`
	BanDuration    units.Duration `yaml:"ban_duration,omitempty" json:"ban_duration,omitempty"`
}

// Rule converts m to a return_pattern RuleSpec.
func (m ReturnMonitor) Rule() RuleSpec {
	return RuleSpec{
		RuleType:    ReturnPattern,
		Threshold:   m.MaxOccurrences,
		Window:      m.Window,
		Pattern:     m.Pattern,
		Action:      orDefault(m.Action, Ban),
		BanDuration: m.BanDuration,
		Source:      "return_monitor",
		origin:      origin{kind: fromReturnMonitor},
	}
}

// SuspiciousFrequency is the suspicious_frequency decorator: more than
// MaxFrequency requests per second on average over Window, that is more
// than floor(MaxFrequency × Window in seconds) requests within Window,
// triggers Action (default ban).
type SuspiciousFrequency struct {
	MaxFrequency float64        `yaml:"max_frequency" json:"max_frequency"`
	Window       units.Duration `yaml:"window" json:"window"`
	Action       Action         `yaml:"action,omitempty" json:"action,omitempty"`
	BanDuration  units.Duration `yaml:"ban_duration,omitempty" json:"ban_duration,omitempty"`
}

// Rule converts m to a frequency RuleSpec with threshold
// floor(MaxFrequency × Window seconds). A product below 1 gives threshold 0,
// which Compile rejects naming max_frequency.
func (m SuspiciousFrequency) Rule() RuleSpec {
	return RuleSpec{
		RuleType:    Frequency,
		Threshold:   frequencyThreshold(m.MaxFrequency, m.Window),
		Window:      m.Window,
		Action:      orDefault(m.Action, Ban),
		BanDuration: m.BanDuration,
		Source:      "suspicious_frequency",
		origin:      origin{kind: fromSuspiciousFrequency, maxFreq: m.MaxFrequency},
	}
}

// frequencyThreshold is floor(f × w seconds); the tiny epsilon keeps
// products such as 0.29 × 100 (28.999999999999996 in float64) at 29.
func frequencyThreshold(f float64, w units.Duration) int {
	v := f * w.D().Seconds()
	if math.IsNaN(v) || v < 1 {
		return 0
	}
	if v > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(math.Floor(v + 1e-9))
}

func orDefault(a, def Action) Action {
	if a == "" {
		return def
	}
	return a
}
