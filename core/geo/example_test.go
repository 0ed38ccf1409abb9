package geo_test

import (
	"fmt"
	"net/netip"

	"github.com/guardgo/guard/core/geo"
)

func ExamplePolicy_Decide() {
	resolver, _ := geo.NewStaticResolver(map[netip.Prefix]string{
		netip.MustParsePrefix("203.0.113.0/24"):  "US",
		netip.MustParsePrefix("198.51.100.0/24"): "CN",
	})
	policy, _ := geo.NewPolicy(geo.PolicyConfig{Allowed: []string{"us"}})
	for _, s := range []string{"203.0.113.9", "198.51.100.9", "8.8.8.8", "127.0.0.1"} {
		v := policy.Decide(resolver, netip.MustParseAddr(s))
		fmt.Println(s, v.Blocked, v.Country, v.Reason)
	}
	// Output:
	// 203.0.113.9 false US country_allowed
	// 198.51.100.9 true CN country_not_allowed
	// 8.8.8.8 true  country_unresolved
	// 127.0.0.1 false  country_exempt
}
