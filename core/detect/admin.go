package detect

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// AddPattern compiles p and adds it to the running detector. A bad regex, an unknown
// context, a weight outside 0..1 or a duplicate id is an error wrapping
// ErrInvalidPattern; the detector is unchanged then. A zero Weight means 0.9.
// Requests in flight finish with the previous pattern set.
func (d *Detector) AddPattern(p Pattern) error {
	if p.Weight == 0 {
		p.Weight = 0.9
	}
	if _, err := compilePattern(p); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	next := append(slices.Clone(d.custom), p)
	rs, err := d.build(next)
	if err != nil {
		return err
	}
	d.custom = next
	d.rules.Store(rs)
	return nil
}

// RemovePattern removes the custom pattern with the given id and reports whether it
// existed. Built-in patterns cannot be removed.
func (d *Detector) RemovePattern(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	i := slices.IndexFunc(d.custom, func(p Pattern) bool { return p.ID == id })
	if i < 0 {
		return false
	}
	next := slices.Delete(slices.Clone(d.custom), i, i+1)
	rs, err := d.build(next)
	if err != nil {
		// Cannot happen: removing a pattern from a valid set leaves a valid set.
		return false
	}
	d.custom = next
	d.rules.Store(rs)
	d.stats.Delete(id)
	return true
}

// Patterns returns the custom patterns (for persistence), in insertion order.
func (d *Detector) Patterns() []Pattern {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.custom)
}

// BuiltinCount returns the number of built-in patterns in use.
func (d *Detector) BuiltinCount() int { return len(d.builtin) }

// PatternStats are the counters of one pattern since the detector was built.
type PatternStats struct {
	ID       string
	Category string
	Custom   bool
	// Executions counts regex runs (the prefilter decides whether a regex runs). A
	// value seen clean recently is answered from the detector's clean-value cache
	// and runs no regex, so it adds nothing here.
	Executions uint64
	// Matches counts runs that matched.
	Matches uint64
	// AvgTime and MaxTime are per execution.
	AvgTime, MaxTime time.Duration
	// SlowExecutions counts runs at or above Config.SlowPatternThreshold.
	SlowExecutions uint64
	// Slow is true when any execution was slow.
	Slow bool
}

// Stats returns per-pattern statistics, slowest average first.
func (d *Detector) Stats() []PatternStats {
	rs := d.rules.Load()
	out := make([]PatternStats, 0, len(rs.pats))
	for _, c := range rs.pats {
		st := d.statsFor(c.ID)
		ps := PatternStats{ID: c.ID, Category: c.Category, Custom: c.custom}
		if st != nil {
			ps.Executions = st.executions.Load()
			ps.Matches = st.matches.Load()
			ps.MaxTime = time.Duration(st.maxNanos.Load())
			ps.SlowExecutions = st.slow.Load()
			if ps.Executions > 0 {
				ps.AvgTime = time.Duration(st.totalNanos.Load() / int64(ps.Executions))
			}
		}
		ps.Slow = ps.SlowExecutions > 0
		out = append(out, ps)
	}
	for _, c := range codeChecks {
		// Checks written as code, not patterns: counted, not timed.
		ps := PatternStats{ID: c.id, Category: c.category}
		if st := d.statsFor(c.id); st != nil {
			ps.Executions, ps.Matches = st.executions.Load(), st.matches.Load()
		}
		out = append(out, ps)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].AvgTime > out[j].AvgTime })
	return out
}

// Status describes the detector's components.
type Status struct {
	// Healthy is true when patterns are loaded and the prefilter is built.
	Healthy bool
	// BuiltinPatterns and CustomPatterns count the patterns in use.
	BuiltinPatterns, CustomPatterns int
	// PrefilterLiterals is the number of distinct literals in the Aho-Corasick
	// automaton; UnfilteredPatterns run on every value (no literal could be derived).
	PrefilterLiterals, UnfilteredPatterns int
	// Categories lists the categories with at least one pattern.
	Categories []string
	// Libinjection is true: the SQLi/XSS tokenisers are compiled in.
	Libinjection bool
	// Threshold is the semantic threshold in use.
	Threshold float64
	// MaxContentLength and MaxRequestBytes are the budgets in use.
	MaxContentLength, MaxRequestBytes int
	// Requests, Values, Threats and Truncated count Detect/Inspect calls, values
	// inspected, threats found, and values cut to the per-value budget.
	Requests, Values, Threats, Truncated uint64
	// SlowPatterns lists ids of patterns with slow executions.
	SlowPatterns []string
	// Uptime is the time since New.
	Uptime time.Duration
}

// Status reports the detector's components and counters.
func (d *Detector) Status() Status {
	rs := d.rules.Load()
	st := Status{
		Healthy:            rs != nil && rs.ac != nil && len(rs.pats) > 0,
		BuiltinPatterns:    len(d.builtin),
		PrefilterLiterals:  len(rs.litPats),
		UnfilteredPatterns: len(rs.always),
		Libinjection:       true,
		Threshold:          d.cfg.SemanticThreshold,
		MaxContentLength:   d.cfg.MaxContentLength,
		MaxRequestBytes:    d.cfg.MaxRequestBytes,
		Requests:           d.requests.Load(),
		Values:             d.values.Load(),
		Threats:            d.threats.Load(),
		Truncated:          d.truncated.Load(),
		Uptime:             time.Since(d.started),
	}
	seen := map[string]bool{}
	for _, c := range rs.pats {
		if c.custom {
			st.CustomPatterns++
		}
		if !seen[c.Category] {
			seen[c.Category] = true
			st.Categories = append(st.Categories, c.Category)
		}
		if s := d.statsFor(c.ID); s != nil && s.slow.Load() > 0 {
			st.SlowPatterns = append(st.SlowPatterns, c.ID)
		}
	}
	return st
}

// String summarises the status for logs.
func (s Status) String() string {
	return fmt.Sprintf("detect: healthy=%v builtin=%d custom=%d literals=%d unfiltered=%d threshold=%.2f",
		s.Healthy, s.BuiltinPatterns, s.CustomPatterns, s.PrefilterLiterals, s.UnfilteredPatterns, s.Threshold)
}
