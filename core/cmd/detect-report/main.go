// Command detect-report runs the detection engine over the shared corpus and prints,
// per corpus category, the share of attacks caught and of benign inputs flagged.
//
// Records whose paranoia_level is above 1 are left out (they target rules an ordinary
// deployment does not run). Records are split by a hash of their id into a development
// part (70 %, the one patterns were tuned on) and a held-back part (30 %) reported
// separately.
//
//	go run ./cmd/detect-report -corpus /path/to/shared/corpus [-misses xss] [-fp sqli]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/guardgo/guard/core/detect"
	"github.com/guardgo/guard/core/detect/corpus"
)

// record is one labelled payload of the corpus.
type record = corpus.Record

type tally struct{ n, hit int }

func (t tally) pct() float64 {
	if t.n == 0 {
		return 0
	}
	return 100 * float64(t.hit) / float64(t.n)
}

func main() {
	corpus := flag.String("corpus", "../shared/corpus", "directory with attacks.jsonl and benign.jsonl")
	misses := flag.String("misses", "", "print missed attacks of this category (\"all\" for every category)")
	fps := flag.String("fp", "", "print flagged benign inputs of this category (\"all\" for every category)")
	split := flag.String("split", "dev", "which split -misses/-fp print: dev, held, all")
	stats := flag.Int("stats", 0, "print the N patterns with the highest total time")
	requests := flag.Bool("requests", false, "also run Inspect over crs_requests.jsonl (whole requests)")
	reqFP := flag.String("requests-fp", "", "with -requests: print flagged benign_for_rule requests of this category (\"all\" for every category)")
	reqMiss := flag.String("requests-misses", "", "with -requests: print missed attack requests of this category (\"all\" for every category)")
	prose := flag.String("prose", "", "comma-separated directories of documentation and source code: run Detect over their paragraphs as benign text and print the flagged share (replaces the corpus report)")
	proseN := flag.Int("prose-n", 2000, "with -prose: paragraphs kept per file kind")
	proseFP := flag.Bool("prose-fp", false, "with -prose: print every flagged paragraph")
	flag.Parse()
	if *prose != "" {
		if err := runProse(os.Stdout, strings.Split(*prose, ","), *proseN, *proseFP); err != nil {
			fmt.Fprintln(os.Stderr, "detect-report:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(os.Stdout, *corpus, *misses, *fps, *split, *stats); err != nil {
		fmt.Fprintln(os.Stderr, "detect-report:", err)
		os.Exit(1)
	}
	if !*requests {
		return
	}
	if err := runRequests(os.Stdout, *corpus, *reqFP, *reqMiss); err != nil {
		fmt.Fprintln(os.Stderr, "detect-report:", err)
		os.Exit(1)
	}
}

// heldBack selects 30 % of the records by a hash of their id.
func heldBack(id string) bool {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()%10 >= 7
}

// where maps a record to the location string Detect expects.
func where(r record) string {
	switch r.Location {
	case "query":
		if r.Param != "" {
			return "query:" + r.Param
		}
		return "query:q"
	case "header":
		if r.Header != "" {
			return "header:" + r.Header
		}
		return "header:X-Test"
	case "cookie":
		return "cookie:c"
	case "path":
		return "path"
	case "body":
		switch {
		case strings.Contains(r.ContentType, "json"):
			return "body:json"
		case strings.Contains(r.ContentType, "xml"):
			return "body:xml"
		case r.ContentType == "" && strings.HasPrefix(strings.TrimSpace(r.Payload), "<?xml"):
			// Undeclared, as Inspect reads it: the declaration says XML.
			return "body:xml"
		}
		return "body:text"
	}
	return r.Location
}

func run(w io.Writer, dir, misses, fps, split string, nstats int) error {
	attacks, err := corpus.Load(filepath.Join(dir, "attacks.jsonl"))
	if err != nil {
		return err
	}
	benign, err := corpus.Load(filepath.Join(dir, "benign.jsonl"))
	if err != nil {
		return err
	}
	d, err := detect.New(detect.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	ctx := context.Background()
	type key struct {
		cat  string
		held bool
	}
	atk := map[key]*tally{}
	ben := map[key]*tally{}
	cats := map[string]bool{}
	var total time.Duration
	var bytes int
	show := func(r record, held bool, want string) bool {
		if want == "" || (want != "all" && want != r.Category) {
			return false
		}
		return split == "all" || (split == "held") == held
	}
	eval := func(recs []record, m map[key]*tally, wantPrint string, printHits bool) {
		for _, r := range recs {
			p := r.Value()
			held := heldBack(r.ID)
			start := time.Now()
			res := d.Detect(ctx, p, where(r))
			total += time.Since(start)
			bytes += len(p)
			k := key{r.Category, held}
			if m[k] == nil {
				m[k] = &tally{}
			}
			cats[r.Category] = true
			m[k].n++
			if res.IsThreat {
				m[k].hit++
			}
			if res.IsThreat == printHits && show(r, held, wantPrint) {
				desc := ""
				if len(res.Threats) > 0 {
					t := res.Threats[0]
					desc = fmt.Sprintf("[%s %s %.2f %q]", t.Category, t.Pattern, res.ThreatScore, t.Match)
				} else if res.ThreatScore > 0 {
					desc = fmt.Sprintf("[%.2f]", res.ThreatScore)
				}
				fmt.Fprintf(w, "%s %s %s %q %s\n", r.ID, r.Location, r.Category, trunc(p, 200), desc)
			}
		}
	}
	eval(attacks, atk, misses, false)
	eval(benign, ben, fps, true)

	names := slices.Sorted(maps.Keys(cats))
	sum := func(m map[key]*tally, cat string, which string) tally {
		var t tally
		for k, v := range m {
			if cat != "" && k.cat != cat {
				continue
			}
			if which == "dev" && k.held || which == "held" && !k.held {
				continue
			}
			t.n += v.n
			t.hit += v.hit
		}
		return t
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "category\tattacks\tcaught %\tdev %\theld-back %\tbenign\tflagged %\tdev %\theld-back %\t")
	row := func(label, cat string) {
		a, b := sum(atk, cat, "all"), sum(ben, cat, "all")
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f\t%.1f\t%d\t%.2f\t%.2f\t%.2f\t\n", label,
			a.n, a.pct(), sum(atk, cat, "dev").pct(), sum(atk, cat, "held").pct(),
			b.n, b.pct(), sum(ben, cat, "dev").pct(), sum(ben, cat, "held").pct())
	}
	for _, c := range names {
		row(c, c)
	}
	row("overall", "")
	tw.Flush()
	fmt.Fprintf(w, "\n%d values, %.1f MB, mean %.2f µs per Detect call (one goroutine)\n",
		len(attacks)+len(benign), float64(bytes)/1e6, float64(total.Microseconds())/float64(len(attacks)+len(benign)))
	if nstats > 0 {
		st := d.Stats()
		sort.Slice(st, func(i, j int) bool {
			return st[i].AvgTime*time.Duration(st[i].Executions) > st[j].AvgTime*time.Duration(st[j].Executions)
		})
		for _, p := range st[:min(nstats, len(st))] {
			fmt.Fprintf(w, "%-32s exec=%-6d match=%-6d avg=%-10v max=%v\n", p.ID, p.Executions, p.Matches, p.AvgTime, p.MaxTime)
		}
	}
	return nil
}

func trunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

type crsRequest struct {
	ID            string      `json:"id"`
	Label         string      `json:"label"`
	Category      string      `json:"category"`
	ParanoiaLevel *int        `json:"paranoia_level"`
	Method        string      `json:"method"`
	URI           string      `json:"uri"`
	Headers       [][2]string `json:"headers"`
	Body          *string     `json:"body"`
}

// runRequests replays the CRS regression requests through Inspect: attack requests
// (some rule must fire) and benign_for_rule requests (the named rule must not fire —
// the request may still be an attack for another rule, so the flagged rate there is
// an upper bound on false positives).
func runRequests(w io.Writer, dir, printFP, printMiss string) error {
	f, err := os.Open(filepath.Join(dir, "crs_requests.jsonl"))
	if err != nil {
		return err
	}
	defer f.Close()
	d, err := detect.New(detect.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	type key struct{ label, cat string }
	m := map[key]*tally{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		var r crsRequest
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return err
		}
		if r.ParanoiaLevel != nil && *r.ParanoiaLevel > 1 || r.Label == "unspecified" {
			continue
		}
		t := &detect.Target{Method: r.Method, Header: http.Header{}}
		path, query, _ := strings.Cut(r.URI, "?")
		t.Path, t.RawQuery = path, query
		for _, h := range r.Headers {
			t.Header.Add(h[0], h[1])
			if strings.EqualFold(h[0], "Content-Type") {
				t.ContentType = h[1]
			}
		}
		if r.Body != nil {
			t.Body = []byte(*r.Body)
		}
		res := d.Inspect(context.Background(), t)
		k := key{r.Label, r.Category}
		if m[k] == nil {
			m[k] = &tally{}
		}
		m[k].n++
		if !res.IsThreat && r.Label == "attack" && (printMiss == "all" || printMiss == r.Category) {
			body := ""
			if r.Body != nil {
				body = trunc(*r.Body, 120)
			}
			fmt.Fprintf(w, "%s %s %s %q %q\n", r.ID, r.Method, trunc(r.URI, 160), body, r.Headers)
		}
		if res.IsThreat {
			m[k].hit++
			if r.Label == "benign_for_rule" && (printFP == "all" || printFP == r.Category) && len(res.Threats) > 0 {
				th := res.Threats[0]
				fmt.Fprintf(w, "%s %s %s %s %q\n", r.ID, r.Category, th.Pattern, th.Location, th.Match)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	cats := map[string]bool{}
	for k := range m {
		cats[k.cat] = true
	}
	names := slices.Sorted(maps.Keys(cats))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\nCRS requests (PL<=1)\tattack reqs\tcaught %\tbenign_for_rule\tflagged %\t")
	var ta, tb tally
	for _, c := range names {
		a, b := m[key{"attack", c}], m[key{"benign_for_rule", c}]
		if a == nil {
			a = &tally{}
		}
		if b == nil {
			b = &tally{}
		}
		ta.n, ta.hit, tb.n, tb.hit = ta.n+a.n, ta.hit+a.hit, tb.n+b.n, tb.hit+b.hit
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%d\t%.1f\t\n", c, a.n, a.pct(), b.n, b.pct())
	}
	fmt.Fprintf(tw, "overall\t%d\t%.1f\t%d\t%.1f\t\n", ta.n, ta.pct(), tb.n, tb.pct())
	return tw.Flush()
}
