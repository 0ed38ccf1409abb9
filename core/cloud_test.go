package guard

import (
	"path/filepath"
	"runtime"
	"testing"
)

// testdataDir is the repository's shared testdata folder.
func testdataDir(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata")
}

func TestCloudBlocking(t *testing.T) {
	td := testdataDir(t)
	e, _ := newTestEngine(t, func(c *Config) {
		c.BlockCloudProviders = []string{"aws"}
		c.CloudRanges = map[string]string{
			"AWS": filepath.Join(td, "cloud", "aws-ip-ranges.json"),
			"GCP": filepath.Join(td, "cloud", "gcp-cloud.json"),
		}
		c.Routes = []RouteConfig{
			{Path: "/gcp-only", BlockClouds: []string{"GCP"}},
			{Path: "/open", Bypass: []string{"clouds"}},
		}
	})
	tests := []struct {
		name, path, remote string
		want               int
	}{
		{"aws v4 blocked globally", "/", "3.5.140.9:1", 403},
		{"aws v6 blocked globally", "/", "[2600:1f14::1]:1", 403},
		{"gcp not blocked globally", "/", "34.80.1.1:1", 200},
		{"route blocks gcp", "/gcp-only", "34.80.1.1:1", 403},
		{"route list replaces global", "/gcp-only", "3.5.140.9:1", 200},
		{"route gcp v6", "/gcp-only", "[2600:1900:4000::5]:1", 403},
		{"bypass clouds", "/open", "3.5.140.9:1", 200},
		{"not a cloud", "/", "198.51.100.1:1", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if w := serve(e, req{target: tt.path, remote: tt.remote}); w.Code != tt.want {
				t.Fatalf("status %d, want %d", w.Code, tt.want)
			}
		})
	}
}

func TestCloudConfigErrors(t *testing.T) {
	cfg := DefaultConfig()
	cfg.BlockCloudProviders = []string{"AWS", "Hetzner"}
	cfg.CloudRanges = map[string]string{"Oracle": "x.json"}
	cfg.Routes = []RouteConfig{{Path: "/x", BlockClouds: []string{"IBM"}}}
	if _, err := New(cfg); err == nil {
		t.Fatal("accepted")
	} else {
		for _, want := range []string{"block_cloud_providers[1]", `cloud_ranges["Oracle"]`, "routes[0].block_clouds[0]"} {
			if !containsString(err.Error(), want) {
				t.Errorf("missing %s in %v", want, err)
			}
		}
	}
	cfg = DefaultConfig()
	cfg.BlockCloudProviders = []string{"AWS"}
	cfg.CloudRanges = map[string]string{"AWS": "/nonexistent/aws.json"}
	if _, err := New(cfg); err == nil {
		t.Fatal("unreadable range file accepted")
	}
}
