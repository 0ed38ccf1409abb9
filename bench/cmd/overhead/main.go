// Command overhead reads `go test -bench` output (several -count runs) on
// standard input and prints, as Markdown, the median of every metric of
// every benchmark, then the BenchmarkPeers comparison: each subject's
// overhead over the bare handler (subject − bare, time and allocations)
// and how many times Coraza+CRS's overhead is larger.
//
//	go test -run '^$' -bench . -benchmem -count 6 ./... | go run ./cmd/overhead
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// procSuffix is the -GOMAXPROCS suffix of a benchmark name.
var procSuffix = regexp.MustCompile(`-\d+$`)

// results maps benchmark name → unit → samples.
type results struct {
	order []string
	m     map[string]map[string][]float64
}

func parse(r io.Reader) (*results, error) {
	res := &results{m: map[string]map[string][]float64{}}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := procSuffix.ReplaceAllString(f[0], "")
		if res.m[name] == nil {
			res.m[name] = map[string][]float64{}
			res.order = append(res.order, name)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			res.m[name][f[i+1]] = append(res.m[name][f[i+1]], v)
		}
	}
	return res, sc.Err()
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (r *results) med(name, unit string) (float64, bool) {
	xs, ok := r.m[name][unit]
	return median(xs), ok
}

// micros formats nanoseconds as microseconds.
func micros(ns float64) string {
	switch {
	case ns >= 100_000:
		return fmt.Sprintf("%.0f", ns/1000)
	case ns >= 1000:
		return fmt.Sprintf("%.1f", ns/1000)
	default:
		return fmt.Sprintf("%.3f", ns/1000)
	}
}

func main() {
	res, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "overhead:", err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()

	fmt.Fprintln(w, "| benchmark | runs | medians |")
	fmt.Fprintln(w, "|---|---|---|")
	for _, name := range res.order {
		units := make([]string, 0, len(res.m[name]))
		for u := range res.m[name] {
			units = append(units, u)
		}
		slices.Sort(units)
		var parts []string
		n := 0
		for _, u := range units {
			n = max(n, len(res.m[name][u]))
			parts = append(parts, fmt.Sprintf("%.4g %s", median(res.m[name][u]), u))
		}
		fmt.Fprintf(w, "| %s | %d | %s |\n", name, n, strings.Join(parts, ", "))
	}

	// BenchmarkPeers/<scenario>/<subject>
	var scenarios []string
	subjects := map[string][]string{}
	for _, name := range res.order {
		p := strings.Split(name, "/")
		if len(p) != 3 || p[0] != "BenchmarkPeers" {
			continue
		}
		if subjects[p[1]] == nil {
			scenarios = append(scenarios, p[1])
		}
		subjects[p[1]] = append(subjects[p[1]], p[2])
	}
	for _, sc := range scenarios {
		bare, ok := res.med("BenchmarkPeers/"+sc+"/bare", "ns/op")
		if !ok {
			continue
		}
		bareAllocs, _ := res.med("BenchmarkPeers/"+sc+"/bare", "allocs/op")
		coraza, hasCoraza := res.med("BenchmarkPeers/"+sc+"/coraza_crs", "ns/op")
		fmt.Fprintf(w, "\n%s — overhead over the bare handler (%s µs), medians:\n\n", sc, micros(bare))
		fmt.Fprintln(w, "| subject | µs/op (median) | min–max µs/op | allocs/op | overhead µs | overhead allocs | Coraza+CRS overhead ÷ this |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
		for _, sub := range subjects[sc] {
			name := "BenchmarkPeers/" + sc + "/" + sub
			ns, _ := res.med(name, "ns/op")
			allocs, _ := res.med(name, "allocs/op")
			ratio := "—"
			if over := ns - bare; hasCoraza && sub != "bare" && over > 0 {
				ratio = fmt.Sprintf("%.0f×", (coraza-bare)/over)
			}
			xs := res.m[name]["ns/op"]
			fmt.Fprintf(w, "| %s | %s | %s–%s | %.0f | %s | %.0f | %s |\n", sub, micros(ns), micros(slices.Min(xs)), micros(slices.Max(xs)),
				allocs, micros(ns-bare), allocs-bareAllocs, ratio)
		}
	}
}
