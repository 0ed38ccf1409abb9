package cloud

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults used by NewManager for zero Options fields.
const (
	// DefaultRefreshInterval matches the reference's
	// cloud_ip_refresh_interval default (3600 s).
	DefaultRefreshInterval = time.Hour
	// DefaultFetchTimeout bounds one download.
	DefaultFetchTimeout = time.Minute
	// DefaultMaxBytes bounds one downloaded or read document (Azure's Service
	// Tags file is about 4 MB).
	DefaultMaxBytes = 64 << 20
)

// Options configures a Manager.
type Options struct {
	// Providers to load. Empty: the Manager holds an empty set and starts no
	// goroutine.
	Providers Providers
	// Sources overrides DefaultSource per provider (config cloud_ranges). A
	// value is one location or several separated by commas; a location is an
	// http:// or https:// URL, a file:// URL, or a file path. Entries for
	// providers not in Providers are ignored; an empty value means the
	// default.
	Sources map[Provider]string
	// RefreshInterval between background refreshes (config
	// cloud_ip_refresh_interval). Zero or negative: DefaultRefreshInterval.
	RefreshInterval time.Duration
	// FetchTimeout bounds each download. Zero: DefaultFetchTimeout.
	FetchTimeout time.Duration
	// MaxBytes bounds each document. Zero: DefaultMaxBytes.
	MaxBytes int64
	// HTTPClient downloads URL sources. Nil: a client with no overall
	// timeout (FetchTimeout applies per request).
	HTTPClient *http.Client
	// Logger receives refresh failures (Warn) and successes (Info). Nil:
	// nothing is logged.
	Logger *slog.Logger
}

// Status describes one provider's ranges in a Manager.
type Status struct {
	Provider Provider
	// Source is the provider's location list as configured.
	Source string
	// Prefixes is the number of prefixes in the current (last good) set.
	Prefixes int
	// Loaded is when the current set was loaded; zero if never.
	Loaded time.Time
	// Err is the error of the last attempt, nil if it succeeded.
	Err error
}

type providerState struct {
	provider  Provider
	source    string
	locations []string
	remote    bool // at least one location is a URL
	prefixes  []netip.Prefix
	loaded    time.Time
	err       error
}

// Manager keeps the ranges of a set of providers loaded and fresh.
//
// NewManager reads file sources synchronously (an unreadable or unparsable
// file is an error) and fetches URL sources in the background, then refreshes
// every source each RefreshInterval. A failed refresh of a provider is logged
// and keeps that provider's last good prefixes (none, before the first
// success): lookups never see a half-loaded or empty-by-accident set. Every
// successful update compiles a new Set and swaps it in atomically.
//
// Until the first download of a URL source succeeds, that provider matches
// nothing: blocking clouds fails open at start-up. Use Ready to wait for the
// first round, or point cloud_ranges at files for a deterministic start.
//
// All methods are safe for concurrent use. Close stops the background
// goroutine.
type Manager struct {
	opts   Options
	log    *slog.Logger
	client *http.Client

	set atomic.Pointer[Set]

	mu     sync.Mutex // guards states and rebuilds
	states []*providerState

	refreshMu sync.Mutex // serialises refresh rounds

	ready     chan struct{}
	cancel    context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
}

