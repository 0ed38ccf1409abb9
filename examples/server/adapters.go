package main

import (
	"fmt"
	"net/http"

	guard "github.com/guardgo/guard/core"
)

// buildHandler serves the demo application behind guard through the named
// adapter. Each adapter's wiring lives in its own file (adapter_*.go).
func buildHandler(adapter string, e *guard.Engine) (http.Handler, error) {
	switch adapter {
	case "nethttp":
		return nethttpHandler(e)
	case "gin":
		return ginHandler(e)
	case "echo":
		return echoHandler(e)
	case "chi":
		return chiHandler(e)
	}
	return nil, fmt.Errorf("unknown -adapter %q (nethttp, gin, echo, chi)", adapter)
}
