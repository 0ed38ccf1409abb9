package detect

import "strings"

// Protocol anomalies are evidence in a value's raw bytes, or in a header's name, that
// normalisation would hide or that no pattern over text can express: a NUL byte,
// overlong UTF-8, IIS %u escapes of full-width forms, JavaScript \u escapes spelling
// ASCII letters, and request headers that only attacks send.

// anomalyWeight is the score of a protocol anomaly: a threat at the default threshold.
const anomalyWeight = 0.8

// anomaly is one finding: a pattern-like id, what it means, and where it starts.
type anomaly struct {
	id, desc string
	pos      int
}

// interesting marks the bytes rawAnomaly has to look at; everything else is skipped
// in one table lookup per byte.
var interesting = func() (t [256]bool) {
	t[0] = true
	t['%'] = true
	t['\\'] = true
	for b := 0xC0; b <= 0xFF; b++ {
		t[b] = true
	}
	return t
}()

const escapeDesc = `a \u00XX escape spelling an ASCII letter inside a word (\u0061lert: obfuscated identifiers)`

// rawAnomaly reports the first protocol anomaly in v, a value found in context cm.
// NUL bytes, overlong UTF-8 and %u escapes are looked for outside bodies (a body may
// be binary or a foreign encoding); escaped ASCII letters everywhere but JSON, whose
// parser has already decoded them.
func rawAnomaly(v string, cm ctxMask) (anomaly, bool) {
	notBody := cm&ctxBody == 0
	if cm&ctxJSONValue != 0 {
		return anomaly{}, false // decoded by the JSON parser; see ctxJSONValue
	}
	if !notBody {
		// Bodies are the long values: only escapes are looked for, found by a
		// vectorised byte search rather than the loop below.
		for off := 0; ; {
			j := strings.IndexByte(v[off:], '\\')
			if j < 0 {
				return anomaly{}, false
			}
			if escapedLetter(v, off+j) {
				return anomaly{"proto-unicode-escape-letter", escapeDesc, off + j}, true
			}
			off += j + 1
		}
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !interesting[c] {
			continue
		}
		switch {
		case c == 0:
			if notBody {
				return anomaly{"proto-nul-byte", "a NUL byte in a URL, header or cookie value (truncates strings in C-based back ends)", i}, true
			}
		case c == '%':
			if notBody && i+5 < len(v) && v[i+1]|0x20 == 'u' && v[i+2]|0x20 == 'f' && v[i+3]|0x20 == 'f' && ishexByte(v[i+4]) && ishexByte(v[i+5]) {
				return anomaly{"proto-iis-fullwidth", "an IIS %uFFxx escape of a full-width character (decoded to ASCII by some servers, past filters that do not)", i}, true
			}
		case c == '\\':
			if escapedLetter(v, i) {
				return anomaly{"proto-unicode-escape-letter", escapeDesc, i}, true
			}
		case c >= 0xC0:
			if notBody && overlong(v, i) {
				return anomaly{"proto-utf8-overlong", "an overlong or out-of-range UTF-8 sequence (%c0%af for '/': decoders that accept it see characters filters did not)", i}, true
			}
		}
	}
	return anomaly{}, false
}

func ishexByte(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f'
}

func isCont(c byte) bool { return c&0xC0 == 0x80 }

// overlong reports whether v[i:] starts an encoding no valid UTF-8 encoder produces
// and that a lax decoder turns into ASCII or beyond Unicode: C0/C1 leads (overlong
// two-byte forms), E0 80..9F and F0 80..8F (overlong three- and four-byte forms), and
// F5..F7 leads (beyond U+10FFFF), each followed by continuation bytes. A lone high byte
// is left alone: Latin-1 text (M\xfcnchen) is old but not an attack.
func overlong(v string, i int) bool {
	c := v[i]
	switch {
	case c == 0xC0 || c == 0xC1:
		return i+1 < len(v) && isCont(v[i+1])
	case c == 0xE0:
		return i+2 < len(v) && v[i+1] >= 0x80 && v[i+1] <= 0x9F && isCont(v[i+2])
	case c == 0xF0:
		return i+3 < len(v) && v[i+1] >= 0x80 && v[i+1] <= 0x8F && isCont(v[i+2]) && isCont(v[i+3])
	case c >= 0xF5 && c <= 0xF7:
		return i+3 < len(v) && isCont(v[i+1]) && isCont(v[i+2]) && isCont(v[i+3])
	}
	return false
}

