//go:build js && wasm

package browser

import (
	"errors"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// The bridge between the Go module and its loader (js/game-session.mjs says
// the same, above makeHost):
//
//   - Hand-over: main calls __gameSessionInit(version, startSession,
//     endSession, state) on the private global Go runs with (the loader's
//     goGlobal), once, before it blocks (Handover). The call returns the host.
//   - Go's exports (API.Exports) are plain functions that never throw into JS
//     and never block: startSession(token, apiBase, …, settle) (the loader
//     checks the arguments and hands them flat: see StartArgs) and
//     endSession(settle) call settle(code, status, message) exactly once,
//     later from a goroutine, or before they return (bad arguments); code ""
//     is success, any other a GameSessionError's code. state() returns the
//     state's name. The loader makes the Promises and the GameSessionErrors.
//   - The host is the loader's frozen null-prototype record of functions,
//     each one call where Go would make many, none of which throws into Go:
//     emit(type, a, b, c, d) (Host.Emit: the detail is built in JS from
//     positional values), init(token, credentials, keepalive) (fetchInit),
//     body(token) (jsonBody), listen(handler) (Page.Watch), online()
//     (Page.Online), debug(line) (Host.Debug).
//
// Go knows nothing of the game's listeners: on(), its argument checks and a
// throwing listener are the loader's.
type Host struct {
	emit, init, body, listen, online, debug safejs.Value
}

// initHook is the loader's hand-over function on Go's private global.
const initHook = "__gameSessionInit"

// bridge is the host that the package's plain helpers (fetchInit, jsonBody)
// use: set once by Handover at start-up (in tests, by the harness).
var bridge *Host

var errNoHost = errors.New("game-session.wasm runs only under its loader (game-session.js or game-session.mjs)")

// Handover gives Go's exports to the loader and returns the loader's host,
// which it also makes the package's. private is the global Go runs with; the
// hook is its own (never the page's). Nothing JS runs between the hand-over
// and main blocking: the loader lets calls in from a microtask, so the
// engine may be wired after this returns.
func Handover(private safejs.Value, version string, api *API) (*Host, error) {
	if !isFunc(private, initHook) {
		return nil, errNoHost
	}
	start, end, state, err := api.Exports()
	if err != nil {
		return nil, err
	}
	v, err := private.Call(initHook, version, start.Value(), end.Value(), state.Value())
	if err != nil {
		return nil, err
	}
	h, err := newHost(v)
	if err != nil {
		return nil, err
	}
	bridge = h
	return h, nil
}

// newHost reads the host's functions, once.
func newHost(v safejs.Value) (*Host, error) {
	h := &Host{}
	for _, f := range []struct {
		name string
		to   *safejs.Value
	}{
		{"emit", &h.emit}, {"init", &h.init}, {"body", &h.body},
		{"listen", &h.listen}, {"online", &h.online}, {"debug", &h.debug},
	} {
		*f.to = prop(v, f.name)
		if typeOf(*f.to) != safejs.TypeFunction {
			return nil, errors.New("the loader's host has no " + f.name + " function: " + errNoHost.Error())
		}
	}
	return h, nil
}

// Emit is the engine's Emit: it hands ev to the loader's listeners as
// host.emit(type, a, b, c, d), the fields design.md names in the order the
// loader's detail() reads them. It is the one place that knows an Event's
// fields.
func (h *Host) Emit(ev session.Event) {
	var a, b, c, d any
	switch ev.Type {
	case session.EventStateChange:
		a, b = string(ev.State), string(ev.Previous)
	case session.EventHeartbeat:
		a, b = float64(ev.RTT)/float64(time.Millisecond), ev.At.UnixMilli()
	case session.EventError:
		e := ev.Err
		if e == nil {
			e = &session.Error{}
		}
		a, b, c, d = string(e.Code), e.Status, e.Message, ev.Fatal
	default: // renew, end
		a = ev.Reason
	}
	_, _ = h.emit.Invoke(string(ev.Type), a, b, c, d)
}

// Debug is the engine's Log: console.debug(line); the lines are already
// prefixed "game-session: ".
func (h *Host) Debug(line string) {
	_, _ = h.debug.Invoke(line)
}
