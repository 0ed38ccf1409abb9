package detect

import "strings"

// Vetoes are post-conditions RE2 cannot express (it has no look-arounds): a pattern
// that matched is dropped when its veto recognises the matched construct as one of the
// harmless standard forms of the same syntax. Keep them few and specific; a veto is
// code a rule author must know about.
var vetoes = map[string]func(norm string, loc []int, cm ctxMask) bool{
	"xxe-doctype-external":    standardDoctype,
	"xxe-entity-decl":         inertDTD,
	"xss-script-tag":          dataScriptsOnly,
	"xss-js-url":              voidURL,
	"sf-unix-path-whole":      jsonMember,
	"pt-absolute-unix":        jsonMember,
	"cmdi-bin-path":           jsonShellPath,
	"pt-traversal-start":      anyOf(jsonShortClimb, climbToDocument),
	"pt-filter-bypass":        climbToDocument,
	"pt-deep-traversal":       climbToDocument,
	"pt-dot-slash-run":        climbToDocument,
	"ssrf-raw-scheme":         tlsLDAP,
	"sqli-quote-boolean":      contractionQuote,
	"sf-windows-system":       anyOf(sentenceAfterValueStart, jsonMember),
	"ldap-compound-filter":    jsonMember,
	"pt-windows-server-path":  jsonMember,
	"ci-php-ini":              iniSwitchedOff,
	"ssti-dangerous-tags":     mustacheDelimiters,
	"sf-app-secrets":          sentenceAfterValueStart,
	"cmdi-substitution":       scriptSubstitution,
	"ci-log4shell":            elidedLookup,
	"ci-php-open-tag-start":   phpEscapedOutput,
	"fi-php-wrapper":          readsRequestBody,
	"ci-php-function":         readsRequestBody,
	"ssrf-internal-url":       mediaStream,
	"xss-tag-event-handler":   elidedHandlers,
	"xss-attr-breakout-event": elidedHandlers,
}

// elidedHandlers reports a match whose event handlers all have an ellipsis for a
// value (<a href="..." onclick="...">): documentation naming an attribute, with no
// code in it.
func elidedHandlers(norm string, loc []int, _ ctxMask) bool {
	m := norm[loc[0]:]
	if end := strings.IndexByte(m, '>'); end >= 0 {
		m = m[:end]
	}
	found := false
	for off := 0; ; {
		i := indexHandler(m[off:])
		if i < 0 {
			return found
		}
		off += i
		eq := strings.IndexByte(m[off:], '=')
		v := strings.TrimLeft(m[off+eq+1:], " ")
		if v == "" || v[0] != '"' && v[0] != '\'' {
			return false
		}
		end := strings.IndexByte(v[1:], v[0])
		if end < 0 {
			return false
		}
		if body := strings.TrimSpace(v[1 : 1+end]); body != "..." && body != "\u2026" {
			return false
		}
		found = true
		off += eq + 1
	}
}

// indexHandler returns the index of the next " on…=" attribute name in s, or -1.
func indexHandler(s string) int {
	for i := 0; i+3 < len(s); i++ {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '"' || s[i] == '\'') && (s[i+1] == 'o' || s[i+1] == 'O') && (s[i+2] == 'n' || s[i+2] == 'N') {
			j := i + 3
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			if j-i-3 >= 3 {
				k := j
				for k < len(s) && s[k] == ' ' {
					k++
				}
				if k < len(s) && s[k] == '=' {
					return i + 1
				}
			}
		}
	}
	return -1
}

// asciiLower lower-cases ASCII letters only, so that offsets found in the result are
// offsets in the input (strings.ToLower changes byte lengths for some runes and for
// invalid UTF-8).
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// mediaStream reports a stream URL (rtsp://192.168.1.50:554/live): cameras, encoders
// and players name private addresses in their configuration, and no server-side
// HTTP fetcher speaks these schemes.
func mediaStream(norm string, loc []int, _ ctxMask) bool {
	m := asciiLower(norm[loc[0]:loc[1]])
	for _, scheme := range []string{"rtsp://", "rtsps://", "rtmp://", "rtmps://", "mms://", "srt://"} {
		if strings.HasPrefix(m, scheme) {
			return true
		}
	}
	return false
}

