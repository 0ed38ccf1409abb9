package guard

import (
	"context"
	"crypto/subtle"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// checkRouteContent is pipeline step 5: the route's content rules.
func (e *Engine) checkRouteContent(ctx context.Context, req Request, d *Decision, r *compiledRoute) bool {
	h := req.Header()
	if r.maxSize > 0 {
		if cl := req.Header().Get("Content-Length"); cl != "" {
			if n, err := parseInt64(cl); err == nil && n > r.maxSize {
				if e.block(ctx, d, http.StatusRequestEntityTooLarge, ReasonBodyTooLarge, "max_request_size", "Request entity too large", nil, "limit", r.maxSize) {
					return true
				}
			}
		}
		// Count the bytes actually sent: read up to the limit now.
		_, truncated, _ := req.Body(r.maxSize)
		if truncated {
			if e.block(ctx, d, http.StatusRequestEntityTooLarge, ReasonBodyTooLarge, "max_request_size", "Request entity too large", nil, "limit", r.maxSize) {
				return true
			}
		}
	}
	if len(r.contentTypes) > 0 {
		ct := headerFirst(h, "Content-Type")
		mt, _, err := mime.ParseMediaType(ct)
		ok := false
		if err == nil {
			for _, want := range r.contentTypes {
				if want == mt || (strings.HasSuffix(want, "/*") && strings.HasPrefix(mt, want[:len(want)-1])) {
					ok = true
					break
				}
			}
		}
		if !ok {
			if e.block(ctx, d, http.StatusUnsupportedMediaType, ReasonContentType, "content_type_filter", "Unsupported media type", nil, "content_type", ct) {
				return true
			}
		}
	}
	for name, want := range r.requireHeaders {
		got := headerFirst(h, name)
		if got == "" || (want != "" && !strings.EqualFold(want, "required") && got != want) {
			if e.block(ctx, d, http.StatusBadRequest, ReasonMissingHeader, "require_headers", "Missing required header: "+name, nil, "header", name) {
				return true
			}
		}
	}
	if r.authScheme != "" {
		auth := headerFirst(h, "Authorization")
		scheme, cred, _ := strings.Cut(auth, " ")
		ok := strings.EqualFold(scheme, r.authScheme) && strings.TrimSpace(cred) != ""
		if ok && r.policy != nil && r.policy.AuthVerifier != nil {
			ok = r.policy.AuthVerifier(ctx, scheme, strings.TrimSpace(cred))
		}
		if !ok {
			hdr := http.Header{"Www-Authenticate": {titleScheme(r.authScheme)}}
			if e.block(ctx, d, http.StatusUnauthorized, ReasonUnauthorized, "require_auth", "Authentication required", hdr) {
				return true
			}
		}
	}
	if r.apiKeyHeader != "" {
		key := headerFirst(h, r.apiKeyHeader)
		ok := key != ""
		if ok && len(r.apiKeys) > 0 {
			ok = false
			for _, k := range r.apiKeys {
				if subtle.ConstantTimeCompare([]byte(k), []byte(key)) == 1 {
					ok = true
				}
			}
		}
		if ok && r.policy != nil && r.policy.APIKeyVerifier != nil {
			ok = r.policy.APIKeyVerifier(ctx, key)
		}
		if !ok {
			if e.block(ctx, d, http.StatusUnauthorized, ReasonUnauthorized, "api_key_auth", "Invalid or missing API key", nil) {
				return true
			}
		}
	}
	if len(r.referrers) > 0 && !referrerAllowed(headerFirst(h, "Referer"), r.referrers) {
		if e.block(ctx, d, http.StatusForbidden, ReasonReferrer, "require_referrer", "Invalid referrer", nil) {
			return true
		}
	}
	if len(r.honeypot) > 0 && e.honeypotTriggered(req, r.honeypot) {
		if e.block(ctx, d, http.StatusForbidden, ReasonHoneypot, "honeypot_detection", "Forbidden", nil) {
			return true
		}
	}
	if r.policy != nil {
		for _, v := range r.policy.Validators {
			if cd := v(ctx, req, d.Client); cd != nil && !cd.Allowed {
				status := cd.Status
				if status == 0 {
					status = http.StatusForbidden
				}
				if e.block(ctx, d, status, ReasonCustomValidator, "custom_validator", cd.Message, cd.Header) {
					return true
				}
			}
		}
	}
	if r.timeWindow != nil && !r.timeWindow.allows(e.now()) {
		if e.block(ctx, d, http.StatusForbidden, ReasonTimeWindow, "time_window", "Access not allowed at this time", nil) {
			return true
		}
	}
	return false
}

func titleScheme(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// referrerAllowed accepts a Referer whose host is one of the domains or a
// subdomain of one.
func referrerAllowed(ref string, domains []string) bool {
	if ref == "" {
		return false
	}
	u, err := url.Parse(ref)
	if err != nil || u.Host == "" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	for _, dom := range domains {
		if strings.Contains(dom, "://") {
			if du, err := url.Parse(dom); err == nil {
				dom = strings.ToLower(du.Hostname())
			}
		}
		if host == dom || strings.HasSuffix(host, "."+dom) {
			return true
		}
	}
	return false
}

// honeypotTriggered reports whether any honeypot field (a form or JSON field
// humans never fill) has a non-empty value in the query or the body.
func (e *Engine) honeypotTriggered(req Request, fields []string) bool {
	q, _ := url.ParseQuery(req.RawQuery())
	for _, f := range fields {
		if q.Get(f) != "" {
			return true
		}
	}
	body, _, _ := req.Body(e.cfg.MaxBodyBytes)
	if len(body) == 0 {
		return false
	}
	ct, params, _ := mime.ParseMediaType(headerFirst(req.Header(), "Content-Type"))
	switch {
	case ct == "multipart/form-data" && params["boundary"] != "":
		return multipartFieldsSet(body, params["boundary"], fields)
	case ct == "application/x-www-form-urlencoded":
		form, _ := url.ParseQuery(string(body))
		for _, f := range fields {
			if form.Get(f) != "" {
				return true
			}
		}
	case ct == "application/json" || strings.HasSuffix(ct, "+json"):
		return jsonFieldsSet(body, fields)
	}
	return false
}

func parseInt64(s string) (int64, error) {
	var n int64
	if s == "" {
		return 0, errBadNumber
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' || n > (1<<62)/10 {
			return 0, errBadNumber
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}
