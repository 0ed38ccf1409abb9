package guard

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
)

const sqliQuery = "/search?q=" + "1%27%20OR%20%271%27%3D%271"

func TestDetectionBlocksAndEmitsEvent(t *testing.T) {
	var mu sync.Mutex
	var events []Event
	e, _ := newTestEngine(t, nil, WithSink(SinkFunc(func(_ context.Context, ev Event) { mu.Lock(); events = append(events, ev); mu.Unlock() })))
	tests := []struct {
		name string
		r    req
		want int
	}{
		{"clean", req{target: "/search?q=running+shoes&page=2"}, 200},
		{"sqli in query", req{target: sqliQuery}, 403},
		{"xss in json body", req{method: "POST", target: "/api", body: `{"comment":"<script>alert(document.cookie)</script>"}`, header: map[string]string{"Content-Type": "application/json"}}, 403},
		{"traversal in path", req{target: "/files/..%2f..%2f..%2fetc%2fpasswd"}, 403},
		{"cmdi in form", req{method: "POST", target: "/ping", body: "host=" + url.QueryEscape("127.0.0.1; cat /etc/passwd"), header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 403},
		{"NUL byte in a query value", req{target: "/download?file=report.pdf%00.txt"}, 403},
		{"httpoxy Proxy header", req{target: "/search?q=shoes", header: map[string]string{"Proxy": "http://203.0.113.9:3128"}}, 403},
		{"obsolete Request-Range header", req{target: "/search?q=shoes", header: map[string]string{"Request-Range": "bytes=0-0,1-1,2-2"}}, 403},
		{"ordinary Range header", req{target: "/search?q=shoes", header: map[string]string{"Range": "bytes=0-1023"}}, 200},
		{"Latin-1 query", req{target: "/search?q=M%FCnchen"}, 200},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.r.remote = "198.51.100." + string(rune('1'+i)) + ":1"
			if w := serve(e, tt.r); w.Code != tt.want {
				t.Fatalf("status %d, want %d", w.Code, tt.want)
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	var pen *Event
	for i := range events {
		if events[i].Type == "penetration_attempt" {
			pen = &events[i]
			break
		}
	}
	if pen == nil {
		t.Fatal("no penetration_attempt event")
	}
	for _, k := range []string{"category", "pattern", "location", "excerpt"} {
		if v, ok := pen.Details[k]; !ok || v == "" {
			t.Errorf("event detail %s missing: %+v", k, pen.Details)
		}
	}
}

func TestDetectionAutoBan(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) { c.AutoBanThreshold = 3 })
	var got []int
	for i := 0; i < 3; i++ {
		got = append(got, serve(e, req{target: sqliQuery}).Code)
	}
	got = append(got, serve(e, req{target: "/clean"}).Code)
	if !eq(got, []int{403, 403, 403, 403}) {
		t.Fatalf("codes %v", got)
	}
	if d := e.Check(context.Background(), NewHTTPRequest(req{target: "/clean"}.build(), "")); d.Reason != ReasonIPBanned {
		t.Fatalf("after threshold: reason %s, want ip_banned", d.Reason)
	}
	// Banning off: attempts are blocked but never turn into a ban.
	nb, _ := newTestEngine(t, func(c *Config) { c.AutoBanThreshold = 1; c.EnableIPBanning = false })
	serve(nb, req{target: sqliQuery})
	if w := serve(nb, req{target: "/clean"}); w.Code != 200 {
		t.Fatalf("enable_ip_banning false still banned: %d", w.Code)
	}
}

func TestDetectionSwitchesAndExclusions(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(*Config)
		r    req
		want int
	}{
		{"disabled", func(c *Config) { c.EnablePenetrationDetection = false }, req{target: sqliQuery}, 200},
		{"passive", func(c *Config) { c.PassiveMode = true }, req{target: sqliQuery}, 200},
		{"excluded path", func(c *Config) { c.ExcludePaths = []string{"/search"} }, req{target: sqliQuery}, 200},
		{"excluded path is a segment prefix only", func(c *Config) { c.ExcludePaths = []string{"/sea"} }, req{target: sqliQuery}, 403},
		{"excluded path after normalisation", func(c *Config) { c.ExcludePaths = []string{"/docs"} }, req{target: "/docs/../search?q=1%27%20OR%20%271%27%3D%271"}, 403},
		{"excluded header", func(c *Config) { c.ExcludedDetectionHeaders = []string{"X-Payload"} },
			req{target: "/", header: map[string]string{"X-Payload": "<script>alert(1)</script>"}}, 200},
		{"header inspected", nil, req{target: "/", header: map[string]string{"X-Payload": "<script>alert(1)</script>"}}, 403},
		{"route suspicious_detection off", func(c *Config) {
			f := false
			c.Routes = []RouteConfig{{Path: "/search", SuspiciousDetection: &f}}
		}, req{target: sqliQuery}, 200},
		{"route bypass penetration", func(c *Config) { c.Routes = []RouteConfig{{Path: "/search", Bypass: []string{"penetration"}}} }, req{target: sqliQuery}, 200},
		{"route detection_exclusion param", func(c *Config) {
			c.Routes = []RouteConfig{{Path: "/search", DetectionExclusion: &DetectionExclusion{Params: []string{"q"}}}}
		}, req{target: sqliQuery}, 200},
		{"route exclusion keeps other params", func(c *Config) {
			c.Routes = []RouteConfig{{Path: "/search", DetectionExclusion: &DetectionExclusion{Params: []string{"other"}}}}
		}, req{target: sqliQuery}, 403},
		{"whitelisted client skips detection", func(c *Config) { c.Whitelist = []string{"198.51.100.10"} }, req{target: sqliQuery}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := newTestEngine(t, tt.cfg)
			if w := serve(e, tt.r); w.Code != tt.want {
				t.Fatalf("status %d, want %d", w.Code, tt.want)
			}
		})
	}
}

func TestLargeBodyScannedUpToBudgetAndDeliveredWhole(t *testing.T) {
	e, _ := newTestEngine(t, nil)
	attack := `{"note":"` + strings.Repeat("a", 200<<10) + `","q":"1' UNION SELECT password FROM users--"}`
	w := serve(e, req{method: "POST", target: "/api", body: attack, header: map[string]string{"Content-Type": "application/json"}})
	if w.Code != 403 {
		t.Fatalf("attack after 200 KiB of padding not caught: %d", w.Code)
	}
	clean := `{"note":"` + strings.Repeat("lorem ipsum ", 300<<10) + `"}`
	w = serve(e, req{method: "POST", target: "/api", body: clean, header: map[string]string{"Content-Type": "application/json"}, remote: "198.51.100.77:1"})
	if w.Code != 200 || w.Body.String() != clean {
		t.Fatalf("clean 3.6 MB body: %d, %d bytes back", w.Code, w.Body.Len())
	}
}
