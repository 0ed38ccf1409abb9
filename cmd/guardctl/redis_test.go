package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/detect"
	redisstore "github.com/guardgo/guard/core/store/redis"
	"github.com/redis/go-redis/v9"
)

const testRedisURL = "redis://127.0.0.1:6379"

// redisPrefix returns a fresh key prefix on the test Redis and removes every
// key under it when the test ends. Without Redis the test is skipped, or
// fails when CI=true.
func redisPrefix(t *testing.T) string {
	t.Helper()
	opts, _ := redis.ParseURL(testRedisURL)
	c := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis at %s unreachable: %v", testRedisURL, err)
		}
		t.Skipf("Redis at %s unreachable: %v", testRedisURL, err)
	}
	prefix := fmt.Sprintf("guardctl-test-%d:", rand.Uint64())
	t.Cleanup(func() {
		defer c.Close()
		ctx := context.Background()
		keys, err := c.Keys(ctx, prefix+"*").Result()
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		if len(keys) > 0 {
			_ = c.Del(ctx, keys...).Err()
		}
	})
	return prefix
}

func redisArgs(prefix string, args ...string) []string {
	return append(args, "-redis", testRedisURL, "-prefix", prefix)
}

func TestBans(t *testing.T) {
	prefix := redisPrefix(t)
	ctx := context.Background()
	// An engine-side store on the same prefix sees what guardctl does.
	s, err := redisstore.Open(ctx, testRedisURL, redisstore.Options{Prefix: prefix, FailClosed: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// bannedEventually waits (briefly) for the ban state to become want
	// and returns the state it saw last.
	bannedEventually := func(ip string, want bool) bool {
		t.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for {
			_, ok, err := s.Banned(ctx, ip, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if ok == want || time.Now().After(deadline) {
				return ok
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	steps := []struct {
		name     string
		args     []string
		want     int
		contains []string
		absent   []string
	}{
		{"empty list", []string{"bans", "list"}, exitOK, []string{"no active bans"}, nil},
		{"add", []string{"bans", "add", "192.0.2.10", "-duration", "2h", "-reason", "credential stuffing"}, exitOK,
			[]string{"banned 192.0.2.10 until", "(credential stuffing)"}, nil},
		{"add mapped IPv6 form", []string{"bans", "-duration", "30m", "add", "::ffff:198.51.100.7"}, exitOK,
			[]string{"banned 198.51.100.7 until"}, nil},
		{"add IPv6", []string{"bans", "add", "2001:db8::1"}, exitOK, []string{"banned 2001:db8::1 until", "(manual)"}, nil},
		{"list", []string{"bans", "list"}, exitOK,
			[]string{"CLIENT", "192.0.2.10", "credential stuffing", "198.51.100.7", "2001:db8::1", "2h0m0s"}, nil},
		{"remove", []string{"bans", "remove", "192.0.2.10"}, exitOK, []string{"unbanned 192.0.2.10"}, nil},
		{"remove again", []string{"bans", "remove", "192.0.2.10"}, exitProblem, []string{"192.0.2.10 was not banned"}, nil},
		{"list after remove", []string{"bans", "list"}, exitOK, []string{"198.51.100.7"}, []string{"192.0.2.10"}},
	}
	for _, st := range steps {
		code, out, stderr := exec(t, "", redisArgs(prefix, st.args...)...)
		if code != st.want {
			t.Fatalf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", st.name, code, st.want, out, stderr)
		}
		for _, c := range st.contains {
			if !strings.Contains(out, c) {
				t.Fatalf("%s: stdout lacks %q:\n%s", st.name, c, out)
			}
		}
		for _, c := range st.absent {
			if strings.Contains(out, c) {
				t.Fatalf("%s: stdout has %q:\n%s", st.name, c, out)
			}
		}
		switch st.name {
		case "add":
			if !bannedEventually("192.0.2.10", true) {
				t.Fatal("the engine's store does not see the ban")
			}
			b, _, _ := s.Banned(ctx, "192.0.2.10", time.Now())
			if d := time.Until(b.Until); d < 119*time.Minute || d > 121*time.Minute || b.Reason != "credential stuffing" {
				t.Fatalf("stored ban %+v", b)
			}
		case "remove":
			if bannedEventually("192.0.2.10", false) {
				t.Fatal("the engine's store still sees the ban")
			}
		}
	}
	// A different prefix is a different fleet.
	code, out, _ := exec(t, "", redisArgs(prefix+"other:", "bans", "list")...)
	if code != exitOK || !strings.Contains(out, "no active bans") {
		t.Fatalf("other prefix: exit %d, %s", code, out)
	}
}

func TestPatterns(t *testing.T) {
	prefix := redisPrefix(t)
	ctx := context.Background()
	steps := []struct {
		name     string
		args     []string
		want     int
		contains string
	}{
		{"empty list", []string{"patterns", "list"}, exitOK, "no custom patterns"},
		{"add", []string{"patterns", "add", "-id", "ticket", "-category", "custom", "-regex", `\bticket-\d{6}\b`,
			"-contexts", "query, body", "-weight", "0.95", "-description", "internal ticket ids"}, exitOK, "stored pattern ticket (custom)"},
		{"add duplicate", []string{"patterns", "add", "-id", "ticket", "-category", "custom", "-regex", `ticket`}, exitProblem, ""},
		{"add default weight", []string{"patterns", "add", "-id", "wp", "-category", "recon", "-regex", `wp-config\.php`}, exitOK, "stored pattern wp"},
		{"list", []string{"patterns", "list"}, exitOK, "ticket  custom    0.95    query,body  \\bticket-\\d{6}\\b"},
		{"list default weight", []string{"patterns", "list"}, exitOK, "wp      recon     0.90    all         wp-config\\.php"},
		{"replace", []string{"patterns", "add", "-replace", "-id", "wp", "-category", "recon", "-regex", `wp-(config|login)\.php`}, exitOK, "stored pattern wp"},
		{"remove", []string{"patterns", "remove", "ticket"}, exitOK, "removed pattern ticket"},
		{"remove again", []string{"patterns", "remove", "ticket"}, exitProblem, `no stored pattern "ticket"`},
	}
	for _, st := range steps {
		code, out, stderr := exec(t, "", redisArgs(prefix, st.args...)...)
		if code != st.want {
			t.Fatalf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", st.name, code, st.want, out, stderr)
		}
		if !strings.Contains(out, st.contains) {
			t.Fatalf("%s: stdout lacks %q:\n%s", st.name, st.contains, out)
		}
		if st.name == "add duplicate" && !strings.Contains(stderr, "already stored") {
			t.Fatalf("duplicate: stderr %q", stderr)
		}
	}

	// An engine started on the store loads what guardctl stored, in the
	// form Engine.AddPattern writes.
	s, err := redisstore.Open(ctx, testRedisURL, redisstore.Options{Prefix: prefix, FailClosed: true})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := s.Patterns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 {
		t.Fatalf("stored %v, want only wp", stored)
	}
	var p detect.Pattern
	if err := json.Unmarshal(stored["wp"], &p); err != nil || p.Regex != `wp-(config|login)\.php` || p.Category != "recon" {
		t.Fatalf("stored wp = %+v (%v)", p, err)
	}
	eng, err := guard.New(guard.DefaultConfig(), guard.WithStore(s))
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	custom, err := eng.CustomPatterns()
	if err != nil {
		t.Fatal(err)
	}
	if len(custom) != 1 || custom[0].ID != "wp" {
		t.Fatalf("engine loaded %+v", custom)
	}
	_ = s.Close()
}
