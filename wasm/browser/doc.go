//go:build js && wasm

// Package browser is the one place where game-session touches JavaScript: the
// fetch transport, page lifecycle events, options crossing the JS boundary,
// and Go's half of the bridge to the loader (host.go): the exports the loader
// wraps in Promises, and the loader's host, through which Go emits events,
// fetches, takes Web Locks, runs its Worker and has page listeners made, in
// one call each.
//
// It holds no policy. Retries, timing and error-code decisions belong to
// package session; this package only translates between JS values and the
// engine's Go types, and never blocks inside a JS callback. What JavaScript
// can do in one call (an event's detail, a fetch and the reading of its
// answer, a lock request, the Worker and its messages, a Promise, an error)
// the loader does: every Go→JS call costs .wasm bytes and time. The size
// rules of wasm/sizerules hold here too (no fmt, context, errors.As/Is,
// time.Time or *time.Timer in types that reach an interface, select with two
// cases).
package browser
