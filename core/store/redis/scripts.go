package redisstore

import "github.com/redis/go-redis/v9"

// The Lua scripts. Each is loaded once (SCRIPT LOAD on every master in New)
// and run by EVALSHA; go-redis falls back to EVAL on NOSCRIPT, after which
// the script is cached again. All keys a script touches are passed in KEYS
// and share the client's hash tag, so a script runs on one Cluster node.
// Times come from ARGV (the caller's now), never from the Redis clock.

// hitSrc applies one request: its limits all-or-nothing, then its counters.
//
// KEYS: the limit keys, then the counter keys.
// ARGV: now (ms), the number of limits L, then per limit max, window (ms)
// and mode (0: exact list of timestamps; else the sub-window width in ms of
// the bucketed approximation), then per counter window (ms), peek (0/1) and
// cap (0: the approximate counter; else an exact counter saturating at cap,
// see store.Counter.Cap).
//
// Returns {allowed, per limit: count, exceeded, retry ms, per counter: count}.
const hitSrc = `
local now = tonumber(ARGV[1])
local nl = tonumber(ARGV[2])
local out = {1}
local push = {}

-- exact sliding window: a list of admitted timestamps, oldest first
local function exact(k, max, w)
  while true do
    local t = redis.call('LINDEX', k, 0)
    if not t or now - tonumber(t) < w then break end
    redis.call('LPOP', k)
  end
  local n = redis.call('LLEN', k)
  if n >= max then
    local r = tonumber(redis.call('LINDEX', k, n - max)) + w - now
    if r < 1 then r = 1 end
    return n, 1, r
  end
  return n + 1, 0, 0
end

-- bucketed approximation: a hash of sub-window number -> admitted count
-- (the key names the sub-window width)
local function bucketed(k, max, w, width)
  local cur = math.floor(now / width)
  local lim = now - w
  local oldest = math.floor(lim / width)
  if (oldest + 1) * width <= lim then oldest = oldest + 1 end
  if oldest < cur - 32 then oldest = cur - 32 end
  local all = redis.call('HGETALL', k)
  local total = 0
  local live = {}
  for j = 1, #all, 2 do
    local b = tonumber(all[j])
    if b < oldest then
      redis.call('HDEL', k, all[j])
    else
      local c = tonumber(all[j + 1])
      total = total + c
      live[#live + 1] = {b, c}
    end
  end
  if total >= max then
    table.sort(live, function(x, y) return x[1] < y[1] end)
    local left = total
    for _, bc in ipairs(live) do
      left = left - bc[2]
      if left < max then
        local r = (bc[1] + 1) * width + w - now
        if r < 1 then r = 1 end
        return total, 1, r
      end
    end
    return total, 1, w
  end
  return total + 1, 0, 0
end

for i = 1, nl do
  local a = 3 + (i - 1) * 3
  local max, w, mode = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local n, ex, r
  if mode == 0 then
    n, ex, r = exact(KEYS[i], max, w)
  else
    n, ex, r = bucketed(KEYS[i], max, w, mode)
  end
  out[#out + 1] = n
  out[#out + 1] = ex
  out[#out + 1] = r
  push[i] = {w, mode}
  if ex == 1 then out[1] = 0 end
end

if out[1] == 1 then
  for i = 1, nl do
    local k, w, mode = KEYS[i], push[i][1], push[i][2]
    if mode == 0 then
      redis.call('RPUSH', k, ARGV[1])
      redis.call('PEXPIRE', k, w)
    else
      local cur = math.floor(now / mode)
      redis.call('HINCRBY', k, cur, 1)
      redis.call('PEXPIRE', k, (cur + 1) * mode + w - now)
    end
  end
else
  for i = 1, nl do -- a refused request is not counted
    local j = 2 + (i - 1) * 3
    if out[j + 1] == 0 then out[j] = out[j] - 1 end
  end
end

-- exact counter: a list of the timestamps of at most cap latest events,
-- oldest first; an event at t is in the window while now - t < w
local function capped(k, w, peek, cap)
  local last = redis.call('LINDEX', k, -1)
  if last and now - tonumber(last) >= w then
    redis.call('DEL', k)
  else
    while true do
      local t = redis.call('LINDEX', k, 0)
      if not t or now - tonumber(t) < w then break end
      redis.call('LPOP', k)
    end
  end
  local n = redis.call('LLEN', k)
  local b = n
  if b > cap then b = cap end
  if peek then return b end
  redis.call('RPUSH', k, ARGV[1])
  if n >= cap then redis.call('LTRIM', k, -cap, -1) end
  redis.call('PEXPIRE', k, w)
  return b + 1
end

-- counters; approximate ones are a hash {s: start of the current fixed
-- window, c: its count, p: the previous window's count}
local base = 3 + nl * 3
for i = nl + 1, #KEYS do
  local a = base + (i - nl - 1) * 3
  local k, w, peek, cap = KEYS[i], tonumber(ARGV[a]), ARGV[a + 1] == '1', tonumber(ARGV[a + 2])
  if cap > 0 then
    out[#out + 1] = capped(k, w, peek, cap)
  else
    local v = redis.call('HMGET', k, 's', 'c', 'p')
    local s = tonumber(v[1])
    local est = 0
    if s or not peek then
      local c, p = tonumber(v[2]) or 0, tonumber(v[3]) or 0
      local bs = math.floor(now / w) * w
      if not s then
        s = bs
      end
      if bs == s then
      elseif bs == s + w then
        p, c, s = c, 0, bs
      elseif bs > s then
        p, c, s = 0, 0, bs
      else
        bs = s
      end
      if not peek then
        c = c + 1
        redis.call('HSET', k, 's', string.format('%d', s), 'c', c, 'p', p)
        redis.call('PEXPIRE', k, s + 2 * w - now)
      end
      local elapsed = now - bs
      if elapsed < 0 then elapsed = 0 end
      est = c + math.floor(p * (w - elapsed) / w)
    end
    out[#out + 1] = est
  end
end
return out
`

