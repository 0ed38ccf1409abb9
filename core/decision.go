package guard

import (
	"github.com/guardgo/guard/core/detect"
	"github.com/guardgo/guard/core/store"
	"net/http"
	"net/netip"
	"time"
)

// Reason is a stable, machine-readable code saying why a request was blocked.
type Reason string

// Reasons produced by the built-in checks.
const (
	ReasonNone               Reason = ""
	ReasonEmergencyMode      Reason = "emergency_mode"
	ReasonHTTPSRequired      Reason = "https_required"
	ReasonBodyTooLarge       Reason = "request_too_large"
	ReasonContentType        Reason = "unsupported_content_type"
	ReasonMissingHeader      Reason = "missing_required_header"
	ReasonUnauthorized       Reason = "unauthorized"
	ReasonReferrer           Reason = "invalid_referrer"
	ReasonHoneypot           Reason = "honeypot_triggered"
	ReasonCustomValidator    Reason = "custom_validator"
	ReasonTimeWindow         Reason = "outside_time_window"
	ReasonIPBanned           Reason = "ip_banned"
	ReasonIPNotWhitelisted   Reason = "ip_not_whitelisted"
	ReasonIPBlacklisted      Reason = "ip_blacklisted"
	ReasonCountryBlocked     Reason = "country_blocked"
	ReasonCloudProvider      Reason = "cloud_provider_blocked"
	ReasonUserAgent          Reason = "user_agent_blocked"
	ReasonRateLimited        Reason = "rate_limited"
	ReasonPenetration        Reason = "penetration_attempt"
	ReasonBehavior           Reason = "behavior_violation"
	ReasonCustomCheck        Reason = "custom_check"
	ReasonCORSRejected       Reason = "cors_rejected"
	ReasonInternalError      Reason = "internal_error"
	ReasonStoreUnavailable   Reason = "store_unavailable"
	ReasonBehaviorThrottled  Reason = "behavior_throttled"
	ReasonCORSPreflight      Reason = "cors_preflight"
	ReasonAuthVerifierFailed Reason = "auth_failed"
)

// Decision is the engine's verdict on a request: allow it, or the response to
// send instead. A Decision also carries what the response side needs.
type Decision struct {
	// Allowed is true when the application handler should run.
	Allowed bool
	// Status, Message and Header describe the response to send when the
	// request is not allowed (Header holds extras such as Retry-After or
	// Location; security and CORS headers are added when it is written).
	Status  int
	Message string
	Header  http.Header
	// Reason is a stable code; Check names the pipeline step that fired.
	Reason Reason
	Check  string
	// RetryAfter is set for rate-limit and throttle blocks.
	RetryAfter time.Duration
	// Err is an internal failure behind the decision, if any.
	Err error
	// Client is the resolved client address.
	Client netip.Addr
	// Passive lists what would have blocked the request in passive mode.
	Passive []Reason

	route     *compiledRoute
	origin    string // validated CORS origin, "" when none
	preflight bool
	maxBody   int64 // route max_request_size, 0 = none
	req       Request
	endpoint  string
	clientKey string // Client.String(), computed once

	// Buffers for the request's one store call; the Decision is on the heap
	// already, so slices of these do not allocate.
	limitsBuf   [4]store.Limit
	countersBuf [4]store.Counter
	target      detect.Target
}

// Blocked reports whether the request must not reach the handler.
func (d *Decision) Blocked() bool { return !d.Allowed }
