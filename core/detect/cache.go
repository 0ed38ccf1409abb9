package detect

import (
	"hash/maphash"
	"strings"
	"sync/atomic"
)

// cleanCache remembers values recently found clean, so that the values repeated on
// every request (User-Agent, Referer, paths, common form and JSON values) or within
// one (the same JSON field in every array element) are inspected once.
//
// The verdict of detectValue depends only on the compiled ruleset, the context and
// the value, so a remembered "no evidence at all" is exactly what running the
// pipeline again would give. Only values with no evidence whatsoever (score 0, no
// threats) are kept; anything with a weak signal runs every time. An entry is tied to
// the ruleset it was computed with: adding or removing a custom pattern makes every
// older entry a miss.
//
// The table is direct-mapped (a colliding value replaces the older one) and holds at
// most cleanCacheSlots values of at most cleanCacheMaxLen bytes, so it is bounded
// (about 2.5 MB at worst) whatever the traffic. Slots are atomic pointers to
// immutable entries: lookups take no lock.
//
// Pattern statistics (executions, timings) count actual regex runs, so a cached value
// adds nothing to them.
type cleanCache struct {
	seed  maphash.Seed
	slots [cleanCacheSlots]atomic.Pointer[cleanEntry]
	// seen holds the hash of the last clean value offered per slot: a value is kept
	// only when it is seen clean a second time, so a stream of unique values (which
	// a cache cannot help) costs a hash and a store, not an allocation.
	seen [cleanCacheSlots]atomic.Uint64
}

const (
	cleanCacheSlots  = 4096
	cleanCacheMaxLen = 512
	cleanCacheMinLen = 8
)

// cachedContexts are the contexts whose values are remembered: all of them. Since a
// value is kept only on its second clean sighting, unique values (most query and body
// values) cost one hash each and never displace kept ones.
const cachedContexts = ctxAll

type cleanEntry struct {
	rs        *ruleset
	cm        ctxMask
	processed int // ProcessedLength of the value
	val       string
}

func newCleanCache() *cleanCache {
	return &cleanCache{seed: maphash.MakeSeed()}
}

func cacheable(v string, cm ctxMask) bool {
	return cm&cachedContexts != 0 && len(v) >= cleanCacheMinLen && len(v) <= cleanCacheMaxLen
}

// hash returns the key of v in cm; never 0 (0 marks an empty seen slot).
func (c *cleanCache) hash(v string, cm ctxMask) uint64 {
	return (maphash.String(c.seed, v) ^ uint64(cm)*0x9e3779b97f4a7c15) | 1<<63
}

// lookup returns the processed length of v when v is known clean under rs in cm; h is
// c.hash(v, cm).
func (c *cleanCache) lookup(h uint64, rs *ruleset, v string, cm ctxMask) (int, bool) {
	e := c.slots[h&(cleanCacheSlots-1)].Load()
	if e == nil || e.rs != rs || e.cm != cm || e.val != v {
		return 0, false
	}
	return e.processed, true
}

// store offers v as clean: the first offer only records its hash, a second one
// keeps v (copied: callers pass views of request memory).
func (c *cleanCache) store(h uint64, rs *ruleset, v string, cm ctxMask, processed int) {
	i := h & (cleanCacheSlots - 1)
	if c.seen[i].Swap(h) != h {
		return
	}
	c.slots[i].Store(&cleanEntry{rs: rs, cm: cm, processed: processed, val: strings.Clone(v)})
}
