package detect

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"
)

// Target is a whole request to Inspect. The engine builds it; Body is a bounded copy
// of the request body (possibly a prefix of a larger body), never the live reader, so
// the handler still receives the exact body.
type Target struct {
	Method, Path, RawQuery string
	Header                 http.Header
	// ContentType is the request's Content-Type header value (parameters allowed).
	ContentType string
	// Body is a bounded copy of the request body; it may be a prefix of a larger body.
	Body []byte
	// Exclude lists per-route exclusions.
	Exclude Exclusions
}

// Exclusions are names a route excludes from inspection.
type Exclusions struct {
	// Headers are header names (case-insensitive).
	Headers []string
	// Params are query (and form) parameter names, matched exactly.
	Params []string
	// BodyFields are form/multipart field names or JSON paths ("user.bio"), matched
	// exactly.
	BodyFields []string
}

// Inspect checks every part of a request — path, query keys and values, headers
// (minus the excluded ones), cookies one by one, and the body by content type — and
// returns at the first value that is a threat. When nothing is a threat the result
// carries the highest score seen. The per-value budget is Config.MaxContentLength;
// the total is Config.MaxRequestBytes, spent in the order path, query, headers,
// cookies, body: a body larger than what is left is scanned up to the budget, not
// skipped.
func (d *Detector) Inspect(ctx context.Context, t *Target) Result {
	start := time.Now()
	d.requests.Add(1)
	in := inspection{d: d, ctx: ctx, rs: d.rules.Load(), t: t, budget: d.cfg.MaxRequestBytes}
	in.s = d.scratch.Get().(*scratch)
	in.run()
	d.values.Add(in.s.values) // one shared-counter update per request, not per value
	in.s.values = 0
	d.scratch.Put(in.s)
	res := in.res
	if res.IsThreat {
		d.threats.Add(1)
	}
	res.Elapsed = time.Since(start)
	return res
}

type inspection struct {
	d      *Detector
	ctx    context.Context
	rs     *ruleset
	s      *scratch
	t      *Target
	budget int
	res    Result
	done   bool
	best   Result
	bestAt string
	// jsonAt is the path of the JSON value being checked, turned into its
	// location only when the value turns out to carry evidence (joining
	// paths for every clean value was most of a JSON body's allocations).
	jsonAt []string
}

func (in *inspection) run() {
	t := in.t
	if t.Path != "" {
		in.check(t.Path, ctxPath, "path", "")
	}
	if t.RawQuery != "" && !in.done {
		in.pairs(t.RawQuery, '&', ctxQuery, "query", "query-key", in.t.Exclude.Params)
	}
	if t.Header != nil && !in.done {
		in.headers()
	}
	if len(t.Body) > 0 && !in.done {
		in.body()
	}
	if !in.done {
		in.res.IsThreat = false
		in.res.ThreatScore = in.best.ThreatScore
		in.res.Category = in.best.Category
		in.res.Threats = in.best.Threats
		if in.best.ThreatScore > 0 {
			in.res.Context = in.bestAt
		}
	}
}

// check inspects one value; prefix and name form its location ("query" + "q" →
// "query:q"), built only when there is something to report.
func (in *inspection) check(v string, cm ctxMask, prefix, name string) {
	if in.done || v == "" {
		return
	}
	if in.budget <= 0 {
		return
	}
	if in.ctx.Err() != nil {
		in.done = true
		return
	}
	if len(v) > in.budget {
		v = v[:in.budget]
	}
	in.budget -= min(len(v), in.d.cfg.MaxContentLength)
	in.report(in.d.detectValue(in.ctx, in.s, in.rs, v, cm), prefix, name)
}

// report folds one value's result into the request's: a threat ends the inspection,
// weaker evidence is kept if it is the strongest so far.
func (in *inspection) report(r Result, prefix, name string) {
	in.res.OriginalLength += r.OriginalLength
	in.res.ProcessedLength += r.ProcessedLength
	if r.ThreatScore == 0 && len(r.Threats) == 0 {
		return
	}
	if name == "" && in.jsonAt != nil {
		name = jsonPath(in.jsonAt)
	}
	loc := prefix
	if name != "" {
		loc = prefix + ":" + name
	}
	setLocation(r.Threats, loc)
	if r.IsThreat {
		in.res.IsThreat = true
		in.res.ThreatScore = r.ThreatScore
		in.res.Category = r.Category
		in.res.Threats = r.Threats
		in.res.Context = loc
		in.done = true
		return
	}
	if r.ThreatScore > in.best.ThreatScore {
		in.best = r
		in.bestAt = loc
	}
}

