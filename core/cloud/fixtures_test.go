package cloud_test

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/guardgo/guard/core/cloud"
)

// testdataDir returns the repository's testdata/cloud directory.
func testdataDir(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate test file")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "cloud")
}

// fixtureFiles maps each provider to its fixture files under testdata/cloud.
var fixtureFiles = map[cloud.Provider][]string{
	cloud.AWS:          {"aws-ip-ranges.json"},
	cloud.GCP:          {"gcp-cloud.json"},
	cloud.Azure:        {"azure-servicetags.json"},
	cloud.DigitalOcean: {"digitalocean.csv"},
	cloud.Linode:       {"linode.csv"},
	cloud.Vultr:        {"vultr.json"},
	cloud.Cloudflare:   {"cloudflare-ips-v4.txt", "cloudflare-ips-v6.txt"},
}

// fixtureAddrs lists addresses inside the fixtures, per provider; it is the
// table documented in testdata/cloud/README.md. A zero provider means "no
// provider".
var fixtureAddrs = []struct {
	ip       string
	provider cloud.Provider
}{
	{"3.5.140.10", cloud.AWS},
	{"52.94.76.5", cloud.AWS},
	{"15.230.39.200", cloud.AWS},
	{"2600:1f14::1", cloud.AWS},
	{"2a05:d07a:a000::1", cloud.AWS},
	{"34.80.1.1", cloud.GCP},
	{"35.185.130.1", cloud.GCP},
	{"2600:1900:4000::1", cloud.GCP},
	{"13.66.60.119", cloud.Azure},
	{"20.42.10.10", cloud.Azure},
	{"40.71.1.1", cloud.Azure},
	{"2603:1030:210::1", cloud.Azure},
	{"5.101.96.5", cloud.DigitalOcean},
	{"24.144.64.5", cloud.DigitalOcean},
	{"2604:a880:400::1", cloud.DigitalOcean},
	{"45.33.0.10", cloud.Linode},
	{"139.162.1.1", cloud.Linode},
	{"2600:3c00::1", cloud.Linode},
	{"45.32.1.1", cloud.Vultr},
	{"108.61.1.1", cloud.Vultr},
	{"2001:19f0::1", cloud.Vultr},
	{"104.16.1.1", cloud.Cloudflare},
	{"173.245.48.1", cloud.Cloudflare},
	{"2606:4700::1", cloud.Cloudflare},
	{"::ffff:104.16.1.1", cloud.Cloudflare},
	// Not in any provider's fixture.
	{"13.66.60.120", 0},
	{"3.5.144.0", 0},
	{"192.0.2.1", 0},
	{"198.51.100.1", 0},
	{"127.0.0.1", 0},
	{"2001:db8::1", 0},
	{"::1", 0},
}
