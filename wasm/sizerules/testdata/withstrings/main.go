//go:build js && wasm

// Command withstrings is bench/floor's shape plus one thing the size rules ban:
// strings.TrimSpace, ToUpper, ToLower and TrimRight on an argument.
// The size-rules test checks that the dependency-dump check reports it, with its chain.
package main

import (
	"strings"
	"time"

	"github.com/hack-pad/safejs"
)

var started time.Time

func main() {
	start, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		started = time.Now()
		if len(args) == 0 {
			return nil
		}
		s, err := args[0].String()
		if s = strings.TrimSpace(s); err != nil || s == "" {
			return nil
		}
		return strings.ToUpper(s[:1]) + strings.ToLower(strings.TrimRight(s[1:], "/"))
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
