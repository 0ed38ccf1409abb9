package sinks

import (
	"context"
	"io"
	"sync"

	guard "github.com/guardgo/guard/core"
)

// JSONLines is a guard.Sink that writes each event as one line of JSON
// (EventJSON) to a writer, e.g. os.Stderr for a log collector. Writes are
// serialised; a slow writer slows the requests that emit events, so give it
// a local file or pipe, not a network connection. Write errors are counted,
// not returned.
type JSONLines struct {
	mu     sync.Mutex
	w      io.Writer
	errors uint64
}

var _ guard.Sink = (*JSONLines)(nil)

// NewJSONLines returns a JSONLines sink writing to w.
func NewJSONLines(w io.Writer) *JSONLines { return &JSONLines{w: w} }

// Emit implements guard.Sink.
func (j *JSONLines) Emit(_ context.Context, ev guard.Event) {
	line := append(marshalEvent(ev), '\n')
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.w.Write(line); err != nil {
		j.errors++
	}
}

// Errors returns the number of failed writes.
func (j *JSONLines) Errors() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.errors
}
