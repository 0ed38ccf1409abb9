package main

import "github.com/guardgo/guard/core/guardtest"

// appRoutes is the demo application (design §8): GET /, GET|POST /echo,
// GET /items/{id}, POST /login, GET /lottery, GET /health. It is the same
// application the adapter conformance suite serves, written once as plain
// net/http handlers in core/guardtest, so the demo server and the suite can
// never drift apart; every adapter serves it unchanged.
func appRoutes() []guardtest.Route { return guardtest.Routes() }
