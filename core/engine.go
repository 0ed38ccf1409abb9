// Package guard is the framework-agnostic core of guard, an HTTP security
// engine: IP allow and deny lists, trusted proxies, user-agent rules, rate
// limits, bans and auto-bans, penetration-attempt detection, security headers,
// CORS, HTTPS enforcement, country and cloud-provider rules, emergency and
// passive modes, behavioural monitors and per-route policies.
//
// The package lives at import path github.com/guardgo/guard/core and is named
// guard. An Engine is built once from a Config with New and then asked about
// each request through Check (or Serve, for net/http-based frameworks); the
// adapters in guard's adapters/ modules are thin translations onto gin, echo,
// chi and net/http.
package guard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"net/textproto"
	"strings"
	"sync"
	"time"

	"github.com/guardgo/guard/core/behavior"
	"github.com/guardgo/guard/core/clientip"
	"github.com/guardgo/guard/core/cloud"
	"github.com/guardgo/guard/core/ipset"
	"github.com/guardgo/guard/core/store"
	"github.com/guardgo/guard/core/uarules"
)

// GeoResolver maps an address to an ISO 3166 alpha-2 country code.
type GeoResolver interface {
	Country(ip netip.Addr) (iso string, ok bool)
}

// CloudMatcher returns the cloud providers whose published ranges hold an
// address. *cloud.Manager implements it; by default the engine builds one
// from block_cloud_providers, cloud_ranges and cloud_ip_refresh_interval.
type CloudMatcher interface {
	Match(ip netip.Addr) cloud.Providers
}

// RequestCheck is a custom request check (pipeline step 12). It returns nil
// to let the request continue, or a decision built with Block.
type RequestCheck func(ctx context.Context, r Request, client netip.Addr) *Decision

// ResponseModifier may change the status and headers of every response, the
// application's and the engine's own, just before they are written.
type ResponseModifier func(r Request, status int, header map[string][]string) int

// Block builds a blocking decision for custom checks and validators.
func Block(status int, message string) *Decision {
	return &Decision{Status: status, Message: message, Reason: ReasonCustomCheck}
}

// Option configures an Engine's collaborators.
type Option func(*options)

type options struct {
	logger   *slog.Logger
	store    store.Store
	clock    func() time.Time
	sinks    []Sink
	geo      GeoResolver
	clouds   CloudMatcher
	detector Detector
	check    RequestCheck
	modifier ResponseModifier
	policies []routePolicy
	closers  []io.Closer
	metrics  Metrics
}

type routePolicy struct {
	pattern string
	methods []string
	policy  *Policy
}

// WithLogger sets the logger for events and diagnostics (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithStore sets the shared-state store (default: a new in-memory store,
// closed by Engine.Close). A store passed here is not closed by the engine.
func WithStore(s store.Store) Option { return func(o *options) { o.store = s } }

// WithClock sets the time source (tests).
func WithClock(now func() time.Time) Option { return func(o *options) { o.clock = now } }

// WithSink adds an event sink.
func WithSink(s Sink) Option { return func(o *options) { o.sinks = append(o.sinks, s) } }

// WithGeoResolver sets the country resolver used by country rules.
func WithGeoResolver(g GeoResolver) Option { return func(o *options) { o.geo = g } }

// WithCloudMatcher sets the cloud-provider matcher used by cloud rules.
func WithCloudMatcher(c CloudMatcher) Option { return func(o *options) { o.clouds = c } }

// WithDetector replaces the penetration detector.
func WithDetector(d Detector) Option { return func(o *options) { o.detector = d } }

// WithRequestCheck sets the custom request check (pipeline step 12).
func WithRequestCheck(f RequestCheck) Option { return func(o *options) { o.check = f } }

// WithResponseModifier sets the custom response modifier.
func WithResponseModifier(f ResponseModifier) Option { return func(o *options) { o.modifier = f } }

// WithCloser hands the engine a resource to close in Close (for example an
// updater the caller built for it).
func WithCloser(c io.Closer) Option { return func(o *options) { o.closers = append(o.closers, c) } }

// Engine makes every security decision. It is immutable after New and safe
// for concurrent use; several engines may coexist in one process.
type Engine struct {
	cfg   Config
	log   *slog.Logger
	store store.Store
	now   func() time.Time
	sinks []Sink

	resolver     clientip.Resolver
	whitelist    *ipset.Set
	blacklist    *ipset.Set
	exempt       *ipset.Set
	emergencyWL  *ipset.Set
	userAgents   *uarules.Matcher
	globalLimit  store.Limit
	endpointLims map[string]store.Limit // exact paths and normalised templates
	endpointTmpl []endpointTemplate     // templates, for requests without a known route
	blockedCC    map[string]bool
	allowedCC    map[string]bool
	blockClouds  cloud.Providers
	excludePaths []string

	headers  *headerSet
	cors     *corsPolicy
	routes   routeTable
	detector Detector
	geo      GeoResolver
	clouds   CloudMatcher
	reqCheck RequestCheck
	modifier ResponseModifier

	errorBodies    map[int]string
	globalBehavior *behavior.Set
	passive        bool
	logRequests    bool       // log_request_level set
	requestLevel   slog.Level // its level, parsed once

	metrics   Metrics
	closers   []io.Closer
	closeOnce sync.Once
	ownsStore bool
}