// NewManager validates opts, loads file sources and starts the background
// refresher. Errors for every bad provider, location or file are reported at
// once (errors.Join).
func NewManager(opts Options) (*Manager, error) {
	if opts.RefreshInterval <= 0 {
		opts.RefreshInterval = DefaultRefreshInterval
	}
	if opts.FetchTimeout <= 0 {
		opts.FetchTimeout = DefaultFetchTimeout
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	m := &Manager{
		opts:   opts,
		log:    opts.Logger,
		client: opts.HTTPClient,
		ready:  make(chan struct{}),
		done:   make(chan struct{}),
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if m.client == nil {
		m.client = &http.Client{}
	}
	m.set.Store(NewSet(nil))

	var errs []error
	if opts.Providers&^All() != 0 {
		errs = append(errs, fmt.Errorf("cloud: %w in provider set %#x", ErrUnknownProvider, uint16(opts.Providers&^All())))
	}
	for _, p := range opts.Providers.List() {
		src := strings.TrimSpace(opts.Sources[p])
		if src == "" {
			src = DefaultSource(p)
		}
		st := &providerState{provider: p, source: src}
		for _, loc := range strings.Split(src, ",") {
			loc = strings.TrimSpace(loc)
			if loc == "" {
				continue
			}
			isURL, err := classify(loc)
			if err != nil {
				errs = append(errs, fmt.Errorf("cloud_ranges.%s: %w", p, err))
				continue
			}
			st.remote = st.remote || isURL
			st.locations = append(st.locations, loc)
		}
		if len(st.locations) == 0 {
			errs = append(errs, fmt.Errorf("cloud_ranges.%s: no location", p))
		}
		m.states = append(m.states, st)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	// Files only: load synchronously so a bad path fails start-up.
	ctx := context.Background()
	for _, st := range m.states {
		if st.remote {
			continue
		}
		if err := m.refreshOne(ctx, st); err != nil {
			errs = append(errs, fmt.Errorf("cloud_ranges.%s: %w", st.provider, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	m.rebuild()

	if len(m.states) == 0 {
		close(m.ready)
		close(m.done)
		m.cancel = func() {}
		return m, nil
	}
	bg, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	go m.run(bg)
	return m, nil
}

// classify reports whether loc is a URL (true) or a file (false).
func classify(loc string) (bool, error) {
	lower := strings.ToLower(loc)
	switch {
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		u, err := url.Parse(loc)
		if err != nil || u.Host == "" {
			return false, fmt.Errorf("invalid URL %q", loc)
		}
		return true, nil
	case strings.HasPrefix(lower, "file://"):
		if filePath(loc) == "" {
			return false, fmt.Errorf("invalid file URL %q", loc)
		}
		return false, nil
	case strings.Contains(loc, "://"):
		return false, fmt.Errorf("unsupported location %q (want http(s)://, file:// or a path)", loc)
	}
	return false, nil
}

func filePath(loc string) string {
	if len(loc) >= 7 && strings.EqualFold(loc[:7], "file://") {
		return loc[7:]
	}
	return loc
}

func (m *Manager) run(ctx context.Context) {
	defer close(m.done)
	// First round: everything that was not loaded synchronously.
	m.refresh(ctx, func(st *providerState) bool { return st.remote })
	close(m.ready)
	t := time.NewTicker(m.opts.RefreshInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.refresh(ctx, func(*providerState) bool { return true })
		}
	}
}

// Ready is closed once the first background round has finished (each URL
// source fetched once, successfully or not). It is closed immediately when
// every source is a file.
func (m *Manager) Ready() <-chan struct{} { return m.ready }

// Refresh reloads every provider now, synchronously, and returns the errors
// of the providers that failed (each keeps its last good set).
func (m *Manager) Refresh(ctx context.Context) error {
	return m.refresh(ctx, func(*providerState) bool { return true })
}

func (m *Manager) refresh(ctx context.Context, want func(*providerState) bool) error {
	m.refreshMu.Lock()
	defer m.refreshMu.Unlock()
	var errs []error
	changed := false
	for _, st := range m.states {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		if !want(st) {
			continue
		}
		if err := m.refreshOne(ctx, st); err != nil {
			errs = append(errs, fmt.Errorf("cloud: %s: %w", st.provider, err))
		} else {
			changed = true
		}
	}
	if changed {
		m.rebuild() // once per round, however many providers changed
	}
	return errors.Join(errs...)
}

// refreshOne loads every location of one provider; only if all succeed are
// the provider's prefixes replaced (the caller then rebuilds the Set).
func (m *Manager) refreshOne(ctx context.Context, st *providerState) error {
	var all []netip.Prefix
	skipped := 0
	var err error
	for _, loc := range st.locations {
		var data []byte
		data, err = m.load(ctx, st.provider, loc)
		if err != nil {
			break
		}
		var res ParseResult
		res, err = Parse(st.provider, data)
		if err != nil {
			err = fmt.Errorf("%s: %w", loc, err)
			break
		}
		all = append(all, res.Prefixes...)
		skipped += res.Skipped
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st.err = err
	if err != nil {
		m.log.Warn("cloud ranges: refresh failed, keeping the last good set",
			"provider", st.provider.String(), "source", st.source, "kept_prefixes", len(st.prefixes), "err", err)
		return err
	}
	st.prefixes = all
	st.loaded = time.Now()
	m.log.Info("cloud ranges: loaded",
		"provider", st.provider.String(), "source", st.source, "prefixes", len(all), "skipped", skipped)
	return nil
}

// rebuild compiles the last good prefixes of every provider into a new Set
// and swaps it in.
func (m *Manager) rebuild() {
	m.mu.Lock()
	defer m.mu.Unlock()
	ranges := make(map[Provider][]netip.Prefix, len(m.states))
	for _, st := range m.states {
		if len(st.prefixes) > 0 {
			ranges[st.provider] = st.prefixes
		}
	}
	m.set.Store(NewSet(ranges))
}

func (m *Manager) load(ctx context.Context, p Provider, loc string) ([]byte, error) {
	isURL, _ := classify(loc)
	if !isURL {
		return m.readFile(filePath(loc))
	}
	data, err := m.fetch(ctx, loc)
	if err != nil {
		return nil, err
	}
	if p == Azure {
		if t := bytes.TrimSpace(data); len(t) > 0 && t[0] != '{' {
			// The download page: follow its link to the current JSON file.
			link := azureDownloadLink(data)
			if link == "" {
				return nil, fmt.Errorf("%s: no ServiceTags_Public JSON link in the page", loc)
			}
			return m.fetch(ctx, link)
		}
	}
	return data, nil
}

func (m *Manager) readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f, m.opts.MaxBytes, path)
}

func (m *Manager) fetch(ctx context.Context, u string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, m.opts.FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "guard-cloud-ranges/1")
	resp, err := m.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("GET %s: status %s", u, resp.Status)
	}
	return readLimited(resp.Body, m.opts.MaxBytes, u)
}

func readLimited(r io.Reader, max int64, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("read %s: larger than %d bytes", name, max)
	}
	return data, nil
}

// Set returns the current compiled set (never nil). It is immutable; later
// refreshes swap in a new one.
func (m *Manager) Set() *Set { return m.set.Load() }

// Match returns every loaded provider whose ranges contain ip.
func (m *Manager) Match(ip netip.Addr) Providers { return m.set.Load().Match(ip) }

// Lookup returns the provider whose ranges contain ip (see Set.Lookup).
func (m *Manager) Lookup(ip netip.Addr) (Provider, bool) { return m.set.Load().Lookup(ip) }

// Contains reports whether ip is in the ranges of any provider in among
// (route-level block_clouds passes its subset; global
// block_cloud_providers passes its own).
func (m *Manager) Contains(ip netip.Addr, among Providers) bool {
	return m.set.Load().Contains(ip, among)
}

// Providers returns the providers the Manager was configured to load.
func (m *Manager) Providers() Providers { return m.opts.Providers & All() }

// Status reports each provider's current state, in canonical order.
func (m *Manager) Status() []Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Status, 0, len(m.states))
	for _, st := range m.states {
		out = append(out, Status{
			Provider: st.provider,
			Source:   st.source,
			Prefixes: len(st.prefixes),
			Loaded:   st.loaded,
			Err:      st.err,
		})
	}
	return out
}

// Close stops the background refresher and waits for it to exit. Lookups
// keep answering from the last set. Close is idempotent and always returns
// nil.
func (m *Manager) Close() error {
	m.closeOnce.Do(func() {
		m.cancel()
		<-m.done
	})
	return nil
}
