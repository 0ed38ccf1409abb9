package guard

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/guardgo/guard/core/detect"
	"github.com/guardgo/guard/core/store"
)

// Detector inspects a request for penetration attempts (pipeline step 10).
// The default is the detect package's engine; WithDetector replaces it.
type Detector interface {
	Inspect(ctx context.Context, t *detect.Target) detect.Result
}

func newDefaultDetector(cfg *Config, log *slog.Logger) (Detector, error) {
	d, err := detect.New(detect.Config{
		SemanticThreshold:    cfg.DetectionSemanticThreshold,
		MaxContentLength:     cfg.DetectionMaxContentLength,
		MaxRequestBytes:      cfg.DetectionMaxRequestBytes,
		ExcludedHeaders:      cfg.ExcludedDetectionHeaders,
		SlowPatternThreshold: cfg.DetectionSlowPatternThreshold.D(),
		Logger:               log,
	})
	if err != nil {
		return nil, fieldErr("detection", "%v", err)
	}
	return d, nil
}

// checkDetection is pipeline step 10. A hit blocks with 403, and counts
// toward the client's auto-ban.
func (e *Engine) checkDetection(ctx context.Context, req Request, d *Decision, route *compiledRoute, client netip.Addr) bool {
	h := req.Header()
	// The target lives in the Decision (already on the heap): passing a
	// pointer to a local through the Detector interface would allocate.
	t := &d.target
	*t = detect.Target{
		Method:      req.Method(),
		Path:        req.Path(),
		RawQuery:    req.RawQuery(),
		Header:      h,
		ContentType: headerFirst(h, "Content-Type"),
	}
	if hasBody(req) {
		body, _, err := req.Body(int64(e.cfg.DetectionMaxRequestBytes))
		if err != nil && len(body) == 0 {
			e.log.LogAttrs(ctx, slog.LevelDebug, "guard: reading body for detection", slogErr(err))
		}
		// A binary upload (a file, an image, an archive) is not text: scanning
		// it as text only finds accidental matches. Bodies declared as text,
		// forms, JSON, XML or multipart are always inspected, and so is a body
		// of any declared type whose bytes look like text (an attack does not
		// hide behind Content-Type: application/octet-stream).
		if !textualContentType(t.ContentType) && looksBinary(body) {
			body = nil
		}
		t.Body = body
	}
	if route != nil {
		t.Exclude = detect.Exclusions{Headers: route.excludeHeaders, Params: route.excludeParams, BodyFields: route.excludeFields}
	} else {
		// Also given to the default detector at construction; passing them
		// here makes them hold for a detector set with WithDetector too.
		t.Exclude.Headers = e.cfg.ExcludedDetectionHeaders
	}
	res := e.detector.Inspect(ctx, t)
	if e.metrics != nil {
		e.metrics.DetectionObserved(res.Elapsed, res.IsThreat)
	}
	if !res.IsThreat || len(res.Threats) == 0 {
		return false
	}
	th := res.Threats[0]
	ev := Event{Type: "penetration_attempt", Client: client, Method: t.Method, Path: t.Path, Route: displayTemplate(req.Route()),
		Check: "penetration", Reason: ReasonPenetration, Status: http.StatusForbidden, Passive: e.passive, Severity: warnLevel,
		Details: map[string]any{"category": th.Category, "pattern": th.Pattern, "location": th.Location, "excerpt": th.Match, "score": res.ThreatScore}}
	e.emit(ctx, ev)
	if e.metrics != nil {
		e.metrics.RequestBlocked(ReasonPenetration, "penetration", e.passive)
	}
	e.countTowardBan(ctx, d, "penetration_attempt:"+th.Category)
	if e.passive {
		d.Passive = append(d.Passive, ReasonPenetration)
		return false
	}
	d.Allowed, d.Status, d.Reason, d.Check, d.Message = false, http.StatusForbidden, ReasonPenetration, "penetration", "Forbidden"
	return true
}

func hasBody(req Request) bool {
	if hr, ok := req.(*HTTPRequest); ok {
		return hr.R.Body != nil && hr.R.Body != http.NoBody
	}
	return true
}

// countTowardBan adds one to the client's auto-ban counter and bans it once
// the count reaches auto_ban_threshold (never in passive mode).
func (e *Engine) countTowardBan(ctx context.Context, d *Decision, reason string) {
	client := d.Client
	if !e.cfg.EnableIPBanning || e.whitelist.Contains(client) {
		return
	}
	window := e.cfg.AutoBanDuration.D()
	n, err := e.store.Add(ctx, client.String(), store.Counter{Key: "autoban", Window: window, Cap: e.cfg.AutoBanThreshold}, e.now())
	if err != nil {
		e.log.LogAttrs(ctx, errorLevel, "guard: auto-ban counter", slogErr(err))
		return
	}
	if n < int64(e.cfg.AutoBanThreshold) {
		return
	}
	ev := Event{Type: "ip_banned", Client: client, Method: d.req.Method(), Path: d.req.Path(), Route: displayTemplate(d.req.Route()),
		Check: "auto_ban", Reason: ReasonIPBanned, Passive: e.passive, Severity: warnLevel,
		Details: map[string]any{"count": n, "threshold": e.cfg.AutoBanThreshold, "duration": window.String(), "cause": reason}}
	e.emit(ctx, ev)
	if e.passive {
		return
	}
	until := e.now().Add(window)
	if err := e.store.Ban(ctx, store.Ban{Client: client.String(), Until: until, Reason: reason}); err != nil {
		e.log.LogAttrs(ctx, errorLevel, "guard: ban", slogErr(err))
		return
	}
	_ = e.store.Reset(ctx, client.String(), "autoban")
	_ = time.Second
}

// textualContentType reports whether a Content-Type declares text the
// detector parses: text/*, forms, multipart, JSON and XML (incl. +json/+xml).
func textualContentType(ct string) bool {
	ct = strings.ToLower(ct)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	switch {
	case strings.HasPrefix(ct, "text/"), strings.HasPrefix(ct, "multipart/"),
		ct == "application/x-www-form-urlencoded", ct == "application/json", ct == "application/xml",
		strings.HasSuffix(ct, "+json"), strings.HasSuffix(ct, "+xml"), ct == "application/javascript",
		ct == "application/graphql":
		return true
	}
	return false
}
