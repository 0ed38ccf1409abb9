package detect

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestCleanCache checks that a remembered clean verdict is exactly the verdict of a
// fresh run, and that it is forgotten when the patterns change.
func TestCleanCache(t *testing.T) {
	ctx := context.Background()
	d, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	const ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
	cases := []struct {
		name, value, where string
		cached             bool
	}{
		{"user agent", ua, "header:User-Agent", true},
		{"referer", "https://shop.example.com/catalog/shoes", "header:Referer", true},
		{"path", "/catalog/shoes/running", "path", true},
		{"cookie", "dark mode on, compact", "cookie:prefs", true},
		{"query", "red shoes, size 42", "query:q", true},
		{"body", "gift wrap, please", "body:json:note", true},
		{"short values are not kept", "a b", "header:X-A", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			first := d.Detect(ctx, tc.value, tc.where)
			// The first clean sighting only records the value's hash.
			if _, ok := d.clean.lookup(d.clean.hash(tc.value, contextOf(tc.where)), d.rules.Load(), tc.value, contextOf(tc.where)); ok {
				t.Fatal("kept after one sighting")
			}
			if again := d.Detect(ctx, tc.value, tc.where); again.ProcessedLength != first.ProcessedLength || again.ThreatScore != 0 {
				t.Fatalf("second sighting %+v differs from first %+v", again, first)
			}
			if first.IsThreat || first.ThreatScore != 0 {
				t.Fatalf("clean value scored %v", first.ThreatScore)
			}
			rs := d.rules.Load()
			cm := contextOf(tc.where)
			n, ok := d.clean.lookup(d.clean.hash(tc.value, cm), rs, tc.value, cm)
			if ok != tc.cached {
				t.Fatalf("cached = %v, want %v", ok, tc.cached)
			}
			if ok && n != first.ProcessedLength {
				t.Fatalf("cached processed length %d, want %d", n, first.ProcessedLength)
			}
			second := d.Detect(ctx, tc.value, tc.where)
			if second.IsThreat != first.IsThreat || second.ThreatScore != first.ThreatScore ||
				second.ProcessedLength != first.ProcessedLength || len(second.Threats) != 0 {
				t.Fatalf("second run %+v differs from first %+v", second, first)
			}
		})
	}

	// Another context of the same value is a different entry.
	if _, ok := d.clean.lookup(d.clean.hash(ua, ctxHeader), d.rules.Load(), ua, ctxHeader); ok {
		t.Fatal("User-Agent entry answered for another header")
	}
	// A custom pattern that matches a remembered value must see it.
	if err := d.AddPattern(Pattern{ID: "custom-gecko", Category: "recon", Regex: `like gecko`, Weight: 0.9}); err != nil {
		t.Fatal(err)
	}
	d.Detect(ctx, ua, "header:User-Agent")
	if r := d.Detect(ctx, ua, "header:User-Agent"); !r.IsThreat || r.Category != "recon" {
		t.Fatalf("after AddPattern: %+v, want a recon threat", r)
	}
	if !d.RemovePattern("custom-gecko") {
		t.Fatal("RemovePattern")
	}
	if r := d.Detect(ctx, ua, "header:User-Agent"); r.IsThreat {
		t.Fatalf("after RemovePattern: %+v", r)
	}
}

// TestCleanCacheAttacksNotKept checks that values with any evidence run every time.
func TestCleanCacheAttacksNotKept(t *testing.T) {
	ctx := context.Background()
	d, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"() { :; }; /bin/cat /etc/passwd", "../../../../etc/passwd", "<script>alert(1)</script>"} {
		for i := range 2 {
			r := d.Detect(ctx, v, "header:Referer")
			if !r.IsThreat {
				t.Fatalf("run %d of %q: not a threat", i, v)
			}
			if _, ok := d.clean.lookup(d.clean.hash(v, ctxHeader), d.rules.Load(), v, ctxHeader); ok {
				t.Fatalf("%q kept as clean", v)
			}
		}
	}
}

// TestPlainToken pins the plain-token fast path: values that skip the pipeline.
func TestPlainToken(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"price_asc", true}, {"42", true}, {"en-GB,en", true}, {"shop.example", true},
		{"A-1029", true}, {"", true}, {"x0", true}, {"0X41", true},
		{"java.lang.Runtime", false}, {"..", false}, {"a..b", false}, {"__proto__", false},
		{"a__b", false}, {"0x41", false}, {"10x", false}, {"a b", false}, {"a'b", false},
		{"a/b", false}, {"a=b", false}, {strings.Repeat("a", 65), false}, {strings.Repeat("a", 64), true},
	}
	for _, tc := range cases {
		if got := plainToken(tc.in); got != tc.want {
			t.Errorf("plainToken(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestScanBytes checks the one-pass byte scan against needsCleanup and the escape
// checks it replaces on the fast path of Normalize.
func TestScanBytes(t *testing.T) {
	cases := []string{
		"", "a", "plain words here", "two  spaces", "tab\there", "cr\r\nlf", "nul\x00", "del\x7f",
		"a/*b*/c", "a/ *b", "/", "*/", "a*/b", "100%", "a&b", `a\b`, "café", " ", "  ", "x /*",
		"vt\vff\f", "end ", " start",
	}
	for _, s := range cases {
		f := scanBytes(s)
		if got, want := f&bCleanup != 0, needsCleanup(s); got != want {
			t.Errorf("scanBytes(%q) cleanup = %v, needsCleanup = %v", s, got, want)
		}
		if got, want := f&bPercent != 0, strings.Contains(s, "%"); got != want {
			t.Errorf("scanBytes(%q) percent = %v", s, got)
		}
		if got, want := f&bAmp != 0, strings.Contains(s, "&"); got != want {
			t.Errorf("scanBytes(%q) amp = %v", s, got)
		}
		if got, want := f&bBackslash != 0, strings.Contains(s, `\`); got != want {
			t.Errorf("scanBytes(%q) backslash = %v", s, got)
		}
		if got, want := f&bHigh != 0, !isASCII(s); got != want {
			t.Errorf("scanBytes(%q) high = %v", s, got)
		}
	}
}

// TestCleanCacheConcurrentUpdate checks, under -race in CI, that goroutines hammering
// a cached clean value see a custom pattern as soon as AddPattern has returned.
func TestCleanCacheConcurrentUpdate(t *testing.T) {
	ctx := context.Background()
	d, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	const ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36"
	for range 3 {
		d.Detect(ctx, ua, "header:User-Agent") // now cached
	}
	var added atomic.Bool
	errs := make(chan string, 4)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				after := added.Load()
				r := d.Detect(ctx, ua, "header:User-Agent")
				if after && !r.IsThreat {
					errs <- "clean verdict after AddPattern returned"
					return
				}
			}
		}()
	}
	if err := d.AddPattern(Pattern{ID: "custom-win64", Category: "recon", Regex: `win64; x64`, Weight: 0.9}); err != nil {
		t.Fatal(err)
	}
	added.Store(true)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	if r := d.Detect(ctx, ua, "header:User-Agent"); !r.IsThreat {
		t.Fatal("not a threat after AddPattern")
	}
}
