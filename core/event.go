package guard

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"time"
)

// Event is a security event: a block, a detection, a ban, a behavioural
// violation, or what would have been blocked in passive mode.
type Event struct {
	Time     time.Time
	Type     string // "request_blocked", "penetration_attempt", "ip_banned", "behavior_violation", ...
	Client   netip.Addr
	Method   string
	Path     string
	Route    string
	Check    string
	Reason   Reason
	Status   int
	Passive  bool
	Details  map[string]any
	Severity slog.Level
}

// Sink receives events. Emit must not block the request for long; sinks
// that do I/O buffer and batch.
type Sink interface {
	Emit(ctx context.Context, ev Event)
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(ctx context.Context, ev Event)

// Emit implements Sink.
func (f SinkFunc) Emit(ctx context.Context, ev Event) { f(ctx, ev) }

// slogSink logs events through a *slog.Logger.
type slogSink struct {
	log     *slog.Logger
	minimum slog.Level
	off     bool
}

func (s slogSink) Emit(ctx context.Context, ev Event) {
	if s.off {
		return
	}
	level := ev.Severity
	if level < s.minimum {
		level = s.minimum
	}
	attrs := make([]slog.Attr, 0, 10+len(ev.Details))
	attrs = append(attrs,
		slog.String("event", ev.Type),
		slog.String("client_ip", addrString(ev.Client)),
		slog.String("method", ev.Method),
		slog.String("path", ev.Path),
		slog.String("check", ev.Check),
		slog.String("reason", string(ev.Reason)),
	)
	if ev.Route != "" {
		attrs = append(attrs, slog.String("route", ev.Route))
	}
	if ev.Status != 0 {
		attrs = append(attrs, slog.Int("status", ev.Status))
	}
	if ev.Passive {
		attrs = append(attrs, slog.Bool("passive", true))
	}
	for k, v := range ev.Details {
		attrs = append(attrs, slog.Any(k, v))
	}
	s.log.LogAttrs(ctx, level, "guard: "+ev.Type, attrs...)
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// parseLevel maps the reference's level names to slog levels.
func parseLevel(s string) (slog.Level, bool) {
	switch strings.ToUpper(s) {
	case "", "NONE":
		return 0, false
	case "DEBUG":
		return slog.LevelDebug, true
	case "INFO":
		return slog.LevelInfo, true
	case "WARNING", "WARN":
		return slog.LevelWarn, true
	default: // ERROR, CRITICAL
		return slog.LevelError, true
	}
}
