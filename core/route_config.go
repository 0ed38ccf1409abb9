package guard

import (
	"github.com/guardgo/guard/core/behavior"
	"github.com/guardgo/guard/core/units"
)

// RouteConfig is a per-route policy declared in the configuration file under
// `routes:`. Field names are the reference's decorator names.
type RouteConfig struct {
	// Path is a route template ("/items/{id}", "/items/:id") or an exact path.
	Path string `yaml:"path" json:"path"`
	// Methods restricts the policy to these methods; empty means all.
	Methods []string `yaml:"methods" json:"methods"`

	RequireIP           *IPListConfig                 `yaml:"require_ip" json:"require_ip"`
	BlockCountries      []string                      `yaml:"block_countries" json:"block_countries"`
	AllowCountries      []string                      `yaml:"allow_countries" json:"allow_countries"`
	BlockClouds         []string                      `yaml:"block_clouds" json:"block_clouds"`
	Bypass              []string                      `yaml:"bypass" json:"bypass"`
	DetectionExclusion  *DetectionExclusion           `yaml:"detection_exclusion" json:"detection_exclusion"`
	RateLimit           *RouteRateLimit               `yaml:"rate_limit" json:"rate_limit"`
	GeoRateLimit        map[string]EndpointLimit      `yaml:"geo_rate_limit" json:"geo_rate_limit"`
	BlockUserAgents     []string                      `yaml:"block_user_agents" json:"block_user_agents"`
	ContentTypeFilter   []string                      `yaml:"content_type_filter" json:"content_type_filter"`
	MaxRequestSize      int64                         `yaml:"max_request_size" json:"max_request_size"`
	RequireHeaders      map[string]string             `yaml:"require_headers" json:"require_headers"`
	RequireAuth         *RequireAuth                  `yaml:"require_auth" json:"require_auth"`
	APIKeyAuth          *APIKeyAuth                   `yaml:"api_key_auth" json:"api_key_auth"`
	RequireReferrer     []string                      `yaml:"require_referrer" json:"require_referrer"`
	RequireHTTPS        bool                          `yaml:"require_https" json:"require_https"`
	TimeWindow          *TimeWindow                   `yaml:"time_window" json:"time_window"`
	SuspiciousDetection *bool                         `yaml:"suspicious_detection" json:"suspicious_detection"`
	HoneypotDetection   []string                      `yaml:"honeypot_detection" json:"honeypot_detection"`
	UsageMonitor        *behavior.UsageMonitor        `yaml:"usage_monitor" json:"usage_monitor"`
	ReturnMonitor       *behavior.ReturnMonitor       `yaml:"return_monitor" json:"return_monitor"`
	SuspiciousFrequency *behavior.SuspiciousFrequency `yaml:"suspicious_frequency" json:"suspicious_frequency"`
	BehaviorAnalysis    []behavior.RuleSpec           `yaml:"behavior_analysis" json:"behavior_analysis"`
}

// IPListConfig is a route's own whitelist and blacklist.
type IPListConfig struct {
	Whitelist []string `yaml:"whitelist" json:"whitelist"`
	Blacklist []string `yaml:"blacklist" json:"blacklist"`
}

// DetectionExclusion lists request parts penetration detection skips on a
// route.
type DetectionExclusion struct {
	Headers    []string `yaml:"headers" json:"headers"`
	Params     []string `yaml:"params" json:"params"`
	BodyFields []string `yaml:"body_fields" json:"body_fields"`
}

// RouteRateLimit is a route's own rate limit.
type RouteRateLimit struct {
	Requests int            `yaml:"requests" json:"requests"`
	Window   units.Duration `yaml:"window" json:"window"`
}

// RequireAuth demands an Authorization header of a scheme ("bearer",
// "basic", or any other scheme name). The configuration checks presence and
// form; verification of the credential is a function set in code.
type RequireAuth struct {
	Type string `yaml:"type" json:"type"`
}

// APIKeyAuth demands an API key in a header. Keys, when listed, are compared
// in constant time; without keys only presence is checked and a verifier can
// be set in code.
type APIKeyAuth struct {
	Header string   `yaml:"header" json:"header"`
	Keys   []string `yaml:"keys" json:"keys"`
}

// TimeWindow allows requests only between Start and End ("HH:MM") in
// Timezone (IANA name, default UTC). A window whose end is before its start
// spans midnight.
type TimeWindow struct {
	Start    string `yaml:"start" json:"start"`
	End      string `yaml:"end" json:"end"`
	Timezone string `yaml:"timezone" json:"timezone"`
}
