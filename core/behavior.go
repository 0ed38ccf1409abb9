package guard

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/guardgo/guard/core/behavior"
	"github.com/guardgo/guard/core/store"
)

// noRouteEndpoint is the behavioural endpoint of requests that match no
// known route: raw paths are attacker-chosen and must not become keys.
const noRouteEndpoint = "*"

// behaviorRules gathers a route's behavioural decorators as rule specs.
func (r *RouteConfig) behaviorRules() []behavior.RuleSpec {
	var out []behavior.RuleSpec
	if u := r.UsageMonitor; u != nil {
		out = append(out, u.Rule())
	}
	if m := r.ReturnMonitor; m != nil {
		out = append(out, m.Rule())
	}
	if s := r.SuspiciousFrequency; s != nil {
		out = append(out, s.Rule())
	}
	return append(out, r.BehaviorAnalysis...)
}

// compileBehavior compiles rules (nil when there are none) with their
// configuration path in errors.
func (c *Config) compileBehavior(rules []behavior.RuleSpec, field, endpoint string) (*behavior.Set, error) {
	if len(rules) == 0 {
		return nil, nil
	}
	opts := []behavior.Option{behavior.WithPath(field), behavior.ForEndpoint(endpoint)}
	if c.BehaviorMaxBodyBytes > 0 {
		opts = append(opts, behavior.WithMaxBodyBytes(c.BehaviorMaxBodyBytes))
	}
	set, err := behavior.Compile(rules, opts...)
	if err != nil {
		return nil, errors.Join(behaviorErrors(field, err)...)
	}
	return set, nil
}

// behaviorFor returns the rule set and endpoint label of a request.
func (e *Engine) behaviorFor(d *Decision) (*behavior.Set, string) {
	if d.route != nil {
		return d.route.behavior, d.route.template
	}
	if e.globalBehavior == nil {
		return nil, ""
	}
	if t := d.req.Route(); t != "" {
		return e.globalBehavior, normalizeTemplate(t)
	}
	return e.globalBehavior, noRouteEndpoint
}

// behaviorCounters adds the request's behavioural counters (step 11) to the
// request's one store call.
func (e *Engine) behaviorCounters(d *Decision, dst []store.Counter) []store.Counter {
	set, ep := e.behaviorFor(d)
	if set == nil {
		return dst
	}
	return set.RequestCounters(ep, dst)
}

// applyBehavior turns the counts of the request's behavioural counters into
// violations and acts on them.
func (e *Engine) applyBehavior(ctx context.Context, d *Decision, counts []int64) bool {
	set, ep := e.behaviorFor(d)
	var buf [4]behavior.Violation
	vs := set.CheckRequest(ep, counts, buf[:0])
	return e.actOnViolations(ctx, d, vs)
}

// actOnViolations emits an event per violation and applies its action. It
// returns true when the request must be blocked now.
func (e *Engine) actOnViolations(ctx context.Context, d *Decision, vs []behavior.Violation) bool {
	blocked := false
	for _, v := range vs {
		level := warnLevel
		if v.Action == behavior.Alert {
			level = errorLevel
		}
		if !v.Enforcing && (v.Action == behavior.Ban || v.FirstCrossing() || v.Action == behavior.Throttle) {
			e.emit(ctx, Event{Type: "behavior_violation", Client: d.Client, Method: d.req.Method(), Path: d.req.Path(),
				Route: displayTemplate(d.req.Route()), Check: "behavior", Reason: ReasonBehavior, Passive: e.passive, Severity: level,
				Details: map[string]any{"rule": v.Rule, "rule_type": string(v.Type), "endpoint": v.Endpoint, "count": v.Count,
					"threshold": v.Threshold, "action": string(v.Action), "window": v.Window.String()}})
		}
		if e.passive {
			continue
		}
		if v.Custom != nil {
			if err := v.Custom(ctx, d.clientKey, v); err != nil {
				e.log.LogAttrs(ctx, slog.LevelError, "guard: custom behaviour action", slogErr(err))
			}
			continue
		}
		switch v.Action {
		case behavior.Ban:
			if err := e.store.Ban(ctx, store.Ban{Client: d.clientKey, Until: e.now().Add(v.BanDuration), Reason: "behavior:" + v.Rule}); err != nil {
				e.log.LogAttrs(ctx, slog.LevelError, "guard: behaviour ban", slogErr(err))
			}
			if !blocked && d.Allowed {
				blocked = true
				d.Allowed, d.Status, d.Reason, d.Check, d.Message = false, http.StatusForbidden, ReasonBehavior, "behavior", "Forbidden"
			}
		case behavior.Throttle:
			if !blocked && d.Allowed {
				blocked = true
				secs := int(v.Window.Seconds())
				if secs < 1 {
					secs = 1
				}
				d.Allowed, d.Status, d.Reason, d.Check, d.Message = false, http.StatusTooManyRequests, ReasonBehaviorThrottled, "behavior", "Too many requests"
				d.RetryAfter = v.Window
				d.Header = http.Header{"Retry-After": {strconv.Itoa(secs)}}
			}
		}
	}
	return blocked
}

// observeResponse feeds the response to return-pattern rules (step 13).
func (e *Engine) observeResponse(ctx context.Context, d *Decision, status int, body []byte) {
	set, ep := e.behaviorFor(d)
	if !set.HasReturnRules() {
		return
	}
	var ibuf [4]int
	for _, i := range set.MatchResponse(status, body, ibuf[:0]) {
		n, err := e.store.Add(ctx, d.clientKey, set.ReturnCounter(ep, i), e.now())
		if err != nil {
			e.log.LogAttrs(ctx, slog.LevelError, "guard: return-pattern counter", slogErr(err))
			continue
		}
		var vbuf [2]behavior.Violation
		vs := set.CheckReturn(ep, i, n, vbuf[:0])
		e.actOnViolations(ctx, d, vs)
	}
}

// captureLimit is how much of the response body the writer must keep.
func (e *Engine) captureLimit(d *Decision) int {
	set, _ := e.behaviorFor(d)
	if !set.NeedsBody() || !e.cfg.BehaviorScanResponseBody {
		return 0
	}
	return set.MaxBodyBytes()
}

// validateBehaviorRules reports rule errors under field: a route's
// decorators as "routes[2].usage_monitor.max_calls", its behavior_analysis
// entries as "routes[2].behavior_analysis[0].pattern", global rules as
// "global_behavior_rules[1].window".
func validateBehaviorRules(v *validator, field string, rules []behavior.RuleSpec) {
	if len(rules) == 0 {
		return
	}
	path := field
	if field != "global_behavior_rules" {
		path = field + ".behavior_analysis"
	}
	if _, err := behavior.Compile(rules, behavior.WithPath(path)); err != nil {
		v.errs = append(v.errs, behaviorErrors(field, err)...)
	}
}

// behaviorErrors converts the behavior package's field errors into ours,
// prefixing paths with field where they lack it.
func behaviorErrors(field string, err error) []error {
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	out := make([]error, 0, len(list))
	for _, e := range list {
		var fe *behavior.FieldError
		if errors.As(e, &fe) {
			p := fe.Path
			if !strings.HasPrefix(p, field) {
				p = field + "." + p
			}
			out = append(out, &FieldError{Field: p, Msg: fe.Err.Error()})
			continue
		}
		out = append(out, &FieldError{Field: field, Msg: e.Error()})
	}
	return out
}
