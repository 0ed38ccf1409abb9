package guard

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime/multipart"
	"slices"
	"unicode/utf8"
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

// multipartFieldsSet reports whether a multipart form (possibly a truncated
// prefix) has a non-empty value in one of fields. File parts are skipped.
func multipartFieldsSet(body []byte, boundary string, fields []string) bool {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if err != nil {
			return false // end, or the truncated tail of the prefix
		}
		name := part.FormName()
		if part.FileName() == "" && slices.Contains(fields, name) {
			var buf [1]byte
			n, _ := io.ReadFull(part, buf[:])
			if n > 0 {
				return true
			}
		}
	}
}

// looksBinary reports whether a body prefix is binary data rather than text:
// NUL bytes, or more than 10 % of the first 4 KiB being control bytes or
// invalid UTF-8.
func looksBinary(b []byte) bool {
	if len(b) > 4096 {
		b = b[:4096]
	}
	bad := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c == 0 {
			return true
		}
		if c < 0x80 {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
				bad++
			} else if c == 0x7f {
				bad++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			bad++
		}
		i += size
	}
	return bad*10 > len(b)
}
