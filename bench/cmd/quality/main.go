// Command quality measures detection quality side by side over HTTP: guard
// (the whole engine behind the net/http adapter) and OWASP Coraza v3 with the
// embedded Core Rule Set v4, blocking at paranoia level 1 (and 2 with -pl 1,2).
//
// Every payload record of a corpus (attacks.jsonl, benign.jsonl; format in the
// shared corpus README) becomes one HTTP request, placed where the record says
// (query, body, header, cookie, path). The request is written to wire format,
// parsed back with http.ReadRequest exactly as a server would, and served in
// process (httptest recorder, no network) through each subject in front of the
// same application, which reads the body and answers 200 "ok". A request
// counts as flagged when the response is 403; for Coraza also when any other
// status comes from a deny interruption (e.g. 400 for a body its parser
// refuses) rather than from the application. Records with paranoia_level > 1
// are skipped; payloads marked "encoded" are percent-decoded once ('+' as
// space) before placing, as core/cmd/detect-report does.
//
// Every request carries a browser User-Agent, Accept, Accept-Language and a
// Host (a header record replaces the one of the same name): CRS flags
// requests without them, which would count against it on every record.
//
//	cd bench && go run ./cmd/quality -corpus DIR [-pl 1,2] [-cats] [-odd]
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
	txhttp "github.com/corazawaf/coraza/v3/http"
	httpguard "github.com/guardgo/guard/adapters/nethttp"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/detect/corpus"
)

// record is one labelled payload of the corpus.
type record = corpus.Record

// Request defaults: what a browser sends.
const (
	host           = "www.example.com"
	userAgent      = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
	accept         = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	acceptLanguage = "en-US,en;q=0.9"
	remoteAddr     = "198.51.100.7:51234"
)

// errNotPlaceable marks a record that cannot be sent as an HTTP request.
var errNotPlaceable = errors.New("not placeable")

func main() {
	corpus := flag.String("corpus", "../../shared/corpus", "directory with attacks.jsonl and benign.jsonl")
	pls := flag.String("pl", "1", "CRS blocking paranoia levels to run, comma-separated (1,2); none: guard alone")
	cats := flag.Bool("cats", false, "print a row per category (default: the overall row only)")
	odd := flag.Bool("odd", false, "list records that could not be placed and responses that were neither 200 nor 403")
	misses := flag.String("misses", "", "list the attacks this subject missed and the benign inputs it flagged (guard, pl1, pl2)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "quality:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(os.Stdout, os.Stderr, *corpus, options{pls: *pls, perCat: *cats, odd: *odd, misses: *misses}); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "quality:", err)
		os.Exit(1)
	}
}

