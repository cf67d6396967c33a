//go:build js && wasm

// Command withfmt is bench/floor's shape plus one thing the size rules ban:
// fmt.Sprintf called from our own package.
// The size-rules test checks that the dependency-dump check reports it, with its chain.
package main

import (
	"fmt"
	"time"

	"github.com/hack-pad/safejs"
)

var started time.Time

func main() {
	start, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		started = time.Now()
		return fmt.Sprintf("started %d", started.UnixMilli())
	})
	if err != nil {
		panic(err)
	}
	end, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
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
	if hook, err := global.Get("__benchReady"); err == nil && hook.Type() == safejs.TypeFunction {
		_, _ = hook.Invoke()
	}
	select {}
}
