// Package echoguard adapts the guard engine to echo.
package echoguard
