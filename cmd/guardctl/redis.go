package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/detect"
	"github.com/guardgo/guard/core/store"
	redisstore "github.com/guardgo/guard/core/store/redis"
)

// redisFlags are the connection flags shared by bans and patterns.
type redisFlags struct {
	url, prefix, config string
	timeout             time.Duration
}

func (a *app) addRedisFlags(fs *flag.FlagSet) *redisFlags {
	rf := &redisFlags{}
	fs.StringVar(&rf.url, "redis", "", "Redis URL (default $GUARD_REDIS_URL, else redis://127.0.0.1:6379)")
	fs.StringVar(&rf.prefix, "prefix", "", "key prefix, the engines' redis_prefix (default $GUARD_REDIS_PREFIX, else \"guard:\")")
	fs.StringVar(&rf.config, "config", "", "take redis_url and redis_prefix from this configuration file")
	fs.DurationVar(&rf.timeout, "timeout", 5*time.Second, "bound on each Redis call")
	return rf
}

// open connects to the Redis store. It fails closed: a CLI must never
// write to an in-memory fallback that vanishes when it exits.
func (a *app) open(ctx context.Context, rf *redisFlags) (*redisstore.Store, error) {
	url, prefix := rf.url, rf.prefix
	if rf.config != "" {
		cfg, err := guard.LoadConfig(rf.config)
		if err != nil {
			return nil, err
		}
		if url == "" {
			url = cfg.RedisURL
		}
		if prefix == "" {
			prefix = cfg.RedisPrefix
		}
	}
	if url == "" {
		url = a.getenv("GUARD_REDIS_URL")
	}
	if url == "" {
		url = "redis://127.0.0.1:6379"
	}
	if prefix == "" {
		prefix = a.getenv("GUARD_REDIS_PREFIX")
	}
	if prefix == "" {
		prefix = redisstore.DefaultPrefix
	}
	return redisstore.Open(ctx, url, redisstore.Options{Prefix: prefix, FailClosed: true, OpTimeout: rf.timeout})
}

const bansSynopsis = "bans list | add IP -duration D [-reason R] | remove IP  [-redis URL] [-prefix P] [-config FILE]"

// bans lists, adds and removes bans in Redis. Engines sharing the store see
// a change within milliseconds (their ban caches follow a pub/sub channel).
func (a *app) bans(ctx context.Context, args []string) int {
	fs := a.newFlags("bans", bansSynopsis)
	rf := a.addRedisFlags(fs)
	duration := fs.Duration("duration", time.Hour, "how long the ban lasts (add)")
	reason := fs.String("reason", "manual", "why, shown in listings and events (add)")
	sub, rest, code, ok := subcommand(fs, args)
	if !ok {
		return code
	}
	var ip netip.Addr
	switch sub {
	case "list":
		if len(rest) != 0 {
			fs.Usage()
			return exitUsage
		}
	case "add", "remove":
		if len(rest) != 1 {
			return a.fail(exitUsage, "bans %s: give exactly one IP address", sub)
		}
		var err error
		if ip, err = netip.ParseAddr(rest[0]); err != nil {
			return a.fail(exitUsage, "bans %s: %q is not an IP address", sub, rest[0])
		}
		ip = ip.Unmap().WithZone("") // the form engines key clients by
		if sub == "add" && *duration <= 0 {
			return a.fail(exitUsage, "bans add: -duration must be > 0")
		}
	default:
		fs.Usage()
		return exitUsage
	}

	s, err := a.open(ctx, rf)
	if err != nil {
		return a.fail(exitUsage, "%v", err)
	}
	defer s.Close()
	now := time.Now()
	switch sub {
	case "list":
		bans, err := s.Bans(ctx, now)
		if err != nil {
			return a.fail(exitUsage, "bans list: %v", err)
		}
		if len(bans) == 0 {
			fmt.Fprintln(a.stdout, "no active bans")
			return exitOK
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CLIENT\tUNTIL\tREMAINING\tREASON")
		for _, b := range bans {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", b.Client, b.Until.UTC().Format(time.RFC3339),
				b.Until.Sub(now).Round(time.Second), b.Reason)
		}
		_ = tw.Flush()
	case "add":
		b := store.Ban{Client: ip.String(), Until: now.Add(*duration), Reason: *reason}
		if err := s.Ban(ctx, b); err != nil {
			return a.fail(exitUsage, "bans add: %v", err)
		}
		fmt.Fprintf(a.stdout, "banned %s until %s (%s)\n", b.Client, b.Until.UTC().Format(time.RFC3339), b.Reason)
	case "remove":
		_, found, err := s.Banned(ctx, ip.String(), now)
		if err != nil {
			return a.fail(exitUsage, "bans remove: %v", err)
		}
		if err := s.Unban(ctx, ip.String()); err != nil {
			return a.fail(exitUsage, "bans remove: %v", err)
		}
		if !found {
			fmt.Fprintf(a.stdout, "%s was not banned\n", ip)
			return exitProblem
		}
		fmt.Fprintf(a.stdout, "unbanned %s\n", ip)
	}
	return exitOK
}

