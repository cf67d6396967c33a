//go:build js && wasm

// Command game-session is the WebAssembly module. STUB: replaced by the browser work.
package main

var version = "dev"

func main() { select {} }
