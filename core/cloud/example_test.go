package cloud_test

import (
	"fmt"
	"net/netip"

	"github.com/guardgo/guard/core/cloud"
)

func ExampleSet() {
	res, _ := cloud.Parse(cloud.Cloudflare, []byte("104.16.0.0/13\n2606:4700::/32\n"))
	set := cloud.NewSet(map[cloud.Provider][]netip.Prefix{cloud.Cloudflare: res.Prefixes})
	for _, s := range []string{"104.16.1.1", "2606:4700::1", "192.0.2.1"} {
		p, ok := set.Lookup(netip.MustParseAddr(s))
		fmt.Println(s, p, ok)
	}
	// Output:
	// 104.16.1.1 Cloudflare true
	// 2606:4700::1 Cloudflare true
	// 192.0.2.1 Provider(0) false
}

func ExampleParseProviders() {
	// block_clouds: [aws, GCP]
	set, err := cloud.ParseProviders([]string{"aws", "GCP"})
	fmt.Println(set, err)
	_, err = cloud.ParseProviders([]string{"oracle"})
	fmt.Println(err)
	// Output:
	// AWS,GCP <nil>
	// cloud: unknown cloud provider "oracle" (valid: AWS,GCP,Azure,DigitalOcean,Linode,Vultr,Cloudflare)
}

func ExampleNewManager() {
	m, err := cloud.NewManager(cloud.Options{
		Providers: cloud.Of(cloud.AWS),
		Sources:   map[cloud.Provider]string{cloud.AWS: "../../testdata/cloud/aws-ip-ranges.json"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	fmt.Println(m.Contains(netip.MustParseAddr("3.5.140.10"), cloud.Of(cloud.AWS)))
	// Output: true
}
