package guard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/guardgo/guard/core/behavior"
	"github.com/guardgo/guard/core/units"
)

// Config is the whole configuration of an Engine. Its YAML and JSON names are
// the reference implementation's SecurityConfig names in snake_case.
//
// Start from DefaultConfig: the zero value is not a useful configuration (it
// disables every default-on protection). An Engine never modifies its Config.
type Config struct {
	// IP lists. A non-empty whitelist is restrictive: only listed clients pass.
	Whitelist []string `yaml:"whitelist" json:"whitelist"`
	Blacklist []string `yaml:"blacklist" json:"blacklist"`
	// ExemptIPs skip user-agent rules and rate limits, but not the blacklist.
	ExemptIPs []string `yaml:"exempt_ips" json:"exempt_ips"`

	// Proxies whose X-Forwarded-For (and, with TrustXForwardedProto,
	// X-Forwarded-Proto) headers are believed.
	TrustedProxies       []string `yaml:"trusted_proxies" json:"trusted_proxies"`
	TrustedProxyDepth    int      `yaml:"trusted_proxy_depth" json:"trusted_proxy_depth"`
	TrustXForwardedProto bool     `yaml:"trust_x_forwarded_proto" json:"trust_x_forwarded_proto"`

	// Country rules (need GeoIPDatabase or GeoIPLicenseKey/GeoIPDownloadURL).
	BlockedCountries     []string       `yaml:"blocked_countries" json:"blocked_countries"`
	WhitelistCountries   []string       `yaml:"whitelist_countries" json:"whitelist_countries"`
	GeoIPDatabase        string         `yaml:"geoip_database" json:"geoip_database"`
	GeoIPLicenseKey      string         `yaml:"geoip_license_key" json:"geoip_license_key"`
	GeoIPDownloadURL     string         `yaml:"geoip_download_url" json:"geoip_download_url"`
	GeoIPRefreshInterval units.Duration `yaml:"geoip_refresh_interval" json:"geoip_refresh_interval"`

	// Cloud provider blocking.
	BlockCloudProviders    []string          `yaml:"block_cloud_providers" json:"block_cloud_providers"`
	CloudIPRefreshInterval units.Duration    `yaml:"cloud_ip_refresh_interval" json:"cloud_ip_refresh_interval"`
	CloudRanges            map[string]string `yaml:"cloud_ranges" json:"cloud_ranges"`

	// User agents: case-insensitive regular expressions (RE2).
	BlockedUserAgents []string `yaml:"blocked_user_agents" json:"blocked_user_agents"`

	// Bans.
	EnableIPBanning  bool           `yaml:"enable_ip_banning" json:"enable_ip_banning"`
	AutoBanThreshold int            `yaml:"auto_ban_threshold" json:"auto_ban_threshold"`
	AutoBanDuration  units.Duration `yaml:"auto_ban_duration" json:"auto_ban_duration"`

	// Rate limits.
	EnableRateLimiting bool                     `yaml:"enable_rate_limiting" json:"enable_rate_limiting"`
	RateLimit          int                      `yaml:"rate_limit" json:"rate_limit"`
	RateLimitWindow    units.Duration           `yaml:"rate_limit_window" json:"rate_limit_window"`
	EndpointRateLimits map[string]EndpointLimit `yaml:"endpoint_rate_limits" json:"endpoint_rate_limits"`

	// HTTPS.
	EnforceHTTPS bool `yaml:"enforce_https" json:"enforce_https"`

	// Response headers.
	SecurityHeaders SecurityHeaders `yaml:"security_headers" json:"security_headers"`

	// CORS.
	EnableCORS           bool     `yaml:"enable_cors" json:"enable_cors"`
	CORSAllowOrigins     []string `yaml:"cors_allow_origins" json:"cors_allow_origins"`
	CORSAllowMethods     []string `yaml:"cors_allow_methods" json:"cors_allow_methods"`
	CORSAllowHeaders     []string `yaml:"cors_allow_headers" json:"cors_allow_headers"`
	CORSAllowCredentials bool     `yaml:"cors_allow_credentials" json:"cors_allow_credentials"`
	CORSExposeHeaders    []string `yaml:"cors_expose_headers" json:"cors_expose_headers"`
	CORSMaxAge           int      `yaml:"cors_max_age" json:"cors_max_age"`

	// Modes.
	PassiveMode        bool     `yaml:"passive_mode" json:"passive_mode"`
	EmergencyMode      bool     `yaml:"emergency_mode" json:"emergency_mode"`
	EmergencyWhitelist []string `yaml:"emergency_whitelist" json:"emergency_whitelist"`
	// FailSecure turns an internal failure of a check into a 500 instead of
	// letting the request pass.
	FailSecure bool `yaml:"fail_secure" json:"fail_secure"`

	// ExcludePaths skip penetration detection (and only that). Matching is by
	// normalised path prefix at a segment boundary.
	ExcludePaths []string `yaml:"exclude_paths" json:"exclude_paths"`

	// CustomErrorResponses replaces the body of block responses by status.
	CustomErrorResponses map[int]string `yaml:"custom_error_responses" json:"custom_error_responses"`

	// Penetration detection.
	EnablePenetrationDetection      bool           `yaml:"enable_penetration_detection" json:"enable_penetration_detection"`
	ExcludedDetectionHeaders        []string       `yaml:"excluded_detection_headers" json:"excluded_detection_headers"`
	DetectionCompilerTimeout        units.Duration `yaml:"detection_compiler_timeout" json:"detection_compiler_timeout"`
	DetectionMaxContentLength       int            `yaml:"detection_max_content_length" json:"detection_max_content_length"`
	DetectionMaxRequestBytes        int            `yaml:"detection_max_request_bytes" json:"detection_max_request_bytes"`
	DetectionPreserveAttackPatterns bool           `yaml:"detection_preserve_attack_patterns" json:"detection_preserve_attack_patterns"`
	DetectionSemanticThreshold      float64        `yaml:"detection_semantic_threshold" json:"detection_semantic_threshold"`
	DetectionAnomalyThreshold       float64        `yaml:"detection_anomaly_threshold" json:"detection_anomaly_threshold"`
	DetectionSlowPatternThreshold   units.Duration `yaml:"detection_slow_pattern_threshold" json:"detection_slow_pattern_threshold"`
	DetectionMonitorHistorySize     int            `yaml:"detection_monitor_history_size" json:"detection_monitor_history_size"`
	DetectionMaxTrackedPatterns     int            `yaml:"detection_max_tracked_patterns" json:"detection_max_tracked_patterns"`

	// Behavioural rules applied to every route.
	GlobalBehaviorRules      []behavior.RuleSpec `yaml:"global_behavior_rules" json:"global_behavior_rules"`
	BehaviorScanResponseBody bool                `yaml:"behavior_scan_response_body" json:"behavior_scan_response_body"`
	// BehaviorMaxBodyBytes bounds the response prefix captured for return
	// patterns.
	BehaviorMaxBodyBytes int `yaml:"behavior_max_body_bytes" json:"behavior_max_body_bytes"`

	// Distributed state.
	EnableRedis   bool   `yaml:"enable_redis" json:"enable_redis"`
	RedisURL      string `yaml:"redis_url" json:"redis_url"`
	RedisPrefix   string `yaml:"redis_prefix" json:"redis_prefix"`
	RedisFailOpen bool   `yaml:"redis_fail_open" json:"redis_fail_open"`

	// Logging: "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL" or "" / "NONE".
	LogSuspiciousLevel string `yaml:"log_suspicious_level" json:"log_suspicious_level"`
	LogRequestLevel    string `yaml:"log_request_level" json:"log_request_level"`

	// MaxBodyBytes bounds how much of a request body the engine buffers for
	// inspection (the handler always receives the whole body).
	MaxBodyBytes int64 `yaml:"max_body_bytes" json:"max_body_bytes"`

	// Routes are per-route policies (the reference's decorators).
	Routes []RouteConfig `yaml:"routes" json:"routes"`
}

