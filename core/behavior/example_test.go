package behavior_test

import (
	"fmt"

	"github.com/guardgo/guard/core/behavior"
	"github.com/guardgo/guard/core/units"
)

func ExampleParsePattern() {
	p, err := behavior.ParsePattern("json:items[].state==won")
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Match(200, []byte(`{"items":[{"state":"lost"},{"state":"WON"}]}`)))
	fmt.Println(p.Match(200, []byte(`{"items":[{"state":"lost"}]}`)))
	fmt.Println(p.Match(200, []byte(`{"items":[{"state":"won"}`))) // truncated
	// Output:
	// true
	// false
	// false
}

func ExampleCompile() {
	set, err := behavior.Compile([]behavior.RuleSpec{
		behavior.UsageMonitor{MaxCalls: 10, Window: units.Seconds(3600)}.Rule(),
		behavior.ReturnMonitor{Pattern: "status:404", MaxOccurrences: 5, Window: units.Seconds(60), Action: behavior.Throttle}.Rule(),
	}, behavior.ForEndpoint("GET /items/{id}"))
	if err != nil {
		panic(err)
	}

	// Step 11: the counters go into the request's store.Hit ...
	for _, c := range set.RequestCounters("GET /items/{id}", nil) {
		fmt.Println(c.Key, c.Window, c.Peek)
	}
	// ... and the counts it returns decide which rules fire.
	for _, v := range set.CheckRequest("GET /items/{id}", []int64{11, 2}, nil) {
		fmt.Println(v.Rule, v.Action, v.Count, v.BanDuration)
	}

	// Step 13: the response is matched; the engine store.Adds each matched
	// counter and checks the new count.
	for _, i := range set.MatchResponse(404, nil, nil) {
		c := set.ReturnCounter("GET /items/{id}", i)
		for _, v := range set.CheckReturn("GET /items/{id}", i, 6, nil) {
			fmt.Println(c.Window, v.Rule, v.Action)
		}
	}
	// Output:
	// bh:u1h0m0s:GET /items/{id} 1h0m0s false
	// bh:r1m0s.6632f04d41d43795:GET /items/{id} 1m0s true
	// usage:10/1h0m0s:ban ban 11 1h0m0s
	// 1m0s return_pattern:5/1m0s:throttle:status:404 throttle
}
