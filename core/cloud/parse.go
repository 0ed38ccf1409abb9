package cloud

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// ErrNoPrefixes is returned (wrapped) by Parse when a document holds no valid
// prefix at all. An empty list is treated as a failed download, so a broken
// upstream file never wipes the last good set.
var ErrNoPrefixes = errors.New("no prefixes")

// ParseResult is what Parse extracted from one provider document.
type ParseResult struct {
	// Prefixes are canonical (masked; IPv4-mapped IPv6 turned into IPv4),
	// in document order, duplicates kept.
	Prefixes []netip.Prefix
	// Skipped counts entries that were present but not a valid prefix. They
	// are ignored so one odd line does not block every future update; the
	// Manager logs the count.
	Skipped int
}

// Parse extracts the IP prefixes from a document in p's published format:
//
//   - AWS: ip-ranges.json, "prefixes[].ip_prefix" and
//     "ipv6_prefixes[].ipv6_prefix";
//   - GCP: cloud.json, "prefixes[].ipv4Prefix" / "prefixes[].ipv6Prefix";
//   - Azure: Service Tags JSON, "values[].properties.addressPrefixes[]" of
//     every tag (the union is the AzureCloud tag);
//   - DigitalOcean, Linode: RFC 8805 geofeed CSV (prefix,country,region,
//     city,postal; '#' comments);
//   - Vultr: its geofeed JSON ("subnets[].ip_prefix"), or the same feed as
//     geofeed CSV;
//   - Cloudflare: ips-v4 / ips-v6 text, one CIDR a line.
//
// A document that is malformed as a whole (bad JSON) is an error; a document
// without a single valid prefix is an error matching ErrNoPrefixes.
func Parse(p Provider, data []byte) (ParseResult, error) {
	var (
		res ParseResult
		err error
	)
	switch p {
	case AWS:
		res, err = parseAWS(data)
	case GCP:
		res, err = parseGCP(data)
	case Azure:
		res, err = parseAzure(data)
	case DigitalOcean, Linode:
		res = parseCSV(data)
	case Vultr:
		if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
			res, err = parseVultrJSON(data)
		} else {
			res = parseCSV(data)
		}
	case Cloudflare:
		res = parseCSV(data) // a plain list is a one-column CSV
	default:
		return ParseResult{}, fmt.Errorf("cloud: %w: %d", ErrUnknownProvider, uint8(p))
	}
	if err != nil {
		return ParseResult{}, fmt.Errorf("cloud: parse %s ranges: %w", p, err)
	}
	if len(res.Prefixes) == 0 {
		return res, fmt.Errorf("cloud: parse %s ranges: %w (%d invalid entries)", p, ErrNoPrefixes, res.Skipped)
	}
	return res, nil
}

// ParsePrefix parses a CIDR ("192.0.2.0/24") or a bare address (a host
// prefix) and returns it canonical: masked, with IPv4-mapped IPv6 turned into
// IPv4.
func ParsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	var p netip.Prefix
	if strings.IndexByte(s, '/') >= 0 {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return netip.Prefix{}, err
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if p.Addr().Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("prefix %q has a zone", s)
	}
	if a := p.Addr(); a.Is4In6() {
		if p.Bits() < 96 {
			return netip.Prefix{}, fmt.Errorf("IPv4-mapped prefix %q shorter than /96", s)
		}
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

func (r *ParseResult) add(s string) {
	p, err := ParsePrefix(s)
	if err != nil {
		r.Skipped++
		return
	}
	r.Prefixes = append(r.Prefixes, p)
}

func parseAWS(data []byte) (ParseResult, error) {
	var doc struct {
		Prefixes []struct {
			IPPrefix string `json:"ip_prefix"`
		} `json:"prefixes"`
		IPv6Prefixes []struct {
			IPv6Prefix string `json:"ipv6_prefix"`
		} `json:"ipv6_prefixes"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return ParseResult{}, err
	}
	res := ParseResult{Prefixes: make([]netip.Prefix, 0, len(doc.Prefixes)+len(doc.IPv6Prefixes))}
	for _, e := range doc.Prefixes {
		res.add(e.IPPrefix)
	}
	for _, e := range doc.IPv6Prefixes {
		res.add(e.IPv6Prefix)
	}
	return res, nil
}

func parseGCP(data []byte) (ParseResult, error) {
	var doc struct {
		Prefixes []struct {
			IPv4 string `json:"ipv4Prefix"`
			IPv6 string `json:"ipv6Prefix"`
		} `json:"prefixes"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return ParseResult{}, err
	}
	res := ParseResult{Prefixes: make([]netip.Prefix, 0, len(doc.Prefixes))}
	for _, e := range doc.Prefixes {
		switch {
		case e.IPv4 != "":
			res.add(e.IPv4)
		case e.IPv6 != "":
			res.add(e.IPv6)
		default:
			res.Skipped++
		}
	}
	return res, nil
}

func parseAzure(data []byte) (ParseResult, error) {
	var doc struct {
		Values []struct {
			Properties struct {
				AddressPrefixes []string `json:"addressPrefixes"`
			} `json:"properties"`
		} `json:"values"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return ParseResult{}, err
	}
	var res ParseResult
	for _, v := range doc.Values {
		for _, s := range v.Properties.AddressPrefixes {
			res.add(s)
		}
	}
	return res, nil
}

func parseVultrJSON(data []byte) (ParseResult, error) {
	var doc struct {
		Subnets []struct {
			IPPrefix string `json:"ip_prefix"`
		} `json:"subnets"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return ParseResult{}, err
	}
	res := ParseResult{Prefixes: make([]netip.Prefix, 0, len(doc.Subnets))}
	for _, e := range doc.Subnets {
		res.add(e.IPPrefix)
	}
	return res, nil
}

// parseCSV reads an RFC 8805 geofeed (or a plain list): the first field of
// every line that is not blank or a '#' comment. A header line naming the
// columns ("ip_prefix,country,...") counts as skipped.
func parseCSV(data []byte) ParseResult {
	var res ParseResult
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line == "" || line[0] == '#' {
			continue
		}
		if i := strings.IndexByte(line, ','); i >= 0 {
			line = line[:i]
		}
		res.add(strings.Trim(line, `"`))
	}
	if sc.Err() != nil { // only a line over 1 MiB; count it and stop
		res.Skipped++
	}
	return res
}

// azureDownloadLink finds the ServiceTags_Public JSON link in Microsoft's
// download page, or "" if there is none.
func azureDownloadLink(page []byte) string {
	const host = "https://download.microsoft.com/"
	s := string(page)
	for {
		i := strings.Index(s, host)
		if i < 0 {
			return ""
		}
		s = s[i:]
		end := strings.IndexAny(s, "\"'<> \t\r\n")
		if end < 0 {
			end = len(s)
		}
		link := s[:end]
		if strings.HasSuffix(link, ".json") && strings.Contains(link, "ServiceTags_Public") {
			return link
		}
		s = s[len(host):]
	}
}