// EndpointLimit is a [limit, window] pair; it unmarshals from a two-element
// list ([5, 60]) or a map ({requests: 5, window: 60}).
type EndpointLimit struct {
	Requests int            `yaml:"requests" json:"requests"`
	Window   units.Duration `yaml:"window" json:"window"`
}

// UnmarshalYAML accepts [limit, window] or {requests, window}.
func (l *EndpointLimit) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.SequenceNode {
		if len(n.Content) != 2 {
			return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: want [limit, window]", n.Line)}}
		}
		if err := n.Content[0].Decode(&l.Requests); err != nil {
			return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: limit: %v", n.Line, err)}}
		}
		return n.Content[1].Decode(&l.Window)
	}
	type plain EndpointLimit
	return n.Decode((*plain)(l))
}

// UnmarshalJSON accepts [limit, window] or {"requests", "window"}.
func (l *EndpointLimit) UnmarshalJSON(b []byte) error {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '[' {
		var pair []json.RawMessage
		if err := json.Unmarshal(t, &pair); err != nil {
			return err
		}
		if len(pair) != 2 {
			return fmt.Errorf("want [limit, window]")
		}
		if err := json.Unmarshal(pair[0], &l.Requests); err != nil {
			return fmt.Errorf("limit: %w", err)
		}
		return json.Unmarshal(pair[1], &l.Window)
	}
	type plain EndpointLimit
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode((*plain)(l))
}

