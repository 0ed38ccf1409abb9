// Package sinks provides guard.Sink implementations for shipping security
// events out of the process: a batched, signed HTTP webhook (the
// guard-agent equivalent), a JSON-lines writer, and helpers to fan events out
// to several sinks or filter them by severity or type.
//
// Every sink here is safe for concurrent use and never blocks the request
// that produced an event on network I/O: the webhook enqueues into a bounded
// buffer and a background goroutine does the sending. Sinks that own a
// goroutine implement io.Closer; hand them to guard.WithCloser so that
// Engine.Close flushes them.
//
// Events are encoded with stable JSON field names (see EventJSON). The
// package uses only the standard library.
package sinks
