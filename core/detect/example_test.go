package detect_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/guardgo/guard/core/detect"
)

func ExampleDetector_Detect() {
	d, err := detect.New(detect.Config{})
	if err != nil {
		panic(err)
	}
	r := d.Detect(context.Background(), "1' OR '1'='1", "query:id")
	fmt.Println(r.IsThreat, r.Category, r.Threats[0].Location)
	// Output: true sqli query:id
}

func ExampleDetector_Inspect() {
	d, err := detect.New(detect.Config{})
	if err != nil {
		panic(err)
	}
	r := d.Inspect(context.Background(), &detect.Target{
		Method:      "POST",
		Path:        "/comments",
		Header:      http.Header{"User-Agent": {"Mozilla/5.0"}},
		ContentType: "application/json",
		Body:        []byte(`{"post":{"text":"<img src=x onerror=alert(1)>"}}`),
	})
	fmt.Println(r.IsThreat, r.Category, r.Context)
	// Output: true xss body:json:post.text
}

func ExampleDetector_AddPattern() {
	d, err := detect.New(detect.Config{})
	if err != nil {
		panic(err)
	}
	err = d.AddPattern(detect.Pattern{ID: "bad", Category: "custom", Regex: "(?=lookahead)"})
	fmt.Println(err != nil)
	err = d.AddPattern(detect.Pattern{
		ID: "internal-ticket", Category: "custom", Regex: `\bticket-\d{6}\b`, Contexts: []string{"query"},
	})
	fmt.Println(err, d.Detect(context.Background(), "see TICKET-004211", "query:q").IsThreat)
	// Output:
	// true
	// <nil> true
}
