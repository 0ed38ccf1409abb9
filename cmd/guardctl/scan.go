package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/detect"
	"github.com/guardgo/guard/core/detect/corpus"
)

// scanItem is one payload to scan.
type scanItem struct {
	payload string
	where   string // a Detect location, e.g. "query:q"
	label   string // where the payload came from, e.g. "file.txt:3"
}

// jsonlRecord is one line of a -jsonl file. Unknown fields are ignored so
// that corpus files (which carry ids, labels and sources) can be scanned as
// they are.
type jsonlRecord struct {
	Payload  *string `json:"payload"`
	Location string  `json:"location"`
	Encoded  bool    `json:"encoded"`
	Param    string  `json:"param"`
	Header   string  `json:"header"`
}

// verdict is the JSON form of one scan result (-json).
type verdict struct {
	Source   string  `json:"source,omitempty"`
	Where    string  `json:"where"`
	Threat   bool    `json:"threat"`
	Score    float64 `json:"score"`
	Category string  `json:"category,omitempty"`
	Pattern  string  `json:"pattern,omitempty"`
	Match    string  `json:"match,omitempty"`
	Payload  string  `json:"payload"`
}

const scanSynopsis = "scan [-where query|body|header|path|cookie] [-config FILE] [-json] [PAYLOAD ... | -file FILE | -jsonl FILE]"

// scan runs payloads through the detection engine and prints one verdict
// per payload and a summary. Verdicts do not change the exit status.
func (a *app) scan(ctx context.Context, args []string) int {
	fs := a.newFlags("scan", scanSynopsis)
	where := fs.String("where", "query", "location of bare payloads: query, body, header, path, cookie, user-agent, or a full location such as header:Referer")
	file := fs.String("file", "", "read payloads from FILE, one per line (\"-\" for stdin)")
	jsonl := fs.String("jsonl", "", "read JSON lines from FILE: {\"payload\": ..., \"location\": ..., \"encoded\": bool} (\"-\" for stdin)")
	cfgPath := fs.String("config", "", "take the detection settings from this configuration file")
	asJSON := fs.Bool("json", false, "print verdicts as JSON lines")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return usageCode(err)
	}
	sources := 0
	for _, on := range []bool{len(pos) > 0, *file != "", *jsonl != ""} {
		if on {
			sources++
		}
	}
	if sources != 1 {
		fmt.Fprintln(a.stderr, "guardctl scan: give payloads as arguments, or one of -file and -jsonl")
		fs.Usage()
		return exitUsage
	}
	loc, ok := location(*where, "", "")
	if !ok {
		return a.fail(exitUsage, "scan: unknown -where %q", *where)
	}

	dcfg := detect.Config{}
	if *cfgPath != "" {
		cfg, err := guard.LoadConfig(*cfgPath)
		if err != nil {
			return a.fail(exitUsage, "scan: %v", err)
		}
		dcfg = detect.Config{
			SemanticThreshold:    cfg.DetectionSemanticThreshold,
			MaxContentLength:     cfg.DetectionMaxContentLength,
			MaxRequestBytes:      cfg.DetectionMaxRequestBytes,
			ExcludedHeaders:      cfg.ExcludedDetectionHeaders,
			SlowPatternThreshold: cfg.DetectionSlowPatternThreshold.D(),
		}
	}
	det, err := detect.New(dcfg)
	if err != nil {
		return a.fail(exitUsage, "scan: %v", err)
	}

	var items []scanItem
	malformed := 0
	switch {
	case len(pos) > 0:
		for i, p := range pos {
			items = append(items, scanItem{payload: p, where: loc, label: "arg" + strconv.Itoa(i+1)})
		}
	case *file != "":
		err = a.readLines(*file, func(n int, line string) {
			items = append(items, scanItem{payload: line, where: loc, label: *file + ":" + strconv.Itoa(n)})
		})
	default:
		err = a.readLines(*jsonl, func(n int, line string) {
			if strings.TrimSpace(line) == "" {
				return
			}
			label := *jsonl + ":" + strconv.Itoa(n)
			var r jsonlRecord
			if err := json.Unmarshal([]byte(line), &r); err != nil || r.Payload == nil {
				if err == nil {
					err = fmt.Errorf("no \"payload\" field")
				}
				fmt.Fprintf(a.stderr, "guardctl: %s: %v\n", label, err)
				malformed++
				return
			}
			w := loc
			if r.Location != "" {
				var ok bool
				if w, ok = location(r.Location, r.Param, r.Header); !ok {
					fmt.Fprintf(a.stderr, "guardctl: %s: unknown location %q\n", label, r.Location)
					malformed++
					return
				}
			}
			p := *r.Payload
			if r.Encoded {
				p = corpus.FormDecode(p)
			}
			items = append(items, scanItem{payload: p, where: w, label: label})
		})
	}
	if err != nil {
		return a.fail(exitUsage, "scan: %v", err)
	}

	threats := 0
	byCategory := map[string]int{}
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false) // payloads are shown as they are
	for _, it := range items {
		res := det.Detect(ctx, it.payload, it.where)
		v := verdict{Source: it.label, Where: it.where, Threat: res.IsThreat, Score: res.ThreatScore,
			Category: res.Category, Payload: it.payload}
		if len(res.Threats) > 0 {
			v.Pattern, v.Match = res.Threats[0].Pattern, res.Threats[0].Match
			if v.Category == "" {
				v.Category = res.Threats[0].Category
			}
		}
		if res.IsThreat {
			threats++
			byCategory[res.Category]++
		}
		if *asJSON {
			_ = enc.Encode(v)
			continue
		}
		fmt.Fprintf(a.stdout, "%s threat=%s score=%.3f category=%s pattern=%s where=%s payload=%s\n",
			it.label, yesNo(v.Threat), v.Score, dash(v.Category), dash(v.Pattern), v.Where, quoteShort(v.Payload, 120))
	}
	summary := fmt.Sprintf("scanned %d: %d threat(s), %d clean", len(items), threats, len(items)-threats)
	if malformed > 0 {
		summary += fmt.Sprintf(", %d malformed line(s) skipped", malformed)
	}
	if len(byCategory) > 0 {
		cats := make([]string, 0, len(byCategory))
		for c := range byCategory {
			cats = append(cats, c)
		}
		sort.Strings(cats)
		parts := make([]string, len(cats))
		for i, c := range cats {
			parts[i] = c + "=" + strconv.Itoa(byCategory[c])
		}
		summary += " (" + strings.Join(parts, " ") + ")"
	}
	if *asJSON {
		fmt.Fprintln(a.stderr, summary)
	} else {
		fmt.Fprintln(a.stdout, summary)
	}
	if malformed > 0 {
		return exitProblem
	}
	return exitOK
}

