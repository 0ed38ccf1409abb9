// Package httpguard adapts the guard engine to nethttp.
package httpguard
