package guard

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnattachedPolicy is matched (errors.Is) by every error of VerifyRoutes:
// a route policy that names no route the router serves.
var ErrUnattachedPolicy = errors.New("route policy matches no route of the router")

// KnownRoute is one route an application's router serves: a method ("" or
// "*" for any) and the router's template in its own syntax ("/items/:id",
// "/items/{id}", "GET /items/{id}").
type KnownRoute struct {
	Method   string
	Template string
}

// PolicyInfo describes one route policy compiled into an engine.
type PolicyInfo struct {
	// Source says where the policy was declared: "routes[2]" or
	// `policy "/admin"` (WithRoutePolicy).
	Source string
	// Path is the template or exact path as declared.
	Path string
	// Methods are the methods the policy is limited to (empty: all).
	Methods []string
}

// Policies lists the engine's route policies, code-level ones first, in
// the order they are consulted.
func (e *Engine) Policies() []PolicyInfo {
	out := make([]PolicyInfo, 0, len(e.routes.all))
	for _, r := range e.routes.all {
		out = append(out, PolicyInfo{Source: r.field, Path: r.display, Methods: append([]string(nil), r.methods...)})
	}
	return out
}

// VerifyRoutes checks that every route policy of the engine (WithRoutePolicy
// and `routes:`) applies to at least one of the routes the router serves,
// for each of its methods. A policy that would protect nothing (a typo in
// the path, a method the route does not serve) is an error naming it, so it
// is caught at start-up instead of leaving the intended route unprotected.
// Adapters call it with their router's route table.
//
// A policy applies to a route when the normalised templates are equal
// ("/items/{id}" == "/items/:id"), or when the policy is an exact path the
// route's template matches ("/items/42" under "/items/{id}", "/files/a"
// under "/files/*").
func (e *Engine) VerifyRoutes(routes []KnownRoute) error {
	type known struct {
		method string
		r      compiledRoute
	}
	ks := make([]known, 0, len(routes))
	for _, k := range routes {
		method, tmpl := strings.ToUpper(strings.TrimSpace(k.Method)), k.Template
		if m, rest, ok := strings.Cut(strings.TrimSpace(tmpl), " "); ok && !strings.HasPrefix(tmpl, "/") {
			method, tmpl = strings.ToUpper(m), strings.TrimSpace(rest)
		}
		t := normalizeTemplate(tmpl)
		ks = append(ks, known{method: method, r: compiledRoute{template: t, segs: strings.Split(t, "/")}})
	}
	var errs []error
	for _, p := range e.routes.all {
		methods := p.methods
		if len(methods) == 0 {
			methods = []string{""}
		}
		for _, m := range methods {
			found := false
			for i := range ks {
				k := &ks[i]
				if m != "" && k.method != "" && k.method != "*" && k.method != "ANY" && k.method != m &&
					!(m == "HEAD" && k.method == "GET") {
					continue
				}
				if k.r.template == p.template || (!strings.Contains(p.template, "{") && k.r.matchPath(p.template)) {
					found = true
					break
				}
			}
			if !found {
				what := fmt.Sprintf("path %q", p.display)
				if m != "" {
					what = fmt.Sprintf("%s %q", m, p.display)
				}
				errs = append(errs, fmt.Errorf("%s: %w: %s is not served (known routes: %s)", p.field, ErrUnattachedPolicy, what, knownList(routes)))
			}
		}
	}
	return errors.Join(errs...)
}

func knownList(routes []KnownRoute) string {
	const max = 12
	var b strings.Builder
	for i, k := range routes {
		if i == max {
			fmt.Fprintf(&b, ", … %d more", len(routes)-max)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if k.Method != "" && !strings.Contains(k.Template, " ") {
			b.WriteString(k.Method + " ")
		}
		b.WriteString(k.Template)
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}
