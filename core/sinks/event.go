package sinks

import (
	"encoding/json"
	"fmt"
	"time"

	guard "github.com/guardgo/guard/core"
)

// EventJSON is the wire form of a guard.Event, shared by every sink in this
// package. Field names are stable: receivers may rely on them.
type EventJSON struct {
	Time     time.Time      `json:"time"`
	Type     string         `json:"type"`
	ClientIP string         `json:"client_ip"`
	Method   string         `json:"method"`
	Path     string         `json:"path"`
	Route    string         `json:"route,omitempty"`
	Check    string         `json:"check"`
	Reason   string         `json:"reason"`
	Status   int            `json:"status,omitempty"`
	Passive  bool           `json:"passive"`
	Severity string         `json:"severity"`
	Details  map[string]any `json:"details,omitempty"`
}

// ToJSON converts ev to its wire form. An invalid client address becomes "".
func ToJSON(ev guard.Event) EventJSON {
	ip := ""
	if ev.Client.IsValid() {
		ip = ev.Client.String()
	}
	return EventJSON{
		Time:     ev.Time.UTC(),
		Type:     ev.Type,
		ClientIP: ip,
		Method:   ev.Method,
		Path:     ev.Path,
		Route:    ev.Route,
		Check:    ev.Check,
		Reason:   string(ev.Reason),
		Status:   ev.Status,
		Passive:  ev.Passive,
		Severity: ev.Severity.String(),
		Details:  ev.Details,
	}
}

// marshalEvent encodes one event. Details that cannot be encoded as JSON
// (a channel, a function, a NaN) are replaced by their fmt rendering, so one
// bad detail never loses the event or its batch.
func marshalEvent(ev guard.Event) []byte {
	j := ToJSON(ev)
	b, err := json.Marshal(j)
	if err == nil {
		return b
	}
	safe := make(map[string]any, len(j.Details))
	for k, v := range j.Details {
		if _, err := json.Marshal(v); err != nil {
			safe[k] = fmt.Sprint(v)
			continue
		}
		safe[k] = v
	}
	j.Details = safe
	b, err = json.Marshal(j)
	if err != nil {
		// Unreachable: every remaining field is a plain value.
		j.Details = nil
		b, _ = json.Marshal(j)
	}
	return b
}
