//go:build js && wasm

package browser

import (
	"errors"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// Transport is a session.Transport over the browser's fetch API, through the
// loader's host (request, beacon, later: host.go), which makes every request
// with its init: POST, redirect "manual" (a redirect from the API comes back
// as a response and is never followed, so the token is posted to apiBase
// only), JSON content type, the body {"auth_token": token} made by the
// browser's JSON.stringify from an object without a prototype, and the
// credentials mode.
type Transport struct {
	host *Host
}

var _ session.Transport = (*Transport)(nil)

// NewTransport returns a Transport that fetches through host's window.
func NewTransport(host *Host) *Transport { return &Transport{host: host} }

type fetchResult struct {
	resp session.Response
	err  error
}

// Do posts req with fetch and waits for the status and the body (parsed by
// the host's JSON.parse: a body that is not JSON gives Body nil). When
// timeout (> 0) passes or stop fires first, the request is aborted and
// session.ErrTimeout or session.ErrCanceled returned.
func (t *Transport) Do(req session.Request, timeout time.Duration, stop *session.Stop) (session.Response, error) {
	if stop.Fired() {
		return session.Response{}, session.ErrCanceled
	}
	// Every outcome (the answer, the timeout, the stop) goes into one
	// buffered channel, so no callback ever blocks, even after Do returned.
	// The host calls done once (an abort makes it answer too), and done
	// releases itself then.
	results := make(chan fetchResult, 3)
	var done safejs.Func
	done, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		done.Release()
		results <- answerOf(args)
		return nil
	})
	if err != nil {
		return session.Response{}, err
	}
	abort, err := t.host.request.Invoke(req.URL, req.Token, req.Credentials, req.KeepAlive, done)
	if err != nil || typeOf(abort) != safejs.TypeFunction {
		done.Release()
		return session.Response{}, hostError(abort, "fetch failed")
	}
	if timeout > 0 {
		defer time.AfterFunc(timeout, func() { results <- fetchResult{err: session.ErrTimeout} }).Stop()
	}
	defer stop.OnFire(func() { results <- fetchResult{err: session.ErrCanceled} })()

	r := <-results
	if r.err == session.ErrTimeout || r.err == session.ErrCanceled {
		_, _ = abort.Invoke()
	}
	return r.resp, r.err
}

// answerOf reads the host's done(failure, status, type, retryAfter, body).
func answerOf(args []safejs.Value) fetchResult {
	if failure := stringOf(arg(args, 0)); failure != "" {
		return fetchResult{err: errors.New(failure)}
	}
	return fetchResult{resp: responseOf(arg(args, 1), stringOf(arg(args, 2)), stringOf(arg(args, 3)), arg(args, 4))}
}

// Beacon starts req so that it outlives the page, and does not wait for the
// answer: the host's beacon, which tries fetchLater sent at once (from the
// deferred-fetch quota, which the game's own keepalive requests cannot use
// up), a keepalive fetch, navigator.sendBeacon (a string body: no CORS
// preflight) and a plain keepalive fetch, in that order.
func (t *Transport) Beacon(req session.Request) error {
	v, err := t.host.beacon.Invoke(req.URL, req.Token, req.Credentials)
	if err != nil {
		return errors.New("beacon failed")
	}
	if s := stringOf(v); s != "" {
		return errors.New(s)
	}
	return nil
}

// hostError is the error a host function answered with instead of its
// result: its text, or what failed.
func hostError(v safejs.Value, what string) error {
	if s := stringOf(v); s != "" {
		return errors.New(s)
	}
	return errors.New(what)
}

// arg returns args[i], or undefined when there are fewer arguments.
func arg(args []safejs.Value, i int) safejs.Value {
	if i < len(args) {
		return args[i]
	}
	return safejs.Undefined()
}