// readsRequestBody reports php://input read by file_get_contents or fopen: how every
// PHP endpoint reads a JSON body. Included, or any other wrapper, it stands.
func readsRequestBody(norm string, loc []int, _ ctxMask) bool {
	m := asciiLower(norm[loc[0]:min(len(norm), loc[1]+24)])
	i := strings.Index(m, "php://")
	if i < 0 || !strings.HasPrefix(m[i:], "php://input") {
		return false
	}
	for _, run := range []string{"include", "require", "eval", "assert", "exec", "system", "passthru", "popen", "shell", "unserialize", "create_function", "call_user_func"} {
		if strings.Contains(m[:i], run) {
			return false // the body is run, not read
		}
	}
	before := asciiLower(norm[max(0, loc[0]+i-24) : loc[0]+i])
	before = strings.TrimRight(before, " '\"")
	return strings.HasSuffix(before, "file_get_contents(") || strings.HasSuffix(before, "fopen(")
}

// safeOutputFuncs escape or format what a template prints.
var safeOutputFuncs = []string{
	"htmlspecialchars(", "htmlentities(", "esc_html(", "esc_attr(", "esc_url(", "e(",
	"number_format(", "json_encode(", "nl2br(", "urlencode(", "rawurlencode(", "__(", "_e(",
	"date(", "strip_tags(", "intval(", "sprintf(",
}

// phpEscapedOutput reports a value that opens with PHP echoing an escaping or
// formatting function (<?php echo htmlspecialchars($title, ENT_QUOTES) ?>): a
// template line in a code field. A dangerous call after the tag is ci-php-open-tag's,
// which stands.
func phpEscapedOutput(norm string, loc []int, _ ctxMask) bool {
	m := asciiLower(norm[loc[0]:min(len(norm), loc[0]+120)])
	i := strings.Index(m, "<?")
	if i < 0 {
		return false
	}
	m = m[i+2:]
	switch {
	case strings.HasPrefix(m, "php"):
		m = m[3:]
	case strings.HasPrefix(m, "="):
		m = "echo " + m[1:]
	}
	m = strings.TrimLeft(m, " \t\r\n")
	for _, kw := range []string{"echo", "print"} {
		if strings.HasPrefix(m, kw) {
			m = strings.TrimLeft(m[len(kw):], " \t(")
			break
		}
	}
	for _, f := range safeOutputFuncs {
		if strings.HasPrefix(m, f) {
			return true
		}
	}
	return false
}

// scriptSubstitution reports a command substitution of date with a format or of
// pwd ($(date +%F), "$(pwd)"): what scripts and crontabs name files with, and no
// probe's command (those run id, whoami, sleep, a fetcher).
func scriptSubstitution(norm string, loc []int, _ ctxMask) bool {
	m := norm[loc[0]:loc[1]]
	i := strings.Index(m, "$(")
	if i < 0 {
		return false
	}
	rest := strings.TrimLeft(norm[loc[0]+i+2:], " ")
	end := strings.IndexByte(rest, ')')
	if end < 0 {
		return false
	}
	inner := strings.TrimSpace(rest[:end])
	switch {
	case strings.EqualFold(inner, "pwd"), strings.EqualFold(inner, "date"):
		return true
	case len(inner) > 5 && strings.EqualFold(inner[:5], "date "):
		// Options and a format only: no separator, substitution or redirection.
		return !strings.ContainsAny(inner, ";|&$`<>")
	}
	return false
}

// elidedLookup reports a JNDI lookup written with an ellipsis (${jndi:...}), as
// advisories and posts name the Log4Shell pattern without a host to look up.
func elidedLookup(norm string, loc []int, _ ctxMask) bool {
	m := asciiLower(norm[loc[0]:])
	i := strings.Index(m, "jndi")
	if i < 0 || i > 8 {
		return false
	}
	rest := strings.TrimLeft(m[i+4:], " ")
	if !strings.HasPrefix(rest, ":") {
		return false
	}
	rest = strings.TrimLeft(rest[1:], " ")
	return strings.HasPrefix(rest, "...}") || strings.HasPrefix(rest, "…}")
}

