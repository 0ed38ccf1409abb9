module github.com/guardgo/guard/core

go 1.25.0

require (
	github.com/corazawaf/libinjection-go v0.3.5 // indirect
	github.com/petar-dambovaliev/aho-corasick v0.0.0-20250424160509-463d218d4745 // indirect
	golang.org/x/text v0.33.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
