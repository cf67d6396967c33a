//go:build js && wasm

// Command withtimeformat is bench/floor's shape plus one thing the size rules ban:
// time formatting (time.Time.Format, time.Duration.String).
// The size-rules test checks that the dependency-dump check reports it, with its chain.
package main

import (
	"time"

	"github.com/hack-pad/safejs"
)

var started time.Time

func main() {
	start, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		started = time.Now()
		return started.Format(time.RFC3339)
	})
	if err != nil {
		panic(err)
	}
	end, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		return time.Since(started).String()
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
	if hook, err := global.Get("__benchReady"); err == nil && hook.Type() == safejs.TypeFunction {
		_, _ = hook.Invoke()
	}
	select {}
}
