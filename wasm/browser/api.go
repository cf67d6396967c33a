//go:build js && wasm

package browser

import (
	"sync"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// Engine is what the exports call: the session engine's methods (EngineOf),
// or a fake's in tests. Functions, not an interface: a *session.Engine
// converted to an interface keeps every method of every type it holds, down
// to time.Duration's String (wasm/sizerules).
type Engine struct {
	Start func(token string, opts session.Options) error
	End   func() error
	State func() session.State
}

// EngineOf returns the methods of the engine that get returns, as an
// Engine that calls get at each call: main's get makes the engine at the
// first call (sync.OnceValue), so that loading the module does not.
func EngineOf(get func() *session.Engine) Engine {
	return Engine{
		Start: func(token string, opts session.Options) error { return get().Start(token, opts) },
		End:   func() error { return get().End() },
		State: func() session.State { return get().State() },
	}
}

// API is the wiring behind Go's exports (see the bridge in host.go).
type API struct {
	Engine Engine // unset until main wired it: calls then fail INVALID_STATE
	// FirstStart runs once, inside the first startSession call whose
	// arguments are good, before the engine starts: main adds the page
	// lifecycle listeners there, so a page that never starts a session gets
	// none.
	FirstStart func()

	first sync.Once
}

// Exports returns Go's exported functions: startSession(token, apiBase,
// heartbeatIntervalMs, …, backgroundHeartbeats, settle) (the flat arguments
// of StartArgs, then settle), endSession(settle) and state(). They live as long as
// the page (never released). Each reads its arguments during the call (a
// caller changing its options object afterwards changes nothing), runs the
// engine in a goroutine, and never blocks or panics into JS.
func (a *API) Exports() (start, end, state safejs.Func, err error) {
	if start, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		a.startSession(args)
		return nil
	}); err != nil {
		return
	}
	if end, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		a.endSession(arg(args, 0))
		return nil
	}); err != nil {
		return
	}
	state, err = safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		var s session.State
		if guarded(func() error {
			if a.Engine.State != nil {
				s = a.Engine.State()
			}
			return nil
		}) != nil || s == "" {
			s = session.StateIdle
		}
		return string(s)
	})
	return
}

// startSession checks the arguments synchronously (bad input sends nothing
// and settles at once), then starts the engine in a goroutine.
func (a *API) startSession(args []safejs.Value) {
	settle := arg(args, StartArgCount)
	var token string
	var opts session.Options
	err := guarded(func() error {
		var err error
		if token, opts, err = StartArgs(args); err != nil {
			return err
		}
		if a.Engine.Start == nil {
			return errNotReady
		}
		if a.FirstStart != nil {
			a.first.Do(a.FirstStart)
		}
		return nil
	})
	if err != nil {
		settleWith(settle, err)
		return
	}
	go func() {
		settleWith(settle, guarded(func() error { return a.Engine.Start(token, opts) }))
	}()
}

func (a *API) endSession(settle safejs.Value) {
	if a.Engine.End == nil {
		settleWith(settle, errNotReady)
		return
	}
	go func() {
		settleWith(settle, guarded(func() error { return a.Engine.End() }))
	}()
}

var errNotReady = &session.Error{Code: session.CodeInvalidState, Message: "internal error: the module is not wired yet"}

// settleWith calls the loader's settle(code, status, message): ("", 0, "")
// for success, else err's code, status and message (describe). settle is
// the loader's and throws nothing; were it to, safejs catches it.
func settleWith(settle safejs.Value, err error) {
	var code session.Code
	var status int
	var message string
	if err != nil {
		code, status, message = describe(err)
	}
	_, _ = settle.Invoke(string(code), status, message)
}

// guarded runs work and turns a panic into an internal error, so that one
// bad call rejects and the next one still works.
func guarded(work func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = internalError(r)
		}
	}()
	return work()
}
