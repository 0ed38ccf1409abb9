module github.com/guardgo/guard/core

go 1.25.0

require (
	github.com/corazawaf/libinjection-go v0.3.5
	golang.org/x/text v0.33.0
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
