package policy_test

import (
	"context"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/policy"
)

// TestOptionsMatchConfigForm checks each decorator option sets exactly what
// the `routes:` key of the same name sets.
func TestOptionsMatchConfigForm(t *testing.T) {
	tests := []struct {
		name string
		opt  policy.Option
		yaml string
	}{
		{"require_ip", policy.RequireIP([]string{"10.0.0.0/8"}, []string{"10.1.0.0/16"}), "require_ip: {whitelist: [10.0.0.0/8], blacklist: [10.1.0.0/16]}"},
		{"block_countries", policy.BlockCountries("CN", "RU"), "block_countries: [CN, RU]"},
		{"allow_countries", policy.AllowCountries("DE"), "allow_countries: [DE]"},
		{"block_clouds all", policy.BlockClouds(), "block_clouds: []"},
		{"block_clouds", policy.BlockClouds("AWS"), "block_clouds: [AWS]"},
		{"bypass", policy.Bypass("all"), "bypass: [all]"},
		{"rate_limit", policy.RateLimit(5, time.Minute), "rate_limit: {requests: 5, window: 60}"},
		{"geo_rate_limit", policy.GeoRateLimit("US", 100, time.Minute), "geo_rate_limit: {US: [100, 60]}"},
		{"block_user_agents", policy.BlockUserAgents("python-requests"), "block_user_agents: [python-requests]"},
		{"content_type_filter", policy.ContentTypeFilter("application/json"), "content_type_filter: [application/json]"},
		{"max_request_size", policy.MaxRequestSize(1 << 20), "max_request_size: 1048576"},
		{"require_headers", policy.RequireHeader("X-Tenant", "required"), "require_headers: {X-Tenant: required}"},
		{"require_auth", policy.RequireAuth("bearer", nil), "require_auth: {type: bearer}"},
		{"api_key_auth", policy.APIKeyAuth("X-API-Key", nil, "k1"), "api_key_auth: {header: X-API-Key, keys: [k1]}"},
		{"require_referrer", policy.RequireReferrer("example.com"), "require_referrer: [example.com]"},
		{"require_https", policy.RequireHTTPS(), "require_https: true"},
		{"time_window", policy.TimeWindow("22:00", "06:00", "Europe/Berlin"), "time_window: {start: '22:00', end: '06:00', timezone: Europe/Berlin}"},
		{"suspicious_detection", policy.SuspiciousDetection(false), "suspicious_detection: false"},
		{"detection_exclusion", policy.DetectionExclusion([]string{"X-Sig"}, []string{"html"}, []string{"template"}), "detection_exclusion: {headers: [X-Sig], params: [html], body_fields: [template]}"},
		{"honeypot_detection", policy.HoneypotDetection("website"), "honeypot_detection: [website]"},
		{"usage_monitor", policy.UsageMonitor(10, time.Hour, "ban"), "usage_monitor: {max_calls: 10, window: 3600, action: ban}"},
		{"return_monitor", policy.ReturnMonitor("json:result==win", 3, 24*time.Hour, "ban"), "return_monitor: {pattern: 'json:result==win', max_occurrences: 3, window: 86400, action: ban}"},
		{"suspicious_frequency", policy.SuspiciousFrequency(0.1, 5*time.Minute, "throttle"), "suspicious_frequency: {max_frequency: 0.1, window: 300, action: throttle}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := guard.ParseConfig([]byte("routes:\n- path: /x\n  "+tt.yaml+"\n"), false)
			if err != nil {
				t.Fatal(err)
			}
			want := cfg.Routes[0]
			want.Path = ""
			got := policy.New(tt.opt).Route
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("option sets %+v\nconfig sets %+v", got, want)
			}
		})
	}
}

// TestCodeOnlyParts checks the verifiers and validators only code can set.
func TestCodeOnlyParts(t *testing.T) {
	verify := func(context.Context, string, string) bool { return true }
	key := func(context.Context, string) bool { return true }
	check := func(context.Context, guard.Request, netip.Addr) *guard.Decision { return nil }
	p := policy.New(policy.RequireAuth("basic", verify), policy.APIKeyAuth("X-Key", key), policy.CustomValidator(check), policy.CustomValidator(check))
	if p.AuthVerifier == nil || p.APIKeyVerifier == nil || len(p.Validators) != 2 {
		t.Fatalf("policy = %+v", p)
	}
}

// TestInvalidPolicyNamedAtStartup checks a bad code-level policy stops New
// with an error naming the policy and the field.
func TestInvalidPolicyNamedAtStartup(t *testing.T) {
	tests := []struct {
		name string
		opt  policy.Option
		want string
	}{
		{"bad CIDR", policy.RequireIP([]string{"10.0.0.0/33"}, nil), "require_ip.whitelist"},
		{"bad regexp", policy.BlockUserAgents("("), "block_user_agents"},
		{"bad time zone", policy.TimeWindow("09:00", "17:00", "Mars/Base"), "time_window.timezone"},
		{"bad window", policy.RateLimit(1, 0), "rate_limit.window"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := guard.DefaultConfig()
			cfg.EnablePenetrationDetection = false
			_, err := guard.New(cfg, guard.WithRoutePolicy("/admin", policy.New(tt.opt)))
			if err == nil || !strings.Contains(err.Error(), `policy "/admin"`) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New = %v, want an error naming %q", err, tt.want)
			}
		})
	}
}
