package main

import (
	"errors"
	"net/http"

	guard "github.com/guardgo/guard/core"
)

// chiHandler is filled in by the chi adapter work.
func chiHandler(e *guard.Engine) (http.Handler, error) {
	return nil, errors.New("the chi adapter is not built yet")
}
