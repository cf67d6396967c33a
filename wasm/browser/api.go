//go:build js && wasm

package browser

import (
	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// Engine is what the API object calls: *session.Engine, or a fake in tests.
type Engine interface {
	Start(token string, opts session.Options) error
	End() error
	State() session.State
}

// API is the wiring behind the JS API object.
type API struct {
	Global    safejs.Value // the window (location for options)
	Engine    Engine
	Listeners *Listeners
	Version   string
}

// success is what startSession and endSession resolve with.
func success() (any, error) { return map[string]any{"success": true}, nil }

// Object builds the JS API object
// {startSession, endSession, state, on, version}. Its functions live as long
// as the page (they are never released).
func (a *API) Object() (safejs.Value, error) {
	start, err := Async(func(_ safejs.Value, args []safejs.Value) (func() (any, error), error) {
		// Checked before the Promise exists: bad input sends nothing.
		token, opts, err := StartArgs(args)
		if err != nil {
			return nil, err
		}
		return func() (any, error) {
			if err := a.Engine.Start(token, opts); err != nil {
				return nil, err
			}
			return success()
		}, nil
	})
	if err != nil {
		return safejs.Undefined(), err
	}
	end, err := Async(func(safejs.Value, []safejs.Value) (func() (any, error), error) {
		return func() (any, error) {
			if err := a.Engine.End(); err != nil {
				return nil, err
			}
			return success()
		}, nil
	})
	if err != nil {
		return safejs.Undefined(), err
	}
	state, err := Sync(func(safejs.Value, []safejs.Value) (any, error) {
		return string(a.Engine.State()), nil
	}, string(session.StateIdle))
	if err != nil {
		return safejs.Undefined(), err
	}
	on, err := Sync(a.Listeners.On, noop())
	if err != nil {
		return safejs.Undefined(), err
	}

	obj, err := jsGlobal("Object").New()
	if err != nil {
		return safejs.Undefined(), err
	}
	err = defineAll(obj, []string{"startSession", "endSession", "state", "on", "version"},
		[]any{start, end, state, on, a.Version})
	if err != nil {
		return safejs.Undefined(), err
	}
	return obj, nil
}

// initHook is the loader's registration function (the bridge contract).
const initHook = "__gameSessionInit"

// PageGlobal returns the page's own global object. The loader runs Go with a
// private global (goGlobal in js/game-session.mjs) that reads through to the
// page's but keeps the hand-over hook and wasm_exec.js's definitions to itself;
// the page's global is its globalThis. The browser pieces need that one: fetch
// and addEventListener throw "Illegal invocation" when called on another object.
// Without the loader (bare wasm_exec.js) it is the global itself.
func PageGlobal(global safejs.Value) safejs.Value {
	if g := prop(global, "globalThis"); g.Type() == safejs.TypeObject {
		return g
	}
	return global
}

// Handover gives api to the loader: global.__gameSessionInit(api) when the
// loader defined it (on the private global Go runs with, never the page's);
// otherwise (bare wasm_exec.js + .wasm) it sets the globals startSession,
// endSession and GameSession = {...api, ready}.
func Handover(global, api safejs.Value) error {
	if isFunc(global, initHook) {
		_, err := global.Call(initHook, api)
		return err
	}
	ready, err := jsGlobal("Promise").Call("resolve")
	if err != nil {
		return err
	}
	ns, err := jsGlobal("Object").New()
	if err != nil {
		return err
	}
	names := []string{"startSession", "endSession", "state", "on", "version", "ready"}
	vals := make([]any, len(names))
	for i, name := range names[:len(names)-1] {
		vals[i] = prop(api, name)
	}
	vals[len(names)-1] = ready
	if err := defineAll(ns, names, vals); err != nil {
		return err
	}
	// Defined rather than assigned, like the namespace's keys: a setter a
	// page put on Object.prototype must not stop the handover. A global the
	// page declared non-configurable (a top-level var) is assigned instead.
	for _, name := range []string{"startSession", "endSession", "GameSession"} {
		v := any(ns)
		if name != "GameSession" {
			v = prop(api, name)
		}
		if defineAll(global, []string{name}, []any{v}) == nil {
			continue
		}
		if _, err := jsGlobal("Reflect").Call("set", global, name, v); err != nil {
			return err
		}
	}
	return nil
}

// ConsoleLog returns a session.Config.Log that writes the engine's debug
// lines (already prefixed "game-session: ") with console.debug.
func ConsoleLog(console safejs.Value) func(string) {
	return func(line string) {
		if isFunc(console, "debug") {
			_, _ = console.Call("debug", line)
		}
	}
}
