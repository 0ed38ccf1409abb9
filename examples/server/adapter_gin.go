package main

import (
	"errors"
	"net/http"

	guard "github.com/guardgo/guard/core"
)

// ginHandler is filled in by the gin adapter work.
func ginHandler(e *guard.Engine) (http.Handler, error) {
	return nil, errors.New("the gin adapter is not built yet")
}