// banSrc records a ban and tells the other instances. Every ban change takes
// the next number of the sequence key, carried in the event as "seq" and
// returned, so that instances apply changes in order (see Store.apply). The
// sequence key lives 30 days past the last change: by then no instance remembers
// a number (marks are kept minutes), so starting again at 1 is safe.
//
// KEYS: the bans hash, the sequence key (same slot). ARGV: client, stored
// value, event payload, expire-at (ms) for the hash, channel.
const banSrc = `
local seq = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], 2592000000)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ARGV[4], 'NX')
redis.call('PEXPIREAT', KEYS[1], ARGV[4], 'GT')
local ev = cjson.decode(ARGV[3])
ev['seq'] = seq
redis.call('PUBLISH', ARGV[5], cjson.encode(ev))
return seq
`

// unbanSrc lifts a ban and tells the other instances (sequenced as banSrc).
//
// KEYS: the bans hash, the sequence key. ARGV: client, event payload, channel.
const unbanSrc = `
local seq = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], 2592000000)
redis.call('HDEL', KEYS[1], ARGV[1])
local ev = cjson.decode(ARGV[2])
ev['seq'] = seq
redis.call('PUBLISH', ARGV[3], cjson.encode(ev))
return seq
`

// loadBansSrc returns every ban (flat client, value pairs), deleting those
// that ended before ARGV[1] (ms).
const loadBansSrc = `
local all = redis.call('HGETALL', KEYS[1])
local out = {}
local cutoff = tonumber(ARGV[1])
for j = 1, #all, 2 do
  local until_ms = tonumber(string.match(all[j + 1], '^(%d+)'))
  if until_ms and until_ms <= cutoff then
    redis.call('HDEL', KEYS[1], all[j])
  else
    out[#out + 1] = all[j]
    out[#out + 1] = all[j + 1]
  end
end
return out
`

// scripts holds the compiled scripts of a Store.
type scripts struct {
	hit, ban, unban, loadBans *redis.Script
}

func newScripts() scripts {
	return scripts{
		hit:      redis.NewScript(hitSrc),
		ban:      redis.NewScript(banSrc),
		unban:    redis.NewScript(unbanSrc),
		loadBans: redis.NewScript(loadBansSrc),
	}
}

func (s scripts) all() []*redis.Script { return []*redis.Script{s.hit, s.ban, s.unban, s.loadBans} }
