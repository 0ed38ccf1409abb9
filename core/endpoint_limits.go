package guard

import (
	"strings"

	"github.com/guardgo/guard/core/store"
)

// endpointTemplate is an endpoint_rate_limits key written as a route
// template ("/items/{id}", "/items/:id").
type endpointTemplate struct {
	match compiledRoute // template and segs only
	limit store.Limit
}

// compileEndpointLimits indexes endpoint_rate_limits by exact path and by
// normalised template, so a key written either way applies.
func (e *Engine) compileEndpointLimits(m map[string]EndpointLimit) {
	if len(m) == 0 {
		return
	}
	e.endpointLims = make(map[string]store.Limit, len(m))
	for p, l := range m {
		t := normalizeTemplate(p)
		lim := store.Limit{Key: "ep:" + t, Max: l.Requests, Window: l.Window.D()}
		e.endpointLims[t] = lim
		if strings.Contains(t, "{") {
			e.endpointTmpl = append(e.endpointTmpl, endpointTemplate{match: compiledRoute{template: t, segs: strings.Split(t, "/")}, limit: lim})
		}
	}
}

// endpointLimit finds the endpoint limit of a request: by exact path, by the
// framework's route template, or by matching the path against templates.
func (e *Engine) endpointLimit(template, path string) (store.Limit, bool) {
	if e.endpointLims == nil {
		return store.Limit{}, false
	}
	if l, ok := e.endpointLims[path]; ok {
		return l, true
	}
	if template != "" {
		if l, ok := e.endpointLims[normalizeTemplate(template)]; ok {
			return l, true
		}
	}
	for i := range e.endpointTmpl {
		if e.endpointTmpl[i].match.matchPath(path) {
			return e.endpointTmpl[i].limit, true
		}
	}
	return store.Limit{}, false
}
