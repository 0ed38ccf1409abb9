package maxmind

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/guardgo/guard/core/geo"
)

// Defaults used by NewUpdater for zero Options fields.
const (
	// DefaultEditionID is the MaxMind edition downloaded with a licence key.
	DefaultEditionID = "GeoLite2-Country"
	// DefaultInterval between downloads. MaxMind publishes GeoLite2 twice a
	// week; IPinfo's free databases daily.
	DefaultInterval = 24 * time.Hour
	// DefaultRetryInterval is the wait after a failed download (capped by
	// Interval).
	DefaultRetryInterval = 15 * time.Minute
	// DefaultFetchTimeout bounds one download.
	DefaultFetchTimeout = 5 * time.Minute
	// DefaultMaxBytes bounds a download and the database inside it. A
	// country database is 5–10 MB; a city database about 70 MB.
	DefaultMaxBytes = 256 << 20
	// LicenseKeyPlaceholder in Options.DownloadURL is replaced by the
	// query-escaped licence key.
	LicenseKeyPlaceholder = "{license_key}"
)

// Options configures an Updater.
type Options struct {
	// Path is the database file (config geoip_database). Without a download
	// it is read once by NewUpdater and must exist. With a download it is
	// the cache: loaded at start if present (a fresh enough file avoids a
	// download at start-up), and replaced atomically by every good download,
	// so a restart without network still has the last good copy. Empty with
	// a download: the database lives in memory only.
	Path string
	// LicenseKey is a MaxMind licence key (config geoip_license_key). Alone,
	// it selects MaxMind's permalink for EditionID; with DownloadURL it
	// replaces LicenseKeyPlaceholder in the URL.
	LicenseKey string
	// AccountID is a MaxMind account ID. With LicenseKey it selects
	// MaxMind's current permalink with HTTP basic authentication instead of
	// the licence key in the query string.
	AccountID string
	// EditionID is the MaxMind edition. Empty: DefaultEditionID.
	EditionID string
	// DownloadURL (config geoip_download_url) serves a .mmdb, .mmdb.gz,
	// .tar.gz or .tar file (the format is detected from the content), e.g.
	// an IPinfo URL with its token. http or https.
	DownloadURL string
	// Interval between downloads. Zero: DefaultInterval.
	Interval time.Duration
	// RetryInterval after a failed download. Zero: DefaultRetryInterval.
	RetryInterval time.Duration
	// FetchTimeout bounds one download. Zero: DefaultFetchTimeout.
	FetchTimeout time.Duration
	// MaxBytes bounds a download and the database it contains. Zero:
	// DefaultMaxBytes.
	MaxBytes int64
	// HTTPClient downloads. Nil: a plain client (FetchTimeout applies).
	HTTPClient *http.Client
	// Logger receives download failures (Warn) and successes (Info). URLs
	// are logged without query string or credentials. Nil: nothing logged.
	Logger *slog.Logger
	// Now is the clock used to judge the cache file's age. Nil: time.Now.
	Now func() time.Time
}

// Status describes an Updater's current database and last download.
type Status struct {
	// Loaded reports whether a database is in use.
	Loaded       bool
	DatabaseType string
	BuildTime    time.Time
	// LoadedAt is when the current database was loaded.
	LoadedAt time.Time
	// LastAttempt is when the last download finished; zero if none.
	LastAttempt time.Time
	// LastError is the last download's error, nil if it succeeded.
	LastError error
}

// Updater owns the current country database: loaded from a file, downloaded
// and refreshed on a schedule, or both. It implements geo.Resolver; before any
// database is loaded, Country resolves nothing.
//
// A download is accepted only if it unpacks to a database that opens and
// passes Verify; otherwise it is logged and the current database (the last
// good copy) stays in use. Swaps are atomic: a lookup sees the old or the new
// database, never a mix.
type Updater struct {
	opts     Options
	log      *slog.Logger
	client   *http.Client
	download string // resolved URL, "" when downloads are off
	now      func() time.Time

	cur atomic.Pointer[Reader]

	mu          sync.Mutex // guards the fields below
	loadedAt    time.Time
	lastAttempt time.Time
	lastErr     error
	running     bool // Start launched the loop
	closed      bool
	cancel      context.CancelFunc

	updateMu  sync.Mutex // serialises downloads
	ready     chan struct{}
	readyOnce sync.Once
	done      chan struct{} // closed when the loop exits
}

var _ geo.Resolver = (*Updater)(nil)