const patternsSynopsis = "patterns list | add -id ID -category C -regex R [-weight W] [-contexts query,body] | remove ID  [-redis URL] [-prefix P] [-config FILE]"

// patterns lists, adds and removes custom detection patterns in Redis.
// Engines load stored patterns when they start; a running engine takes
// patterns through Engine.AddPattern.
func (a *app) patterns(ctx context.Context, args []string) int {
	fs := a.newFlags("patterns", patternsSynopsis)
	rf := a.addRedisFlags(fs)
	id := fs.String("id", "", "pattern id, unique (add)")
	category := fs.String("category", "", "attack category, e.g. sqli, xss, or your own (add)")
	regex := fs.String("regex", "", "RE2 regular expression, matched case-insensitively (add)")
	weight := fs.Float64("weight", 0, "confidence 0..1 a match gives its category; 0 means 0.9 (add)")
	contexts := fs.String("contexts", "", "comma-separated: query, path, header, user-agent, cookie, body; empty means everywhere (add)")
	description := fs.String("description", "", "free text for operators (add)")
	replace := fs.Bool("replace", false, "overwrite a stored pattern with the same id (add)")
	sub, rest, code, ok := subcommand(fs, args)
	if !ok {
		return code
	}
	var p detect.Pattern
	switch sub {
	case "list":
		if len(rest) != 0 {
			fs.Usage()
			return exitUsage
		}
	case "add":
		if len(rest) != 0 || *id == "" || *category == "" || *regex == "" {
			return a.fail(exitUsage, "patterns add: -id, -category and -regex are required")
		}
		p = detect.Pattern{ID: *id, Category: *category, Regex: *regex, Weight: *weight, Description: *description}
		if *contexts != "" {
			for _, c := range strings.Split(*contexts, ",") {
				p.Contexts = append(p.Contexts, strings.TrimSpace(c))
			}
		}
		// Validate exactly as an engine loading it will.
		probe, err := detect.New(detect.Config{DisableBuiltin: true})
		if err != nil {
			return a.fail(exitUsage, "patterns add: %v", err)
		}
		if err := probe.AddPattern(p); err != nil {
			return a.fail(exitProblem, "patterns add: %v", err)
		}
	case "remove":
		if len(rest) != 1 {
			return a.fail(exitUsage, "patterns remove: give exactly one pattern id")
		}
	default:
		fs.Usage()
		return exitUsage
	}

	s, err := a.open(ctx, rf)
	if err != nil {
		return a.fail(exitUsage, "%v", err)
	}
	defer s.Close()
	stored, err := s.Patterns(ctx)
	if err != nil {
		return a.fail(exitUsage, "patterns: %v", err)
	}
	switch sub {
	case "list":
		if len(stored) == 0 {
			fmt.Fprintln(a.stdout, "no custom patterns")
			return exitOK
		}
		ids := make([]string, 0, len(stored))
		for k := range stored {
			ids = append(ids, k)
		}
		sort.Strings(ids)
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCATEGORY\tWEIGHT\tCONTEXTS\tREGEX")
		for _, k := range ids {
			var sp detect.Pattern
			if err := json.Unmarshal(stored[k], &sp); err != nil {
				fmt.Fprintf(tw, "%s\t(undecodable: %v)\t\t\t\n", k, err)
				continue
			}
			w := sp.Weight
			if w == 0 {
				w = 0.9
			}
			ctxs := strings.Join(sp.Contexts, ",")
			if ctxs == "" {
				ctxs = "all"
			}
			fmt.Fprintf(tw, "%s\t%s\t%.2f\t%s\t%s\n", k, sp.Category, w, ctxs, sp.Regex)
		}
		_ = tw.Flush()
	case "add":
		if _, exists := stored[p.ID]; exists && !*replace {
			return a.fail(exitProblem, "patterns add: a pattern %q is already stored (use -replace to overwrite)", p.ID)
		}
		data, err := json.Marshal(p) // the form Engine.AddPattern stores
		if err != nil {
			return a.fail(exitUsage, "patterns add: %v", err)
		}
		if err := s.PutPattern(ctx, p.ID, data); err != nil {
			return a.fail(exitUsage, "patterns add: %v", err)
		}
		fmt.Fprintf(a.stdout, "stored pattern %s (%s); engines load it when they start\n", p.ID, p.Category)
	case "remove":
		if _, exists := stored[rest[0]]; !exists {
			fmt.Fprintf(a.stdout, "no stored pattern %q\n", rest[0])
			return exitProblem
		}
		if err := s.DeletePattern(ctx, rest[0]); err != nil {
			return a.fail(exitUsage, "patterns remove: %v", err)
		}
		fmt.Fprintf(a.stdout, "removed pattern %s; running engines keep it until they restart\n", rest[0])
	}
	return exitOK
}

// subcommand parses flags and positional arguments and splits off the
// subcommand; without one it prints usage and returns ok=false with the exit
// code to use.
func subcommand(fs *flag.FlagSet, args []string) (sub string, rest []string, code int, ok bool) {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return "", nil, usageCode(err), false
	}
	if len(pos) == 0 {
		fs.Usage()
		return "", nil, exitUsage, false
	}
	return pos[0], pos[1:], 0, true
}
