package main

import (
	"net/http"
	"time"
)

// Connection timeouts. Every phase of a connection has a bound, so slow or
// silent clients (a slowloris sending headers byte by byte, a reader that
// never drains a 1 MB .wasm, idle keep-alives) cannot hold descriptors
// indefinitely:
//   - ReadHeaderTimeout 10 s, ReadTimeout 30 s: the request, body included
//     (API bodies are at most 16 KiB).
//   - WriteTimeout 30 s from the end of the request headers: a .wasm of a
//     few MB reaches a phone on a slow LAN well within it.
//   - IdleTimeout 2 min between requests on a keep-alive connection
//     (unchanged: bounded already, and long enough that heartbeats reuse
//     their connection).
//
// Injected latency (faults.go: up to 120 s + 120 s jitter) would outlast
// WriteTimeout, so an API call that is about to wait moves its own write
// deadline to the end of that wait plus a full WriteTimeout
// (allowDelay, through http.ResponseController). Only calls that a
// developer chose to delay get longer; the server-wide bound stays short.
type timeouts struct {
	readHeader, read, write, idle time.Duration
}

var defaultTimeouts = timeouts{
	readHeader: 10 * time.Second,
	read:       30 * time.Second,
	write:      30 * time.Second,
	idle:       2 * time.Minute,
}

// newHTTPServer returns the HTTP server for s with timeouts t, and lets s
// extend deadlines (allowDelay) and switch keep-alives (dropsChanged).
func newHTTPServer(s *server, t timeouts) *http.Server {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: t.readHeader,
		ReadTimeout:       t.read,
		WriteTimeout:      t.write,
		IdleTimeout:       t.idle,
	}
	s.writeTimeout = t.write
	s.keepAlives = hs.SetKeepAlivesEnabled
	return hs
}

// allowDelay lets the call answered through w wait d before writing: its
// write deadline becomes now + d + the server's WriteTimeout. Without an
// HTTP server's deadline (handler tests, recorders) it does nothing.
func (s *server) allowDelay(w http.ResponseWriter, d time.Duration) {
	if s.writeTimeout <= 0 || d <= 0 {
		return
	}
	// An error means the writer has no deadline to move (a recorder, or an
	// HTTP/2 stream without one): then nothing cuts the wait short either.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d + s.writeTimeout))
}