// NewUpdater validates opts and loads Path if it exists. Without a download
// configured, a missing or invalid Path is an error; with one, it is logged
// and the first download (at Start) provides the database. Call Start to
// begin downloading and Close to stop.
func NewUpdater(opts Options) (*Updater, error) {
	if opts.EditionID == "" {
		opts.EditionID = DefaultEditionID
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.RetryInterval <= 0 {
		opts.RetryInterval = DefaultRetryInterval
	}
	opts.RetryInterval = min(opts.RetryInterval, opts.Interval)
	if opts.FetchTimeout <= 0 {
		opts.FetchTimeout = DefaultFetchTimeout
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	u := &Updater{
		opts:   opts,
		log:    opts.Logger,
		client: opts.HTTPClient,
		now:    opts.Now,
		ready:  make(chan struct{}),
		done:   make(chan struct{}),
	}
	if u.log == nil {
		u.log = slog.New(slog.DiscardHandler)
	}
	if u.client == nil {
		u.client = &http.Client{}
	}
	if u.now == nil {
		u.now = time.Now
	}
	dl, err := downloadURL(opts)
	if err != nil {
		return nil, err
	}
	u.download = dl
	if opts.Path == "" && dl == "" {
		return nil, errors.New("geoip: no database: set geoip_database, or geoip_license_key / geoip_download_url to download one")
	}
	if opts.Path != "" {
		r, err := Open(opts.Path)
		switch {
		case err == nil:
			u.swap(r)
		case dl == "":
			return nil, fmt.Errorf("geoip_database: %w", err)
		default:
			u.log.Warn("geoip: cached database unusable, will download", "path", opts.Path, "err", err)
		}
	}
	if dl == "" {
		u.readyOnce.Do(func() { close(u.ready) })
	}
	return u, nil
}

func downloadURL(opts Options) (string, error) {
	raw := strings.TrimSpace(opts.DownloadURL)
	switch {
	case raw == "" && opts.LicenseKey == "":
		return "", nil
	case raw == "" && opts.AccountID != "":
		return "https://download.maxmind.com/geoip/databases/" + url.PathEscape(opts.EditionID) + "/download?suffix=tar.gz", nil
	case raw == "":
		q := url.Values{"edition_id": {opts.EditionID}, "license_key": {opts.LicenseKey}, "suffix": {"tar.gz"}}
		return "https://download.maxmind.com/app/geoip_download?" + q.Encode(), nil
	}
	if strings.Contains(raw, LicenseKeyPlaceholder) {
		if opts.LicenseKey == "" {
			return "", fmt.Errorf("geoip_download_url: contains %s but geoip_license_key is empty", LicenseKeyPlaceholder)
		}
		raw = strings.ReplaceAll(raw, LicenseKeyPlaceholder, url.QueryEscape(opts.LicenseKey))
	}
	pu, err := url.Parse(raw)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return "", fmt.Errorf("geoip_download_url: want an http(s) URL, got %q", redact(raw))
	}
	return raw, nil
}

// redact drops credentials and the query string (licence keys, tokens).
func redact(raw string) string {
	pu, err := url.Parse(raw)
	if err != nil {
		return "<invalid URL>"
	}
	pu.User = nil
	pu.RawQuery = ""
	pu.Fragment = ""
	return pu.String()
}

// Country implements geo.Resolver with the current database.
func (u *Updater) Country(ip netip.Addr) (string, bool) {
	return u.cur.Load().Country(ip)
}

// Resolver returns u as a geo.Resolver. It is safe to call at any time:
// before the first database is loaded it resolves nothing.
func (u *Updater) Resolver() geo.Resolver { return u }

// Reader returns the current database, or nil if none is loaded yet.
func (u *Updater) Reader() *Reader { return u.cur.Load() }

// Ready is closed once a database is loaded or the first download attempt
// has finished (successfully or not), so callers can wait for a best-effort
// start. It is closed at once without downloads.
func (u *Updater) Ready() <-chan struct{} { return u.ready }

// Status reports the current database and the last download.
func (u *Updater) Status() Status {
	u.mu.Lock()
	defer u.mu.Unlock()
	s := Status{LoadedAt: u.loadedAt, LastAttempt: u.lastAttempt, LastError: u.lastErr}
	if r := u.cur.Load(); r != nil {
		s.Loaded = true
		s.DatabaseType = r.DatabaseType()
		s.BuildTime = r.BuildTime()
	}
	return s
}

func (u *Updater) swap(r *Reader) {
	// The old Reader is not closed: lookups in flight may still use it, and
	// its memory is reclaimed once they are done.
	u.cur.Store(r)
	u.mu.Lock()
	u.loadedAt = u.now()
	u.mu.Unlock()
	u.readyOnce.Do(func() { close(u.ready) })
}

// Start begins background downloads when a download is configured: at once
// if no database is loaded or the cache file is older than Interval, then
// every Interval (RetryInterval after a failure). It returns immediately;
// later calls do nothing. The loop stops when ctx is cancelled or Close is
// called.
func (u *Updater) Start(ctx context.Context) {
	if u.download == "" {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.running || u.closed {
		return
	}
	ctx, u.cancel = context.WithCancel(ctx)
	u.running = true
	go u.run(ctx)
}

func (u *Updater) run(ctx context.Context) {
	defer close(u.done)
	wait := time.Duration(0)
	if u.cur.Load() != nil && u.opts.Path != "" {
		if fi, err := os.Stat(u.opts.Path); err == nil {
			if age := u.now().Sub(fi.ModTime()); age < u.opts.Interval {
				wait = u.opts.Interval - age
				u.readyOnce.Do(func() { close(u.ready) })
			}
		}
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			u.readyOnce.Do(func() { close(u.ready) })
			return
		case <-t.C:
		}
		err := u.Update(ctx)
		u.readyOnce.Do(func() { close(u.ready) })
		if err != nil {
			t.Reset(u.opts.RetryInterval)
		} else {
			t.Reset(u.opts.Interval)
		}
	}
}

// Update downloads the database now, validates it and swaps it in (writing
// it to Path first when set). On any failure the current database stays in
// use and the error is returned and logged. Downloads are serialised.
func (u *Updater) Update(ctx context.Context) error {
	if u.download == "" {
		return errors.New("geoip: no download configured")
	}
	u.updateMu.Lock()
	defer u.updateMu.Unlock()
	r, err := u.fetch(ctx)
	u.mu.Lock()
	u.lastAttempt = u.now()
	u.lastErr = err
	u.mu.Unlock()
	if err != nil {
		u.log.Warn("geoip: download failed, keeping the current database",
			"url", redact(u.download), "have_database", u.cur.Load() != nil, "err", err)
		return err
	}
	u.swap(r)
	u.log.Info("geoip: database updated", "url", redact(u.download),
		"database_type", r.DatabaseType(), "build_time", r.BuildTime().UTC())
	return nil
}

func (u *Updater) fetch(ctx context.Context) (*Reader, error) {
	ctx, cancel := context.WithTimeout(ctx, u.opts.FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.download, nil)
	if err != nil {
		return nil, fmt.Errorf("geoip: download %s: %w", redact(u.download), redactErr(err, u.download))
	}
	if u.opts.AccountID != "" && u.opts.LicenseKey != "" {
		req.SetBasicAuth(u.opts.AccountID, u.opts.LicenseKey)
	}
	req.Header.Set("User-Agent", "guard-geoip/1")
	resp, err := u.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("geoip: download %s: %w", redact(u.download), redactErr(err, u.download))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("geoip: download %s: status %s", redact(u.download), resp.Status)
	}
	body, err := readLimited(resp.Body, u.opts.MaxBytes)
	if err != nil {
		return nil, fmt.Errorf("geoip: download %s: %w", redact(u.download), err)
	}
	db, err := extract(body, u.opts.MaxBytes)
	if err != nil {
		return nil, fmt.Errorf("geoip: download %s: %w", redact(u.download), err)
	}
	r, err := OpenBytes(db)
	if err != nil {
		return nil, err
	}
	if err := r.Verify(); err != nil {
		return nil, err
	}
	if u.opts.Path != "" {
		if err := writeAtomic(u.opts.Path, db); err != nil {
			// The database is good: use it, but say the cache is stale.
			u.log.Warn("geoip: cannot save the downloaded database; using it from memory", "path", u.opts.Path, "err", err)
		}
	}
	return r, nil
}