// pairs walks "k=v&k2=v2" (query strings and form bodies).
func (in *inspection) pairs(raw string, sep byte, cm ctxMask, prefix, keyPrefix string, excluded []string) {
	for raw != "" && !in.done {
		var part string
		if i := strings.IndexByte(raw, sep); i >= 0 {
			part, raw = raw[:i], raw[i+1:]
		} else {
			part, raw = raw, ""
		}
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = formUnescape(k), formUnescape(v)
		if contains(excluded, k) {
			continue
		}
		in.check(k, cm, keyPrefix, "")
		in.check(v, fieldCtx(cm, k, v), prefix, k)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (in *inspection) headers() {
	for name, vals := range in.t.Header {
		if in.done {
			return
		}
		if name == "Cookie" {
			for _, v := range vals {
				in.cookies(v)
			}
			continue
		}
		if a, ok := headerAnomaly(name, firstOf(vals)); ok && !containsFold(in.t.Exclude.Headers, name) {
			in.report(in.d.anomalyResult(a, firstOf(vals)), "header", name)
			if in.done {
				return
			}
		}
		if containsFold(in.t.Exclude.Headers, name) {
			continue
		}
		if in.d.isExcluded(name) {
			if name == "Content-Type" && len(vals) > 0 && oddMediaType(vals[0]) {
				// Excluded as plumbing, but a Content-Type that is not a media type
				// is where Struts2 OGNL exploits travel (CVE-2017-5638).
				in.check(vals[0], ctxHeader, "header", name)
			}
			continue
		}
		cm := ctxHeader
		if name == "User-Agent" {
			cm = ctxUA
		}
		for _, v := range vals {
			in.check(v, cm, "header", name)
		}
	}
}

func (d *Detector) isExcluded(name string) bool {
	if d.excludedCanon[name] {
		return true
	}
	// Non-canonical keys (set directly into the map): fall back to a folded lookup.
	if textproto.CanonicalMIMEHeaderKey(name) != name {
		return d.excluded[strings.ToLower(name)]
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// cookies inspects each cookie value of one Cookie header ("a=b; c=d").
func (in *inspection) cookies(h string) {
	for h != "" && !in.done {
		var part string
		if i := strings.IndexByte(h, ';'); i >= 0 {
			part, h = h[:i], h[i+1:]
		} else {
			part, h = h, ""
		}
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if contains(in.t.Exclude.Params, k) {
			continue
		}
		v = strings.Trim(v, `"`)
		in.check(k, ctxCookie, "cookie-key", "")
		in.check(v, ctxCookie, "cookie", k)
	}
}

// oddMediaType reports a Content-Type value with bytes no media type needs (OGNL and
// expression syntax: %{…}, ${…}, #, @, parentheses, quotes other than around a
// parameter) or, when its bytes look ordinary, one that does not parse as a media
// type. Ordinary values are decided by the byte scan alone: no parsing, no
// allocation on the request path.
func oddMediaType(v string) bool {
	quoted := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("/+.-_;=, \t:", c) >= 0:
		case c == '"':
			quoted = true
		default:
			return true
		}
	}
	if !quoted {
		return false
	}
	_, _, err := mime.ParseMediaType(v)
	return err != nil
}

func firstOf(vals []string) string {
	if len(vals) == 0 {
		return ""
	}
	return vals[0]
}

// mediaType returns the lower-case media type of a Content-Type value without
// allocating in the common case.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	for i := 0; i < len(ct); i++ {
		if c := ct[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(ct)
		}
	}
	return ct
}

func (in *inspection) body() {
	body := in.t.Body
	if len(body) > in.budget {
		body = body[:max0(in.budget)]
	}
	s := unsafe.String(unsafe.SliceData(body), len(body)) // read-only view, no copy
	mt := mediaType(in.t.ContentType)
	switch {
	case mt == "application/x-www-form-urlencoded":
		in.pairs(s, '&', ctxBody, "body:form", "body:form-key", in.t.Exclude.BodyFields)
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		if !in.json(s) {
			in.text(s, "body:text")
		}
	case strings.HasPrefix(mt, "multipart/"):
		if !in.multipart() {
			in.text(s, "body:text")
		}
	case mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml"):
		in.xml(s)
	case mt == "":
		// No declared type: parse what it looks like. An XML document (it opens
		// with its declaration) as XML, a JSON document as JSON; a single-line k=v
		// body as a form (what clients that omit the header send); anything else as
		// text.
		switch t := strings.TrimSpace(s); {
		case strings.HasPrefix(t, "<?xml"):
			in.xml(s) // an XML declaration says what it is
		case strings.HasPrefix(t, "{") || strings.HasPrefix(t, "["):
			if !in.json(s) {
				in.text(s, "body:text")
			}
		case strings.IndexByte(s, '=') > 0 && strings.IndexByte(s, '\n') < 0:
			in.pairs(s, '&', ctxBody, "body:form", "body:form-key", in.t.Exclude.BodyFields)
			if !in.done {
				in.text(s, "body:text")
			}
		default:
			in.text(s, "body:text")
		}
	default:
		in.text(s, "body:text")
	}
}

