package detect

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benignProse is ordinary text with punctuation, numbers and a few SQL/shell-looking
// words, repeated to the wanted size.
const benignProse = `Our team met on Tuesday to review the quarterly numbers. Revenue grew by 12% ` +
	`and the support backlog dropped to 37 tickets. Please select a time slot from the ` +
	`calendar, and update your profile (name, e-mail, phone) before Friday. The new ` +
	`office is at 221B Baker Street, London; parking is free after 6 pm. Questions? ` +
	`Write to facilities@example.com or call +44 20 7946 0000. Thanks & see you soon! `

func benignText(n int) string {
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(benignProse)
	}
	return b.String()[:n]
}

func benchDetector(b *testing.B, cfg Config) *Detector {
	b.Helper()
	cfg.Logger = slog.New(slog.DiscardHandler)
	d, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkDetectBenignText measures throughput on clean prose (target ≥ 200 MB/s).
func BenchmarkDetectBenignText(b *testing.B) {
	for _, size := range []int{1 << 10, 8 << 10} {
		b.Run(strings.TrimSuffix(strings.TrimSuffix(byteSize(size), "B"), " "), func(b *testing.B) {
			d := benchDetector(b, Config{MaxContentLength: size})
			in := benignText(size)
			ctx := context.Background()
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if d.Detect(ctx, in, "body:text").IsThreat {
					b.Fatal("benign text flagged")
				}
			}
		})
	}
}

func byteSize(n int) string {
	if n >= 1<<20 {
		return itoa(n>>20) + "MB"
	}
	return itoa(n>>10) + "KB"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// cleanGET is a browser-like GET with 5 query parameters and 9 headers.
func cleanGET() *Target {
	h := http.Header{}
	h.Set("Host", "shop.example.com")
	h.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36")
	h.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	h.Set("Accept-Language", "en-GB,en;q=0.9")
	h.Set("Accept-Encoding", "gzip, deflate, br")
	h.Set("Referer", "https://shop.example.com/catalog/shoes")
	h.Set("Connection", "keep-alive")
	h.Set("Upgrade-Insecure-Requests", "1")
	h.Set("Cookie", "sid=5f2b9c1e8a; theme=dark")
	return &Target{
		Method:   "GET",
		Path:     "/catalog/shoes/running",
		RawQuery: "page=2&sort=price_asc&size=42&color=blue&brand=acme",
		Header:   h,
	}
}

// BenchmarkInspectCleanGET is the hot path: a clean GET (target ~1.5 µs, few allocs).
func BenchmarkInspectCleanGET(b *testing.B) {
	d := benchDetector(b, Config{})
	t := cleanGET()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if d.Inspect(ctx, t).IsThreat {
			b.Fatal("clean GET flagged")
		}
	}
}

// BenchmarkInspectCleanGETCold is the clean GET with a User-Agent, Referer and path
// never seen before on every request (16384 variants cycled, more than the clean-value
// cache holds), so it measures the full pipeline rather than the cache.
func BenchmarkInspectCleanGETCold(b *testing.B) {
	d := benchDetector(b, Config{})
	const n = 16384
	ts := make([]*Target, n)
	for i := range ts {
		t := cleanGET()
		t.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0."+itoa(i+1)+".0 Safari/537.36")
		t.Header.Set("Referer", "https://shop.example.com/catalog/shoes?page="+itoa(i+1))
		t.Path = "/catalog/shoes/running-" + itoa(i+1)
		ts[i] = t
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if d.Inspect(ctx, ts[i%n]).IsThreat {
			b.Fatal("clean GET flagged")
		}
	}
}

// jsonOrder builds the 1 KB JSON order body; v varies the free-text values.
func jsonOrder(v string) []byte {
	var sb strings.Builder
	sb.WriteString(`{"order":{"id":"A-1029","items":[`)
	for i := 0; sb.Len() < 900; i++ {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString(`{"sku":"SKU-` + itoa(1000+i) + `","qty":2,"note":"gift wrap` + v + `, please"}`)
	}
	sb.WriteString(`]},"customer":{"name":"Ada Lovelace` + v + `","email":"ada` + v + `@example.com"}}`)
	return []byte(sb.String())
}

