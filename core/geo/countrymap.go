package geo

// Wildcard is the key that matches every country not listed explicitly in a
// CountryMap, including unresolved ones (as in geo_rate_limit's "*").
const Wildcard = "*"

// CountryMap maps country codes to values of type T, with an optional
// Wildcard fallback; it backs per-country settings such as a route's
// geo_rate_limit ({US: [100, 60], "*": [10, 60]}). Build it with
// NewCountryMap; it is immutable and safe for concurrent use.
type CountryMap[T any] struct {
	m           map[string]T
	def         T
	hasWildcard bool
}

// NewCountryMap validates every key (an ISO code, case-insensitive, or
// Wildcard) and returns the compiled map. All bad keys are reported at once;
// two keys that normalise to the same code ("us" and "US") are an error too.
func NewCountryMap[T any](in map[string]T) (*CountryMap[T], error) {
	cm := &CountryMap[T]{m: make(map[string]T, len(in))}
	var errs []error
	for k, v := range in {
		if k == Wildcard {
			cm.def, cm.hasWildcard = v, true
			continue
		}
		code, err := NormalizeCountry(k)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := cm.m[code]; dup {
			errs = append(errs, &CountryError{Code: k, Reason: "listed twice (keys are case-insensitive)"})
			continue
		}
		cm.m[code] = v
	}
	if err := joinErrors(errs); err != nil {
		return nil, err
	}
	return cm, nil
}

// Lookup returns the value for country (an upper-case ISO code as returned by
// a Resolver, or "" when unresolved), falling back to the Wildcard entry. It
// reports false when neither matches. The returned key is the entry that
// matched (the code itself or Wildcard), suitable for a rate-limit key.
func (c *CountryMap[T]) Lookup(country string) (value T, key string, ok bool) {
	if c == nil {
		return value, "", false
	}
	if country != "" {
		if v, found := c.m[country]; found {
			return v, country, true
		}
	}
	if c.hasWildcard {
		return c.def, Wildcard, true
	}
	return value, "", false
}

// Len returns the number of entries, the Wildcard included.
func (c *CountryMap[T]) Len() int {
	if c == nil {
		return 0
	}
	n := len(c.m)
	if c.hasWildcard {
		n++
	}
	return n
}
