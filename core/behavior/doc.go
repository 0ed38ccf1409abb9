// Package behavior implements guard's behavioural analysis: rules that count
// what one client does on one endpoint over a sliding window and fire when
// the count exceeds a threshold. It is the reference's usage_monitor,
// return_monitor, suspicious_frequency, behavior_analysis and
// global_behavior_rules.
//
// The package is pure: it compiles rules, names the store counters they
// need, matches responses and says which rules fire. The engine owns the
// store calls, bans, responses, events, passive mode and custom actions.
//
// # Rules
//
// A rule has a type, a threshold, a window and an action:
//   - usage and frequency count the client's requests to the endpoint
//     (frequency is what suspicious_frequency(max_frequency, window)
//     produces, with threshold floor(max_frequency × window seconds));
//   - return_pattern counts responses to the client that match a Pattern
//     (status:NNN, regex:…, json:path OP value, or a substring).
//
// A rule fires when its count is greater than its threshold (a threshold of
// 10 allows 10 events per window; the 11th fires). Actions: ban (the engine
// bans the client for BanDuration), throttle (429, see below), alert and log
// (events), or a custom ActionFunc given in code.
//
// # Engine protocol
//
// Compile once per route (route rules plus global rules in one Set, ideally
// with ForEndpoint(route template)). Per request, at pipeline step 11:
//
//	ctrs := set.RequestCounters(endpoint, ctrs[:0])   // into the request's one store.Hit
//	res, err := st.Hit(ctx, store.HitRequest{Client: ip, Counters: ctrs, …}, now)
//	vs := set.CheckRequest(endpoint, res.Counts, vs[:0])
//
// After the handler (step 13), if set.HasReturnRules(), capture at most
// set.MaxBodyBytes() of the body (nothing when set.NeedsBody() is false)
// while still sending the client the exact response, then:
//
//	for _, i := range set.MatchResponse(status, prefix, idx[:0]) {
//		n, err := st.Add(ctx, ip, set.ReturnCounter(endpoint, i), now)
//		vs = set.CheckReturn(endpoint, i, n, vs[:0])
//	}
//
// A nil *Set is valid and every method on it returns at once, so a route
// without behavioural rules pays nothing.
//
// # Counters and keys
//
// Keys are deterministic, derived from the rule, never enumerated:
// "bh:[scope:]u<window>:<endpoint>" for request counters (every usage and
// frequency rule with that window shares it) and
// "bh:[scope:]r<window>.<hash of pattern>:<endpoint>" for return patterns.
// The store scopes them per client. Changing a threshold or an action keeps
// the counts (up to the new cap, below); changing a window or pattern starts
// a new counter.
//
// Counters are exact: each carries store.Counter.Cap = the largest
// threshold among the rules sharing it + 1, so the store keeps at most that
// many timestamps per client and counter and reports the true count over
// the trailing window, saturating at Cap+1 ("more than Cap") while it stays
// there. An event leaves the window exactly Window after it happened. Each
// count up to Cap+1 is reported once per climb, so Violation.FirstCrossing
// fires once per crossing. A threshold of store.ExactMaxLimit (512) or more
// falls back to the stores' O(1) approximate counter (see package store). Endpoints
// longer than 128 bytes are hashed. Pass the route template as the endpoint,
// never the raw path, and one constant label for requests that match no
// route: a raw path is attacker-chosen and would create a key per probe.
//
// # Throttle
//
// The reference only logs for throttle; here it answers 429 for as long as
// the rule's counter is above the threshold, using only counters. Counters
// being exact, a client is released as soon as the trailing window holds no
// more than threshold counted events — at most one Window after its last
// counted request, and never because of events older than that:
//   - usage and frequency rules: every request increments the counter, so
//     CheckRequest fires on every request while the window, this request
//     included, holds more than threshold requests. Throttled requests
//     count too: a client that keeps hammering stays throttled; one that
//     stops is released once enough of its requests leave the window (with
//     max_calls 2 and window 2 s, four quick requests then 2 s of silence
//     after the last: the next request is served).
//   - return_pattern rules: RequestCounters adds a Peek counter for each
//     pattern with a throttle rule; while the peeked count is above the
//     threshold, CheckRequest returns an Enforcing violation and the engine
//     answers 429. The count drops as matching responses age out of the
//     window, each exactly Window after it happened. (If the engine feeds
//     its own 429 responses to return monitors, a status:429 rule keeps the
//     client throttled while it insists — usually what you want.)
//
// Violation.Window is the Retry-After to send (an upper bound: the client
// may be released sooner); a client that retries then and is still over the
// threshold gets another 429.
//
// # Bodies
//
// Body patterns see at most MaxBodyBytes (default 64 KiB) of the response.
// Substring and regex patterns match within that prefix; json patterns match
// only a complete, valid JSON document, so a body longer than the limit
// never matches a json pattern — size the limit for the responses you
// inspect. Matching is linear in the inspected prefix (one pass per body
// pattern) and allocation-free except for numeric comparisons.
package behavior