// redactErr removes the URL (which may carry a licence key) from a
// *url.Error.
func redactErr(err error, raw string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: redact(ue.URL), Err: ue.Err}
	}
	if s := err.Error(); strings.Contains(s, raw) {
		return errors.New(strings.ReplaceAll(s, raw, redact(raw)))
	}
	return err
}

func readLimited(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	return data, nil
}

// extract returns the .mmdb inside data: data itself, gunzipped, or the
// first *.mmdb entry of a (gzipped) tar archive.
func extract(data []byte, max int64) ([]byte, error) {
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
		data, err = readLimited(zr, max)
		if err != nil {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
	}
	if len(data) >= 262 && string(data[257:262]) == "ustar" {
		tr := tar.NewReader(bytes.NewReader(data))
		for {
			h, err := tr.Next()
			if err == io.EOF {
				return nil, errors.New("archive holds no .mmdb file")
			}
			if err != nil {
				return nil, fmt.Errorf("untar: %w", err)
			}
			if h.Typeflag == tar.TypeReg && strings.HasSuffix(h.Name, ".mmdb") {
				db, err := readLimited(tr, max)
				if err != nil {
					return nil, fmt.Errorf("untar %s: %w", h.Name, err)
				}
				return db, nil
			}
		}
	}
	return data, nil
}

// writeAtomic writes data to a temporary file next to path and renames it
// over path, so readers of path never see a partial file.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp, 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		_ = os.Remove(tmp)
	}
	return werr
}

// Close stops background downloads and waits for a download in progress to
// be abandoned. The current database stays usable. Close is idempotent and
// returns nil; Start after Close does nothing.
func (u *Updater) Close() error {
	u.mu.Lock()
	u.closed = true
	running := u.running
	cancel := u.cancel
	u.mu.Unlock()
	if running {
		cancel()
		<-u.done
	}
	return nil
}
