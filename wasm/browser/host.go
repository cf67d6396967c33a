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
//     positional values), listen(handler) (Page.Watch), online()
//     (Page.Online), debug(line) (Host.Debug); init(token, credentials,
//     keepalive) and body(token), the fetch init and JSON body every request
//     below is made with (Go does not call them); and the mechanics of the
//     browser implementations:
//   - request(url, token, credentials, keepalive, done) → abort, or an error
//     text (Transport.Do): fetch with an AbortController; done(failure,
//     status, type, retryAfter, body) once, failure "" with the response's
//     status, type, Retry-After (≤ 64 characters) and body (JSON.parse'd,
//     ≤ 64 Ki characters, else null; a redirect's unread), or the text of why
//     no response came. Go keeps the timeout and the stop, and calls abort.
//   - beacon(url, token, credentials) → "" or an error text
//     (Transport.Beacon): fetchLater with activateAfter 0, else a keepalive
//     fetch where Request.prototype has keepalive, else navigator.sendBeacon
//     with the JSON string, else a keepalive fetch.
//   - later(url, token, credentials) → cancel, undefined without
//     fetchLater, or an error text (Transport.Defer).
//   - lock(name, mode, callback) → release, or "missing" / "cross-origin"
//     (WebLocks.Acquire): navigator.locks.request with ifAvailable, steal or
//     (mode "wait") an AbortSignal; callback(event, name, text): "held",
//     "granted" (returns true to hold), then once "settled" or "rejected"
//     (the error's name and text). release gives a held lock back, or
//     withdraws a waiting request.
//   - worker(onMessage, onError) → {timer(id, ms), send(id, at, timeout,
//     url, token, credentials, keepalive), cancel(id)}, or why there is no
//     Worker (WorkerClock): the Worker's script is the loader's;
//     onMessage("timer", id), ("started", id, sent), ("answer", id, sent,
//     received, failure, status, type, retryAfter, body), ("timeout", id,
//     sent, received); onError(message).
//
// Every decision (what to send when, what an answer or a failure means, the
// fallbacks to page timers) is Go's; the host only does the JS.
type Host struct {
	emit, listen, online, debug          safejs.Value
	request, beacon, later, lock, worker safejs.Value
}

// initHook is the loader's hand-over function on Go's private global.
const initHook = "__gameSessionInit"

var errNoHost = errors.New("game-session.wasm runs only under its loader (game-session.js or game-session.mjs)")

// Handover gives Go's exports to the loader and returns the loader's host.
// private is the global Go runs with; the
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
	return newHost(v)
}

// newHost reads the host's functions, once.
func newHost(v safejs.Value) (*Host, error) {
	h := &Host{}
	for _, f := range []struct {
		name string
		to   *safejs.Value
	}{
		{"emit", &h.emit}, {"listen", &h.listen}, {"online", &h.online}, {"debug", &h.debug},
		{"request", &h.request}, {"beacon", &h.beacon}, {"later", &h.later},
		{"lock", &h.lock}, {"worker", &h.worker},
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
