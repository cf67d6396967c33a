//go:build js && wasm

package browser

import (
	"errors"
	"sync"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// Transport is also a session.DeferredSender where the browser has fetchLater.
var _ session.DeferredSender = (*Transport)(nil)

var errNoFetchLater = errors.New("fetchLater is not available in this browser")

// Defer registers req with fetchLater(url, {method, headers, body,
// credentials, signal}): the browser sends it when the document is destroyed
// (closed, navigated away, or its renderer killed), even when no event of ours
// runs. No activateAfter: it must never go while the page lives. cancel
// aborts it through its AbortController (a no-op once it was sent).
//
// fetchLater throws where it cannot defer (a URL that is not potentially
// trustworthy, the quota spent, a detached document): that is returned as an
// error for the engine to log; the session goes on.
func (t *Transport) Defer(req session.Request) (cancel func(), err error) {
	if !isFunc(t.global, "fetchLater") {
		return nil, errNoFetchLater
	}
	init, err := fetchInit(req)
	if err != nil {
		return nil, err
	}
	ac := prop(t.global, "AbortController")
	if typeOf(ac) != safejs.TypeFunction {
		return nil, errors.New("fetchLater: no AbortController to withdraw it with")
	}
	abort, err := ac.New()
	if err != nil {
		return nil, errors.New("fetchLater: " + jsErrorText(thrownValue(err)))
	}
	_ = init.Set("signal", prop(abort, "signal"))
	if _, err := t.global.Call("fetchLater", req.URL, init); err != nil {
		return nil, errors.New("fetchLater: " + jsErrorText(thrownValue(err)))
	}
	var once sync.Once
	return func() {
		once.Do(func() { _, _ = abort.Call("abort") })
	}, nil
}
