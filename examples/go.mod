module github.com/guardgo/guard/examples

go 1.25.0

require github.com/guardgo/guard/core v0.0.0

replace github.com/guardgo/guard/core => ../core

require (
	github.com/guardgo/guard/adapters/nethttp v0.0.0
	github.com/guardgo/guard/core/geo/maxmind v0.0.0
	github.com/guardgo/guard/core/store/redis v0.0.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/corazawaf/libinjection-go v0.3.5 // indirect
	github.com/oschwald/maxminddb-golang/v2 v2.5.0 // indirect
	github.com/redis/go-redis/v9 v9.22.0 // indirect
	go.uber.org/atomic v1.11.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/text v0.33.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

replace (
	github.com/guardgo/guard/adapters/chi => ../adapters/chi
	github.com/guardgo/guard/adapters/echo => ../adapters/echo
	github.com/guardgo/guard/adapters/gin => ../adapters/gin
	github.com/guardgo/guard/adapters/nethttp => ../adapters/nethttp
	github.com/guardgo/guard/core/geo/maxmind => ../core/geo/maxmind
	github.com/guardgo/guard/core/store/redis => ../core/store/redis
)
