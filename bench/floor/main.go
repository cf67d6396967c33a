//go:build js && wasm

// Command floor is the size and start-up floor for game-session: the smallest
// Go program with the module's unavoidable imports (safejs for the JS bridge,
// time for the heartbeat clock) that exports two functions. Nothing that
// keeps a session alive is here, so its bytes and its start-up time are what
// any Go WebAssembly module of this shape pays before it does any work.
package main

import (
	"time"

	"github.com/hack-pad/safejs"
)

var started time.Time

func main() {
	start, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		started = time.Now()
		return nil
	})
	if err != nil {
		panic(err)
	}
	end, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		return time.Since(started).Milliseconds()
	})
	if err != nil {
		panic(err)
	}
	global := safejs.Global()
	if err := global.Set("startSession", start); err != nil {
		panic(err)
	}
	if err := global.Set("endSession", end); err != nil {
		panic(err)
	}
	// The bench page defines __benchReady to time the start-up.
	if hook, err := global.Get("__benchReady"); err == nil && hook.Type() == safejs.TypeFunction {
		_, _ = hook.Invoke()
	}
	select {}
}
