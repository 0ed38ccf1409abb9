package bench

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
	txhttp "github.com/corazawaf/coraza/v3/http"
	guard "github.com/guardgo/guard/core"
	"github.com/rs/cors"
	"github.com/ulule/limiter/v3"
	limiterhttp "github.com/ulule/limiter/v3/drivers/middleware/stdlib"
	limitermem "github.com/ulule/limiter/v3/drivers/store/memory"
	"github.com/unrolled/secure"
)

// subject is one middleware under test: build wraps next (the application)
// and returns the handler a request goes through. Anything it starts is
// released through tb.Cleanup.
type subject struct {
	name string
	// waf subjects must refuse the SQL injection probe.
	waf   bool
	build func(tb testing.TB, next http.Handler) http.Handler
	// marker is a response header the subject sets on a clean request, to
	// prove in the sanity test that it is wired in ("" when it sets none).
	marker string
}

// subjects are the middlewares compared side by side, bare first.
func subjects() []subject {
	return []subject{
		{name: "bare", build: func(_ testing.TB, next http.Handler) http.Handler { return next }},
		{name: "guard", waf: true, build: guardSubject, marker: "X-Frame-Options"},
		// guard_nodetect is guard without penetration detection: not a
		// peer, it splits guard's cost between detection and the rest.
		{name: "guard_nodetect", build: func(tb testing.TB, next http.Handler) http.Handler {
			cfg := benchConfig()
			cfg.EnablePenetrationDetection = false
			return guardMiddleware(newEngine(tb, cfg, guard.WithClock(advancingClock())), next)
		}, marker: "X-Frame-Options"},
		{name: "coraza_crs", waf: true, build: corazaSubject},
		{name: "unrolled_secure", build: secureSubject, marker: "X-Frame-Options"},
		{name: "ulule_limiter", build: limiterSubject, marker: "X-RateLimit-Limit"},
		{name: "rs_cors", build: corsSubject, marker: "Vary"},
		{name: "secure+limiter", build: func(tb testing.TB, next http.Handler) http.Handler {
			return secureSubject(tb, limiterSubject(tb, next))
		}, marker: "X-RateLimit-Limit"},
	}
}

// benchConfig is guard with every default check on: IP lists with a few
// entries, user-agent rules, the rate limit, penetration detection and
// security headers. The rate limit is the reference default shape (100 per
// 60 s) and is never reached because the engine's clock advances one second
// per reading (see advancingClock).
func benchConfig() guard.Config {
	cfg := guard.DefaultConfig()
	cfg.RateLimit = 100
	cfg.Blacklist = []string{"203.0.113.0/24", "192.0.2.66", "2001:db8:bad::/48", "100.64.0.0/10"}
	cfg.BlockedUserAgents = []string{"sqlmap", "nikto", "masscan", "^python-requests/", "^curl/"}
	return cfg
}

// advancingClock returns a clock that moves one second forward per reading,
// so one client's requests never fill a 100-per-minute window. It is not
// safe for concurrent use: only sequential benchmarks use it.
func advancingClock() func() time.Time {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time { now = now.Add(time.Second); return now }
}

// guardMiddleware returns the guard engine as a net/http middleware: the
// route template is the request path (every benchmark route is static).
func guardMiddleware(e *guard.Engine, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.Serve(w, r, r.URL.Path, next)
	})
}

func newEngine(tb testing.TB, cfg guard.Config, opts ...guard.Option) *guard.Engine {
	tb.Helper()
	e, err := guard.New(cfg, opts...)
	must(tb, err)
	tb.Cleanup(func() { _ = e.Close() })
	return e
}

func guardSubject(tb testing.TB, next http.Handler) http.Handler {
	return guardMiddleware(newEngine(tb, benchConfig(), guard.WithClock(advancingClock())), next)
}

// corazaDirectives load the OWASP Core Rule Set v4 embedded in
// coraza-coreruleset, blocking, at paranoia level 1.
const corazaDirectives = `
Include @coraza.conf-recommended
Include @crs-setup.conf.example
SecAction "id:900000,phase:1,pass,t:none,nolog,setvar:tx.blocking_paranoia_level=1"
Include @owasp_crs/*.conf
SecRuleEngine On
`

func corazaSubject(tb testing.TB, next http.Handler) http.Handler {
	tb.Helper()
	waf, err := coraza.NewWAF(coraza.NewWAFConfig().WithRootFS(coreruleset.FS).WithDirectives(corazaDirectives))
	if err != nil {
		tb.Fatal(fmt.Errorf("coraza: %w", err))
	}
	return txhttp.WrapHandler(waf, next)
}

// secureSubject sets the response headers guard sets by default (all but
// X-Download-Options, which unrolled/secure does not offer), HSTS included
// on plain HTTP as guard does.
func secureSubject(_ testing.TB, next http.Handler) http.Handler {
	return secure.New(secure.Options{
		STSSeconds:                    31536000,
		STSIncludeSubdomains:          true,
		ForceSTSHeader:                true,
		CustomFrameOptionsValue:       "SAMEORIGIN",
		ContentTypeNosniff:            true,
		BrowserXssFilter:              true,
		ReferrerPolicy:                "strict-origin-when-cross-origin",
		PermissionsPolicy:             "geolocation=(), microphone=(), camera=()",
		CrossOriginOpenerPolicy:       "same-origin",
		CrossOriginResourcePolicy:     "same-origin",
		CrossOriginEmbedderPolicy:     "require-corp",
		XPermittedCrossDomainPolicies: "none",
	}).Handler(next)
}

// limiterSubject is ulule/limiter with its in-memory store, keyed by the
// peer address, with a limit no benchmark reaches.
func limiterSubject(_ testing.TB, next http.Handler) http.Handler {
	l := limiter.New(limitermem.NewStore(), limiter.Rate{Period: time.Minute, Limit: 1 << 40})
	return limiterhttp.NewMiddleware(l).Handler(next)
}

// corsSubject is rs/cors with guard's default CORS settings.
func corsSubject(_ testing.TB, next http.Handler) http.Handler {
	return cors.New(cors.Options{
		AllowedOrigins: []string{"*"},
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		AllowedHeaders: []string{"*"},
		MaxAge:         600,
	}).Handler(next)
}
