package maxmind_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/guardgo/guard/core/geo"
	"github.com/guardgo/guard/core/geo/maxmind"
)

func ExampleOpen() {
	r, err := maxmind.Open("../../../testdata/geo/country.mmdb")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	for _, s := range []string{"192.0.2.1", "2001:db8:4::1", "192.0.2.225"} {
		c, ok := r.Country(netip.MustParseAddr(s))
		fmt.Println(s, c, ok)
	}
	// Output:
	// 192.0.2.1 US true
	// 2001:db8:4::1 DE true
	// 192.0.2.225  false
}

func ExampleNewUpdater() {
	// geoip_database alone: load once. Add LicenseKey or DownloadURL to
	// download and refresh (Path is then the cache of the last good copy).
	u, err := maxmind.NewUpdater(maxmind.Options{Path: "../../../testdata/geo/ipinfo-lite.mmdb"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer u.Close()
	u.Start(context.Background())

	policy, _ := geo.NewPolicy(geo.PolicyConfig{Blocked: []string{"CN"}})
	v := policy.Decide(u.Resolver(), netip.MustParseAddr("192.0.2.40"))
	fmt.Println(v.Blocked, v.Country, v.Reason)
	// Output: true CN country_blocked
}
