// Package chiguard adapts the guard engine to chi.
package chiguard
