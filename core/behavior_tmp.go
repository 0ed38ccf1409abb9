package guard

import (
	"context"

	"github.com/guardgo/guard/core/store"
	"github.com/guardgo/guard/core/units"
)

// BehaviorRule is a behavioural rule in configuration form (design §5).
// TEMPORARY: replaced by behavior.RuleSpec once core/behavior lands.
type BehaviorRule struct {
	RuleType    string         `yaml:"rule_type" json:"rule_type"`
	Threshold   int            `yaml:"threshold" json:"threshold"`
	Window      units.Duration `yaml:"window" json:"window"`
	Pattern     string         `yaml:"pattern" json:"pattern"`
	Action      string         `yaml:"action" json:"action"`
	BanDuration units.Duration `yaml:"ban_duration" json:"ban_duration"`
}

// behaviorRules gathers a route's behavioural decorators as rules.
func (r *RouteConfig) behaviorRules(f string) ([]BehaviorRule, []error) {
	var out []BehaviorRule
	if u := r.UsageMonitor; u != nil {
		out = append(out, BehaviorRule{RuleType: "usage", Threshold: u.MaxCalls, Window: u.Window, Action: u.Action, BanDuration: u.BanDuration})
	}
	if m := r.ReturnMonitor; m != nil {
		out = append(out, BehaviorRule{RuleType: "return_pattern", Threshold: m.MaxOccurrences, Window: m.Window, Pattern: m.Pattern, Action: m.Action, BanDuration: m.BanDuration})
	}
	if s := r.SuspiciousFrequency; s != nil {
		out = append(out, BehaviorRule{RuleType: "frequency", Threshold: int(s.MaxFrequency * s.Window.D().Seconds()), Window: s.Window, Action: s.Action, BanDuration: s.BanDuration})
	}
	out = append(out, r.BehaviorAnalysis...)
	return out, nil
}

func validateBehaviorRules(v *validator, f string, rules []BehaviorRule) {}

// behaviorRules is a compiled behavioural rule set (TEMPORARY placeholder).
type behaviorRules struct{}

// BehaviorAction is a custom behavioural action (TEMPORARY placeholder).
type BehaviorAction func()

func compileBehavior(rules []BehaviorRule, field string) (behaviorRules, error) {
	return behaviorRules{}, nil
}

func (e *Engine) behaviorCounters(route *compiledRoute, endpoint string, dst []store.Counter) []store.Counter {
	return dst
}

func (e *Engine) applyBehavior(ctx context.Context, d *Decision, route *compiledRoute, counters []store.Counter, counts []int64) bool {
	return false
}
