//go:build js && wasm

package browser

import "github.com/hack-pad/safejs"

// newPromise returns a JS Promise settled from a goroutine with work's
// result: resolved with toJS(value), or rejected with a GameSessionError.
// The JS caller gets the Promise at once; work may block (it runs outside the
// JS callback), and a panic in it rejects instead of killing the module.
func newPromise(work func() (any, error)) safejs.Value {
	var resolve, reject safejs.Value
	// The executor runs synchronously inside `new Promise`, so it can be
	// released as soon as the constructor returns.
	exec, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		if len(args) >= 2 {
			resolve, reject = args[0], args[1]
		}
		return nil
	})
	if err != nil {
		return safejs.Undefined()
	}
	p, err := jsGlobal("Promise").New(exec)
	exec.Release()
	if err != nil || typeOf(resolve) != safejs.TypeFunction {
		return safejs.Undefined()
	}
	go func() {
		v, err := runGuarded(work)
		if err != nil {
			_, _ = reject.Invoke(newJSError(err))
			return
		}
		_, _ = resolve.Invoke(toJS(v))
	}()
	return p
}

// rejected returns Promise.reject(GameSessionError(err)).
func rejected(err error) safejs.Value {
	p, perr := jsGlobal("Promise").Call("reject", newJSError(err))
	if perr != nil {
		return safejs.Undefined()
	}
	return p
}

// runGuarded runs work and turns a panic into an internal error, so that one
// bad call rejects and the next one still works.
func runGuarded(work func() (any, error)) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, internalError(r)
		}
	}()
	return work()
}
