//go:build js && wasm

// Command floor-syscalljs is bench/floor with the standard library's
// syscall/js in place of safejs: the same two exported functions, the same
// time import and ready hook. It has no budget; the size figure prints it so
// that what safejs costs (and brings: fmt, through its errors) stays visible.
package main

import (
	"syscall/js"
	"time"
)

var started time.Time

func main() {
	start := js.FuncOf(func(js.Value, []js.Value) any {
		started = time.Now()
		return nil
	})
	end := js.FuncOf(func(js.Value, []js.Value) any {
		return time.Since(started).Milliseconds()
	})
	global := js.Global()
	global.Set("startSession", start)
	global.Set("endSession", end)
	// The bench page defines __benchReady to time the start-up.
	if hook := global.Get("__benchReady"); hook.Type() == js.TypeFunction {
		hook.Invoke()
	}
	select {}
}
