//go:build js && wasm

package browser

import (
	"errors"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// Transport is also a session.DeferredSender where the browser has fetchLater.
var _ session.DeferredSender = (*Transport)(nil)

var errNoFetchLater = errors.New("fetchLater is not available in this browser")

// Defer registers req with fetchLater (the host's later): the browser sends
// it when the document is destroyed (closed, navigated away, or its renderer
// killed), even when no event of ours runs. No activateAfter: it must never
// go while the page lives. cancel aborts it through its AbortController (a
// no-op once it was sent).
//
// fetchLater throws where it cannot defer (a URL that is not potentially
// trustworthy, the quota spent, a detached document): that is returned as an
// error for the engine to log; the session goes on.
func (t *Transport) Defer(req session.Request) (cancel func(), err error) {
	v, err := t.host.later.Invoke(req.URL, req.Token, req.Credentials)
	switch {
	case err != nil:
		return nil, errors.New("fetchLater failed")
	case typeOf(v) == safejs.TypeFunction:
		return func() { _, _ = v.Invoke() }, nil
	case typeOf(v) == safejs.TypeString:
		return nil, hostError(v, "fetchLater failed")
	}
	return nil, errNoFetchLater
}
