package cloud_test

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/guardgo/guard/core/cloud"
)

func TestParseProvider(t *testing.T) {
	tests := []struct {
		in   string
		want cloud.Provider
		err  bool
	}{
		{"AWS", cloud.AWS, false},
		{"aws", cloud.AWS, false},
		{" gcp ", cloud.GCP, false},
		{"azure", cloud.Azure, false},
		{"AZURE", cloud.Azure, false},
		{"digitalocean", cloud.DigitalOcean, false},
		{"DigitalOcean", cloud.DigitalOcean, false},
		{"linode", cloud.Linode, false},
		{"vultr", cloud.Vultr, false},
		{"cloudflare", cloud.Cloudflare, false},
		{"", 0, true},
		{"Amazon", 0, true},
		{"Digital Ocean", 0, true},
		{"hetzner", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := cloud.ParseProvider(tt.in)
			if tt.err {
				if !errors.Is(err, cloud.ErrUnknownProvider) {
					t.Fatalf("ParseProvider(%q) err = %v, want ErrUnknownProvider", tt.in, err)
				}
				if !strings.Contains(err.Error(), "AWS,GCP,Azure,DigitalOcean,Linode,Vultr,Cloudflare") {
					t.Fatalf("error does not list valid names: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseProvider(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			if back, _ := cloud.ParseProvider(got.String()); back != got {
				t.Fatalf("String/Parse round trip: %v", back)
			}
		})
	}
}

func TestProviders(t *testing.T) {
	s, err := cloud.ParseProviders([]string{"gcp", "AWS", "aws"})
	if err != nil {
		t.Fatal(err)
	}
	if s.String() != "AWS,GCP" || s.Len() != 2 || !s.Has(cloud.AWS) || s.Has(cloud.Azure) {
		t.Fatalf("set = %v (len %d)", s, s.Len())
	}
	if f, ok := s.First(); !ok || f != cloud.AWS {
		t.Fatalf("First = %v, %v", f, ok)
	}
	_, err = cloud.ParseProviders([]string{"aws", "oracle", "ibm"})
	if !errors.Is(err, cloud.ErrUnknownProvider) || !strings.Contains(err.Error(), `"oracle"`) || !strings.Contains(err.Error(), `"ibm"`) {
		t.Fatalf("want both unknown names reported, got %v", err)
	}
	all := cloud.All()
	if all.Len() != 7 || all.String() != "AWS,GCP,Azure,DigitalOcean,Linode,Vultr,Cloudflare" {
		t.Fatalf("All = %v", all)
	}
	if cloud.Of(cloud.Vultr, 0, 99).String() != "Vultr" {
		t.Fatal("Of must ignore invalid providers")
	}
	if _, ok := cloud.Providers(0).First(); ok {
		t.Fatal("empty set has a first element")
	}
	var p cloud.Provider
	if err := p.UnmarshalText([]byte("linode")); err != nil || p != cloud.Linode {
		t.Fatalf("UnmarshalText: %v %v", p, err)
	}
	if b, err := cloud.Azure.MarshalText(); err != nil || string(b) != "Azure" {
		t.Fatalf("MarshalText: %s %v", b, err)
	}
	if _, err := cloud.Provider(0).MarshalText(); err == nil {
		t.Fatal("invalid provider marshalled")
	}
	for _, p := range all.List() {
		if cloud.DefaultSource(p) == "" {
			t.Errorf("no default source for %v", p)
		}
	}
}

func readFixtures(t *testing.T, p cloud.Provider) []netip.Prefix {
	t.Helper()
	var out []netip.Prefix
	for _, name := range fixtureFiles[p] {
		data, err := os.ReadFile(filepath.Join(testdataDir(t), name))
		if err != nil {
			t.Fatal(err)
		}
		res, err := cloud.Parse(p, data)
		if err != nil {
			t.Fatalf("Parse(%v, %s): %v", p, name, err)
		}
		if res.Skipped != 0 {
			t.Fatalf("Parse(%v, %s) skipped %d entries of a valid fixture", p, name, res.Skipped)
		}
		out = append(out, res.Prefixes...)
	}
	return out
}

func TestParseFixtures(t *testing.T) {
	wantCounts := map[cloud.Provider]int{
		cloud.AWS: 6, cloud.GCP: 3, cloud.Azure: 5, cloud.DigitalOcean: 3,
		cloud.Linode: 3, cloud.Vultr: 3, cloud.Cloudflare: 22,
	}
	for _, p := range cloud.All().List() {
		t.Run(p.String(), func(t *testing.T) {
			prefixes := readFixtures(t, p)
			if len(prefixes) != wantCounts[p] {
				t.Fatalf("got %d prefixes, want %d: %v", len(prefixes), wantCounts[p], prefixes)
			}
			var v4, v6 int
			for _, pfx := range prefixes {
				if pfx.Addr().Is4() {
					v4++
				} else {
					v6++
				}
			}
			if v4 == 0 || v6 == 0 {
				t.Fatalf("fixture must hold IPv4 and IPv6 prefixes: v4=%d v6=%d", v4, v6)
			}
		})
	}
}

func TestFixtureAddresses(t *testing.T) {
	ranges := map[cloud.Provider][]netip.Prefix{}
	for _, p := range cloud.All().List() {
		ranges[p] = readFixtures(t, p)
	}
	set := cloud.NewSet(ranges)
	for _, tt := range fixtureAddrs {
		t.Run(tt.ip, func(t *testing.T) {
			got, ok := set.Lookup(netip.MustParseAddr(tt.ip))
			if tt.provider == 0 {
				if ok {
					t.Fatalf("Lookup(%s) = %v, want none", tt.ip, got)
				}
				return
			}
			if !ok || got != tt.provider {
				t.Fatalf("Lookup(%s) = %v, %v; want %v", tt.ip, got, ok, tt.provider)
			}
		})
	}
}

func TestParseFormats(t *testing.T) {
	tests := []struct {
		name     string
		provider cloud.Provider
		data     string
		want     []string
		skipped  int
		errIs    error
		errSub   string
	}{
		{name: "aws skips bad entry", provider: cloud.AWS,
			data: `{"prefixes":[{"ip_prefix":"1.2.3.0/24"},{"ip_prefix":"nope"}],"ipv6_prefixes":[{"ipv6_prefix":"2001:db8::/32"}]}`,
			want: []string{"1.2.3.0/24", "2001:db8::/32"}, skipped: 1},
		{name: "aws bad json", provider: cloud.AWS, data: `{"prefixes":[`, errSub: "parse AWS ranges"},
		{name: "aws empty", provider: cloud.AWS, data: `{"prefixes":[],"ipv6_prefixes":[]}`, errIs: cloud.ErrNoPrefixes},
		{name: "aws unmasked prefix is masked", provider: cloud.AWS,
			data: `{"prefixes":[{"ip_prefix":"1.2.3.4/24"}]}`, want: []string{"1.2.3.0/24"}},
		{name: "gcp entry without prefix", provider: cloud.GCP,
			data: `{"prefixes":[{"ipv4Prefix":"8.34.208.0/20"},{"service":"x"}]}`, want: []string{"8.34.208.0/20"}, skipped: 1},
		{name: "azure all tags", provider: cloud.Azure,
			data: `{"values":[{"name":"A","properties":{"addressPrefixes":["1.1.1.0/24"]}},{"name":"B","properties":{"addressPrefixes":["2.2.2.2/32","2001:db8::/64"]}}]}`,
			want: []string{"1.1.1.0/24", "2.2.2.2/32", "2001:db8::/64"}},
		{name: "azure html page is not json", provider: cloud.Azure, data: `<html></html>`, errSub: "invalid character"},
		{name: "geofeed with comments, header, blank lines, CRLF", provider: cloud.DigitalOcean,
			data: "# comment\r\nip_prefix,country\r\n\r\n10.0.0.0/8,US,US-CA,,\r\n  2001:db8::/48 ,NL\r\n",
			want: []string{"10.0.0.0/8", "2001:db8::/48"}, skipped: 1},
		{name: "geofeed bare address", provider: cloud.Linode, data: "192.0.2.7,US\n", want: []string{"192.0.2.7/32"}},
		{name: "geofeed quoted", provider: cloud.Linode, data: "\"192.0.2.0/24\",US\n", want: []string{"192.0.2.0/24"}},
		{name: "geofeed BOM", provider: cloud.Linode, data: "\ufeff192.0.2.0/24,US\n", want: []string{"192.0.2.0/24"}},
		{name: "vultr json", provider: cloud.Vultr, data: `{"subnets":[{"ip_prefix":"45.32.0.0/21"}]}`, want: []string{"45.32.0.0/21"}},
		{name: "vultr csv", provider: cloud.Vultr, data: "45.32.0.0/21,US,US-NJ,Piscataway,08854\n", want: []string{"45.32.0.0/21"}},
		{name: "cloudflare list", provider: cloud.Cloudflare, data: "173.245.48.0/20\n2606:4700::/32", want: []string{"173.245.48.0/20", "2606:4700::/32"}},
		{name: "mapped v6 prefix becomes v4", provider: cloud.Cloudflare, data: "::ffff:10.0.0.0/104\n", want: []string{"10.0.0.0/8"}},
		{name: "mapped v6 too short is skipped", provider: cloud.Cloudflare, data: "::ffff:0.0.0.0/80\n1.0.0.0/8\n", want: []string{"1.0.0.0/8"}, skipped: 1},
		{name: "zone rejected", provider: cloud.Cloudflare, data: "fe80::1%eth0/64\n1.0.0.0/8\n", want: []string{"1.0.0.0/8"}, skipped: 1},
		{name: "only garbage", provider: cloud.Cloudflare, data: "hello\nworld\n", errIs: cloud.ErrNoPrefixes},
		{name: "empty document", provider: cloud.Linode, data: "", errIs: cloud.ErrNoPrefixes},
		{name: "invalid provider", provider: 0, data: "1.0.0.0/8", errIs: cloud.ErrUnknownProvider},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := cloud.Parse(tt.provider, []byte(tt.data))
			if tt.errIs != nil || tt.errSub != "" {
				if err == nil {
					t.Fatalf("want error, got %v", res.Prefixes)
				}
				if tt.errIs != nil && !errors.Is(err, tt.errIs) {
					t.Fatalf("err = %v, want %v", err, tt.errIs)
				}
				if !strings.Contains(err.Error(), tt.errSub) {
					t.Fatalf("err = %v, want containing %q", err, tt.errSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range res.Prefixes {
				got = append(got, p.String())
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") || res.Skipped != tt.skipped {
				t.Fatalf("got %v skipped %d, want %v skipped %d", got, res.Skipped, tt.want, tt.skipped)
			}
		})
	}
}

func TestParseSources(t *testing.T) {
	got, err := cloud.ParseSources(map[string]string{"aws": "./aws.json", "Cloudflare": "a.txt,b.txt"})
	if err != nil || got[cloud.AWS] != "./aws.json" || got[cloud.Cloudflare] != "a.txt,b.txt" || len(got) != 2 {
		t.Fatalf("ParseSources = %v, %v", got, err)
	}
	_, err = cloud.ParseSources(map[string]string{"oracle": "x", "GCP": " ", "aws": "a", "AWS": "b"})
	if !errors.Is(err, cloud.ErrUnknownProvider) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"cloud_ranges.oracle", "cloud_ranges.GCP: empty location", "listed twice"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
