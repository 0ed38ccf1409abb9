// Package cors implements the CORS policy guard applies: preflight answers
// and the headers of simple and actual requests, precomputed once.
//
// A wildcard origin is never combined with credentials (configuration
// rejects it); with credentials the request's origin is echoed only when it
// is listed. A disallowed preflight is refused with 400, like the
// reference's CORS middleware; an actual request from a disallowed origin is
// served without CORS headers, so the browser blocks the read.
package cors

import (
	"net/http"
	"strconv"
	"strings"
)

// Options mirrors the cors_* configuration.
type Options struct {
	AllowOrigins     []string
	AllowMethods     []string
	AllowHeaders     []string
	AllowCredentials bool
	ExposeHeaders    []string
	MaxAge           int
}

// Policy is a compiled CORS policy.
type Policy struct {
	anyOrigin     bool
	origins       map[string]bool
	anyMethod     bool
	methods       map[string]bool
	methodsValue  []string
	anyHeader     bool
	headers       map[string]bool
	headersValue  []string
	credentials   bool
	exposeValue   []string
	maxAgeValue   []string
	trueValue     []string
	varyValue     []string
	wildcardValue []string
}

// New compiles o.
func New(o Options) *Policy {
	p := &Policy{origins: map[string]bool{}, methods: map[string]bool{}, headers: map[string]bool{},
		credentials: o.AllowCredentials, trueValue: []string{"true"}, varyValue: []string{"Origin"}, wildcardValue: []string{"*"}}
	for _, or := range o.AllowOrigins {
		if or == "*" {
			p.anyOrigin = true
		} else {
			p.origins[strings.ToLower(strings.TrimRight(or, "/"))] = true
		}
	}
	var ms []string
	for _, m := range o.AllowMethods {
		if m == "*" {
			p.anyMethod = true
			ms = []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}
			break
		}
		m = strings.ToUpper(m)
		p.methods[m] = true
		ms = append(ms, m)
	}
	p.methodsValue = []string{strings.Join(ms, ", ")}
	var hs []string
	for _, h := range o.AllowHeaders {
		if h == "*" {
			p.anyHeader = true
			continue
		}
		p.headers[strings.ToLower(h)] = true
		hs = append(hs, h)
	}
	// CORS-safelisted request headers are always allowed.
	for _, h := range []string{"accept", "accept-language", "content-language", "content-type"} {
		p.headers[h] = true
	}
	if len(hs) > 0 {
		p.headersValue = []string{strings.Join(hs, ", ")}
	}
	if len(o.ExposeHeaders) > 0 {
		p.exposeValue = []string{strings.Join(o.ExposeHeaders, ", ")}
	}
	if o.MaxAge > 0 {
		p.maxAgeValue = []string{strconv.Itoa(o.MaxAge)}
	}
	return p
}

// OriginAllowed reports whether a request from origin may read responses.
func (p *Policy) OriginAllowed(origin string) bool {
	if origin == "" {
		return false
	}
	return p.anyOrigin || p.origins[strings.ToLower(strings.TrimRight(origin, "/"))]
}

// IsPreflight reports whether r is a CORS preflight request.
func IsPreflight(method string, h http.Header) bool {
	return method == http.MethodOptions && h.Get("Origin") != "" && h.Get("Access-Control-Request-Method") != ""
}

// Preflight checks a preflight request and, when it is allowed, writes the
// preflight headers into out. It reports whether the preflight is allowed.
func (p *Policy) Preflight(h http.Header, out http.Header) bool {
	origin := h.Get("Origin")
	if !p.OriginAllowed(origin) {
		return false
	}
	method := strings.ToUpper(strings.TrimSpace(h.Get("Access-Control-Request-Method")))
	if !p.anyMethod && !p.methods[method] {
		return false
	}
	requested := h.Get("Access-Control-Request-Headers")
	if requested != "" && !p.anyHeader {
		for _, rh := range strings.Split(requested, ",") {
			rh = strings.ToLower(strings.TrimSpace(rh))
			if rh != "" && !p.headers[rh] {
				return false
			}
		}
	}
	p.originHeaders(origin, out)
	out["Access-Control-Allow-Methods"] = p.methodsValue
	if requested != "" {
		if p.anyHeader {
			out["Access-Control-Allow-Headers"] = []string{requested}
		} else if p.headersValue != nil {
			out["Access-Control-Allow-Headers"] = p.headersValue
		}
	}
	if p.maxAgeValue != nil {
		out["Access-Control-Max-Age"] = p.maxAgeValue
	}
	return true
}

// Actual writes the headers of an actual (non-preflight) cross-origin
// response from an allowed origin into out. It does nothing for requests
// without an Origin or from disallowed origins.
func (p *Policy) Actual(origin string, out http.Header) {
	if !p.OriginAllowed(origin) {
		return
	}
	p.originHeaders(origin, out)
	if p.exposeValue != nil {
		out["Access-Control-Expose-Headers"] = p.exposeValue
	}
}

func (p *Policy) originHeaders(origin string, out http.Header) {
	if p.anyOrigin && !p.credentials {
		out["Access-Control-Allow-Origin"] = p.wildcardValue
	} else {
		out["Access-Control-Allow-Origin"] = []string{origin}
		out["Vary"] = append(out["Vary"], "Origin")
	}
	if p.credentials {
		out["Access-Control-Allow-Credentials"] = p.trueValue
	}
}
