// Package bench holds side-by-side benchmarks of guard against peer middlewares.
package bench