// SecurityHeaders configures the response security headers. Defaults are the
// reference's.
type SecurityHeaders struct {
	Enabled            bool                `yaml:"enabled" json:"enabled"`
	HSTS               HSTS                `yaml:"hsts" json:"hsts"`
	CSP                map[string][]string `yaml:"csp" json:"csp"`
	FrameOptions       string              `yaml:"frame_options" json:"frame_options"`
	ContentTypeOptions string              `yaml:"content_type_options" json:"content_type_options"`
	XSSProtection      string              `yaml:"xss_protection" json:"xss_protection"`
	ReferrerPolicy     string              `yaml:"referrer_policy" json:"referrer_policy"`
	PermissionsPolicy  string              `yaml:"permissions_policy" json:"permissions_policy"`
	Custom             map[string]string   `yaml:"custom" json:"custom"`
}

// HSTS configures Strict-Transport-Security; MaxAge 0 omits the header.
type HSTS struct {
	MaxAge            int  `yaml:"max_age" json:"max_age"`
	IncludeSubdomains bool `yaml:"include_subdomains" json:"include_subdomains"`
	Preload           bool `yaml:"preload" json:"preload"`
}

// DefaultConfig returns the reference's defaults (with the in-memory store).
func DefaultConfig() Config {
	return Config{
		TrustedProxyDepth:          1,
		AutoBanThreshold:           10,
		AutoBanDuration:            units.Seconds(3600),
		EnableIPBanning:            true,
		EnableRateLimiting:         true,
		RateLimit:                  10,
		RateLimitWindow:            units.Seconds(60),
		EnablePenetrationDetection: true,
		CloudIPRefreshInterval:     units.Seconds(3600),
		GeoIPRefreshInterval:       units.Seconds(86400),
		SecurityHeaders: SecurityHeaders{
			Enabled:            true,
			HSTS:               HSTS{MaxAge: 31536000, IncludeSubdomains: true},
			FrameOptions:       "SAMEORIGIN",
			ContentTypeOptions: "nosniff",
			XSSProtection:      "1; mode=block",
			ReferrerPolicy:     "strict-origin-when-cross-origin",
			PermissionsPolicy:  "geolocation=(), microphone=(), camera=()",
		},
		CORSAllowOrigins:                []string{"*"},
		CORSAllowMethods:                []string{"GET", "POST"},
		CORSAllowHeaders:                []string{"*"},
		CORSMaxAge:                      600,
		ExcludePaths:                    []string{"/docs", "/redoc", "/openapi.json", "/openapi.yaml", "/favicon.ico", "/static"},
		DetectionCompilerTimeout:        units.Seconds(2),
		DetectionMaxContentLength:       10000,
		DetectionMaxRequestBytes:        1 << 20,
		DetectionPreserveAttackPatterns: true,
		DetectionSemanticThreshold:      0.7,
		DetectionAnomalyThreshold:       3.0,
		DetectionSlowPatternThreshold:   units.Seconds(0.1),
		DetectionMonitorHistorySize:     1000,
		DetectionMaxTrackedPatterns:     1000,
		BehaviorMaxBodyBytes:            64 << 10,
		BehaviorScanResponseBody:        true,
		RedisURL:                        "redis://localhost:6379",
		RedisPrefix:                     "guard:",
		RedisFailOpen:                   true,
		LogSuspiciousLevel:              "WARNING",
		MaxBodyBytes:                    4 << 20,
	}
}

// LoadConfig reads a YAML or JSON configuration file over DefaultConfig,
// applies GUARD_* environment overrides, and validates it. Unknown fields are
// errors. The returned error lists every problem: unknown or mistyped fields
// and invalid values together.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("guard: read config: %w", err)
	}
	cfg, perr := ParseConfig(data, strings.EqualFold(filepath.Ext(path), ".json"))
	var typeErrs *ConfigSyntaxError
	if perr != nil && !errors.As(perr, &typeErrs) {
		return Config{}, fmt.Errorf("guard: config %s: %w", path, perr)
	}
	var errs []error
	if typeErrs != nil {
		errs = append(errs, typeErrs.Errs...)
	}
	if err := cfg.ApplyEnv(os.LookupEnv); err != nil {
		errs = append(errs, err)
	}
	if err := cfg.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("guard: config %s is invalid:\n%w", path, errors.Join(errs...))
	}
	return cfg, nil
}

