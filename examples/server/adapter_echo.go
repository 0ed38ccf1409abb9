package main

import (
	"errors"
	"net/http"

	guard "github.com/guardgo/guard/core"
)

// echoHandler is filled in by the echo adapter work.
func echoHandler(e *guard.Engine) (http.Handler, error) {
	return nil, errors.New("the echo adapter is not built yet")
}
