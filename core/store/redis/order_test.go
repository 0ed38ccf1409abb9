package redisstore_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/guardgo/guard/core/store"
	redisstore "github.com/guardgo/guard/core/store/redis"
)

// TestBanEventsApplyInOrder replays the race behind a flaky "still banned after
// Unban": the event of our own ban reaching the subscription after our unban. A
// stale event (lower sequence number) must not bring the ban back; an event from a
// version without sequence numbers still applies.
func TestBanEventsApplyInOrder(t *testing.T) {
	c := sharedClient(t)
	prefix := testPrefix(t, c)
	s := newStore(t, c, redisstore.Options{Prefix: prefix})
	ctx := context.Background()
	waitSubscribed(t, s)
	t0 := time.Now()
	until := t0.Add(time.Hour)
	if err := s.Ban(ctx, store.Ban{Client: "c", Until: until, Reason: "r"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Unban(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	seq, err := c.Get(ctx, prefix+"bans:seq{"+prefix+"bans}").Int64()
	if err != nil || seq < 2 {
		t.Fatalf("sequence key: %d, %v", seq, err)
	}
	publish := func(ev map[string]any) {
		t.Helper()
		b, _ := json.Marshal(ev)
		if err := c.Publish(ctx, prefix+"bans:events", b).Err(); err != nil {
			t.Fatal(err)
		}
	}
	// The ban's own event, late.
	publish(map[string]any{"op": "ban", "client": "c", "until": until.UnixMilli(), "seq": seq - 1})
	// A marker event after it on the same connection: once it is applied, the
	// stale one has been seen too.
	publish(map[string]any{"op": "ban", "client": "marker", "until": until.UnixMilli(), "seq": seq + 1})
	waitBanned(t, s, "marker", t0, true)
	if _, ok, _ := s.Banned(ctx, "c", t0); ok {
		t.Fatal("a stale ban event brought an unbanned client back")
	}
	// Newer events and unsequenced ones (older versions) apply.
	publish(map[string]any{"op": "ban", "client": "c", "until": until.UnixMilli(), "seq": seq + 2})
	waitBanned(t, s, "c", t0, true)
	publish(map[string]any{"op": "unban", "client": "c"})
	waitBanned(t, s, "c", t0, false)
}

func waitSubscribed(t *testing.T, s *redisstore.Store) {
	t.Helper()
	ctx := context.Background()
	// A ban through the store is visible to Banned once the cache is live.
	if err := s.Ban(ctx, store.Ban{Client: "probe", Until: time.Now().Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	waitBanned(t, s, "probe", time.Now(), true)
}

func waitBanned(t *testing.T, s *redisstore.Store, client string, at time.Time, want bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, ok, err := s.Banned(context.Background(), client, at)
		if err != nil {
			t.Fatal(err)
		}
		if ok == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Banned(%s) = %v, want %v", client, ok, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
