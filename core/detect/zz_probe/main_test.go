package zz_probe

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/corazawaf/libinjection-go"
	"github.com/guardgo/guard/core/detect"
)

func TestProbe(t *testing.T) {
	d, err := detect.New(detect.Config{})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open("/tmp/probe/in.txt")
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		s := sc.Text()
		n := detect.Normalize(s)
		ok, fp := libinjection.IsSQLi(n)
		x := libinjection.IsXSS(n)
		r := d.Detect(context.Background(), s, "query:q")
		desc := ""
		for _, th := range r.Threats {
			desc += fmt.Sprintf(" %s/%s(%.2f)", th.Category, th.Pattern, th.Score)
		}
		fmt.Printf("%-50q threat=%v %.2f sqli=%v %s xss=%v |%s\n", s, r.IsThreat, r.ThreatScore, ok, fp, x, desc)
	}
}
