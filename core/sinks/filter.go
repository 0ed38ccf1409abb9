package sinks

import (
	"context"
	"log/slog"

	guard "github.com/guardgo/guard/core"
)

// Multi returns a sink that emits every event to each of sinks in order.
// Nil sinks are skipped. (guard.WithSink may also be given several times;
// Multi is for composing, e.g. one Filter in front of several sinks.)
func Multi(sinks ...guard.Sink) guard.Sink {
	out := make(multi, 0, len(sinks))
	for _, s := range sinks {
		if s != nil {
			out = append(out, s)
		}
	}
	return out
}

type multi []guard.Sink

func (m multi) Emit(ctx context.Context, ev guard.Event) {
	for _, s := range m {
		s.Emit(ctx, ev)
	}
}

// Filter returns a sink that passes to next only the events keep accepts.
// keep must be safe for concurrent use.
func Filter(next guard.Sink, keep func(guard.Event) bool) guard.Sink {
	return guard.SinkFunc(func(ctx context.Context, ev guard.Event) {
		if keep(ev) {
			next.Emit(ctx, ev)
		}
	})
}

// MinSeverity returns a sink that passes to next only events whose Severity
// is at least min (e.g. slog.LevelWarn).
func MinSeverity(next guard.Sink, min slog.Level) guard.Sink {
	return Filter(next, func(ev guard.Event) bool { return ev.Severity >= min })
}

// OnlyTypes returns a sink that passes to next only events whose Type is
// one of types (e.g. "request_blocked", "ip_banned").
func OnlyTypes(next guard.Sink, types ...string) guard.Sink {
	set := make(map[string]struct{}, len(types))
	for _, t := range types {
		set[t] = struct{}{}
	}
	return Filter(next, func(ev guard.Event) bool {
		_, ok := set[ev.Type]
		return ok
	})
}
