package guard

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/guardgo/guard/core/cloud"
)

// routeClouds turns a route's block_clouds (validated) into a provider set;
// an empty list means every provider.
func routeClouds(names []string) cloud.Providers {
	if len(names) == 0 {
		return cloud.All()
	}
	p, _ := cloud.ParseProviders(names)
	return p
}

// cloudProvidersUsed is every provider some rule blocks, globally or on a
// route: the ranges the engine must load.
func (c *Config) cloudProvidersUsed() cloud.Providers {
	used, _ := cloud.ParseProviders(c.BlockCloudProviders)
	for i := range c.Routes {
		if c.Routes[i].BlockClouds != nil {
			used |= routeClouds(c.Routes[i].BlockClouds)
		}
	}
	return used
}

// newCloudManager loads the ranges of the providers in use: file sources
// now (an unreadable file is a configuration error), URLs in the background.
func newCloudManager(c *Config, providers cloud.Providers, log *slog.Logger) (*cloud.Manager, error) {
	sources := make(map[cloud.Provider]string, len(c.CloudRanges))
	for name, src := range c.CloudRanges {
		if p, err := cloud.ParseProvider(name); err == nil {
			sources[p] = src
		}
	}
	m, err := cloud.NewManager(cloud.Options{Providers: providers, Sources: sources,
		RefreshInterval: c.CloudIPRefreshInterval.D(), Logger: log})
	if err != nil {
		return nil, fieldErr("cloud_ranges", "%v", err)
	}
	return m, nil
}

// checkClouds is pipeline step 7: the route's block_clouds, else the global
// block_cloud_providers.
func (e *Engine) checkClouds(ctx context.Context, d *Decision, route *compiledRoute, client netip.Addr) bool {
	blocked := e.blockClouds
	if route != nil && route.blockCloudsSet {
		blocked = route.blockClouds
	}
	if blocked.Empty() {
		return false
	}
	hit := e.clouds.Match(client) & blocked
	if hit.Empty() {
		return false
	}
	p, _ := hit.First()
	return e.block(ctx, d, http.StatusForbidden, ReasonCloudProvider, "cloud", "Forbidden", nil, "provider", p.String())
}