// sentenceAfterValueStart reports a match at the start of the value that the value
// goes on from in words ("boot.ini missing windows xp"): a search about the file, not a
// request for it. A match after a separator, a climb or a scheme is not concerned.
func sentenceAfterValueStart(norm string, loc []int, _ ctxMask) bool {
	if strings.TrimSpace(norm[:loc[0]]) != "" {
		return false
	}
	rest := norm[loc[1]:]
	if len(rest) < 2 || rest[0] != ' ' {
		return false
	}
	rest = strings.TrimLeft(rest, " ")
	return rest != "" && isLetter(rest[0])
}

// mustacheDelimiters reports Mustache's set-delimiter tag ({{=<% %>=}}), which the
// "{{=" of doT-style evaluation tags would otherwise take for code.
func mustacheDelimiters(norm string, loc []int, _ ctxMask) bool {
	m := norm[loc[0]:]
	if !strings.HasPrefix(m, "{{=") {
		return false
	}
	end := strings.Index(m, "=}}")
	if end < 3 || end > 16 {
		return false
	}
	return len(strings.Fields(m[3:end])) == 2
}

// anyOf vetoes a match when any of fs does.
func anyOf(fs ...func(string, []int, ctxMask) bool) func(string, []int, ctxMask) bool {
	return func(norm string, loc []int, cm ctxMask) bool {
		for _, f := range fs {
			if f(norm, loc, cm) {
				return true
			}
		}
		return false
	}
}

// iniSwitchedOff reports a php.ini directive set to Off, 0, false or no
// (allow_url_fopen = Off): hardening, which is what configuration excerpts show;
// switching a dangerous option on, or clearing disable_functions, stands.
func iniSwitchedOff(norm string, loc []int, _ ctxMask) bool {
	rest := strings.TrimLeft(norm[loc[1]:], " \t\"'")
	end := strings.IndexAny(rest, " \t\r\n;\"'")
	if end < 0 {
		end = len(rest)
	}
	switch asciiLower(rest[:end]) {
	case "off", "0", "false", "no":
		return true
	}
	return false
}

// jsonMember reports a match in a member of a JSON document. Infrastructure APIs
// (Kubernetes manifests, CI and backup jobs, directory settings) carry server paths
// and complete LDAP filters as data ("mountPath": "/etc/billing", "user_filter":
// "(&(objectClass=user)(…))"); a path that names a secret file, a climb or a filter
// fragment that breaks out is still found by the other patterns.
func jsonMember(_ string, _ []int, cm ctxMask) bool { return cm&ctxJSONValue != 0 }

// jsonShellPath reports a JSON member that is a shell's path and nothing else: the
// first element of a command array (["/bin/sh", "-c", "pg_dump …"]).
func jsonShellPath(norm string, loc []int, cm ctxMask) bool {
	return cm&ctxJSONValue != 0 && strings.TrimSpace(norm[:loc[0]]) == "" && strings.TrimSpace(norm[loc[1]:]) == ""
}

// jsonShortClimb reports a JSON member that climbs one or two directories at its
// start: the relative paths of file lists, tsconfig "extends" and build settings
// ("../shared-config/checkstyle.xml"). Deeper climbs stand.
func jsonShortClimb(norm string, _ []int, cm ctxMask) bool {
	if cm&ctxJSONValue == 0 {
		return false
	}
	v := strings.TrimLeft(norm, " ")
	n := 0
	for strings.HasPrefix(v, "../") || strings.HasPrefix(v, `..\`) {
		v = v[3:]
		n++
	}
	return n > 0 && n <= 2
}

// documentExts are what relative links and includes in documentation and code reach:
// pages, stylesheets, images, fonts, prose sources.
var documentExts = []string{
	".md", ".rst", ".txt", ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico",
	".woff", ".woff2", ".html", ".htm",
}

// climbToDocument reports a climb (../../assets/style.css, url=../../cli/pip_show/,
// include:: ../../../CONTRIBUTING.rst) whose target is a document, a web asset or a
// named directory: a relative link, not a file read. Climbs to nothing in particular
// (../../../../), to system or config files, or through encodings are left to the
// patterns (and a climb to /etc/passwd is sensitive_file's anyway).
func climbToDocument(norm string, loc []int, _ ctxMask) bool {
	i := strings.Index(norm[loc[0]:], "..")
	if i < 0 {
		return false
	}
	p := norm[loc[0]+i:]
	for strings.HasPrefix(p, "../") {
		p = p[3:]
	}
	if p == "" || strings.HasPrefix(p, ".") || strings.HasPrefix(p, "/") {
		return false
	}
	end := strings.IndexAny(p, " \t\r\n\"'`)>,;?#")
	if end < 0 {
		end = len(p)
	}
	target := asciiLower(p[:end])
	if strings.Contains(target, "%") || strings.Contains(target, "\\") || strings.Contains(target, "..") {
		return false
	}
	if strings.HasSuffix(target, "/") {
		// A named directory (cli/pip_show/), not a system one.
		first, _, _ := strings.Cut(target, "/")
		switch first {
		case "", "etc", "proc", "var", "usr", "root", "home", "windows", "winnt", "boot", "sys", "dev", "tmp", "bin", "sbin", "opt", "srv", "web-inf", "meta-inf", "app", "config":
			return false
		}
		return true
	}
	for _, ext := range documentExts {
		if strings.HasSuffix(target, ext) {
			return true
		}
	}
	return false
}

