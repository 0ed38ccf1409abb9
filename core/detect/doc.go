// Package detect is guard's attack-detection engine (pipeline step 10, design §7).
//
// A Detector inspects values — one at a time with Detect, or a whole request with
// Inspect — and reports whether they carry an attack, with the evidence: which
// pattern or tokenizer fired, on which part of the request, and an excerpt.
//
// # How a value is inspected
//
//  1. Values over Config.MaxContentLength are cut, keeping the head and the regions
//     around selective prefilter literals, so junk padding does not hide a payload.
//  2. Normalize decodes up to three layers of percent, HTML and JavaScript escapes
//     (including IIS %uXXXX and overlong UTF-8), applies NFKC and look-alike folding,
//     drops control bytes and SQL comments and folds blanks. CR and LF are kept.
//     Clean ASCII input is returned as is, without a copy.
//  3. One Aho-Corasick pass over the normalised value finds the literals the patterns
//     need. A pattern's regex runs only when its literal (or, for "near" patterns, an
//     ordered pair of literals a few bytes apart) is present, and only around those
//     hits. Clean input therefore costs one linear pass.
//  4. RE2 regexes (Go's regexp: linear time, no look-arounds, no backtracking blow-up)
//     confirm candidates. Each pattern carries a category, the contexts it applies
//     to (query, path, header, user-agent, cookie, body) and a weight.
//  5. libinjection (github.com/corazawaf/libinjection-go) tokenises values that look
//     like SQL or HTML and adds its verdict as evidence.
//  6. Evidence is combined per category as 1-∏(1-wᵢ): a strong pattern alone crosses
//     Config.SemanticThreshold (default 0.7); weak signals (a SQL function call, a
//     dangling comment, a libinjection fingerprint) need company. The highest category
//     score is Result.ThreatScore.
//
// # Patterns
//
// The built-in sets are embedded data files (rules/*.rules), one per category, written
// from attack grammar — a quote that closes a literal followed by SQL, a tag with an
// event handler, a shell separator followed by a command, traversal reaching a system
// file — rather than from keyword presence. Custom patterns can be added and removed
// at run time (AddPattern, RemovePattern); a bad regex is an error, never a panic.
// Stats reports executions, matches and timings per pattern.
//
// # Caveats
//
// Detection is heuristic and fails in both directions. It misses attacks written as
// bare keywords ("ls", "SUBSTRING(") or in encodings it does not decode (UTF-7 bodies,
// base64 other than of markup and traversal), attacks beyond the request budget
// (Config.MaxRequestBytes, default 256 KiB), and multipart file contents, which are
// not inspected. It flags text that genuinely contains attack syntax: a forum post
// quoting "<script>alert(1)</script>" or "' OR '1'='1" is blocked. Use route
// exclusions (Exclusions) for fields that legitimately carry markup or code.
//
// The package knows nothing of the engine: the root package adapts it in one
// check file, passing a bounded copy of the body in Target.Body.
package detect
