package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func repoTestdata(t *testing.T, parts ...string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(append([]string{filepath.Dir(file), "..", "..", "testdata"}, parts...)...)
}

func TestDemoServerCountryRules(t *testing.T) {
	db := repoTestdata(t, "geo", "country.mmdb")
	blocked := startServer(t, fmt.Sprintf(`
trusted_proxies: [127.0.0.1]
geoip_database: %q
blocked_countries: [CN, RU]
routes:
  - path: /items/{id}
    allow_countries: [DE]
  - path: /lottery
    geo_rate_limit: {US: [2, 60], "*": [1, 60]}
`, db), "nethttp")
	allowed := startServer(t, fmt.Sprintf(`
trusted_proxies: [127.0.0.1]
geoip_database: %q
whitelist_countries: [US]
`, db), "nethttp")
	tests := []struct {
		name string
		srv  *running
		path string
		ip   string
		want int
	}{
		{"CN blocked", blocked, "/", "192.0.2.40", 403},
		{"RU v6 blocked", blocked, "/", "2001:db8:3::9", 403},
		{"US passes", blocked, "/", "192.0.2.1", 200},
		{"unknown passes a block list", blocked, "/", "192.0.2.230", 200},
		{"route allow list DE", blocked, "/items/1", "192.0.2.100", 200},
		{"route allow list refuses US", blocked, "/items/1", "192.0.2.2", 403},
		{"whitelist US", allowed, "/", "198.51.100.20", 200},
		{"whitelist refuses DE", allowed, "/", "2001:db8:4::1", 403},
		{"whitelist refuses unknown", allowed, "/", "192.0.2.231", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, tt.srv.base, call{path: tt.path, header: xff(tt.ip)})
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tt.want, body)
			}
		})
	}
	t.Run("loopback exempt", func(t *testing.T) {
		if resp, _ := do(t, allowed.base, call{path: "/"}); resp.StatusCode != 200 {
			t.Fatalf("loopback: %d", resp.StatusCode)
		}
	})
	t.Run("geo rate limit per country", func(t *testing.T) {
		var us, de []int
		for i := 0; i < 3; i++ {
			r1, _ := do(t, blocked.base, call{path: "/lottery", header: xff("192.0.2.3")})
			us = append(us, r1.StatusCode)
			r2, _ := do(t, blocked.base, call{path: "/lottery", header: xff("192.0.2.101")})
			de = append(de, r2.StatusCode)
		}
		if fmt.Sprint(us) != "[200 200 429]" || fmt.Sprint(de) != "[200 429 429]" {
			t.Fatalf("US %v DE %v", us, de)
		}
	})
}

func TestDemoServerCountryRulesNeedDatabase(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(cfg, []byte("blocked_countries: [CN]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := execServer(cfg)
	if err == nil {
		t.Fatal("accepted country rules without a database")
	}
	if !containsAll(out, "geoip_database") {
		t.Fatalf("output: %s", out)
	}
}

// requireRedis fails under CI and skips elsewhere when no Redis answers.
func requireRedis(t *testing.T) {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis is required on 127.0.0.1:6379 in CI: %v", err)
		}
		t.Skipf("no Redis on 127.0.0.1:6379: %v", err)
	}
	c.Close()
}

func randomPrefix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "guard-e2e-" + hex.EncodeToString(b) + ":"
}

func TestDemoServersShareRedis(t *testing.T) {
	requireRedis(t)
	cfg := fmt.Sprintf(`
trusted_proxies: [127.0.0.1]
enable_redis: true
redis_url: redis://127.0.0.1:6379/0
redis_prefix: %q
rate_limit: 4
rate_limit_window: 60
routes:
  - path: /lottery
    usage_monitor: {max_calls: 3, window: 60, action: ban}
`, randomPrefix())
	a := startServer(t, cfg, "nethttp")
	b := startServer(t, cfg, "nethttp")

	t.Run("rate limit split across both", func(t *testing.T) {
		h := xff("198.51.100.60")
		var got []int
		for _, srv := range []*running{a, b, a, b, a, b} {
			resp, _ := do(t, srv.base, call{path: "/", header: h})
			got = append(got, resp.StatusCode)
		}
		if fmt.Sprint(got) != "[200 200 200 200 429 429]" {
			t.Fatalf("codes %v", got)
		}
	})
	t.Run("usage counted across both, ban seen by the other", func(t *testing.T) {
		h := xff("198.51.100.61")
		var got []int
		for _, srv := range []*running{a, b, a, b} {
			resp, _ := do(t, srv.base, call{path: "/lottery", header: h})
			got = append(got, resp.StatusCode)
		}
		if fmt.Sprint(got) != "[200 200 200 403]" {
			t.Fatalf("codes %v", got)
		}
		deadline := time.Now().Add(2 * time.Second)
		for {
			resp, _ := do(t, a.base, call{path: "/health", header: h})
			if resp.StatusCode == 403 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("ban from b not seen on a: %d", resp.StatusCode)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

func TestDemoServerUnreachableRedisKeepsServing(t *testing.T) {
	srv := startServer(t, `
enable_redis: true
redis_url: redis://127.0.0.1:1/0
rate_limit: 2
`, "nethttp")
	var got []int
	for i := 0; i < 3; i++ {
		resp, _ := do(t, srv.base, call{path: "/"})
		got = append(got, resp.StatusCode)
	}
	if fmt.Sprint(got) != "[200 200 429]" {
		t.Fatalf("fail-open with in-memory fallback: %v", got)
	}
}

func TestDemoServerFailClosedRedisStartsAndRefuses(t *testing.T) {
	srv := startServer(t, `
enable_redis: true
redis_url: redis://127.0.0.1:1/0
redis_fail_open: false
`, "nethttp")
	resp, body := do(t, srv.base, call{path: "/"})
	if resp.StatusCode != 503 {
		t.Fatalf("fail-closed with Redis down: %d %s", resp.StatusCode, body)
	}
}