// escapeTarget percent-escapes the bytes that cannot appear literally in a
// request target (controls, space, non-ASCII, '%', '#', and '?' unless
// keepQuery), leaving everything else as written.
func escapeTarget(s string, keepQuery bool) string {
	const hexdig = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '%' || c == '#' || c == '?' && !keepQuery {
			b.WriteByte('%')
			b.WriteByte(hexdig[c>>4])
			b.WriteByte(hexdig[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// looksLikeForm reports whether a payload is already a whole
// name=value[&...] string.
func looksLikeForm(p string) bool {
	return strings.Contains(p, "=") && !strings.ContainsAny(p, " \t\r\n")
}

func hasCRLF(s string) bool { return strings.ContainsAny(s, "\r\n") }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// build turns a record into an HTTP/1.1 request on the wire. The error wraps
// errNotPlaceable when the record cannot be sent (a CR/LF in a header value,
// a path that is not a path, anything net/http refuses to parse back).
func build(r record) ([]byte, error) {
	p := r.Value()
	method, target := http.MethodGet, "/"
	var body, ctype string
	hdr := http.Header{}
	switch r.Location {
	case "query":
		path := orDefault(r.Path, "/search")
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		if r.Param == "" && r.Path != "" && looksLikeForm(p) {
			// A whole query string given for a path (fuzzdb RFI lines).
			target = escapeTarget(path, false) + "?" + escapeTarget(p, true)
		} else {
			target = escapeTarget(path, false) + "?" + url.QueryEscape(orDefault(r.Param, "q")) + "=" + url.QueryEscape(p)
		}
	case "body":
		method, target = http.MethodPost, "/submit"
		switch ct := strings.ToLower(r.ContentType); {
		case ct != "" && !strings.Contains(ct, "x-www-form-urlencoded"):
			body, ctype = p, r.ContentType // JSON, XML, YAML: the payload is the document
		case r.Param == "" && looksLikeForm(p):
			// A whole form body; with a param the payload is that field's value.
			body, ctype = p, "application/x-www-form-urlencoded"
		default:
			body, ctype = url.QueryEscape(orDefault(r.Param, "data"))+"="+url.QueryEscape(p), "application/x-www-form-urlencoded"
		}
	case "header":
		if hasCRLF(p) {
			return nil, fmt.Errorf("%w: CR/LF in a header value", errNotPlaceable)
		}
		hdr.Set(orDefault(r.Header, "X-Test"), p)
	case "cookie":
		if hasCRLF(p) {
			return nil, fmt.Errorf("%w: CR/LF in a cookie", errNotPlaceable)
		}
		if !strings.Contains(p, "=") {
			p = orDefault(r.Param, "c") + "=" + p
		}
		hdr.Set("Cookie", p)
	case "path":
		if !strings.HasPrefix(p, "/") {
			return nil, fmt.Errorf("%w: path does not start with /", errNotPlaceable)
		}
		target = escapeTarget(p, false)
	default:
		return nil, fmt.Errorf("%w: unknown location %q", errNotPlaceable, r.Location)
	}
	req, err := http.NewRequest(method, "http://"+host+target, strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNotPlaceable, err)
	}
	if body == "" {
		req.Body, req.ContentLength = nil, 0
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", accept)
	req.Header.Set("Accept-Language", acceptLanguage)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		return nil, fmt.Errorf("%w: %v", errNotPlaceable, err)
	}
	// Parse it back as the server would: what net/http refuses, no handler sees.
	if _, err := parse(buf.Bytes()); err != nil {
		return nil, fmt.Errorf("%w: net/http refuses it: %v", errNotPlaceable, err)
	}
	return buf.Bytes(), nil
}

// parse reads a request from its wire form, as a server does.
func parse(wire []byte) (*http.Request, error) {
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(wire)))
	if err != nil {
		return nil, err
	}
	req.RemoteAddr = remoteAddr
	return req, nil
}

// appMarker is a response header only the application sets: a response
// without it was written by the subject in front.
const appMarker = "X-Quality-App"

// app is the protected application: it reads the body and answers "ok".
var app = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set(appMarker, "1")
	_, _ = w.Write([]byte("ok"))
})

type subject struct {
	name string
	h    http.Handler
	// anyDeny: every response the subject writes itself with a status other
	// than 200 is a deny (Coraza's interruptions: 403 from the CRS anomaly
	// score, 400 from a body it cannot parse, 413 from the body limit).
	anyDeny bool
}

// flagged reports whether a response means the subject refused the request:
// a 403, or for anyDeny subjects any status but 200 that the application
// did not write.
func (s subject) flagged(rec *httptest.ResponseRecorder) bool {
	if rec.Code == http.StatusForbidden {
		return true
	}
	return s.anyDeny && rec.Code != http.StatusOK && rec.Header().Get(appMarker) == ""
}

// guardConfig is DefaultConfig with penetration detection on and every check
// that depends on the request rate, history or transport off: rate limits,
// auto-ban, behaviour rules, HTTPS enforcement, emergency and passive modes;
// no excluded paths.
func guardConfig() guard.Config {
	cfg := guard.DefaultConfig()
	cfg.EnablePenetrationDetection = true
	cfg.EnableRateLimiting = false
	cfg.EndpointRateLimits = nil
	cfg.EnableIPBanning = false
	cfg.GlobalBehaviorRules = nil
	cfg.BehaviorScanResponseBody = false
	cfg.EnforceHTTPS = false
	cfg.EmergencyMode = false
	cfg.PassiveMode = false
	cfg.ExcludePaths = nil
	cfg.LogSuspiciousLevel = ""
	return cfg
}