// tlsLDAP reports an ldaps:// URL: directory settings name their server that way, and
// TLS leaves no room for the raw bytes a gopher:// or dict:// request smuggles.
func tlsLDAP(norm string, loc []int, _ ctxMask) bool {
	return strings.Contains(asciiLower(norm[loc[0]:loc[1]]), "ldaps://")
}

// evidenceAt gives, for patterns anchored at the value's start only to count quotes,
// where their evidence really is: the break-out quote. Prose discounting
// (dampQuoted) and excerpts use it.
var evidenceAt = map[string]func(norm string, loc []int) int{
	"sqli-quote-boolean":      breakoutQuote,
	"sqli-quote-boolean-weak": breakoutQuote,
}

// breakoutQuote returns the position of the first quote in the match that a boolean
// operator follows, or the match's start when there is none.
func breakoutQuote(norm string, loc []int) int {
	if i := findBreakout(norm, loc); i >= 0 {
		return i
	}
	return loc[0]
}

// findBreakout returns the position of the first quote in the match that a boolean
// operator follows, or -1.
func findBreakout(norm string, loc []int) int {
	for i := loc[0]; i < loc[1]; i++ {
		if norm[i] == '\'' || norm[i] == '"' {
			r := strings.TrimLeft(norm[i+1:loc[1]], " )(")
			for _, op := range []string{"or", "and", "xor", "||", "&&", "div"} {
				if len(r) >= len(op) && strings.EqualFold(r[:len(op)], op) {
					return i
				}
			}
		}
	}
	return -1
}

// contractionQuote reports a quote-boolean match whose quote is unpaired only because
// apostrophes inside words (doesn't, I'm) were counted: with them left out, the quotes
// before the operator pair up, so nothing is broken out of.
func contractionQuote(norm string, loc []int, _ ctxMask) bool {
	// The quote the pattern took as the break-out.
	end := findBreakout(norm, loc)
	if end < 0 {
		return false
	}
	q := norm[end]
	if end >= 2 && norm[end-1] == q && (isLetter(norm[end-2]) || norm[end-2] >= '0' && norm[end-2] <= '9') {
		return false // x"" or x'': a doubled quote glued to the data closes it too
	}
	n := 0
	for i := 0; i <= end; i++ {
		if norm[i] != q {
			continue
		}
		if q == '\'' && i > 0 && i+1 < len(norm) && isLetter(norm[i-1]) && isLetter(norm[i+1]) {
			continue // an apostrophe in a word
		}
		n++
	}
	return n%2 == 0
}

// standardDTDHosts publish the DTDs that ordinary documents name in a PUBLIC doctype
// (XHTML, RSS 0.91, Apple property lists, Java EE and Spring descriptors, DocBook).
var standardDTDHosts = []string{
	"www.w3.org/", "w3.org/", "my.netscape.com/", "www.rssboard.org/", "www.apple.com/dtds/",
	"java.sun.com/", "xmlns.jcp.org/", "jakarta.ee/", "www.oasis-open.org/", "docbook.org/",
	"www.docbook.org/", "www.springframework.org/", "struts.apache.org/", "tiles.apache.org/",
	"logging.apache.org/", "mybatis.org/", "www.hibernate.org/", "hibernate.org/",
	"hibernate.sourceforge.net/", "www.puppycrawl.com/", "checkstyle.org/",
}

