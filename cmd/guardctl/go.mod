module github.com/guardgo/guard/cmd/guardctl

go 1.25.0

require (
	github.com/guardgo/guard/core v0.0.0
	github.com/guardgo/guard/core/store/redis v0.0.0
	github.com/redis/go-redis/v9 v9.22.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/corazawaf/libinjection-go v0.3.5 // indirect
	go.uber.org/atomic v1.11.0 // indirect
	golang.org/x/sys v0.30.0 // indirect
	golang.org/x/text v0.33.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

replace (
	github.com/guardgo/guard/core => ../../core
	github.com/guardgo/guard/core/store/redis => ../../core/store/redis
)
