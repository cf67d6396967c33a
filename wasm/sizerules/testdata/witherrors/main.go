//go:build js && wasm

// Command witherrors is bench/floor's shape plus one thing the size rules ban:
// an error tested with errors.As and errors.Is.
// The size-rules test checks that the dependency-dump check reports it, with its chain.
package main

import (
	"errors"
	"time"

	"github.com/hack-pad/safejs"
)

var started time.Time

var errNoToken = errors.New("no token")

type failure struct{ code string }

func (f *failure) Error() string { return f.code }

func check(args []safejs.Value) error {
	if len(args) == 0 {
		return errNoToken
	}
	if args[0].Type() != safejs.TypeString {
		return &failure{"INVALID_ARGUMENT"}
	}
	return nil
}

func main() {
	start, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		started = time.Now()
		err := check(args)
		if errors.Is(err, errNoToken) {
			return "NO_TOKEN"
		}
		var f *failure
		if errors.As(err, &f) {
			return f.code
		}
		return nil
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