// standardDoctype reports a doctype that names a published DTD by its formal public
// identifier and the publisher's URL, with no internal subset: <!DOCTYPE html PUBLIC
// "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">.
// An XXE needs entities, declared inline or in a DTD on a host the attacker controls;
// a SYSTEM identifier is left to the pattern, and so is an internal subset unless it
// only declares elements and attributes (see inertSubset).
func standardDoctype(norm string, loc []int, _ ctxMask) bool {
	end := strings.IndexByte(norm[loc[0]:], '>')
	if end < 0 {
		return false
	}
	decl := asciiLower(norm[loc[0] : loc[0]+end])
	if k := strings.IndexByte(decl, '['); k >= 0 {
		return inertSubset(asciiLower(norm[loc[0]+k:]))
	}
	if j := strings.Index(decl, " system "); j >= 0 {
		return localDTD(strings.TrimSpace(decl[j+len(" system "):]))
	}
	i := strings.Index(decl, " public ")
	if i < 0 {
		return false
	}
	rest := strings.TrimSpace(decl[i+len(" public "):])
	if len(rest) < 4 || rest[0] != '"' && rest[0] != '\'' || !strings.HasPrefix(rest[1:], "-//") && !strings.HasPrefix(rest[1:], "+//") {
		return false
	}
	q := rest[0]
	j := strings.IndexByte(rest[1:], q)
	if j < 0 {
		return false
	}
	sys := strings.TrimSpace(rest[j+2:])
	if sys == "" {
		return true // a public identifier alone: resolved from a catalogue, not fetched
	}
	if sys[0] != '"' && sys[0] != '\'' {
		return false
	}
	sys = sys[1:]
	for _, p := range []string{"https://", "http://"} {
		if strings.HasPrefix(sys, p) {
			sys = sys[len(p):]
			for _, h := range standardDTDHosts {
				if strings.HasPrefix(sys, h) {
					return true
				}
			}
			return false
		}
	}
	return false
}

