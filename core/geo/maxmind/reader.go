// Package maxmind resolves IP addresses to countries from a MaxMind-format
// (.mmdb) database, and keeps such a database downloaded and fresh.
//
// Reader reads both record layouts found in free country databases:
//
//   - MaxMind GeoLite2/GeoIP2 Country (and DB-IP's compatible files):
//     country.iso_code, falling back to registered_country.iso_code when a
//     network has no located country;
//   - IPinfo: the legacy free country.mmdb, whose top-level "country" is the
//     ISO code, and IPinfo Lite, whose "country_code" is the ISO code (its
//     "country" is the country's name).
//
// The layout is recognised per record, so nothing needs configuring.
//
// Databases are opened and verified with github.com/oschwald/maxminddb-golang/v2
// (the reader underneath github.com/oschwald/geoip2-golang), which also
// decodes records. A lookup walks the search tree from a 16-bit jump table
// and reads the country from a small lock-free cache keyed by record offset,
// so it neither decodes nor allocates; geoip2-golang's Country method decodes
// the whole record (names in eight languages) on every call and rejects
// IPinfo's database types.
//
// Updater downloads a database (MaxMind's permalink with a licence key, or any
// URL serving .mmdb, .mmdb.gz, .tar.gz or .tar), validates it, swaps it in
// atomically and keeps the last good copy when a download fails.
package maxmind

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync/atomic"
	"time"

	"github.com/guardgo/guard/core/geo"
	"github.com/oschwald/maxminddb-golang/v2"
)

// cacheSlots is the size of a Reader's offset → country cache (a power of
// two). Country databases hold a few thousand distinct records; collisions
// only cost a re-decode.
const cacheSlots = 1 << 12

// Reader resolves countries from one MaxMind-format database held in memory.
// It is safe for concurrent use and implements geo.Resolver.
type Reader struct {
	db     *maxminddb.Reader
	tree   *tree
	closed atomic.Bool
	cache  [cacheSlots]atomic.Pointer[cacheEntry]
}

type cacheEntry struct {
	offset  uintptr
	country string // "" when the record names no valid country
}

var _ geo.Resolver = (*Reader)(nil)

// Open reads the database at path into memory and opens it. The file can be
// replaced or deleted afterwards without affecting the Reader.
func Open(path string) (*Reader, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("maxmind: %w", err)
	}
	r, err := OpenBytes(data)
	if err != nil {
		return nil, fmt.Errorf("maxmind: %s: %w", path, errors.Unwrap(err))
	}
	return r, nil
}

// OpenBytes opens a database held in b. The Reader keeps b; do not modify it
// afterwards.
func OpenBytes(b []byte) (*Reader, error) {
	if len(b) == 0 {
		return nil, errors.New("maxmind: empty database")
	}
	db, err := maxminddb.OpenBytes(b)
	if err != nil {
		return nil, fmt.Errorf("maxmind: %w", err)
	}
	m := db.Metadata
	t, err := newTree(b, m.NodeCount, m.RecordSize, m.IPVersion)
	if err != nil {
		return nil, fmt.Errorf("maxmind: %w", err)
	}
	return &Reader{db: db, tree: t}, nil
}

// Country implements geo.Resolver: the ISO 3166-1 alpha-2 code (upper case)
// of the network containing ip, or "", false when the address is not in the
// database, its record names no valid country, or the Reader is closed.
// IPv4-mapped IPv6 addresses are looked up as IPv4.
func (r *Reader) Country(ip netip.Addr) (string, bool) {
	if r == nil || !ip.IsValid() || r.closed.Load() {
		return "", false
	}
	off, found := r.tree.lookup(ip.Unmap().WithZone(""))
	if !found {
		return "", false
	}
	slot := &r.cache[(off^off>>12)&(cacheSlots-1)]
	if e := slot.Load(); e != nil && e.offset == off {
		return e.country, e.country != ""
	}
	country := r.decode(r.db.LookupOffset(off))
	slot.Store(&cacheEntry{offset: off, country: country})
	return country, country != ""
}

// decode extracts the country code from a record of either layout. It reads
// only the few paths it needs (DecodePath skips everything else), so a large
// or unusual record costs no more than a small one.
func (r *Reader) decode(res maxminddb.Result) string {
	try := func(path ...any) string {
		var v string
		if err := res.DecodePath(&v, path...); err != nil || v == "" {
			return ""
		}
		code, err := geo.NormalizeCountry(v)
		if err != nil {
			return ""
		}
		return code
	}
	if c := try("country_code"); c != "" { // IPinfo Lite
		return c
	}
	if c := try("country", "iso_code"); c != "" { // MaxMind
		return c
	}
	if c := try("country"); c != "" { // IPinfo's legacy country.mmdb
		return c
	}
	return try("registered_country", "iso_code") // MaxMind, no located country
}

// DatabaseType returns the database_type from the metadata, e.g.
// "GeoLite2-Country".
func (r *Reader) DatabaseType() string { return r.db.Metadata.DatabaseType }

// BuildTime returns when the database was built, from its metadata.
func (r *Reader) BuildTime() time.Time { return r.db.Metadata.BuildTime() }

// Verify checks the whole database for structural corruption (the search
// tree, the data section and the metadata). It reads every node: use it when
// accepting a downloaded file, not per request.
func (r *Reader) Verify() error {
	if err := r.db.Verify(); err != nil {
		return fmt.Errorf("maxmind: invalid database: %w", err)
	}
	return nil
}

// Close marks the Reader closed: Country answers "", false from then on.
// The memory is released when the Reader is no longer referenced. Close is
// idempotent and returns nil.
func (r *Reader) Close() error {
	r.closed.Store(true)
	return nil
}