// New validates cfg and compiles it into an Engine. The error lists every
// configuration problem (each matching ErrInvalidConfig).
func New(cfg Config, opts ...Option) (*Engine, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, log: o.logger, store: o.store, now: o.clock, sinks: o.sinks,
		geo: o.geo, clouds: o.clouds, reqCheck: o.check, modifier: o.modifier,
		closers: o.closers, passive: cfg.PassiveMode, metrics: o.metrics}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.store == nil {
		e.store = store.NewMemory(store.MemoryOptions{})
		e.ownsStore = true
	}
	e.requestLevel, e.logRequests = parseLevel(cfg.LogRequestLevel)
	if lvl, ok := parseLevel(cfg.LogSuspiciousLevel); ok {
		e.sinks = append([]Sink{slogSink{log: e.log, minimum: lvl}}, e.sinks...)
	}
	var errs []error
	must := func(field string, entries []string) *ipset.Set {
		s, err := ipset.Parse(entries)
		if err != nil {
			errs = append(errs, fieldErr(field, "%v", err))
		}
		return s
	}
	e.whitelist = must("whitelist", cfg.Whitelist)
	e.blacklist = must("blacklist", cfg.Blacklist)
	e.exempt = must("exempt_ips", cfg.ExemptIPs)
	e.emergencyWL = must("emergency_whitelist", cfg.EmergencyWhitelist)
	e.resolver = clientip.New(must("trusted_proxies", cfg.TrustedProxies), cfg.TrustedProxyDepth)
	var err error
	if e.userAgents, err = uarules.Compile(cfg.BlockedUserAgents); err != nil {
		errs = append(errs, fieldErr("blocked_user_agents", "%v", err))
	}
	e.globalLimit = store.Limit{Key: "global", Max: cfg.RateLimit, Window: cfg.RateLimitWindow.D()}
	e.compileEndpointLimits(cfg.EndpointRateLimits)
	e.blockedCC = upperSet(cfg.BlockedCountries)
	e.allowedCC = upperSet(cfg.WhitelistCountries)
	e.blockClouds, _ = cloud.ParseProviders(cfg.BlockCloudProviders) // validated
	e.excludePaths = cfg.ExcludePaths
	e.headers = newHeaderSet(&cfg.SecurityHeaders)
	if cfg.EnableCORS {
		e.cors = newCORSPolicy(&cfg)
	}
	e.errorBodies = cfg.CustomErrorResponses
	if e.globalBehavior, err = cfg.compileBehavior(cfg.GlobalBehaviorRules, "global_behavior_rules", noRouteEndpoint); err != nil {
		errs = append(errs, err)
	}
	// Code-level policies first: they win over `routes:` entries.
	for _, rp := range o.policies {
		r, err := rp.policy.compile(&e.cfg, rp.pattern, rp.methods)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		e.routes.add(r)
	}
	for i := range cfg.Routes {
		r, err := compileRoute(&e.cfg, &e.cfg.Routes[i], nil, fmt.Sprintf("routes[%d]", i))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		e.routes.add(r)
	}
	if (len(e.blockedCC) > 0 || len(e.allowedCC) > 0 || cfg.routesUseCountries()) && e.geo == nil {
		errs = append(errs, fieldErr("geoip_database", "country rules are configured but the engine has no country resolver (guard.WithGeoResolver)"))
	}
	if wanted := cfg.cloudProvidersUsed(); !wanted.Empty() && e.clouds == nil {
		m, err := newCloudManager(&cfg, wanted, e.log)
		if err != nil {
			errs = append(errs, err)
		} else {
			e.clouds = m
			e.closers = append(e.closers, m)
		}
	}
	switch {
	case o.detector != nil:
		e.detector = o.detector
	case cfg.EnablePenetrationDetection:
		d, err := newDefaultDetector(&cfg, e.log)
		if err != nil {
			errs = append(errs, err)
		}
		e.detector = d
	}
	if len(errs) > 0 {
		if e.ownsStore {
			e.store.Close()
		}
		return nil, errors.Join(errs...)
	}
	e.loadPatterns()
	return e, nil
}

// Config returns a copy of the configuration the engine was built from.
func (e *Engine) Config() Config { return e.cfg }

// Store returns the engine's store.
func (e *Engine) Store() store.Store { return e.store }

// Close stops background work and releases resources the engine owns.
func (e *Engine) Close() error {
	var errs []error
	e.closeOnce.Do(func() {
		for _, c := range e.closers {
			if err := c.Close(); err != nil {
				errs = append(errs, err)
			}
		}
		if e.ownsStore {
			if err := e.store.Close(); err != nil {
				errs = append(errs, err)
			}
		}
	})
	return errors.Join(errs...)
}

// Ban bans a client for d (an operator action; also used by auto-ban).
func (e *Engine) Ban(ctx context.Context, client netip.Addr, d time.Duration, reason string) error {
	return e.store.Ban(ctx, store.Ban{Client: client.String(), Until: e.now().Add(d), Reason: reason})
}

// Unban lifts a client's ban.
func (e *Engine) Unban(ctx context.Context, client netip.Addr) error {
	return e.store.Unban(ctx, client.String())
}

func (e *Engine) emit(ctx context.Context, ev Event) {
	if ev.Time.IsZero() {
		ev.Time = e.now()
	}
	for _, s := range e.sinks {
		s.Emit(ctx, ev)
	}
}

func textprotoCanonical(k string) string { return textproto.CanonicalMIMEHeaderKey(k) }

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