// BenchmarkInspectJSON1KB is a 1 KB JSON POST body, the same on every request (its
// free-text values are remembered as clean after the first requests).
func BenchmarkInspectJSON1KB(b *testing.B) {
	d := benchDetector(b, Config{})
	body := jsonOrder("")
	t := &Target{Method: "POST", Path: "/api/orders", ContentType: "application/json", Body: body,
		Header: http.Header{"User-Agent": {"curl/8.5.0"}}}
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if d.Inspect(ctx, t).IsThreat {
			b.Fatal("clean JSON flagged")
		}
	}
}

// BenchmarkInspectJSON1KBCold is the same body with its free-text values different on
// every request (16384 variants cycled): the value repeated within the body is the
// only reuse.
func BenchmarkInspectJSON1KBCold(b *testing.B) {
	d := benchDetector(b, Config{})
	const n = 16384
	ts := make([]*Target, n)
	for i := range ts {
		ts[i] = &Target{Method: "POST", Path: "/api/orders", ContentType: "application/json",
			Body: jsonOrder(" " + itoa(i+1)), Header: http.Header{"User-Agent": {"curl/8.5.0"}}}
	}
	ctx := context.Background()
	b.SetBytes(int64(len(ts[0].Body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if d.Inspect(ctx, ts[i%n]).IsThreat {
			b.Fatal("clean JSON flagged")
		}
	}
}

// adversarial builds input that makes every prefilter literal fire: quotes, brackets,
// keywords and traversal fragments, with no complete attack.
func adversarial(n int) string {
	const unit = `'"(<a sel ect un ion or 1 ./ .. %2 {{ }} ${ -- # ; | & ` + "`"
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(unit)
	}
	return b.String()[:n]
}

// BenchmarkDetectAdversarial checks that time stays linear in input size: ns/op for
// 1 MB should be about 16× the 64 KB figure.
func BenchmarkDetectAdversarial(b *testing.B) {
	for _, size := range []int{64 << 10, 1 << 20} {
		b.Run(byteSize(size), func(b *testing.B) {
			d := benchDetector(b, Config{MaxContentLength: size})
			in := adversarial(size)
			ctx := context.Background()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				d.Detect(ctx, in, "body:text")
			}
		})
	}
}

// BenchmarkInspectLargeBody is a 1 MB text body scanned in MaxContentLength windows up
// to the request budget.
func BenchmarkInspectLargeBody(b *testing.B) {
	d := benchDetector(b, Config{})
	body := []byte(benignText(1 << 20))
	t := &Target{Method: "POST", Path: "/upload", ContentType: "text/plain", Body: body}
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Inspect(ctx, t)
	}
}

func BenchmarkNormalize(b *testing.B) {
	cases := map[string]string{
		"clean":   "the quick brown fox jumps over the lazy dog 0123456789",
		"encoded": "%253Cscript%253Ealert%25281%2529%253C%252Fscript%253E",
		"unicode": "ｓｅｌｅｃｔ＊ｆｒｏｍ　ｕｓｅｒｓ",
	}
	for name, in := range cases {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				Normalize(in)
			}
		})
	}
}

// neutralProse is ordinary text without SQL, shell or markup vocabulary: the common
// case, where only the prefilter pass runs.
const neutralProse = `The river was quiet in the early morning, and the fishermen were already ` +
	`out on the water. Mist hung over the reeds while a heron stood perfectly still near ` +
	`the bank, waiting. Later the sun burned through, the market opened, and the town ` +
	`filled with voices, bicycles and the smell of fresh bread from the corner bakery. `

func BenchmarkDetectNeutralText(b *testing.B) {
	d := benchDetector(b, Config{MaxContentLength: 64 << 10})
	var sb strings.Builder
	for sb.Len() < 64<<10 {
		sb.WriteString(neutralProse)
	}
	in := sb.String()[:64<<10]
	ctx := context.Background()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if d.Detect(ctx, in, "body:text").IsThreat {
			b.Fatal("neutral text flagged")
		}
	}
}

// BenchmarkDetectDocs runs Detect over this repository's own documentation, one file
// per value as a text body: real prose with Markdown, tables, configuration and code
// samples, and the attack vocabulary a security product's manual is full of. It is
// the hard end of benign text (see docs/performance.md for how it compares with
// DetectNeutralText).
func BenchmarkDetectDocs(b *testing.B) {
	files, err := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no documentation found next to the module (%v)", err)
	}
	var docs []string
	total := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, string(data))
		total += len(data)
	}
	d := benchDetector(b, Config{MaxContentLength: 64 << 10})
	ctx := context.Background()
	b.SetBytes(int64(total))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, doc := range docs {
			d.Detect(ctx, doc, "body:text")
		}
	}
}