func newGuard() (http.Handler, io.Closer, error) {
	e, err := guard.New(guardConfig())
	if err != nil {
		return nil, nil, err
	}
	return httpguard.New(e)(app), e, nil
}

func crsDirectives(pl int) string {
	return fmt.Sprintf(`
Include @coraza.conf-recommended
Include @crs-setup.conf.example
SecAction "id:900000,phase:1,pass,t:none,nolog,setvar:tx.blocking_paranoia_level=%d"
Include @owasp_crs/*.conf
SecRuleEngine On
`, pl)
}

func newCoraza(pl int) (http.Handler, error) {
	waf, err := coraza.NewWAF(coraza.NewWAFConfig().WithRootFS(coreruleset.FS).WithDirectives(crsDirectives(pl)))
	if err != nil {
		return nil, fmt.Errorf("coraza PL%d: %w", pl, err)
	}
	return txhttp.WrapHandler(waf, app), nil
}

func parsePLs(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" || f == "none" {
			continue // guard alone
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 4 {
			return nil, fmt.Errorf("-pl: bad paranoia level %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

type tally struct{ n, hit int }

func (t tally) pct() float64 {
	if t.n == 0 {
		return 0
	}
	return 100 * float64(t.hit) / float64(t.n)
}

// counts is one category's results: per label the placed records and, per
// subject, how many were flagged.
type counts struct {
	placed   map[string]int   // label → records sent
	unplaced map[string]int   // label → records that could not be sent
	hit      map[string][]int // label → per subject, flagged
}

// options are the command's flags.
type options struct {
	pls         string // paranoia levels, "1,2"
	perCat, odd bool
	misses      string // subject whose misses and false positives are listed
}

func run(w, progress io.Writer, dir string, o options) error {
	perCat, odd := o.perCat, o.odd
	levels, err := parsePLs(o.pls)
	if err != nil {
		return err
	}
	var recs []record
	for _, f := range []string{"attacks.jsonl", "benign.jsonl"} {
		rs, err := corpus.Load(filepath.Join(dir, f))
		if err != nil {
			return err
		}
		recs = append(recs, rs...)
	}
	gh, gc, err := newGuard()
	if err != nil {
		return err
	}
	defer gc.Close()
	subjects := []subject{{name: "guard", h: gh}}
	for _, pl := range levels {
		h, err := newCoraza(pl)
		if err != nil {
			return err
		}
		subjects = append(subjects, subject{name: fmt.Sprintf("CRS PL%d", pl), h: h, anyDeny: true})
	}

	byCat := map[string]*counts{}
	get := func(cat string) *counts {
		c := byCat[cat]
		if c == nil {
			c = &counts{placed: map[string]int{}, unplaced: map[string]int{}, hit: map[string][]int{}}
			byCat[cat] = c
		}
		return c
	}
	elapsed := make([]time.Duration, len(subjects))
	served := 0
	unplacedWhy := map[string]int{}
	otherStatus := make([]map[int]int, len(subjects))
	for i := range otherStatus {
		otherStatus[i] = map[int]int{}
	}
	start := time.Now()
	type placed struct {
		r    record
		wire []byte
	}
	var sent []placed
	for _, r := range recs {
		c := get(r.Category)
		wire, err := build(r)
		if err != nil {
			c.unplaced[r.Label]++
			why := strings.TrimPrefix(err.Error(), errNotPlaceable.Error()+": ")
			if i := strings.Index(why, ": "); i > 0 && strings.HasPrefix(why, "net/http refuses it") {
				why = why[:i] // group by cause, not by value
			}
			unplacedWhy[r.Location+": "+why]++
			if odd {
				fmt.Fprintf(w, "not placed: %s %s %s %s %q\n", r.ID, r.Label, r.Location, why, trunc(r.Payload, 120))
			}
			continue
		}
		c.placed[r.Label]++
		if c.hit[r.Label] == nil {
			c.hit[r.Label] = make([]int, len(subjects))
		}
		sent = append(sent, placed{r, wire})
	}
	served = len(sent)
	// One subject at a time over every request, so that one subject's garbage
	// is not collected on another's clock.
	for si, s := range subjects {
		runtime.GC()
		for i, p := range sent {
			if i > 0 && i%5000 == 0 {
				fmt.Fprintf(progress, "quality: %s %d/%d requests, %s\n", s.name, i, len(sent), time.Since(start).Round(time.Second))
			}
			req, err := parse(p.wire)
			if err != nil {
				return fmt.Errorf("%s: %w", p.r.ID, err) // build parsed it already
			}
			rec := httptest.NewRecorder()
			t0 := time.Now()
			s.h.ServeHTTP(rec, req)
			elapsed[si] += time.Since(t0)
			f := s.flagged(rec)
			if f {
				get(p.r.Category).hit[p.r.Label][si]++
			}
			if f == (p.r.Label == "benign") && o.misses != "" && strings.EqualFold(strings.ReplaceAll(s.name, "CRS ", ""), o.misses) {
				what := "missed"
				if f {
					what = "flagged"
				}
				fmt.Fprintf(w, "%s %s: %s %s %s %q\n", s.name, what, p.r.ID, p.r.Category, p.r.Location, trunc(p.r.Payload, 160))
			}
			if rec.Code != http.StatusOK && rec.Code != http.StatusForbidden {
				otherStatus[si][rec.Code]++
				if odd {
					fmt.Fprintf(w, "status %d from %s: %s %s %s %q\n", rec.Code, s.name, p.r.ID, p.r.Label, p.r.Location, trunc(p.r.Payload, 120))
				}
			}
		}
	}
	total := time.Since(start)

	names := make([]string, 0, len(byCat))
	for k := range byCat {
		names = append(names, k)
	}
	sort.Strings(names)
	sum := func(cat, label string) (n int, hits []int) {
		hits = make([]int, len(subjects))
		for k, c := range byCat {
			if cat != "" && k != cat {
				continue
			}
			n += c.placed[label]
			for i, h := range c.hit[label] {
				hits[i] += h
			}
		}
		return n, hits
	}
	fmt.Fprintf(w, "corpus %s: %d records (paranoia_level ≤ 1), %d sent\n\n", dir, len(recs), served)
	head := "| category | attacks |"
	sep := "|---|---:|"
	for _, s := range subjects {
		head += " " + s.name + " caught % |"
		sep += "---:|"
	}
	head += " benign |"
	sep += "---:|"
	for _, s := range subjects {
		head += " " + s.name + " flagged % |"
		sep += "---:|"
	}
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, sep)
	row := func(label, cat string) {
		na, ha := sum(cat, "attack")
		nb, hb := sum(cat, "benign")
		line := fmt.Sprintf("| %s | %d |", label, na)
		for _, h := range ha {
			line += fmt.Sprintf(" %.1f |", tally{na, h}.pct())
		}
		line += fmt.Sprintf(" %d |", nb)
		for _, h := range hb {
			line += fmt.Sprintf(" %.1f |", tally{nb, h}.pct())
		}
		fmt.Fprintln(w, line)
	}
	if perCat {
		for _, c := range names {
			row(c, c)
		}
		row("**overall**", "")
	} else {
		row("overall", "")
	}
	fmt.Fprintln(w)
	for i, s := range subjects {
		fmt.Fprintf(w, "%s: %.3f ms per request", s.name, float64(elapsed[i].Microseconds())/1000/float64(max(served, 1)))
		if len(otherStatus[i]) > 0 {
			how := "not flagged"
			if s.anyDeny {
				how = "flagged: denied by an interruption"
			}
			fmt.Fprintf(w, " (neither 200 nor 403: %v, counted as %s)", otherStatus[i], how)
		}
		fmt.Fprintln(w)
	}
	var nu int
	keys := make([]string, 0, len(unplacedWhy))
	for k, v := range unplacedWhy {
		keys = append(keys, k)
		nu += v
	}
	sort.Strings(keys)
	fmt.Fprintf(w, "not placeable (left out of every column): %d", nu)
	for _, k := range keys {
		fmt.Fprintf(w, "; %s: %d", k, unplacedWhy[k])
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "every request carries a browser User-Agent, Accept, Accept-Language and Host %s (CRS flags requests without them); one goroutine, one subject after the other; run took %s\n",
		host, total.Round(time.Second))
	return nil
}

func trunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
