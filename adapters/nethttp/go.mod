module github.com/guardgo/guard/adapters/nethttp

go 1.25.0

require github.com/guardgo/guard/core v0.0.0

require (
	github.com/corazawaf/libinjection-go v0.3.5 // indirect
	golang.org/x/text v0.33.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

replace github.com/guardgo/guard/core => ../../core