// readLines calls f with each line of path (or stdin for "-"), numbered
// from 1, without its line ending. Lines may be up to 16 MiB.
func (a *app) readLines(path string, f func(n int, line string)) error {
	var r io.Reader
	if path == "-" {
		r = a.stdin
	} else {
		file, err := os.Open(path)
		if err != nil {
			return err
		}
		defer file.Close()
		r = file
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		f(n, strings.TrimSuffix(sc.Text(), "\r"))
	}
	return sc.Err()
}

// location maps a -where value or a JSON line's location (with its optional
// param or header name) to a Detect location. A value that already names a
// key ("query:id", "header:Referer", "body:json:a.b") is kept.
func location(where, param, header string) (string, bool) {
	kind, rest, hasRest := strings.Cut(where, ":")
	switch kind {
	case "query", "query-key", "cookie", "cookie-key", "body", "body-key", "header", "path", "user-agent", "all":
	default:
		return "", false
	}
	if hasRest && rest != "" {
		return where, true
	}
	switch kind {
	case "query":
		if param != "" {
			return "query:" + param, true
		}
		return "query:q", true
	case "header":
		if header != "" {
			return "header:" + header, true
		}
		return "header:X-Payload", true
	case "cookie":
		return "cookie:c", true
	case "body":
		return "body:text", true
	}
	return kind, true
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// quoteShort quotes s for one line of output, cut to max bytes.
func quoteShort(s string, max int) string {
	if len(s) > max {
		return strconv.Quote(s[:max]) + "…"
	}
	return strconv.Quote(s)
}