// ConfigSyntaxError lists fields of a configuration document that are
// unknown or of the wrong type. ParseConfig still decodes everything else,
// so LoadConfig can report these together with validation problems.
type ConfigSyntaxError struct {
	Errs []error // each a *FieldError naming the field path and line
}

func (e *ConfigSyntaxError) Error() string { return errors.Join(e.Errs...).Error() }

// Unwrap returns the individual problems.
func (e *ConfigSyntaxError) Unwrap() []error { return e.Errs }

// ParseConfig decodes YAML (or JSON, which is read by the same decoder) over
// DefaultConfig without validating it. Unknown fields and values of the
// wrong type are reported as a *ConfigSyntaxError listing each of them by
// field path ("routes[0].rate_limit.window: line 7: invalid duration"), with
// the rest of the document decoded.
func ParseConfig(data []byte, isJSON bool) (Config, error) {
	_ = isJSON // YAML 1.2 is a superset of JSON: one decoder, one error format
	cfg := DefaultConfig()
	if len(bytes.TrimSpace(data)) == 0 {
		return cfg, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Config{}, fmt.Errorf("parse: %s", yamlMessage(err))
	}
	var errs []error
	decodeNode(&doc, reflect.ValueOf(&cfg).Elem(), "", &errs)
	if len(errs) > 0 {
		return cfg, &ConfigSyntaxError{Errs: errs}
	}
	return cfg, nil
}

// ApplyEnv overrides scalar settings from GUARD_<UPPER_SNAKE_NAME> variables
// (GUARD_REDIS_URL, GUARD_RATE_LIMIT, GUARD_PASSIVE_MODE, ...), read through
// lookup (os.LookupEnv in LoadConfig).
func (c *Config) ApplyEnv(lookup func(string) (string, bool)) error {
	var errs []error
	str := func(name string, dst *string) {
		if v, ok := lookup("GUARD_" + strings.ToUpper(name)); ok {
			*dst = v
		}
	}
	boolean := func(name string, dst *bool) {
		if v, ok := lookup("GUARD_" + strings.ToUpper(name)); ok {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fieldErr(name, "environment GUARD_%s: %q is not a boolean", strings.ToUpper(name), v))
				return
			}
			*dst = b
		}
	}
	integer := func(name string, dst *int) {
		if v, ok := lookup("GUARD_" + strings.ToUpper(name)); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, fieldErr(name, "environment GUARD_%s: %q is not an integer", strings.ToUpper(name), v))
				return
			}
			*dst = n
		}
	}
	duration := func(name string, dst *units.Duration) {
		if v, ok := lookup("GUARD_" + strings.ToUpper(name)); ok {
			d, err := units.ParseDuration(v)
			if err != nil {
				errs = append(errs, fieldErr(name, "environment GUARD_%s: %v", strings.ToUpper(name), err))
				return
			}
			*dst = d
		}
	}
	str("redis_url", &c.RedisURL)
	str("redis_prefix", &c.RedisPrefix)
	str("geoip_database", &c.GeoIPDatabase)
	str("geoip_license_key", &c.GeoIPLicenseKey)
	str("geoip_download_url", &c.GeoIPDownloadURL)
	str("log_suspicious_level", &c.LogSuspiciousLevel)
	str("log_request_level", &c.LogRequestLevel)
	boolean("enable_redis", &c.EnableRedis)
	boolean("redis_fail_open", &c.RedisFailOpen)
	boolean("passive_mode", &c.PassiveMode)
	boolean("emergency_mode", &c.EmergencyMode)
	boolean("enforce_https", &c.EnforceHTTPS)
	boolean("enable_cors", &c.EnableCORS)
	boolean("enable_ip_banning", &c.EnableIPBanning)
	boolean("enable_rate_limiting", &c.EnableRateLimiting)
	boolean("enable_penetration_detection", &c.EnablePenetrationDetection)
	boolean("fail_secure", &c.FailSecure)
	boolean("trust_x_forwarded_proto", &c.TrustXForwardedProto)
	integer("rate_limit", &c.RateLimit)
	integer("auto_ban_threshold", &c.AutoBanThreshold)
	integer("trusted_proxy_depth", &c.TrustedProxyDepth)
	duration("rate_limit_window", &c.RateLimitWindow)
	duration("auto_ban_duration", &c.AutoBanDuration)
	return joinErrors(errs)
}
