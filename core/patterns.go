package guard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/guardgo/guard/core/detect"
)

// PatternAdmin is implemented by detectors that accept custom patterns at
// run time (the default detector does).
type PatternAdmin interface {
	AddPattern(p detect.Pattern) error
	RemovePattern(id string) bool
	Patterns() []detect.Pattern
}

// ErrNoPatternAdmin is returned by the pattern calls when detection is off or
// the configured detector does not take custom patterns.
var ErrNoPatternAdmin = errors.New("guard: the detector does not accept custom patterns")

func (e *Engine) patternAdmin() (PatternAdmin, error) {
	if pa, ok := e.detector.(PatternAdmin); ok {
		return pa, nil
	}
	return nil, ErrNoPatternAdmin
}

// AddPattern validates a custom detection pattern, adds it to the running
// detector and persists it in the store (shared through Redis when enabled),
// so engines started later load it too. A bad regular expression is an
// error, never a crash.
func (e *Engine) AddPattern(ctx context.Context, p detect.Pattern) error {
	pa, err := e.patternAdmin()
	if err != nil {
		return err
	}
	if err := pa.AddPattern(p); err != nil {
		return err
	}
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if err := e.store.PutPattern(ctx, p.ID, data); err != nil {
		pa.RemovePattern(p.ID)
		return fmt.Errorf("guard: persisting pattern %q: %w", p.ID, err)
	}
	return nil
}

// RemovePattern removes a custom pattern from the detector and the store.
// It reports whether the detector had it.
func (e *Engine) RemovePattern(ctx context.Context, id string) (bool, error) {
	pa, err := e.patternAdmin()
	if err != nil {
		return false, err
	}
	had := pa.RemovePattern(id)
	if err := e.store.DeletePattern(ctx, id); err != nil {
		return had, fmt.Errorf("guard: deleting pattern %q: %w", id, err)
	}
	return had, nil
}

// CustomPatterns lists the custom patterns of the running detector.
func (e *Engine) CustomPatterns() ([]detect.Pattern, error) {
	pa, err := e.patternAdmin()
	if err != nil {
		return nil, err
	}
	return pa.Patterns(), nil
}

// loadPatterns adds the custom patterns persisted in the store to the
// detector. A stored pattern that no longer validates is logged and skipped:
// it must not stop the engine from starting.
func (e *Engine) loadPatterns() {
	pa, err := e.patternAdmin()
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stored, err := e.store.Patterns(ctx)
	if err != nil {
		e.log.LogAttrs(ctx, warnLevel, "guard: loading custom patterns", slogErr(err))
		return
	}
	for id, data := range stored {
		var p detect.Pattern
		if err := json.Unmarshal(data, &p); err == nil {
			err = pa.AddPattern(p)
		}
		if err != nil {
			e.log.LogAttrs(ctx, warnLevel, "guard: skipping stored custom pattern", slogStr("id", id), slogErr(err))
		}
	}
}
