// Package headers precomputes the security headers guard adds to every
// response (the reference's defaults: X-Content-Type-Options, X-Frame-Options,
// X-XSS-Protection, Referrer-Policy, Permissions-Policy, HSTS, CSP, the
// cross-origin isolation headers, and custom ones).
package headers

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Options mirrors the security_headers configuration block.
type Options struct {
	Enabled            bool
	HSTSMaxAge         int
	HSTSSubdomains     bool
	HSTSPreload        bool
	CSP                map[string][]string
	FrameOptions       string
	ContentTypeOptions string
	XSSProtection      string
	ReferrerPolicy     string
	PermissionsPolicy  string
	Custom             map[string]string
}

// Set is a compiled, immutable list of headers.
type Set struct {
	names  []string // canonical
	values [][]string
}

// New compiles opts. Values must already be validated (no CR/LF).
func New(o Options) *Set {
	s := &Set{}
	if !o.Enabled {
		return s
	}
	add := func(name, value string) {
		if value == "" {
			return
		}
		s.names = append(s.names, http.CanonicalHeaderKey(name))
		s.values = append(s.values, []string{value})
	}
	add("X-Content-Type-Options", o.ContentTypeOptions)
	add("X-Frame-Options", strings.ToUpper(o.FrameOptions))
	add("X-XSS-Protection", o.XSSProtection)
	add("Referrer-Policy", o.ReferrerPolicy)
	add("Permissions-Policy", o.PermissionsPolicy)
	add("X-Permitted-Cross-Domain-Policies", "none")
	add("X-Download-Options", "noopen")
	add("Cross-Origin-Embedder-Policy", "require-corp")
	add("Cross-Origin-Opener-Policy", "same-origin")
	add("Cross-Origin-Resource-Policy", "same-origin")
	if o.HSTSMaxAge > 0 {
		v := "max-age=" + strconv.Itoa(o.HSTSMaxAge)
		if o.HSTSSubdomains {
			v += "; includeSubDomains"
		}
		if o.HSTSPreload {
			v += "; preload"
		}
		add("Strict-Transport-Security", v)
	}
	if len(o.CSP) > 0 {
		dirs := make([]string, 0, len(o.CSP))
		for d := range o.CSP {
			dirs = append(dirs, d)
		}
		slices.Sort(dirs)
		parts := make([]string, 0, len(dirs))
		for _, d := range dirs {
			if srcs := o.CSP[d]; len(srcs) > 0 {
				parts = append(parts, d+" "+strings.Join(srcs, " "))
			} else {
				parts = append(parts, d)
			}
		}
		add("Content-Security-Policy", strings.Join(parts, "; "))
	}
	customs := make([]string, 0, len(o.Custom))
	for k := range o.Custom {
		customs = append(customs, k)
	}
	slices.Sort(customs)
	for _, k := range customs {
		ck := http.CanonicalHeaderKey(k)
		if i := slices.Index(s.names, ck); i >= 0 { // custom overrides a default
			s.values[i] = []string{o.Custom[k]}
			continue
		}
		add(k, o.Custom[k])
	}
	return s
}

// Apply sets the headers on h, leaving alone any the application already
// set. The value slices are shared and must not be modified by callers.
func (s *Set) Apply(h http.Header) {
	for i, n := range s.names {
		if _, ok := h[n]; !ok {
			h[n] = s.values[i]
		}
	}
}

// Len returns the number of headers in the set.
func (s *Set) Len() int { return len(s.names) }