// localDTD reports a system identifier that is a bare file name ending in .dtd
// ("note.dtd", the textbook example): resolved next to the document, it names no
// scheme, host or path an attacker could point elsewhere.
func localDTD(sys string) bool {
	if len(sys) < 6 || sys[0] != '"' && sys[0] != '\'' {
		return false
	}
	end := strings.IndexByte(sys[1:], sys[0])
	if end < 0 {
		return false
	}
	name := sys[1 : 1+end]
	if !strings.HasSuffix(name, ".dtd") {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(isLetter(c) || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return !strings.Contains(name, "..")
}

// inertSubset reports an internal DTD subset (from its '[' on) that declares only
// elements, attributes and notations, the grammar of a document: with no entity and no
// parameter-entity reference nothing can be expanded or fetched. An internal entity
// with a plain value (<!ENTITY example "Doe">) alone is left to the patterns: it is how
// testers ask whether a parser expands entities at all. Next to element declarations
// (a document's own grammar), plain-text entities are its abbreviations
// (<!ENTITY clinic "Klinik Nord">) and the subset stays inert, as long as no value
// refers to another entity or holds markup.
func inertSubset(sub string) bool {
	end := strings.Index(sub, "]")
	if end < 0 {
		return false
	}
	sub = sub[:end]
	if strings.Contains(sub, "%") || strings.Contains(sub, "system") || strings.Contains(sub, "public") {
		return false
	}
	if !strings.Contains(sub, "<!entity") {
		return true
	}
	return strings.Contains(sub, "<!element") && plainEntitiesOnly(sub)
}

// plainEntitiesOnly reports whether every <!entity declaration of a DTD subset
// (lower-case) is a general entity with a quoted value free of references and markup.
func plainEntitiesOnly(sub string) bool {
	for off := 0; ; {
		i := strings.Index(sub[off:], "<!entity")
		if i < 0 {
			return true
		}
		rest := strings.TrimLeft(sub[off+i+len("<!entity"):], " \t\r\n")
		name := strings.IndexAny(rest, " \t\r\n")
		if name <= 0 {
			return false
		}
		rest = strings.TrimLeft(rest[name:], " \t\r\n")
		if rest == "" || (rest[0] != '"' && rest[0] != '\'') {
			return false
		}
		q := rest[0]
		val := strings.IndexByte(rest[1:], q)
		if val < 0 || strings.ContainsAny(rest[1:1+val], "&<") {
			return false
		}
		after := strings.TrimLeft(rest[2+val:], " \t\r\n")
		if !strings.HasPrefix(after, ">") {
			return false
		}
		off = len(sub) - len(after)
	}
}

// inertDTD reports a value whose doctype is inert (see standardDoctype and
// inertSubset), for the entity-declaration pattern.
func inertDTD(norm string, _ []int, cm ctxMask) bool {
	lower := asciiLower(norm)
	i := strings.Index(lower, "<!doctype")
	if i < 0 || strings.Count(lower, "<!doctype") != 1 {
		return false
	}
	return standardDoctype(norm, []int{i, i + len("<!doctype")}, cm)
}

// dataScriptTypes are <script type> values browsers do not run: structured data, HTML
// templates kept for client-side rendering, and plain text.
var dataScriptTypes = []string{
	"application/ld+json", "application/json", "text/template", "text/x-template",
	"text/x-handlebars-template", "text/x-handlebars", "text/x-mustache", "text/html",
	"text/plain", "text/markdown", "text/x-markdown",
}

// dataScriptsOnly reports a value whose every <script element declares a data type
// (<script type="application/ld+json">{"@context":…}</script>): schema.org blocks and
// template elements that CMS fields and pages carry as a matter of course. One script
// with any other type, or none, and the pattern stands.
func dataScriptsOnly(norm string, _ []int, _ ctxMask) bool {
	lower := asciiLower(norm)
	n := 0
	for off := 0; ; {
		i := strings.Index(lower[off:], "<script")
		if i < 0 {
			break
		}
		i += off
		off = i + len("<script")
		end := strings.IndexByte(lower[off:], '>')
		if end < 0 {
			return false
		}
		tag := lower[off : off+end]
		if !dataScriptType(tag) {
			return false
		}
		n++
	}
	return n > 0
}

func dataScriptType(tag string) bool {
	i := strings.Index(tag, "type")
	if i < 0 {
		return false
	}
	v := strings.TrimLeft(tag[i+len("type"):], " ")
	if v == "" || v[0] != '=' {
		return false
	}
	v = strings.Trim(strings.TrimLeft(v[1:], " "), `"' `)
	if k := strings.IndexAny(v, `"' `); k >= 0 {
		v = v[:k]
	}
	for _, t := range dataScriptTypes {
		if v == t {
			// Nothing but the type and inert attributes: an event handler or a src
			// on a data script is not what CMSs write.
			return !strings.Contains(tag, " on") && !strings.Contains(tag, "src")
		}
	}
	return false
}

// voidURL reports javascript:void(0) (or void 0), the inert href that links written
// for script handlers carry, followed by nothing more than a quote, a semicolon or the
// end: "javascript: void(0) meaning" is a question about it. Another statement after
// it (javascript:void(0);alert(1)) and void of anything else stand.
func voidURL(norm string, loc []int, _ ctxMask) bool {
	m := asciiLower(norm[loc[0]:])
	i := strings.IndexByte(m, ':')
	if i < 0 {
		return false
	}
	rest := strings.TrimLeft(m[i+1:], " \t")
	switch {
	case strings.HasPrefix(rest, "void(0)"):
		rest = rest[len("void(0)"):]
	case strings.HasPrefix(rest, "void 0"):
		rest = rest[len("void 0"):]
	case strings.HasPrefix(rest, "void (0)"):
		rest = rest[len("void (0)"):]
	default:
		return false
	}
	rest = strings.TrimLeft(rest, ";")
	return rest == "" || rest[0] == ' ' || rest[0] == '"' || rest[0] == '\'' || rest[0] == '>' || rest[0] == '\n'
}
