// Package ginguard adapts the guard engine to gin.
package ginguard