// xml inspects an XML document: the raw text for declarations (DOCTYPE, ENTITY,
// XInclude, processing instructions) and markup the patterns know, then every
// attribute value and text node (CDATA included) as a value of its own, located by
// element path. A document that stops parsing keeps what was read so far; the raw
// pass has seen all of it.
func (in *inspection) xml(s string) {
	in.textCtx(s, ctxBody|ctxRawXML, "body:xml")
	dec := xml.NewDecoder(strings.NewReader(s))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	var path []string
	for !in.done {
		tok, err := dec.RawToken()
		if err != nil {
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(path) < maxJSONDepth {
				path = append(path, t.Name.Local)
			}
			for _, a := range t.Attr {
				in.check(a.Value, fieldCtx(ctxBody, a.Name.Local, a.Value), "body:xml", strings.Join(path, ".")+"@"+a.Name.Local)
			}
		case xml.EndElement:
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
		case xml.CharData:
			if v := strings.TrimSpace(string(t)); v != "" {
				el := ""
				if len(path) > 0 {
					el = path[len(path)-1]
				}
				in.check(v, fieldCtx(ctxBody, el, v), "body:xml", strings.Join(path, "."))
			}
		}
	}
}

// text inspects a body as text in windows of MaxContentLength bytes that overlap by a
// little, so an attack straddling two windows is still seen whole in one.
func (in *inspection) text(s, prefix string) { in.textCtx(s, ctxBody, prefix) }

// textCtx is text with the context bits to inspect the windows in.
func (in *inspection) textCtx(s string, cm ctxMask, prefix string) {
	win := in.d.cfg.MaxContentLength
	const overlap = 256
	for off := 0; off < len(s) && !in.done && in.budget > 0; {
		end := min(len(s), off+win)
		if w := s[off:end]; looksBinaryText(w) {
			// Noise (an image, an archive, random bytes) read as text only yields
			// accidental matches; an attack is printable, so inspect the printable
			// runs long enough to carry one.
			if p := printableRuns(w); p != "" {
				in.check(p, cm, prefix, "")
			}
		} else {
			in.check(w, cm, prefix, "")
		}
		if end == len(s) {
			break
		}
		off = max(off+1, end-overlap)
	}
}

func (in *inspection) multipart() bool {
	_, params, err := mime.ParseMediaType(in.t.ContentType)
	if err != nil || params["boundary"] == "" {
		return false
	}
	mr := multipart.NewReader(bytes.NewReader(in.t.Body[:min(len(in.t.Body), max0(in.budget))]), params["boundary"])
	any := false
	buf := make([]byte, in.d.cfg.MaxContentLength)
	for !in.done {
		p, err := mr.NextRawPart()
		if err != nil {
			break
		}
		any = true
		// p.FileName() strips directories (filepath.Base); the raw name is what an
		// attacker controls and what a careless handler uses, so read it from the header.
		name, file := p.FormName(), ""
		cd := p.Header.Get("Content-Disposition")
		if _, dp, err := mime.ParseMediaType(cd); err == nil {
			file = dp["filename"]
		}
		if contains(in.t.Exclude.BodyFields, name) {
			continue
		}
		if strings.ContainsAny(name, ";=\\") || strings.ContainsAny(file, ";=") {
			// Names that parsers split differently (a;b, a=b, a\b): show the part
			// header itself to the protocol patterns.
			in.check("Content-Disposition: "+cd, ctxBody, "body:multipart-header", name)
		}
		if ct := p.Header.Get("Content-Type"); ct != "" && strings.Contains(strings.ToLower(ct), "charset") {
			// A charset on a part: shown to the protocol patterns, which know the
			// ones used to hide text from inspection.
			in.check("Content-Type: "+ct, ctxBody, "body:multipart-header", name)
		}
		in.check(name, ctxBody, "body:multipart-name", "")
		if file != "" {
			in.check(file, ctxBody, "body:multipart-filename", name)
			continue // file contents are not inspected
		}
		n, _ := io.ReadFull(p, buf)
		v := string(buf[:n])
		in.check(v, fieldCtx(ctxBody, name, v), "body:multipart", name)
	}
	return any
}

