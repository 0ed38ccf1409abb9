package guard_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	guard "github.com/guardgo/guard/core"
)

// A configuration is plain data with the reference's names; New compiles it
// once and the Engine answers every request.
func ExampleNew() {
	cfg := guard.DefaultConfig()
	cfg.Blacklist = []string{"203.0.113.0/24"}
	cfg.RateLimit = 100
	cfg.LogSuspiciousLevel = "NONE"
	engine, err := guard.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer engine.Close()

	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "203.0.113.9:4711"
	d := engine.Check(r.Context(), guard.NewHTTPRequest(r, ""))
	fmt.Println(d.Allowed, d.Status, d.Reason)
	// Output: false 403 ip_blacklisted
}

// Serve is the one call a net/http-based adapter makes: it runs the checks,
// then either writes the block response or calls the handler with security
// headers added.
func ExampleEngine_Serve() {
	cfg := guard.DefaultConfig()
	cfg.BlockedUserAgents = []string{"sqlmap"}
	cfg.LogSuspiciousLevel = "NONE"
	engine, _ := guard.New(cfg)
	defer engine.Close()
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello") })

	for _, ua := range []string{"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "sqlmap/1.7"} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("User-Agent", ua)
		w := httptest.NewRecorder()
		engine.Serve(w, r, "", app)
		fmt.Println(w.Code, w.Header().Get("X-Frame-Options"))
	}
	// Output:
	// 200 SAMEORIGIN
	// 403 SAMEORIGIN
}

// Validate reports every problem at once, each naming its field.
func ExampleConfig_Validate() {
	cfg := guard.DefaultConfig()
	cfg.Whitelist = []string{"10.0.0.0/33"}
	cfg.RateLimitWindow = 0
	fmt.Println(cfg.Validate())
	// Output:
	// whitelist[0]: invalid CIDR "10.0.0.0/33"
	// rate_limit_window: must be > 0
}

// ParseConfig reads the YAML (or JSON) form over the defaults.
func ExampleParseConfig() {
	cfg, err := guard.ParseConfig([]byte(`
rate_limit: 5
rate_limit_window: 90s
endpoint_rate_limits:
  /login: [3, 60]
routes:
  - path: /items/{id}
    methods: [GET]
    require_headers: {X-Tenant: required}
`), false)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.RateLimit, cfg.RateLimitWindow, cfg.EndpointRateLimits["/login"].Requests, cfg.Routes[0].Path)
	// Output: 5 1m30s 3 /items/{id}
}
