package sinks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	guard "github.com/guardgo/guard/core"
)

type recorder struct{ types []string }

func (r *recorder) Emit(_ context.Context, ev guard.Event) { r.types = append(r.types, ev.Type) }

func TestFilters(t *testing.T) {
	events := []guard.Event{
		{Type: "request_blocked", Severity: slog.LevelWarn},
		{Type: "ip_banned", Severity: slog.LevelError},
		{Type: "penetration_attempt", Severity: slog.LevelInfo},
		{Type: "behavior_violation", Severity: slog.LevelDebug},
	}
	tests := []struct {
		name string
		wrap func(guard.Sink) guard.Sink
		want string
	}{
		{"min warn", func(s guard.Sink) guard.Sink { return MinSeverity(s, slog.LevelWarn) }, "request_blocked,ip_banned"},
		{"min debug", func(s guard.Sink) guard.Sink { return MinSeverity(s, slog.LevelDebug) }, "request_blocked,ip_banned,penetration_attempt,behavior_violation"},
		{"types", func(s guard.Sink) guard.Sink { return OnlyTypes(s, "ip_banned", "behavior_violation") }, "ip_banned,behavior_violation"},
		{"no types", func(s guard.Sink) guard.Sink { return OnlyTypes(s) }, ""},
		{"custom", func(s guard.Sink) guard.Sink {
			return Filter(s, func(ev guard.Event) bool { return strings.HasPrefix(ev.Type, "p") })
		}, "penetration_attempt"},
		{"stacked", func(s guard.Sink) guard.Sink {
			return OnlyTypes(MinSeverity(s, slog.LevelWarn), "ip_banned", "penetration_attempt")
		}, "ip_banned"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r recorder
			s := tc.wrap(&r)
			for _, ev := range events {
				s.Emit(context.Background(), ev)
			}
			if got := strings.Join(r.types, ","); got != tc.want {
				t.Fatalf("passed %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMulti(t *testing.T) {
	var a, b recorder
	m := Multi(&a, nil, &b)
	m.Emit(context.Background(), guard.Event{Type: "x"})
	m.Emit(context.Background(), guard.Event{Type: "y"})
	for name, r := range map[string]*recorder{"a": &a, "b": &b} {
		if got := strings.Join(r.types, ","); got != "x,y" {
			t.Errorf("%s got %q", name, got)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestJSONLines(t *testing.T) {
	var buf bytes.Buffer
	s := NewJSONLines(&buf)
	s.Emit(context.Background(), testEvent(1))
	s.Emit(context.Background(), testEvent(2))
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines: %q", len(lines), buf.String())
	}
	for i, l := range lines {
		var ev EventJSON
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if ev.ClientIP != "203.0.113.7" || ev.Reason != "penetration_attempt" {
			t.Fatalf("line %d: %+v", i, ev)
		}
	}
	bad := NewJSONLines(failWriter{})
	bad.Emit(context.Background(), testEvent(1))
	if bad.Errors() != 1 {
		t.Fatalf("Errors() = %d, want 1", bad.Errors())
	}
}
