//go:build js && wasm

// Package browser is the one place where game-session touches JavaScript: the
// fetch transport, page lifecycle events, options and errors crossing the JS
// boundary, and the exported functions that return Promises.
//
// It holds no policy. Retries, timing and error-code decisions belong to
// package session; this package only translates between JS values and the
// engine's Go types, and never blocks inside a JS callback.
package browser
