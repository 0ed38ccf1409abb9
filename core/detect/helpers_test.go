package detect

import (
	"context"
	"testing"
)

// valueCase is one value and where it is found ("query:q", "body:text", …).
type valueCase = struct{ where, in string }

// wantThreats fails for every case Detect does not call a threat.
func wantThreats(t *testing.T, d *Detector, cases []valueCase) {
	t.Helper()
	for _, c := range cases {
		if r := d.Detect(context.Background(), c.in, c.where); !r.IsThreat {
			t.Errorf("missed %s %q (score %.2f, %v)", c.where, c.in, r.ThreatScore, r.Threats)
		}
	}
}

// wantClean fails for every case Detect calls a threat.
func wantClean(t *testing.T, d *Detector, cases []valueCase) {
	t.Helper()
	for _, c := range cases {
		if r := d.Detect(context.Background(), c.in, c.where); r.IsThreat {
			t.Errorf("flagged %s %q: %s %.2f %v", c.where, c.in, r.Category, r.ThreatScore, r.Threats)
		}
	}
}
