package maxmind_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"log/slog"
	"net"
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

	"github.com/guardgo/guard/core/geo/maxmind"
	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// tinyDB builds a one-network MaxMind-layout database: prefix → country.
func tinyDB(t testing.TB, prefix, country string) []byte {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-Country", Description: map[string]string{"en": "tiny"}, IncludeReservedNetworks: true, BuildEpoch: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, n, _ := net.ParseCIDR(prefix)
	if err := tree.Insert(n, mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String(country)}}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := tree.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func fixtureDB(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdataDir(t), "country.mmdb"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(data)
	_ = zw.Close()
	return buf.Bytes()
}

// maxmindTarGz packs db the way MaxMind's permalink does.
func maxmindTarGz(t testing.TB, db []byte, withDB bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(name string, data []byte) {
		_ = tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg, Format: tar.FormatGNU})
		_, _ = tw.Write(data)
	}
	_ = tw.WriteHeader(&tar.Header{Name: "GeoLite2-Country_20260101/", Mode: 0o755, Typeflag: tar.TypeDir, Format: tar.FormatGNU})
	add("GeoLite2-Country_20260101/COPYRIGHT.txt", []byte("fixture"))
	add("GeoLite2-Country_20260101/LICENSE.txt", []byte("fixture"))
	if withDB {
		add("GeoLite2-Country_20260101/GeoLite2-Country.mmdb", db)
	}
	_ = tw.Close()
	return gz(t, buf.Bytes())
}

// dbServer serves one body on every path and records requests.
type dbServer struct {
	*httptest.Server
	mu     sync.Mutex
	body   []byte
	status int
	hits   atomic.Int64
	last   *http.Request
}

func newDBServer(t *testing.T, body []byte) *dbServer {
	t.Helper()
	s := &dbServer{body: body, status: http.StatusOK}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		s.last = r.Clone(context.Background())
		body, status := s.body, s.status
		s.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *dbServer) serve(status int, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.body = status, body
}

func (s *dbServer) lastRequest() *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

func country(u *maxmind.Updater, ip string) string {
	c, _ := u.Country(netip.MustParseAddr(ip))
	return c
}