// escapedLetter reports whether v[i:] is \u00XX for an ASCII letter with a letter
// right before or after it: a word spelled partly in escapes. Code that shows an
// escape ('\u0041', "\u00e9") has quotes or non-ASCII around it.
func escapedLetter(v string, i int) bool {
	if i+6 > len(v) || v[i+1]|0x20 != 'u' || v[i+2] != '0' || v[i+3] != '0' || !ishexByte(v[i+4]) || !ishexByte(v[i+5]) {
		return false
	}
	x := unhexByte(v[i+4])<<4 | unhexByte(v[i+5])
	if !isLetter(x) {
		return false
	}
	if i > 0 && v[i-1] == '\\' {
		return false // an escaped backslash: the text shows an escape, it is not one
	}
	before := i > 0 && isLetter(v[i-1])
	after := i+6 < len(v) && isLetter(v[i+6])
	return before || after
}

func unhexByte(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c|0x20 >= 'a' && c|0x20 <= 'f':
		return c | 0x20 - 'a' + 10
	}
	return 0
}

// headerAnomaly reports request headers that only attacks send, by name and, for
// Content-Range, by a value no client sends.
func headerAnomaly(name, value string) (anomaly, bool) {
	switch {
	case strings.EqualFold(name, "Request-Range"):
		return anomaly{"proto-request-range", "the obsolete Request-Range header (only range-exhaustion tools still send it)", 0}, true
	case strings.EqualFold(name, "Proxy"):
		return anomaly{"proto-httpoxy", "a Proxy request header (httpoxy: CGI turns it into HTTP_PROXY, the back end's outgoing proxy)", 0}, true
	case strings.EqualFold(name, "X-Middleware-Subrequest"):
		return anomaly{"proto-middleware-subrequest", "an X-Middleware-Subrequest header from outside (skips Next.js middleware, CVE-2025-29927)", 0}, true
	case strings.EqualFold(name, "Content-Range"):
		if !validContentRange(value) {
			return anomaly{"proto-content-range", "a request Content-Range that is not \"bytes first-last/length\"", 0}, true
		}
	}
	return anomaly{}, false
}

// validContentRange accepts the forms resumable uploads send: "bytes a-b/n",
// "bytes a-b/*" and "bytes */n".
func validContentRange(v string) bool {
	v = strings.TrimSpace(v)
	unit, rest, ok := strings.Cut(v, " ")
	if !ok || !strings.EqualFold(unit, "bytes") {
		return false
	}
	rng, length, ok := strings.Cut(strings.TrimSpace(rest), "/")
	if !ok || !(length == "*" || digits(length)) {
		return false
	}
	if rng == "*" {
		return length != "*"
	}
	a, b, ok := strings.Cut(rng, "-")
	return ok && digits(a) && digits(b)
}

func digits(s string) bool {
	if s == "" || len(s) > 19 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (d *Detector) countAnomaly(id string) {
	if st := d.statsFor(id); st != nil {
		st.executions.Add(1)
		st.matches.Add(1)
	}
}

// threat is the evidence of a in value v.
func (a anomaly) threat(v string) Threat {
	return Threat{
		Type: "protocol", Category: "protocol", Pattern: a.id,
		Match: excerpt(v, a.pos, min(len(v), a.pos+6)), Position: a.pos, Score: anomalyWeight,
	}
}

// anomalyResult is the Result of a header anomaly (a header's name decides it).
func (d *Detector) anomalyResult(a anomaly, v string) Result {
	d.countAnomaly(a.id)
	return Result{
		IsThreat:        anomalyWeight >= d.cfg.SemanticThreshold,
		ThreatScore:     anomalyWeight,
		Category:        "protocol",
		Threats:         []Threat{a.threat(v)},
		OriginalLength:  len(v),
		ProcessedLength: len(v),
	}
}

// codeChecks are the checks written as code rather than patterns (rawAnomaly,
// headerAnomaly, escapedAngle, versionedComment), listed in Stats with their category: counted, not timed.
var codeChecks = []struct{ id, category string }{
	{"proto-nul-byte", "protocol"}, {"proto-iis-fullwidth", "protocol"},
	{"proto-unicode-escape-letter", "protocol"}, {"proto-utf8-overlong", "protocol"},
	{"proto-request-range", "protocol"}, {"proto-httpoxy", "protocol"},
	{"proto-middleware-subrequest", "protocol"}, {"proto-content-range", "protocol"},
	{escapedAngleID, "xss"}, {versionedCommentID, "sqli"},
}
