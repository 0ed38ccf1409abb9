// Package corpus reads labelled payload corpora in the JSON-lines format of the shared
// development corpus (one record per line: id, label, category, location, payload, …),
// for the tools that measure detection quality: detect-report and bench's side-by-side
// comparison.
package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Record is one labelled payload.
type Record struct {
	ID          string `json:"id"`
	Label       string `json:"label"` // "attack" or "benign"
	Category    string `json:"category"`
	Subcategory string `json:"subcategory"`
	Subset      string `json:"subset"`
	// Location is where the payload goes: query, body, header, cookie or path.
	Location string `json:"location"`
	Param    string `json:"param"`  // parameter name, when the source gives one
	Header   string `json:"header"` // header name for header and cookie records
	Path     string `json:"path"`   // request path a query belongs to
	Payload  string `json:"payload"`
	// Encoded payloads carry percent-escapes an application would decode once.
	Encoded       bool   `json:"encoded"`
	ContentType   string `json:"content_type"`
	ParanoiaLevel *int   `json:"paranoia_level"`
}

// Value is the payload as the application receives it: percent-decoded once, '+' as
// a space, when the record is encoded; as written otherwise.
func (r Record) Value() string {
	if r.Encoded {
		return FormDecode(r.Payload)
	}
	return r.Payload
}

// Load reads a JSON-lines file of records. Blank lines are skipped, and so are records
// whose paranoia_level is above 1 (they target rules an ordinary deployment does not
// run).
func Load(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if r.ParanoiaLevel != nil && *r.ParanoiaLevel > 1 {
			continue
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

// FormDecode percent-decodes s once with '+' as a space, keeping invalid escapes as
// written.
func FormDecode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func ishex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
