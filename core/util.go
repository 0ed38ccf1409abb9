package guard

import (
	"encoding/json"
	"errors"
	"log/slog"
)

var errBadNumber = errors.New("bad number")

const (
	warnLevel  = slog.LevelWarn
	errorLevel = slog.LevelError
)

func slogStr(k, v string) slog.Attr { return slog.String(k, v) }
func slogErr(err error) slog.Attr   { return slog.String("error", err.Error()) }

// jsonFieldsSet reports whether a top-level JSON object has a non-empty value
// under one of fields.
func jsonFieldsSet(body []byte, fields []string) bool {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return false
	}
	for _, f := range fields {
		v, ok := m[f]
		if !ok || v == nil {
			continue
		}
		if s, isStr := v.(string); isStr && s == "" {
			continue
		}
		return true
	}
	return false
}

func slogInt(k string, v int) slog.Attr { return slog.Int(k, v) }
