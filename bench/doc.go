// Package bench holds side-by-side benchmarks of guard against peer
// middlewares, run in one process on the same requests, and the store
// benchmarks behind design §10's targets. It has no API: everything is in
// its tests (docs/performance.md has the commands and the numbers).
//
//   - BenchmarkPeers: a clean browser GET (5 query parameters, 9 headers)
//     and a 1 KB JSON POST through the bare handler, guard (every default
//     check on, in-memory store), guard without detection, OWASP Coraza v3
//     with the Core Rule Set v4 at paranoia level 1, unrolled/secure,
//     ulule/limiter, rs/cors, and unrolled/secure + ulule/limiter.
//   - BenchmarkStore: guard on the in-memory store and on the Redis store
//     (loopback), per request, with Redis round trips counted.
//   - BenchmarkHTTPThroughput: requests per second over real HTTP with 32
//     keep-alive clients, in-memory vs Redis store, and their ratio.
//   - BenchmarkMemoryClients: heap held by the in-memory store for one and
//     two million distinct client IPs.
//
// A plain go test runs only quick checks: every subject passes clean
// requests and is active, the WAFs refuse a SQL injection, unrolled/secure
// writes the same headers as guard, and a clean request through guard on
// Redis costs exactly one round trip. The Redis checks and benchmarks need
// Redis on 127.0.0.1:6379: without it they fail when CI=true and are
// skipped otherwise.
//
// cmd/overhead turns the benchmark output into medians and each subject's
// overhead over the bare handler.
package bench