func TestUpdaterFileOnly(t *testing.T) {
	u, err := maxmind.NewUpdater(maxmind.Options{Path: filepath.Join(testdataDir(t), "ipinfo-country.mmdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	u.Start(context.Background()) // no download: nothing to start
	<-u.Ready()
	if got := country(u, "192.0.2.97"); got != "DE" {
		t.Fatalf("Country = %q", got)
	}
	if u.Resolver() == nil || u.Reader() == nil || !u.Status().Loaded || u.Status().DatabaseType != "ipinfo country.mmdb" {
		t.Fatalf("status %+v", u.Status())
	}
	if err := u.Update(context.Background()); err == nil {
		t.Fatal("Update without a download configured succeeded")
	}
}

func TestUpdaterConfigErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.mmdb")
	_ = os.WriteFile(garbage, []byte("garbage"), 0o600)
	tests := []struct {
		name string
		opts maxmind.Options
		want string
	}{
		{"nothing configured", maxmind.Options{}, "no database"},
		{"missing file without download", maxmind.Options{Path: filepath.Join(dir, "none.mmdb")}, "geoip_database"},
		{"corrupt file without download", maxmind.Options{Path: garbage}, "geoip_database"},
		{"bad scheme", maxmind.Options{DownloadURL: "ftp://example.com/db.mmdb"}, "http(s) URL"},
		{"placeholder without key", maxmind.Options{DownloadURL: "https://example.com/db?key={license_key}"}, "geoip_license_key is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := maxmind.NewUpdater(tt.opts)
			if err == nil {
				u.Close()
				t.Fatal("NewUpdater succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want containing %q", err, tt.want)
			}
		})
	}
}

func TestUpdaterDownloadFormats(t *testing.T) {
	db := fixtureDB(t)
	var tarPlain bytes.Buffer
	tw := tar.NewWriter(&tarPlain)
	_ = tw.WriteHeader(&tar.Header{Name: "x/GeoLite2-Country.mmdb", Mode: 0o644, Size: int64(len(db)), Typeflag: tar.TypeReg})
	_, _ = tw.Write(db)
	_ = tw.Close()
	tests := []struct {
		name string
		body []byte
	}{
		{"mmdb", db},
		{"mmdb.gz", gz(t, db)},
		{"tar.gz (MaxMind permalink)", maxmindTarGz(t, db, true)},
		{"tar", tarPlain.Bytes()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newDBServer(t, tt.body)
			path := filepath.Join(t.TempDir(), "sub", "GeoLite2-Country.mmdb")
			u, err := maxmind.NewUpdater(maxmind.Options{Path: path, DownloadURL: srv.URL + "/db", HTTPClient: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			defer u.Close()
			if got := country(u, "192.0.2.1"); got != "" {
				t.Fatalf("resolved %q before any database", got)
			}
			if err := u.Update(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := country(u, "192.0.2.1"); got != "US" {
				t.Fatalf("Country = %q after download", got)
			}
			saved, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(saved, db) {
				t.Fatalf("cache file not written with the database: %v", err)
			}
		})
	}
}

func TestUpdaterKeepsLastGoodCopy(t *testing.T) {
	good := fixtureDB(t)
	srv := newDBServer(t, maxmindTarGz(t, good, true))
	path := filepath.Join(t.TempDir(), "country.mmdb")
	var logs bytes.Buffer
	u, err := maxmind.NewUpdater(maxmind.Options{
		Path: path, LicenseKey: "SECRET-KEY", DownloadURL: srv.URL + "/dl?license_key={license_key}&suffix=tar.gz",
		HTTPClient: srv.Client(), Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if err := u.Update(context.Background()); err != nil {
		t.Fatal(err)
	}
	if q := srv.lastRequest().URL.Query().Get("license_key"); q != "SECRET-KEY" {
		t.Fatalf("licence key not substituted: %q", q)
	}
	truncated := good[:len(good)/2]
	failures := []struct {
		name   string
		status int
		body   []byte
		want   string
	}{
		{"server error", http.StatusInternalServerError, []byte("oops"), "500"},
		{"unauthorised", http.StatusUnauthorized, []byte("bad key"), "401"},
		{"garbage", http.StatusOK, []byte(strings.Repeat("x", 1000)), "maxmind"},
		{"truncated database", http.StatusOK, truncated, "maxmind"},
		{"archive without database", http.StatusOK, maxmindTarGz(t, nil, false), "no .mmdb"},
		{"corrupt gzip", http.StatusOK, []byte{0x1f, 0x8b, 0, 0, 0}, "gunzip"},
		{"empty body", http.StatusOK, nil, "empty"},
	}
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			srv.serve(f.status, f.body)
			err := u.Update(context.Background())
			if err == nil || !strings.Contains(err.Error(), f.want) {
				t.Fatalf("Update err = %v, want containing %q", err, f.want)
			}
			if strings.Contains(err.Error(), "SECRET-KEY") {
				t.Fatalf("error leaks the licence key: %v", err)
			}
			if got := country(u, "2001:db8:7::1"); got != "JP" {
				t.Fatalf("lost the last good database: Country = %q", got)
			}
			if saved, _ := os.ReadFile(path); !bytes.Equal(saved, good) {
				t.Fatal("cache file overwritten by a bad download")
			}
			if st := u.Status(); st.LastError == nil || !st.Loaded {
				t.Fatalf("status %+v", st)
			}
		})
	}
	if strings.Contains(logs.String(), "SECRET-KEY") {
		t.Fatalf("logs leak the licence key:\n%s", logs.String())
	}
	// A new good database replaces the old one.
	srv.serve(http.StatusOK, tinyDB(t, "192.0.2.0/24", "BR"))
	if err := u.Update(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := country(u, "192.0.2.1"); got != "BR" {
		t.Fatalf("Country = %q after update", got)
	}
	if st := u.Status(); st.LastError != nil || st.LastAttempt.IsZero() {
		t.Fatalf("status %+v", st)
	}
}

func TestUpdaterRequestURLs(t *testing.T) {
	tests := []struct {
		name      string
		opts      maxmind.Options
		wantPath  string
		wantQuery map[string]string
		wantAuth  [2]string
	}{
		{"licence key only: legacy permalink", maxmind.Options{LicenseKey: "K1"}, "/app/geoip_download",
			map[string]string{"edition_id": "GeoLite2-Country", "license_key": "K1", "suffix": "tar.gz"}, [2]string{}},
		{"account and key: basic auth", maxmind.Options{LicenseKey: "K2", AccountID: "42", EditionID: "GeoIP2-Country"}, "/geoip/databases/GeoIP2-Country/download",
			map[string]string{"suffix": "tar.gz"}, [2]string{"42", "K2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newDBServer(t, maxmindTarGz(t, fixtureDB(t), true))
			tt.opts.HTTPClient = &http.Client{Transport: toServer{srv.URL}}
			u, err := maxmind.NewUpdater(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer u.Close()
			if err := u.Update(context.Background()); err != nil {
				t.Fatal(err)
			}
			r := srv.lastRequest()
			if r.URL.Path != tt.wantPath || r.Header.Get("X-Original-Host") != "download.maxmind.com" {
				t.Fatalf("requested %s on %s", r.URL.Path, r.Header.Get("X-Original-Host"))
			}
			for k, v := range tt.wantQuery {
				if r.URL.Query().Get(k) != v {
					t.Errorf("query %s = %q, want %q", k, r.URL.Query().Get(k), v)
				}
			}
			user, pass, ok := r.BasicAuth()
			if ok != (tt.wantAuth[0] != "") || user != tt.wantAuth[0] || pass != tt.wantAuth[1] {
				t.Errorf("basic auth = %q %q %v", user, pass, ok)
			}
			if got := country(u, "192.0.2.1"); got != "US" {
				t.Fatalf("Country = %q", got)
			}
		})
	}
}

// toServer sends every request to the test server, keeping path and query
// and recording the original host; no request leaves the machine.
type toServer struct{ base string }

func (ts toServer) RoundTrip(r *http.Request) (*http.Response, error) {
	req := r.Clone(r.Context())
	target, _ := http.NewRequest(http.MethodGet, ts.base, nil)
	req.URL.Scheme, req.URL.Host = target.URL.Scheme, target.URL.Host
	req.Host = target.URL.Host
	req.Header.Set("X-Original-Host", r.URL.Host)
	return http.DefaultTransport.RoundTrip(req)
}

func TestUpdaterBackground(t *testing.T) {
	srv := newDBServer(t, nil)
	srv.serve(http.StatusServiceUnavailable, nil) // first attempt fails
	u, err := maxmind.NewUpdater(maxmind.Options{
		DownloadURL: srv.URL + "/country.mmdb", HTTPClient: srv.Client(),
		Interval: 40 * time.Millisecond, RetryInterval: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	u.Start(ctx)
	u.Start(ctx) // idempotent
	select {
	case <-u.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("not ready")
	}
	if u.Status().Loaded {
		t.Fatal("loaded a database from a failing server")
	}
	// Retry picks up the database once the server works.
	srv.serve(http.StatusOK, fixtureDB(t))
	waitFor(t, func() bool { return country(u, "192.0.2.33") == "CN" }, u)
	// The schedule picks up a new database.
	srv.serve(http.StatusOK, tinyDB(t, "192.0.2.0/24", "FR"))
	waitFor(t, func() bool { return country(u, "192.0.2.33") == "FR" }, u)
	// A failing server afterwards keeps the last good copy.
	srv.serve(http.StatusInternalServerError, nil)
	hits := srv.hits.Load()
	waitFor(t, func() bool { return srv.hits.Load() > hits+1 }, u)
	if got := country(u, "192.0.2.33"); got != "FR" {
		t.Fatalf("Country = %q after failed refreshes", got)
	}
	_ = u.Close()
	_ = u.Close()
	hits = srv.hits.Load()
	time.Sleep(60 * time.Millisecond)
	if srv.hits.Load() != hits {
		t.Fatal("downloads continue after Close")
	}
	u.Start(ctx) // after Close: no-op
	time.Sleep(30 * time.Millisecond)
	if srv.hits.Load() != hits {
		t.Fatal("Start after Close downloaded")
	}
}

func TestUpdaterFreshCacheSkipsStartupDownload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "country.mmdb")
	if err := os.WriteFile(path, fixtureDB(t), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := newDBServer(t, tinyDB(t, "192.0.2.0/24", "JP"))
	newUpdater := func(now time.Time) *maxmind.Updater {
		u, err := maxmind.NewUpdater(maxmind.Options{
			Path: path, DownloadURL: srv.URL, HTTPClient: srv.Client(), Interval: time.Hour,
			Now: func() time.Time { return now },
		})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	// Fresh file: used as is, no download at start.
	u := newUpdater(time.Now())
	u.Start(context.Background())
	<-u.Ready()
	time.Sleep(20 * time.Millisecond)
	if srv.hits.Load() != 0 || country(u, "192.0.2.1") != "US" {
		t.Fatalf("hits=%d country=%q", srv.hits.Load(), country(u, "192.0.2.1"))
	}
	u.Close()
	// Stale file: used at once, and downloaded at start.
	u = newUpdater(time.Now().Add(2 * time.Hour))
	defer u.Close()
	if country(u, "192.0.2.1") != "US" {
		t.Fatal("stale cache not used while downloading")
	}
	u.Start(context.Background())
	waitFor(t, func() bool { return country(u, "192.0.2.1") == "JP" }, u)
	if srv.hits.Load() != 1 {
		t.Fatalf("hits=%d country=%q", srv.hits.Load(), country(u, "192.0.2.1"))
	}
}

func TestUpdaterCorruptCacheWithDownload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "country.mmdb")
	_ = os.WriteFile(path, []byte("corrupt"), 0o644)
	srv := newDBServer(t, gz(t, fixtureDB(t)))
	u, err := maxmind.NewUpdater(maxmind.Options{Path: path, DownloadURL: srv.URL, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	u.Start(context.Background())
	<-u.Ready()
	if got := country(u, "2001:db8:8::1"); got != "BR" {
		t.Fatalf("Country = %q", got)
	}
}

func TestUpdaterMaxBytes(t *testing.T) {
	srv := newDBServer(t, fixtureDB(t))
	u, err := maxmind.NewUpdater(maxmind.Options{DownloadURL: srv.URL, HTTPClient: srv.Client(), MaxBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if err := u.Update(context.Background()); err == nil || !strings.Contains(err.Error(), "larger than 100 bytes") {
		t.Fatalf("err = %v", err)
	}
}

// TestUpdaterConcurrent swaps databases while lookups run; run with -race.
func TestUpdaterConcurrent(t *testing.T) {
	dbs := [][]byte{tinyDB(t, "192.0.2.0/24", "DE"), tinyDB(t, "192.0.2.0/24", "FR")}
	srv := newDBServer(t, dbs[0])
	u, err := maxmind.NewUpdater(maxmind.Options{DownloadURL: srv.URL, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if err := u.Update(context.Background()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Go(func() {
			for i := 0; i < 3000; i++ {
				if c := country(u, "192.0.2.9"); c != "DE" && c != "FR" {
					t.Errorf("Country = %q mid-swap", c)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := 0; i < 6; i++ {
			srv.serve(http.StatusOK, dbs[i%2])
			_ = u.Update(context.Background())
			_ = u.Status()
		}
	})
	wg.Wait()
}

func waitFor(t *testing.T, cond func() bool, u *maxmind.Updater) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within 10s; status %+v", u.Status())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
