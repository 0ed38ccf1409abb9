package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/guardgo/guard/core/detect"
)

// A paragraph is one block of text from a file on this machine: documentation,
// changelogs and source code nobody wrote as an attack. They stand in for the hard
// benign text of the held-out set (code snippets, forum prose, markdown, paths).
type paragraph struct {
	kind string // file kind: md, txt, go, py, ...
	file string
	text string
}

// textKind names the kind of a file the prose check reads, or "" to skip it.
func textKind(path string) string {
	name := strings.TrimSuffix(filepath.Base(path), ".gz")
	ext := strings.TrimPrefix(filepath.Ext(name), ".")
	switch ext {
	case "md", "markdown", "rst", "txt", "go", "py", "js", "c", "h", "sh", "html", "sql", "rb", "java":
		return ext
	}
	switch {
	case strings.HasPrefix(name, "README"), strings.HasPrefix(name, "NEWS"), strings.HasPrefix(name, "changelog"):
		return "txt"
	}
	return ""
}

// readParagraphs walks dirs and splits every text file into blank-line separated
// paragraphs of 40..4000 bytes, keeping at most perKind of each kind, chosen by a
// hash of the paragraph so the sample is stable from run to run.
func readParagraphs(dirs []string, perKind int) ([]paragraph, error) {
	byKind := map[string][]paragraph{}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // unreadable parts of a system tree are skipped
			}
			if d.IsDir() || !d.Type().IsRegular() {
				return nil
			}
			kind := textKind(path)
			if kind == "" {
				return nil
			}
			data, err := readMaybeGzip(path)
			if err != nil || bytes.IndexByte(data, 0) >= 0 {
				return nil
			}
			for _, p := range splitParagraphs(string(data)) {
				byKind[kind] = append(byKind[kind], paragraph{kind: kind, file: path, text: p})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	var out []paragraph
	for _, ps := range byKind {
		sort.Slice(ps, func(i, j int) bool { return hash(ps[i].text) < hash(ps[j].text) })
		out = append(out, ps[:min(perKind, len(ps))]...)
	}
	return out, nil
}

func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

func readMaybeGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = bufio.NewReader(f)
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, err
		}
		r = zr
	}
	return io.ReadAll(io.LimitReader(r, 4<<20))
}

func splitParagraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		p = strings.TrimSpace(p)
		if len(p) >= 40 && len(p) <= 4000 {
			out = append(out, p)
		}
	}
	return out
}

// runProse runs Detect over paragraphs read from dirs, as a text body and, when
// short, as a query value, and prints the flagged share per file kind.
func runProse(w io.Writer, dirs []string, perKind int, printFP bool) error {
	ps, err := readParagraphs(dirs, perKind)
	if err != nil {
		return err
	}
	d, err := detect.New(detect.Config{})
	if err != nil {
		return err
	}
	ctx := context.Background()
	type row struct{ n, hit int }
	rows := map[string]*row{}
	for _, p := range ps {
		places := []string{"body:text"}
		if len(p.text) <= 300 {
			places = append(places, "query:q")
		}
		for _, where := range places {
			r := rows[p.kind]
			if r == nil {
				r = &row{}
				rows[p.kind] = r
			}
			r.n++
			res := d.Detect(ctx, p.text, where)
			if !res.IsThreat {
				continue
			}
			r.hit++
			if printFP && len(res.Threats) > 0 {
				t := res.Threats[0]
				fmt.Fprintf(w, "%s %s %s [%s %s %.2f %q] %q\n", p.kind, where, p.file, t.Category, t.Pattern, res.ThreatScore, t.Match, trunc(p.text, 300))
			}
		}
	}
	kinds := slices.Sorted(maps.Keys(rows))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "file kind\tvalues\tflagged %\t")
	var all row
	for _, k := range kinds {
		r := rows[k]
		all.n += r.n
		all.hit += r.hit
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t\n", k, r.n, 100*float64(r.hit)/float64(max(r.n, 1)))
	}
	fmt.Fprintf(tw, "all\t%d\t%.2f\t\n", all.n, 100*float64(all.hit)/float64(max(all.n, 1)))
	return tw.Flush()
}
