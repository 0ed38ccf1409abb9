package behavior

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/guardgo/guard/core/units"
)

func sec(n float64) units.Duration { return units.Seconds(n) }

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name  string
		specs []RuleSpec
		opts  []Option
		want  []string // every line of the joined error, in order
	}{
		{
			name:  "missing rule type",
			specs: []RuleSpec{{Threshold: 1, Window: sec(60)}},
			want:  []string{"behavior_analysis[0].rule_type: required (usage, return_pattern or frequency)"},
		},
		{
			name:  "unknown rule type",
			specs: []RuleSpec{{RuleType: "volume", Threshold: 1, Window: sec(60)}},
			want:  []string{`behavior_analysis[0].rule_type: unknown rule type "volume" (want usage, return_pattern or frequency)`},
		},
		{
			name:  "zero threshold",
			specs: []RuleSpec{{RuleType: Usage, Threshold: 0, Window: sec(60)}},
			want:  []string{"behavior_analysis[0].threshold: must be > 0, got 0"},
		},
		{
			name:  "negative threshold and zero window",
			specs: []RuleSpec{{RuleType: Frequency, Threshold: -3}},
			want: []string{
				"behavior_analysis[0].threshold: must be > 0, got -3",
				"behavior_analysis[0].window: must be > 0, got 0s",
			},
		},
		{
			name:  "negative window",
			specs: []RuleSpec{{RuleType: Usage, Threshold: 1, Window: sec(-5)}},
			want:  []string{"behavior_analysis[0].window: must be > 0, got -5s"},
		},
		{
			name:  "window below a millisecond",
			specs: []RuleSpec{{RuleType: Usage, Threshold: 1, Window: units.Duration(time.Microsecond)}},
			want:  []string{"behavior_analysis[0].window: must be at least 1ms (stores count in milliseconds), got 1µs"},
		},
		{
			name:  "unknown action",
			specs: []RuleSpec{{RuleType: Usage, Threshold: 1, Window: sec(60), Action: "block"}},
			want:  []string{`behavior_analysis[0].action: unknown action "block" (want ban, throttle, alert or log)`},
		},
		{
			name:  "negative ban duration",
			specs: []RuleSpec{{RuleType: Usage, Threshold: 1, Window: sec(60), Action: Ban, BanDuration: sec(-1)}},
			want:  []string{"behavior_analysis[0].ban_duration: must not be negative, got -1s"},
		},
		{
			name: "invalid regex names the rule index",
			specs: []RuleSpec{
				{RuleType: Usage, Threshold: 1, Window: sec(60)},
				{RuleType: ReturnPattern, Threshold: 1, Window: sec(60), Pattern: "regex:(a"},
			},
			want: []string{"behavior_analysis[1].pattern: invalid regex: error parsing regexp: missing closing ): `(?i)(a`"},
		},
		{
			name:  "bad json operator",
			specs: []RuleSpec{{RuleType: ReturnPattern, Threshold: 1, Window: sec(60), Pattern: "json:a=>1"}},
			want:  []string{`behavior_analysis[0].pattern: json pattern "a=>1": unknown operator at "=>1" (want ==, !=, >, >=, <, <=)`},
		},
		{
			name:  "bad json path",
			specs: []RuleSpec{{RuleType: ReturnPattern, Threshold: 1, Window: sec(60), Pattern: "json:a[1]==x"}},
			want:  []string{`behavior_analysis[0].pattern: json pattern "a[1]==x": path segment "a[1]": only [] (any element) is supported`},
		},
		{
			name:  "missing pattern",
			specs: []RuleSpec{{RuleType: ReturnPattern, Threshold: 1, Window: sec(60)}},
			want:  []string{"behavior_analysis[0].pattern: required for return_pattern rules"},
		},
		{
			name:  "pattern on usage rule",
			specs: []RuleSpec{{RuleType: Usage, Threshold: 1, Window: sec(60), Pattern: "status:404"}},
			want:  []string{"behavior_analysis[0].pattern: only return_pattern rules take a pattern (rule_type is usage)"},
		},
		{
			name:  "invalid name",
			specs: []RuleSpec{{RuleType: Usage, Threshold: 1, Window: sec(60), Name: "a b"}},
			want:  []string{`behavior_analysis[0].name: invalid name "a b": use at most 64 letters, digits, '_', '-' or '.'`},
		},
		{
			name: "duplicate name",
			specs: []RuleSpec{
				{RuleType: Usage, Threshold: 1, Window: sec(60), Name: "x"},
				{RuleType: Usage, Threshold: 2, Window: sec(60), Name: "x"},
			},
			want: []string{`behavior_analysis[1].name: duplicate rule name "x" (also behavior_analysis[0])`},
		},
		{
			name: "duplicate unnamed rule",
			specs: []RuleSpec{
				{RuleType: Usage, Threshold: 5, Window: sec(60), Action: Log},
				{RuleType: Usage, Threshold: 5, Window: sec(60)},
			},
			want: []string{"behavior_analysis[1]: duplicates rule behavior_analysis[0] (usage:5/1m0s:log); name them to keep both"},
		},
		{
			name:  "path option",
			specs: []RuleSpec{{RuleType: Usage, Window: sec(60), Threshold: 1, Action: "x"}},
			opts:  []Option{WithPath("global_behavior_rules")},
			want:  []string{`global_behavior_rules[0].action: unknown action "x" (want ban, throttle, alert or log)`},
		},
		{
			name: "source overrides path",
			specs: []RuleSpec{func() RuleSpec {
				r := (UsageMonitor{Window: sec(60)}).Rule()
				r.Source = "routes[2].usage_monitor"
				return r
			}()},
			want: []string{"routes[2].usage_monitor.max_calls: must be > 0, got 0"},
		},
		{
			name:  "return monitor names its fields",
			specs: []RuleSpec{(ReturnMonitor{Pattern: "status:42", MaxOccurrences: 0, Window: sec(60)}).Rule()},
			want: []string{
				"return_monitor.max_occurrences: must be > 0, got 0",
				`return_monitor.pattern: invalid status "42": want status:NNN with a code from 100 to 999`,
			},
		},
		{
			name:  "suspicious frequency too low",
			specs: []RuleSpec{(SuspiciousFrequency{MaxFrequency: 0.1, Window: sec(5)}).Rule()},
			want:  []string{"suspicious_frequency.max_frequency: max_frequency × window must allow at least 1 request, got 0.1 × 5s"},
		},
		{
			name:  "suspicious frequency not positive",
			specs: []RuleSpec{(SuspiciousFrequency{MaxFrequency: -1, Window: sec(60)}).Rule()},
			want:  []string{"suspicious_frequency.max_frequency: must be > 0, got -1"},
		},
		{
			name:  "max body bytes",
			specs: []RuleSpec{{RuleType: Usage, Threshold: 1, Window: sec(60)}},
			opts:  []Option{WithMaxBodyBytes(0)},
			want:  []string{"max_body_bytes: must be > 0, got 0"},
		},
		{
			name: "every problem at once",
			specs: []RuleSpec{
				{RuleType: "x", Threshold: 0, Window: 0, Action: "y"},
				{RuleType: ReturnPattern, Threshold: 1, Window: sec(1), Pattern: "json:a"},
			},
			want: []string{
				`behavior_analysis[0].rule_type: unknown rule type "x" (want usage, return_pattern or frequency)`,
				"behavior_analysis[0].threshold: must be > 0, got 0",
				"behavior_analysis[0].window: must be > 0, got 0s",
				`behavior_analysis[0].action: unknown action "y" (want ban, throttle, alert or log)`,
				`behavior_analysis[1].pattern: json pattern "a" needs an operator (==, !=, >, >=, <, <=)`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Compile(tt.specs, tt.opts...)
			if err == nil {
				t.Fatalf("Compile = %v, want error", s)
			}
			if s != nil {
				t.Error("Compile returned a Set with an error")
			}
			if !errors.Is(err, ErrInvalidRule) {
				t.Errorf("error does not match ErrInvalidRule: %v", err)
			}
			if got := strings.Split(err.Error(), "\n"); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("error:\n%s\nwant:\n%s", err, strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestCompilePatternErrorIs(t *testing.T) {
	_, err := Compile([]RuleSpec{{RuleType: ReturnPattern, Threshold: 1, Window: sec(1), Pattern: "regex:["}})
	if !errors.Is(err, ErrInvalidPattern) || !errors.Is(err, ErrInvalidRule) {
		t.Fatalf("want ErrInvalidPattern and ErrInvalidRule, got %v", err)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Path != "behavior_analysis[0].pattern" {
		t.Fatalf("want a *FieldError for behavior_analysis[0].pattern, got %#v", fe)
	}
}

func TestCompileEmpty(t *testing.T) {
	s, err := Compile(nil)
	if s != nil || err != nil {
		t.Fatalf("Compile(nil) = %v, %v; want nil, nil", s, err)
	}
}

func TestMonitorConversion(t *testing.T) {
	tests := []struct {
		name string
		got  RuleSpec
		want RuleSpec
	}{
		{
			"usage monitor defaults to ban",
			UsageMonitor{MaxCalls: 10, Window: sec(3600)}.Rule(),
			RuleSpec{RuleType: Usage, Threshold: 10, Window: sec(3600), Action: Ban},
		},
		{
			"return monitor",
			ReturnMonitor{Pattern: "json:result==win", MaxOccurrences: 3, Window: sec(86400), Action: Throttle}.Rule(),
			RuleSpec{RuleType: ReturnPattern, Threshold: 3, Window: sec(86400), Pattern: "json:result==win", Action: Throttle},
		},
		{
			"suspicious frequency threshold = max_frequency × window",
			SuspiciousFrequency{MaxFrequency: 0.1, Window: sec(300), Action: Alert}.Rule(),
			RuleSpec{RuleType: Frequency, Threshold: 30, Window: sec(300), Action: Alert},
		},
		{
			"suspicious frequency floors",
			SuspiciousFrequency{MaxFrequency: 0.25, Window: sec(10)}.Rule(),
			RuleSpec{RuleType: Frequency, Threshold: 2, Window: sec(10), Action: Ban},
		},
		{
			"suspicious frequency float noise",
			SuspiciousFrequency{MaxFrequency: 0.29, Window: sec(100)}.Rule(),
			RuleSpec{RuleType: Frequency, Threshold: 29, Window: sec(100), Action: Ban},
		},
		{
			"ban duration carried",
			UsageMonitor{MaxCalls: 1, Window: sec(1), BanDuration: sec(60)}.Rule(),
			RuleSpec{RuleType: Usage, Threshold: 1, Window: sec(1), Action: Ban, BanDuration: sec(60)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := tt.got
			if g.RuleType != tt.want.RuleType || g.Threshold != tt.want.Threshold || g.Window != tt.want.Window ||
				g.Pattern != tt.want.Pattern || g.Action != tt.want.Action || g.BanDuration != tt.want.BanDuration {
				t.Errorf("got %+v, want %+v", g, tt.want)
			}
			if _, err := Compile([]RuleSpec{g}); err != nil {
				t.Errorf("Compile: %v", err)
			}
		})
	}
}

func TestConfigDecoding(t *testing.T) {
	const y = `
usage_monitor: {max_calls: 10, window: 3600, action: ban}
return_monitor: {pattern: "json:result==win", max_occurrences: 3, window: 1d, action: ban}
suspicious_frequency: {max_frequency: 0.1, window: 300, action: throttle}
behavior_analysis:
  - {rule_type: usage, threshold: 20, window: "1h", action: alert, name: burst}
  - {rule_type: return_pattern, threshold: 5, window: 60, pattern: "status:404", action: ban, ban_duration: 600}
`
	var cfg struct {
		UsageMonitor        UsageMonitor        `yaml:"usage_monitor"`
		ReturnMonitor       ReturnMonitor       `yaml:"return_monitor"`
		SuspiciousFrequency SuspiciousFrequency `yaml:"suspicious_frequency"`
		BehaviorAnalysis    []RuleSpec          `yaml:"behavior_analysis"`
	}
	err := yaml.Unmarshal([]byte(y), &cfg)
	if err == nil {
		t.Fatal(`"1d" is not a Go duration; want an error`)
	}
	if err := yaml.Unmarshal([]byte(strings.Replace(y, "1d", "24h", 1)), &cfg); err != nil {
		t.Fatal(err)
	}
	specs := append([]RuleSpec{cfg.UsageMonitor.Rule(), cfg.ReturnMonitor.Rule(), cfg.SuspiciousFrequency.Rule()}, cfg.BehaviorAnalysis...)
	s, err := Compile(specs)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 5 || !s.HasReturnRules() || !s.NeedsBody() {
		t.Fatalf("Len=%d HasReturnRules=%v NeedsBody=%v", s.Len(), s.HasReturnRules(), s.NeedsBody())
	}
	if got := cfg.BehaviorAnalysis[1]; got.BanDuration.D() != 10*time.Minute || got.Window.D() != time.Minute {
		t.Errorf("durations: %+v", got)
	}
	if cfg.SuspiciousFrequency.Rule().Threshold != 30 {
		t.Errorf("frequency threshold = %d", cfg.SuspiciousFrequency.Rule().Threshold)
	}

	// JSON uses the same names.
	var spec RuleSpec
	if err := json.Unmarshal([]byte(`{"rule_type":"return_pattern","threshold":3,"window":"90s","pattern":"regex:x","action":"throttle","name":"n"}`), &spec); err != nil {
		t.Fatal(err)
	}
	if spec.RuleType != ReturnPattern || spec.Threshold != 3 || spec.Window.D() != 90*time.Second || spec.Action != Throttle || spec.Name != "n" {
		t.Errorf("decoded %+v", spec)
	}
}
