//go:build js && wasm

// Command withcontext is bench/floor's shape plus one thing the size rules ban:
// a context with a deadline (context.WithTimeout), cancelled by endSession.
// The size-rules test checks that the dependency-dump check reports it, with its chain.
package main

import (
	"context"
	"time"

	"github.com/hack-pad/safejs"
)

var started time.Time

// stop cancels the session's context.
var stop context.CancelFunc

func main() {
	start, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		started = time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 9*time.Second)
		stop = cancel
		go func() {
			<-ctx.Done()
			println("session context:", ctx.Err().Error())
		}()
		return nil
	})
	if err != nil {
		panic(err)
	}
	end, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		if stop != nil {
			stop()
		}
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
