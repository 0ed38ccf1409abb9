package guard

import (
	"context"
	"fmt"
	"strings"
)

// Policy is a per-route policy set in code: the declarative part (the same
// fields as a `routes:` entry) plus what only code can provide.
type Policy struct {
	// Route holds the decorator settings; its Path and Methods are ignored
	// when the policy is attached by an adapter, which knows the route.
	Route RouteConfig
	// AuthVerifier verifies the credential of require_auth (after the
	// presence and scheme check). Nil accepts any credential.
	AuthVerifier func(ctx context.Context, scheme, credential string) bool
	// APIKeyVerifier verifies the key of api_key_auth. Nil accepts any
	// present key (or one of Route.APIKeyAuth.Keys when listed).
	APIKeyVerifier func(ctx context.Context, key string) bool
	// Validators are custom checks run in step 5; a non-nil, non-allowed
	// decision blocks.
	Validators []RequestCheck
}

// WithRoutePolicy attaches a code-level policy to a route template
// ("/items/{id}" or "/items/:id"), optionally for some methods only. It
// takes precedence over a `routes:` entry for the same route.
func WithRoutePolicy(pattern string, p *Policy, methods ...string) Option {
	return func(o *options) {
		o.policies = append(o.policies, routePolicy{pattern: pattern, methods: methods, policy: p})
	}
}

func (p *Policy) compile(cfg *Config, pattern string, methods []string) (*compiledRoute, error) {
	if p == nil {
		return nil, fieldErr(fmt.Sprintf("policy %q", pattern), "nil *Policy")
	}
	rc := p.Route
	rc.Path = pattern
	if len(methods) > 0 {
		rc.Methods = methods
	}
	v := &validator{}
	field := fmt.Sprintf("policy %q", strings.TrimSpace(pattern))
	rc.validate(v, field)
	if err := joinErrors(v.errs); err != nil {
		return nil, err
	}
	return compileRoute(cfg, &rc, p, field)
}
