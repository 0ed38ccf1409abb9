// Package mmdbfixture writes the small, reproducible country databases under
// testdata/geo: one in MaxMind's GeoLite2-Country layout and two in IPinfo's
// layouts (the legacy free country.mmdb and IPinfo Lite). The networks are
// documented in testdata/geo/README.md and listed in Networks.
package mmdbfixture

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// BuildEpoch is the fixed build time of every fixture (2026-01-01T00:00:00Z),
// so builds are byte-for-byte reproducible.
const BuildEpoch = 1767225600

// Network is one fixture network.
type Network struct {
	Prefix string
	// Country is the ISO code a resolver must return ("" for none).
	Country string
	// RegisteredOnly puts the code only in registered_country in the
	// MaxMind layout (no "country" map), as GeoLite2 does for some networks.
	RegisteredOnly bool
}

// Networks lists every network the fixtures contain. Addresses outside them
// (for example 192.0.2.224/27 and 2001:db8:ff::/48) are not in the databases.
func Networks() []Network {
	return []Network{
		{Prefix: "192.0.2.0/27", Country: "US"},
		{Prefix: "192.0.2.32/27", Country: "CN"},
		{Prefix: "192.0.2.64/27", Country: "RU"},
		{Prefix: "192.0.2.96/27", Country: "DE"},
		{Prefix: "192.0.2.128/27", Country: "FR"},
		{Prefix: "192.0.2.160/27", Country: "GB"},
		{Prefix: "192.0.2.192/28", Country: "JP"},
		{Prefix: "192.0.2.208/28", Country: "BR"},
		{Prefix: "198.51.100.0/24", Country: "US"},
		{Prefix: "203.0.113.0/24", Country: "CN"},
		{Prefix: "203.0.113.128/25", Country: "NL", RegisteredOnly: true},
		{Prefix: "2001:db8:1::/48", Country: "US"},
		{Prefix: "2001:db8:2::/48", Country: "CN"},
		{Prefix: "2001:db8:3::/48", Country: "RU"},
		{Prefix: "2001:db8:4::/48", Country: "DE"},
		{Prefix: "2001:db8:5::/48", Country: "FR"},
		{Prefix: "2001:db8:6::/48", Country: "GB"},
		{Prefix: "2001:db8:7::/48", Country: "JP"},
		{Prefix: "2001:db8:8::/48", Country: "BR"},
	}
}

type countryInfo struct {
	name, continent, continentName string
	geonameID                      uint32
	eu                             bool
}

func info(code string) countryInfo {
	switch code {
	case "US":
		return countryInfo{"United States", "NA", "North America", 6252001, false}
	case "CN":
		return countryInfo{"China", "AS", "Asia", 1814991, false}
	case "RU":
		return countryInfo{"Russia", "EU", "Europe", 2017370, false}
	case "DE":
		return countryInfo{"Germany", "EU", "Europe", 2921044, true}
	case "FR":
		return countryInfo{"France", "EU", "Europe", 3017382, true}
	case "GB":
		return countryInfo{"United Kingdom", "EU", "Europe", 2635167, false}
	case "JP":
		return countryInfo{"Japan", "AS", "Asia", 1861060, false}
	case "BR":
		return countryInfo{"Brazil", "SA", "South America", 3469034, false}
	case "NL":
		return countryInfo{"Netherlands", "EU", "Europe", 2750405, true}
	}
	panic("mmdbfixture: no data for " + code) // programming error in Networks
}

// Layout selects the record layout of a fixture.
type Layout int

// The fixture layouts.
const (
	// MaxMind is GeoLite2-Country: country.iso_code, registered_country,
	// continent, names maps.
	MaxMind Layout = iota
	// IPinfoCountry is IPinfo's legacy free country.mmdb: top-level
	// "country" (ISO code), "country_name", "continent", "continent_name".
	IPinfoCountry
	// IPinfoLite is IPinfo Lite: "country_code" (ISO code), "country" (the
	// name), "continent_code", "continent", "asn", "as_name", "as_domain".
	IPinfoLite
)

// Build returns the database bytes for layout.
func Build(layout Layout) ([]byte, error) {
	dbType := map[Layout]string{
		MaxMind:       "GeoLite2-Country",
		IPinfoCountry: "ipinfo country.mmdb",
		IPinfoLite:    "ipinfo lite.mmdb",
	}[layout]
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		BuildEpoch:              BuildEpoch,
		DatabaseType:            dbType,
		Description:             map[string]string{"en": "guard test fixture (" + dbType + ")"},
		Languages:               []string{"en"},
		IncludeReservedNetworks: true, // the fixtures use documentation ranges
		RecordSize:              24,
	})
	if err != nil {
		return nil, err
	}
	for _, n := range Networks() {
		p := netip.MustParsePrefix(n.Prefix)
		ipnet := &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
		if err := tree.Insert(ipnet, record(layout, n)); err != nil {
			return nil, fmt.Errorf("insert %s: %w", n.Prefix, err)
		}
	}
	var buf bytes.Buffer
	if _, err := tree.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func record(layout Layout, n Network) mmdbtype.Map {
	ci := info(n.Country)
	switch layout {
	case IPinfoCountry:
		return mmdbtype.Map{
			"country":        mmdbtype.String(n.Country),
			"country_name":   mmdbtype.String(ci.name),
			"continent":      mmdbtype.String(ci.continent),
			"continent_name": mmdbtype.String(ci.continentName),
		}
	case IPinfoLite:
		return mmdbtype.Map{
			"country_code":   mmdbtype.String(n.Country),
			"country":        mmdbtype.String(ci.name),
			"continent_code": mmdbtype.String(ci.continent),
			"continent":      mmdbtype.String(ci.continentName),
			"asn":            mmdbtype.String("AS64496"),
			"as_name":        mmdbtype.String("Documentation AS"),
			"as_domain":      mmdbtype.String("example.net"),
		}
	}
	country := mmdbtype.Map{
		"geoname_id": mmdbtype.Uint32(ci.geonameID),
		"iso_code":   mmdbtype.String(n.Country),
		"names":      mmdbtype.Map{"en": mmdbtype.String(ci.name)},
	}
	if ci.eu {
		country["is_in_european_union"] = mmdbtype.Bool(true)
	}
	rec := mmdbtype.Map{
		"continent": mmdbtype.Map{
			"code":  mmdbtype.String(ci.continent),
			"names": mmdbtype.Map{"en": mmdbtype.String(ci.continentName)},
		},
		"registered_country": country,
	}
	if !n.RegisteredOnly {
		rec["country"] = country
	}
	return rec
}

// Files maps each fixture file name under testdata/geo to its layout.
func Files() map[string]Layout {
	return map[string]Layout{
		"country.mmdb":        MaxMind,
		"ipinfo-country.mmdb": IPinfoCountry,
		"ipinfo-lite.mmdb":    IPinfoLite,
	}
}
