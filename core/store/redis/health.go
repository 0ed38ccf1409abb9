package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/guardgo/guard/core/store"
	"github.com/redis/go-redis/v9"
)

// isOutage reports whether err means Redis is unreachable or unable to serve:
// every error that is not a Redis reply, and the replies saying the server
// cannot serve right now (as opposed to an error in the command itself).
func isOutage(err error) bool {
	var rerr redis.Error
	if !errors.As(err, &rerr) {
		return true
	}
	for _, p := range [...]string{"LOADING", "CLUSTERDOWN", "MASTERDOWN", "READONLY", "TRYAGAIN", "BUSY", "NOREPLICAS"} {
		if redis.HasErrorPrefix(err, p) {
			return true
		}
	}
	return false
}

// failed turns the error of a Redis call into the error to return: the
// caller's own context error; store.ErrUnavailable (marking Redis down) for an
// outage; otherwise the error itself.
func (s *Store) failed(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if !isOutage(err) {
		return fmt.Errorf("redisstore: %w", err)
	}
	s.markDown(err)
	return fmt.Errorf("%w: %v", store.ErrUnavailable, err)
}

// useFallback reports whether a failed call is to be served by the fallback.
func (s *Store) useFallback(err error) bool {
	return !s.failClosed && errors.Is(err, store.ErrUnavailable)
}

func (s *Store) unavailable() error {
	return fmt.Errorf("%w: redisstore: redis is down", store.ErrUnavailable)
}

// exec runs op against Redis within OpTimeout, or fb when Redis is down and
// the store fails open.
func (s *Store) exec(ctx context.Context, op func(context.Context) error, fb func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.down.Load() {
		if s.failClosed {
			return s.unavailable()
		}
		return fb()
	}
	rctx, cancel := context.WithTimeout(ctx, s.opTimeout)
	err := op(rctx)
	cancel()
	if err == nil {
		return nil
	}
	if err = s.failed(ctx, err); s.useFallback(err) {
		return fb()
	}
	return err
}

// markDown records an outage: the first caller logs it and starts the probe.
func (s *Store) markDown(err error) {
	if !s.down.CompareAndSwap(false, true) {
		return
	}
	s.subscribed.Store(false)
	mode := "failing open: serving from the in-memory fallback"
	if s.failClosed {
		mode = "failing closed: calls return store.ErrUnavailable"
	}
	s.log.Warn("redisstore: redis unavailable", "error", err, "mode", mode, "prefix", s.prefix)
	s.goBackground(s.probe)
}

// goBackground starts f unless the store is closing.
func (s *Store) goBackground(f func()) {
	s.psMu.Lock()
	defer s.psMu.Unlock()
	if s.ctx.Err() != nil {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}

// probe pings Redis every ProbeInterval until it answers, then resumes.
func (s *Store) probe() {
	t := time.NewTicker(s.probeEvery)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(s.ctx, s.opTimeout)
		err := s.c.Ping(ctx).Err()
		if err == nil {
			// PING is answered while a restarted server still loads its data;
			// SCRIPT LOAD is not. Resume when the server takes commands.
			for _, sc := range s.sc.all() {
				if lerr := sc.Load(ctx, s.c).Err(); lerr != nil && isOutage(lerr) {
					err = lerr
					break
				}
			}
		}
		cancel()
		if err == nil {
			// Logged first: whoever sees the store up can rely on the notice.
			s.log.Info("redisstore: redis reachable again, resuming", "prefix", s.prefix)
			s.down.Store(false)
			return
		}
	}
}

// subscribeLoop keeps the ban cache coherent: it applies every ban event,
// reloads the cache on each (re)subscription, every BanCacheTTL, and soon
// after the cache stopped being authoritative (an outage), and reconnects
// after errors.
func (s *Store) subscribeLoop() {
	defer s.wg.Done()
	ps := s.c.Subscribe(s.ctx, s.channel)
	s.psMu.Lock()
	s.ps = ps
	closing := s.ctx.Err() != nil
	s.psMu.Unlock()
	defer ps.Close()
	if closing {
		return
	}
	var (
		confirmed  bool      // the server confirmed the current subscription
		lastReload time.Time // last successful reload
		lastTry    time.Time // last reload attempt
	)
	reload := func() {
		lastTry = time.Now()
		if s.reload() {
			lastReload = lastTry
		}
	}
	for s.ctx.Err() == nil {
		if confirmed {
			stale := time.Since(lastReload) >= s.banTTL
			retry := !s.subscribed.Load() && time.Since(lastTry) >= s.probeEvery
			if stale || retry {
				reload()
				_ = ps.Ping(s.ctx) // a dead connection shows on the next receive
			}
		}
		timeout := min(s.banTTL, time.Second)
		if !s.subscribed.Load() {
			timeout = s.probeEvery
		}
		msg, err := ps.ReceiveTimeout(s.ctx, timeout)
		if err != nil {
			if s.ctx.Err() != nil {
				return
			}
			var ne net.Error
			if confirmed && errors.As(err, &ne) && ne.Timeout() {
				continue // quiet channel
			}
			confirmed = false
			s.subscribed.Store(false)
			s.sleep(s.probeEvery) // go-redis reconnects on the next receive
			continue
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				confirmed = true
				reload()
			}
		case *redis.Message:
			s.apply(m.Payload)
		}
	}
}

func (s *Store) sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.ctx.Done():
	case <-t.C:
	}
}

// reload replaces the ban cache with the bans hash, pruning bans that ended
// over an hour ago by the wall clock. The cache is authoritative (Banned
// stops reading Redis) once a reload under a live subscription succeeds.
func (s *Store) reload() bool {
	ctx, cancel := context.WithTimeout(s.ctx, 4*s.opTimeout)
	defer cancel()
	started := time.Now()
	cutoff := started.Add(-time.Hour).UnixMilli()
	vals, err := s.sc.loadBans.Run(ctx, s.c, []string{s.bansKey}, cutoff).StringSlice()
	if err != nil {
		s.subscribed.Store(false)
		return false
	}
	m := make(map[string]store.Ban, len(vals)/2)
	for i := 0; i+1 < len(vals); i += 2 {
		if b, ok := parseBan(vals[i], vals[i+1]); ok {
			m[vals[i]] = b
		}
	}
	s.cacheMu.Lock()
	for client, mark := range s.marks {
		switch {
		case mark.at.After(started):
			// Changed while the hash was being read: the cache is newer.
			if b, ok := s.cache[client]; ok {
				m[client] = b
			} else {
				delete(m, client)
			}
		case time.Since(mark.at) > markKeep:
			delete(s.marks, client) // no event can still be in flight
		}
	}
	s.cache = m
	s.cacheMu.Unlock()
	s.subscribed.Store(true)
	s.readyOnce.Do(func() { close(s.ready) })
	return true
}

// markKeep is how long a client's last sequence number is remembered: far
// longer than a published event can take to arrive.
const markKeep = 10 * time.Minute

// apply updates the cache from one ban event, in sequence order.
func (s *Store) apply(payload string) {
	var ev banEvent
	if err := json.Unmarshal([]byte(payload), &ev); err != nil || ev.Client == "" {
		return
	}
	s.cacheMu.Lock()
	switch ev.Op {
	case "ban":
		s.setCached(ev.Client, &store.Ban{Client: ev.Client, Until: time.UnixMilli(ev.Until), Reason: ev.Reason}, ev.Seq)
	case "unban":
		s.setCached(ev.Client, nil, ev.Seq)
	}
	s.cacheMu.Unlock()
}