// maxJSONDepth bounds the nesting walked as JSON; deeper content is inspected as text.
const maxJSONDepth = 64

// json walks a JSON document and inspects every string value and every key, with the
// dotted path as location. It reports false when the document is not JSON so that the
// caller can fall back to text.
func (in *inspection) json(s string) bool {
	js := jsonScanner{s: s}
	ws := func() {
		for js.i < len(js.s) {
			switch js.s[js.i] {
			case ' ', '\t', '\n', '\r':
				js.i++
			default:
				return
			}
		}
	}
	ws()
	if js.i >= len(s) || (s[js.i] != '{' && s[js.i] != '[' && s[js.i] != '"') {
		return false
	}
	var path []string
	var idx []int
	var inObj []bool
	expectKey := false
	for js.i < len(s) && !in.done {
		ws()
		if js.i >= len(s) {
			break
		}
		c := s[js.i]
		switch {
		case (c == '{' || c == '[') && len(path) >= maxJSONDepth:
			// Pathologically deep nesting: inspect the rest as text rather than build
			// ever longer paths (quadratic) for it.
			in.text(s[js.i:], "body:json")
			return true
		case c == '{':
			js.i++
			path = append(path, "")
			idx = append(idx, 0)
			inObj = append(inObj, true)
			expectKey = true
		case c == '[':
			js.i++
			path = append(path, "0")
			idx = append(idx, 0)
			inObj = append(inObj, false)
			expectKey = false
		case c == '}' || c == ']':
			js.i++
			if n := len(path); n > 0 {
				path, idx, inObj = path[:n-1], idx[:n-1], inObj[:n-1]
			}
			expectKey = false
		case c == ',':
			js.i++
			if n := len(inObj); n > 0 {
				if inObj[n-1] {
					expectKey = true
				} else {
					idx[n-1]++
					path[n-1] = strconv.Itoa(idx[n-1])
				}
			}
		case c == ':':
			js.i++
			expectKey = false
		case c == '"':
			str, ok := js.str()
			if !ok {
				return js.i > 0
			}
			if expectKey && len(path) > 0 {
				path[len(path)-1] = str
				if !contains(in.t.Exclude.BodyFields, str) {
					key := str
					if len(key) > 1 && key[0] == '$' {
						// An operator as an object key is the NoSQL injection shape;
						// show it to the patterns as such.
						key = `{"` + key + `":`
					}
					in.check(key, ctxBody, "body:json-key", "")
					if n := len(path); n >= 2 && str == "prototype" && path[n-2] == "constructor" {
						// {"constructor":{"prototype":…}} reaches Object.prototype. (Spelt
						// with brackets: "constructor.prototype" would pass as a plain token.)
						in.check(`constructor["prototype"]`, ctxBody, "body:json-key", "")
					}
				}
				continue
			}
			if len(in.t.Exclude.BodyFields) > 0 && contains(in.t.Exclude.BodyFields, jsonPath(path)) {
				continue
			}
			cm := ctxBody | ctxJSONValue
			if mayBeHost(str) {
				cm = fieldCtx(cm, jsonField(path), str)
			}
			in.jsonAt = path
			in.check(str, cm, "body:json", "")
			in.jsonAt = nil
		default:
			// number, true, false, null: skip the literal
			j := js.i
			for j < len(s) && !strings.ContainsRune(",}] \t\r\n", rune(s[j])) {
				j++
			}
			if j == js.i {
				return false
			}
			js.i = j
		}
	}
	return true
}

func jsonPath(p []string) string {
	switch len(p) {
	case 0:
		return ""
	case 1:
		return p[0]
	}
	return strings.Join(p, ".")
}

type jsonScanner struct {
	s string
	i int
}

// str reads a JSON string at s[i] (the opening quote). Strings without escapes are
// returned as substrings (no copy).
func (js *jsonScanner) str() (string, bool) {
	s := js.s
	start := js.i + 1
	j := start
	for j < len(s) && s[j] != '"' && s[j] != '\\' {
		j++
	}
	if j < len(s) && s[j] == '"' {
		js.i = j + 1
		return s[start:j], true
	}
	var b strings.Builder
	b.WriteString(s[start:j])
	for j < len(s) {
		c := s[j]
		switch {
		case c == '"':
			js.i = j + 1
			return b.String(), true
		case c == '\\' && j+1 < len(s):
			e := s[j+1]
			j += 2
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'u':
				if j+4 <= len(s) {
					if r, err := strconv.ParseUint(s[j:j+4], 16, 32); err == nil {
						b.WriteRune(rune(r))
						j += 4
						continue
					}
				}
				b.WriteString(`\u`)
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
			j++
		}
	}
	js.i = len(s)
	return b.String(), false
}

