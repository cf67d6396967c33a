//go:build js && wasm

package browser

import (
	"sync"

	"github.com/hack-pad/safejs"
)

// Prepare runs synchronously inside a JS call to an Async function: it reads
// and checks the JS arguments (it must not block) and returns the work to run
// in a goroutine, or an error to reject with at once.
type Prepare func(this safejs.Value, args []safejs.Value) (work func() (any, error), err error)

// Async exports prepare as a JS function that always returns a Promise.
// Arguments are read during the call (so a caller mutating its options object
// afterwards changes nothing); the work runs in a goroutine; a panic in either
// stage rejects with a GameSessionError and leaves the function usable.
func Async(prepare Prepare) (safejs.Func, error) {
	return safejs.FuncOf(func(this safejs.Value, args []safejs.Value) any {
		var work func() (any, error)
		_, err := runGuarded(func() (any, error) {
			var err error
			work, err = prepare(this, args)
			return nil, err
		})
		if err != nil {
			return rejected(err)
		}
		return newPromise(work)
	})
}

// SyncFunc is a synchronous export: its value is returned to JS, its error
// thrown as a GameSessionError.
type SyncFunc func(this safejs.Value, args []safejs.Value) (any, error)

// Sync exports fn as a synchronous JS function that returns fn's value or
// throws a GameSessionError. A panic in fn throws too.
//
// A Go callback cannot throw into its JS caller (wasm_exec.js catches nothing
// on the way out, and a panic would end the program), so the Go side returns
// {v} or {t: true, e} and a one-line JS wrapper throws. The wrapper is made
// with the Function constructor, which a strict Content-Security-Policy
// forbids (and reports), so it is made only when no loader is present: the
// loaders (js/game-session.*) check on()'s arguments and throw themselves.
// Without the wrapper, an error goes to console.error and fallback is returned.
func Sync(fn SyncFunc, fallback any) (safejs.Value, error) {
	return syncWith(throwShim(), fn, fallback)
}

// syncWith is Sync with the throwing wrapper given (undefined: none).
func syncWith(shim safejs.Value, fn SyncFunc, fallback any) (safejs.Value, error) {
	goFn, err := safejs.FuncOf(func(this safejs.Value, args []safejs.Value) any {
		v, err := runGuarded(func() (any, error) { return fn(this, args) })
		switch {
		case err == nil && shim.IsUndefined():
			return toJS(v)
		case err == nil:
			return shimResult([]string{"v"}, []any{toJS(v)})
		case shim.IsUndefined():
			consoleCall("error", "game-session:", newJSError(err))
			return toJS(fallback)
		default:
			return shimResult([]string{"t", "e"}, []any{true, newJSError(err)})
		}
	})
	if err != nil {
		return safejs.Undefined(), err
	}
	if shim.IsUndefined() {
		return goFn.Value(), nil
	}
	return shim.Invoke(goFn)
}

// shimResult is the {v} or {t, e} record for the wrapper, without a
// prototype: the wrapper's r.t must not find a "t" a page put on
// Object.prototype.
func shimResult(keys []string, vals []any) any {
	d, err := dict(keys, vals)
	if err != nil {
		return safejs.Undefined()
	}
	return d
}

// throwShim returns a JS function wrap(f) whose result calls f and throws r.e
// when r.t is set; undefined when a loader is present (see Sync) or the
// Function constructor is not allowed.
var throwShim = sync.OnceValue(func() safejs.Value {
	if isFunc(safejs.Global(), initHook) {
		return safejs.Undefined()
	}
	wrap, err := jsGlobal("Function").New("f",
		`return function () { var r = f.apply(this, arguments); if (r.t) throw r.e; return r.v; };`)
	if err != nil {
		return safejs.Undefined()
	}
	return wrap
})

// consoleCall calls console[method](args...) on the real console, ignoring
// failures: reporting must never break the caller.
func consoleCall(method string, args ...any) {
	c := jsGlobal("console")
	if isFunc(c, method) {
		_, _ = c.Call(method, args...)
	}
}
