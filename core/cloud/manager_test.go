package cloud_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guardgo/guard/core/cloud"
)

// rangeServer serves provider documents from a mutable map path → body;
// a body of "!500" answers 500.
type rangeServer struct {
	*httptest.Server
	mu    sync.Mutex
	docs  map[string]string
	hits  atomic.Int64
	agent atomic.Value
}

func newRangeServer(t *testing.T, docs map[string]string) *rangeServer {
	t.Helper()
	rs := &rangeServer{docs: docs}
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs.hits.Add(1)
		rs.agent.Store(r.UserAgent())
		rs.mu.Lock()
		body, ok := rs.docs[r.URL.Path]
		rs.mu.Unlock()
		switch {
		case !ok:
			http.NotFound(w, r)
		case body == "!500":
			http.Error(w, "boom", http.StatusInternalServerError)
		default:
			_, _ = w.Write([]byte(body))
		}
	}))
	t.Cleanup(rs.Close)
	return rs
}

func (rs *rangeServer) set(path, body string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.docs[path] = body
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdataDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func waitReady(t *testing.T, m *cloud.Manager) {
	t.Helper()
	select {
	case <-m.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("manager not ready after 10s")
	}
}

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

func TestManagerFiles(t *testing.T) {
	dir := testdataDir(t)
	src := map[cloud.Provider]string{}
	for p, files := range fixtureFiles {
		var locs []string
		for _, f := range files {
			locs = append(locs, filepath.Join(dir, f))
		}
		src[p] = strings.Join(locs, ",")
	}
	src[cloud.GCP] = "file://" + filepath.Join(dir, "gcp-cloud.json")
	m, err := cloud.NewManager(cloud.Options{Providers: cloud.All(), Sources: src})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	// Files are loaded synchronously: answers are there before Ready.
	for _, tt := range fixtureAddrs {
		got, ok := m.Lookup(addr(tt.ip))
		if got != tt.provider || ok != (tt.provider != 0) {
			t.Errorf("Lookup(%s) = %v, %v; want %v", tt.ip, got, ok, tt.provider)
		}
	}
	waitReady(t, m)
	if !m.Contains(addr("3.5.140.10"), cloud.Of(cloud.AWS, cloud.GCP)) || m.Contains(addr("3.5.140.10"), cloud.Of(cloud.GCP)) {
		t.Fatal("Contains does not honour the provider subset")
	}
	if m.Match(addr("2606:4700::1")) != cloud.Of(cloud.Cloudflare) {
		t.Fatal("Match")
	}
	st := m.Status()
	if len(st) != 7 || st[0].Provider != cloud.AWS || st[0].Prefixes != 6 || st[0].Loaded.IsZero() || st[0].Err != nil {
		t.Fatalf("Status = %+v", st)
	}
	if m.Providers() != cloud.All() || m.Set().Len(cloud.Cloudflare) != 22 {
		t.Fatal("Providers/Set")
	}
}

func TestManagerConfigErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"prefixes":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts cloud.Options
		want []string
	}{
		{name: "missing file", opts: cloud.Options{Providers: cloud.Of(cloud.AWS), Sources: map[cloud.Provider]string{cloud.AWS: filepath.Join(dir, "nope.json")}},
			want: []string{"cloud_ranges.AWS", "no such file"}},
		{name: "empty file set", opts: cloud.Options{Providers: cloud.Of(cloud.AWS), Sources: map[cloud.Provider]string{cloud.AWS: bad}},
			want: []string{"cloud_ranges.AWS", "no prefixes"}},
		{name: "unsupported scheme", opts: cloud.Options{Providers: cloud.Of(cloud.GCP), Sources: map[cloud.Provider]string{cloud.GCP: "ftp://example.com/x"}},
			want: []string{"cloud_ranges.GCP", "unsupported location"}},
		{name: "url without host", opts: cloud.Options{Providers: cloud.Of(cloud.GCP), Sources: map[cloud.Provider]string{cloud.GCP: "https://"}},
			want: []string{"invalid URL"}},
		{name: "only commas", opts: cloud.Options{Providers: cloud.Of(cloud.Vultr), Sources: map[cloud.Provider]string{cloud.Vultr: " , "}},
			want: []string{"cloud_ranges.Vultr: no location"}},
		{name: "invalid provider bits", opts: cloud.Options{Providers: cloud.Providers(1)}, want: []string{"unknown cloud provider"}},
		{name: "all problems at once", opts: cloud.Options{Providers: cloud.Of(cloud.AWS, cloud.GCP), Sources: map[cloud.Provider]string{cloud.AWS: "gopher://x", cloud.GCP: "ftp://y"}},
			want: []string{"cloud_ranges.AWS", "cloud_ranges.GCP"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := cloud.NewManager(tt.opts)
			if err == nil {
				m.Close()
				t.Fatal("NewManager succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestManagerEmpty(t *testing.T) {
	m, err := cloud.NewManager(cloud.Options{})
	if err != nil {
		t.Fatal(err)
	}
	waitReady(t, m)
	if _, ok := m.Lookup(addr("3.5.140.10")); ok {
		t.Fatal("empty manager matched")
	}
	if err := m.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	m.Close()
	m.Close() // idempotent
}

func TestManagerBackgroundFetchAndRefresh(t *testing.T) {
	rs := newRangeServer(t, map[string]string{
		"/aws.json":  fixture(t, "aws-ip-ranges.json"),
		"/v4":        fixture(t, "cloudflare-ips-v4.txt"),
		"/v6":        fixture(t, "cloudflare-ips-v6.txt"),
		"/vultr":     fixture(t, "vultr.json"),
		"/linode":    "!500",
		"/gcp.json":  fixture(t, "gcp-cloud.json"),
		"/dead.json": "!500",
	})
	m, err := cloud.NewManager(cloud.Options{
		Providers: cloud.Of(cloud.AWS, cloud.Cloudflare, cloud.Vultr, cloud.Linode),
		Sources: map[cloud.Provider]string{
			cloud.AWS:        rs.URL + "/aws.json",
			cloud.Cloudflare: rs.URL + "/v4, " + rs.URL + "/v6",
			cloud.Vultr:      rs.URL + "/vultr",
			cloud.Linode:     rs.URL + "/linode",
			cloud.GCP:        rs.URL + "/gcp.json", // not in Providers: ignored
		},
		RefreshInterval: time.Hour, // refreshes below are explicit
		HTTPClient:      rs.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	waitReady(t, m)

	check := func(step string, want map[string]cloud.Provider) {
		t.Helper()
		for ip, p := range want {
			got, ok := m.Lookup(addr(ip))
			if got != p || ok != (p != 0) {
				t.Errorf("%s: Lookup(%s) = %v, %v; want %v", step, ip, got, ok, p)
			}
		}
	}
	check("first fetch", map[string]cloud.Provider{
		"3.5.140.10": cloud.AWS, "2600:1f14::1": cloud.AWS,
		"104.16.1.1": cloud.Cloudflare, "2606:4700::1": cloud.Cloudflare,
		"45.32.1.1":  cloud.Vultr,
		"45.33.0.10": 0, // Linode's source answers 500: nothing loaded
		"34.80.1.1":  0, // GCP not configured
	})
	if ua, _ := rs.agent.Load().(string); !strings.HasPrefix(ua, "guard-cloud-ranges/") {
		t.Errorf("User-Agent = %q", ua)
	}
	st := m.Status()
	var linode cloud.Status
	for _, s := range st {
		if s.Provider == cloud.Linode {
			linode = s
		}
	}
	if linode.Err == nil || !strings.Contains(linode.Err.Error(), "500") || linode.Prefixes != 0 {
		t.Fatalf("Linode status = %+v", linode)
	}

	// A new AWS document and a working Linode feed: both swap in.
	rs.set("/aws.json", `{"prefixes":[{"ip_prefix":"198.51.100.0/24"}],"ipv6_prefixes":[]}`)
	rs.set("/linode", fixture(t, "linode.csv"))
	if err := m.Refresh(context.Background()); err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	check("after update", map[string]cloud.Provider{
		"198.51.100.1": cloud.AWS, "3.5.140.10": 0, "45.33.0.10": cloud.Linode, "104.16.1.1": cloud.Cloudflare,
	})

	// Failures of every kind keep the last good set.
	failures := []struct {
		name, path, body string
	}{
		{"server error", "/aws.json", "!500"},
		{"not found", "/aws.json", ""},
		{"malformed JSON", "/aws.json", `{"prefixes": [`},
		{"empty list", "/aws.json", `{"prefixes":[],"ipv6_prefixes":[]}`},
		{"one of two Cloudflare lists fails", "/v6", "!500"},
	}
	for _, f := range failures {
		if f.body == "" {
			rs.mu.Lock()
			delete(rs.docs, f.path)
			rs.mu.Unlock()
		} else {
			rs.set(f.path, f.body)
		}
		err := m.Refresh(context.Background())
		if err == nil {
			t.Fatalf("%s: Refresh succeeded", f.name)
		}
		check("after "+f.name, map[string]cloud.Provider{
			"198.51.100.1": cloud.AWS, "104.16.1.1": cloud.Cloudflare, "2606:4700::1": cloud.Cloudflare, "45.32.1.1": cloud.Vultr,
		})
	}
}

func TestManagerPeriodicRefresh(t *testing.T) {
	rs := newRangeServer(t, map[string]string{"/cf": "104.16.0.0/13\n"})
	m, err := cloud.NewManager(cloud.Options{
		Providers:       cloud.Of(cloud.Cloudflare),
		Sources:         map[cloud.Provider]string{cloud.Cloudflare: rs.URL + "/cf"},
		RefreshInterval: 10 * time.Millisecond,
		HTTPClient:      rs.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	waitReady(t, m)
	rs.set("/cf", "2606:4700::/32\n")
	deadline := time.Now().Add(10 * time.Second)
	for !m.Contains(addr("2606:4700::1"), cloud.All()) {
		if time.Now().After(deadline) {
			t.Fatal("background refresh never picked up the new list")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if m.Contains(addr("104.16.1.1"), cloud.All()) {
		t.Fatal("old list still active after refresh")
	}
	m.Close()
	hits := rs.hits.Load()
	time.Sleep(50 * time.Millisecond)
	if rs.hits.Load() != hits {
		t.Fatal("refresher still running after Close")
	}
}

func TestManagerAzureDownloadPage(t *testing.T) {
	var rs *rangeServer
	rs = newRangeServer(t, map[string]string{
		"/tags.json": fixture(t, "azure-servicetags.json"),
	})
	// The page links to the JSON file the way Microsoft's download page does.
	// The link must be on download.microsoft.com, so route that host to the
	// test server through the client's transport.
	link := "https://download.microsoft.com/download/7/1/d/71d86715-5596-4529-9b13-da13a5de5b63/ServiceTags_Public_20261116.json"
	rs.set("/page", fmt.Sprintf(`<html><body><a href="%s" class="download">Download</a></body></html>`, link))
	client := &http.Client{Transport: rewriteTransport{to: rs.URL, paths: map[string]string{link: "/tags.json"}}}
	m, err := cloud.NewManager(cloud.Options{
		Providers:  cloud.Of(cloud.Azure),
		Sources:    map[cloud.Provider]string{cloud.Azure: rs.URL + "/page"},
		HTTPClient: client,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	waitReady(t, m)
	if p, ok := m.Lookup(addr("20.42.10.10")); !ok || p != cloud.Azure {
		t.Fatalf("Azure not loaded through the download page: %+v", m.Status())
	}

	// A page without a link is an error and keeps the set.
	rs.set("/page", "<html>maintenance</html>")
	if err := m.Refresh(context.Background()); err == nil || !strings.Contains(err.Error(), "ServiceTags_Public") {
		t.Fatalf("Refresh err = %v", err)
	}
	if !m.Contains(addr("20.42.10.10"), cloud.Of(cloud.Azure)) {
		t.Fatal("lost the last good Azure set")
	}
}

// rewriteTransport sends every request to the test server: URLs listed in
// paths go to the mapped path, others keep their path. No request leaves
// the machine.
type rewriteTransport struct {
	to    string
	paths map[string]string
}

func (rt rewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	path := r.URL.Path
	if p, ok := rt.paths[r.URL.String()]; ok {
		path = p
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, rt.to+path, nil)
	if err != nil {
		return nil, err
	}
	return http.DefaultTransport.RoundTrip(req)
}

func TestManagerLimits(t *testing.T) {
	rs := newRangeServer(t, map[string]string{"/big": strings.Repeat("10.0.0.0/8\n", 1000)})
	m, err := cloud.NewManager(cloud.Options{
		Providers:  cloud.Of(cloud.Cloudflare),
		Sources:    map[cloud.Provider]string{cloud.Cloudflare: rs.URL + "/big"},
		MaxBytes:   100,
		HTTPClient: rs.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	waitReady(t, m)
	st := m.Status()
	if st[0].Err == nil || !strings.Contains(st[0].Err.Error(), "larger than 100 bytes") {
		t.Fatalf("status = %+v", st)
	}
}

func TestManagerRefreshCancelled(t *testing.T) {
	rs := newRangeServer(t, map[string]string{"/cf": "104.16.0.0/13\n"})
	m, err := cloud.NewManager(cloud.Options{
		Providers:  cloud.Of(cloud.Cloudflare),
		Sources:    map[cloud.Provider]string{cloud.Cloudflare: rs.URL + "/cf"},
		HTTPClient: rs.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	waitReady(t, m)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.Refresh(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Refresh(cancelled) = %v", err)
	}
	if !m.Contains(addr("104.16.1.1"), cloud.All()) {
		t.Fatal("cancelled refresh dropped the set")
	}
}

// TestManagerConcurrentLookups runs lookups while refreshes swap sets; run it
// with -race.
func TestManagerConcurrentLookups(t *testing.T) {
	rs := newRangeServer(t, map[string]string{"/cf": fixture(t, "cloudflare-ips-v4.txt")})
	m, err := cloud.NewManager(cloud.Options{
		Providers:       cloud.Of(cloud.Cloudflare),
		Sources:         map[cloud.Provider]string{cloud.Cloudflare: rs.URL + "/cf"},
		RefreshInterval: time.Millisecond,
		HTTPClient:      rs.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	waitReady(t, m)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Go(func() {
			for i := 0; i < 2000; i++ {
				if !m.Contains(addr("104.16.1.1"), cloud.All()) {
					t.Error("lookup missed during refresh")
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := 0; i < 5; i++ {
			_ = m.Refresh(context.Background())
			_ = m.Status()
		}
	})
	wg.Wait()
}