// formUnescape decodes a form/query component ('+' is a space). Invalid escapes are
// kept literally. Without '%' or '+' the input is returned as is.
func formUnescape(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s):
			h, ok1 := unhex(s[i+1])
			l, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b = append(b, h<<4|l)
				i += 2
				continue
			}
			b = append(b, c)
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// fieldCtx widens a body field's context to that of a query parameter when the field's
// name says it holds a URL the server fetches or redirects to (url, callback, next,
// webhook, …): there an internal address is server-side request forgery, while the same
// URL elsewhere in a body is data (a dev tool's links, a README).
func fieldCtx(cm ctxMask, name, value string) ctxMask {
	if cm&ctxQuery == 0 && mayBeHost(value) && urlField(name) {
		return cm | ctxQuery
	}
	return cm
}

// mayBeHost reports whether a value could name a host at all (a scheme or path
// separator, or a bare host name): the field-name check is skipped for the rest.
func mayBeHost(v string) bool {
	return strings.IndexByte(v, ':') >= 0 || strings.IndexByte(v, '/') >= 0 || strings.IndexByte(v, '.') >= 0 ||
		len(v) >= 9 && strings.EqualFold(v[:9], "localhost")
}

// urlField reports whether a field name, split into words at non-letters and
// lower-to-upper case changes ("redirect_uri", "callbackURL", "imageUrl"), contains a
// word that marks a URL-valued parameter (url, uri, href, src, redirect, callback, next,
// dest, destination, target, feed, host, hostname, endpoint, webhook, proxy, fetch,
// continue, goto, forward, return, returnto, image, avatar). It runs for every JSON and
// form value, so it neither allocates nor loops over the word list.
func urlField(name string) bool {
	for i := 0; i < len(name); {
		for i < len(name) && !asciiLetter(name[i]) {
			i++
		}
		j := i
		for j < len(name) && asciiLetter(name[j]) {
			if j > i && isUpper(name[j]) && !isUpper(name[j-1]) {
				break
			}
			j++
		}
		if j > i && isURLWord(name[i:j]) {
			return true
		}
		if j == i {
			j++
		}
		i = j
	}
	return false
}

func asciiLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func isURLWord(w string) bool {
	if len(w) < 3 || len(w) > 11 {
		return false
	}
	var buf [11]byte
	for i := 0; i < len(w); i++ {
		buf[i] = w[i] | 0x20 // w is ASCII letters only
	}
	switch string(buf[:len(w)]) {
	case "url", "uri", "href", "src", "redirect", "callback", "next", "dest", "destination",
		"target", "feed", "host", "hostname", "endpoint", "webhook", "proxy", "fetch",
		"continue", "goto", "forward", "return", "returnto", "image", "avatar":
		return true
	}
	return false
}

// jsonField is the name of the object member a JSON value belongs to: the innermost
// path element that is not an array index ("links" for links.0).
func jsonField(path []string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if p := path[i]; p != "" && (p[0] < '0' || p[0] > '9') {
			return p
		}
	}
	return ""
}

// looksBinaryText reports whether a text window is mostly not text: more than one byte
// in ten is a control byte (other than tab, CR, LF) or part of invalid UTF-8.
func looksBinaryText(s string) bool {
	if len(s) < 64 {
		return false
	}
	bad := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
				bad++
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			bad++
		}
		i += n
	}
	return bad*10 > len(s)
}

// minPrintableRun is the shortest printable run printableRuns keeps: random bytes
// rarely produce one this long (about once per 10 MB), attack payloads nearly always
// are.
const minPrintableRun = 16

// printableRuns returns the runs of at least minPrintableRun printable ASCII bytes of
// s (tab, CR and LF included), joined by newlines: what strings(1) would show.
func printableRuns(s string) string {
	var b []byte
	start := -1
	flush := func(end int) {
		if start >= 0 && end-start >= minPrintableRun {
			if len(b) > 0 {
				b = append(b, '\n')
			}
			b = append(b, s[start:end]...)
		}
		start = -1
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f || c == '\t' || c == '\n' || c == '\r' {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
	return string(b)
}
