//go:build js && wasm

// Command withselect is bench/floor's shape plus one thing the size rules ban:
// a select with two cases (runtime.selectgo).
// The size-rules test checks that the dependency-dump check reports it, with its chain.
package main

import (
	"time"

	"github.com/hack-pad/safejs"
)

var started time.Time

// stop ends the heartbeat goroutine.
var stop chan struct{}

func main() {
	start, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		started = time.Now()
		stop = make(chan struct{})
		beat := make(chan struct{}, 1)
		t := time.AfterFunc(9*time.Second, func() { beat <- struct{}{} })
		go func(done chan struct{}) {
			for {
				select {
				case <-beat:
					println("beat")
					t.Reset(9 * time.Second)
				case <-done:
					t.Stop()
					return
				}
			}
		}(stop)
		return nil
	})
	if err != nil {
		panic(err)
	}
	end, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		close(stop)
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
