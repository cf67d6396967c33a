//go:build js && wasm

package browser

import (
	"errors"
	"sync"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// Transport is a session.Transport over the browser's fetch API.
type Transport struct {
	global safejs.Value // where fetch, AbortController, Request and navigator are looked up
}

var _ session.Transport = (*Transport)(nil)

// NewTransport returns a Transport that calls global.fetch (and
// global.navigator.sendBeacon for beacons). main passes the real global;
// tests pass an object with a fake fetch.
func NewTransport(global safejs.Value) *Transport { return &Transport{global: global} }

// jsonBody returns the request body, {"auth_token": token}, as a JS string
// made by the loader's host (body) with the browser's own JSON.stringify,
// which escapes every character of the token correctly, from an object
// without a prototype: an "auth_token" setter on Object.prototype is not run
// (nor shown the token).
func jsonBody(token string) (safejs.Value, error) {
	if bridge == nil {
		return safejs.Undefined(), errNoHost
	}
	body, err := bridge.body.Invoke(token)
	if err != nil || typeOf(body) != safejs.TypeString {
		return safejs.Undefined(), errors.New("the request body could not be made")
	}
	return body, nil
}

// fetchInit builds fetch's init object (also fetchLater's, the keepalive
// beacon's and the Worker's) in one call of the loader's host (init): POST,
// redirect "manual", keepalive when asked, JSON content type, the body
// (jsonBody's) and the credentials mode. redirect "manual": a redirect from
// the API comes back as a response (Redirected) and is never followed, so the
// token is posted to apiBase only. init and headers have no prototype: a
// page's setters or getters on Object.prototype ("method", "redirect"...)
// neither throw there nor change what fetch reads, and the caller may set
// more on it (signal) without running one.
func fetchInit(req session.Request) (safejs.Value, error) {
	if bridge == nil {
		return safejs.Undefined(), errNoHost
	}
	init, err := bridge.init.Invoke(req.Token, req.Credentials, req.KeepAlive)
	if err != nil || typeOf(init) != safejs.TypeObject {
		return safejs.Undefined(), errors.New("the fetch init could not be made")
	}
	return init, nil
}

type fetchResult struct {
	resp session.Response
	err  error
}

// Do posts req with fetch and waits for the status and the body. The body is
// read with response.text() and parsed with JSON.parse; a body that is not
// JSON gives Body nil. When timeout (> 0) passes or stop fires first, the
// request is aborted and session.ErrTimeout or session.ErrCanceled returned.
func (t *Transport) Do(req session.Request, timeout time.Duration, stop *session.Stop) (session.Response, error) {
	if stop.Fired() {
		return session.Response{}, session.ErrCanceled
	}
	init, err := fetchInit(req)
	if err != nil {
		return session.Response{}, err
	}
	var abort safejs.Value
	if ac := prop(t.global, "AbortController"); typeOf(ac) == safejs.TypeFunction {
		if abort, err = ac.New(); err == nil {
			_ = init.Set("signal", prop(abort, "signal"))
		}
	}
	promise, err := t.global.Call("fetch", req.URL, init)
	if err != nil {
		return session.Response{}, errors.New("fetch failed: " + jsErrorText(thrownValue(err)))
	}

	// fetch(...).then(onResponse).then(onText, onFail): onResponse keeps the
	// status and returns response.text(); exactly one of onText/onFail runs
	// at the end of the chain, and it releases all three functions. Every
	// outcome (the answer, the timeout, the stop) goes into one buffered
	// channel, so no callback ever blocks, even after Do has returned.
	done := make(chan fetchResult, 3)
	var status int
	var typ, retryAfter string
	var onResponse, onText, onFail safejs.Func
	release := func() {
		onResponse.Release()
		onText.Release()
		onFail.Release()
	}
	onResponse, _ = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		r := arg(args, 0)
		status, typ, retryAfter = responseHead(r)
		if typ == "opaqueredirect" || isRedirect(status) {
			return "" // a redirect's body is not read (ResponseOf)
		}
		text, err := r.Call("text")
		if err != nil {
			return "" // no readable body: parsed as nil below
		}
		return text
	})
	onText, _ = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		defer release()
		done <- fetchResult{resp: ResponseOf(status, typ, retryAfter, arg(args, 0), req.Token)}
		return nil
	})
	onFail, _ = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		defer release()
		done <- fetchResult{err: errors.New("fetch failed: " + jsErrorText(arg(args, 0)))}
		return nil
	})
	chained, err := promise.Call("then", onResponse)
	if err == nil {
		_, err = chained.Call("then", onText, onFail)
	}
	if err != nil {
		release()
		return session.Response{}, errors.New("fetch returned no promise")
	}
	if timeout > 0 {
		defer time.AfterFunc(timeout, func() { done <- fetchResult{err: session.ErrTimeout} }).Stop()
	}
	defer stop.OnFire(func() { done <- fetchResult{err: session.ErrCanceled} })()

	r := <-done
	if (r.err == session.ErrTimeout || r.err == session.ErrCanceled) && !abort.IsUndefined() {
		_, _ = abort.Call("abort")
	}
	return r.resp, r.err
}

// Beacon starts req so that it outlives the page. Where fetchLater exists it
// is fetchLater with activateAfter: 0 (fetchlater.go), sent at once by the
// browser from the deferred-fetch quota, which the game's own keepalive
// requests and beacons cannot use up (they share the page's 64 KiB keepalive
// quota: a large one in the game's pagehide handler, run before ours, makes
// a keepalive fetch of ours fail after Beacon returned). Otherwise, or when
// fetchLater throws: fetch with keepalive:true, issued synchronously and not
// awaited; where keepalive fetch is missing (or fetch throws),
// navigator.sendBeacon with the JSON as a string body (sent as text/plain,
// so no CORS preflight). With none of them, a plain fetch is the last resort.
func (t *Transport) Beacon(req session.Request) error {
	if t.sendLater(req) == nil {
		return nil
	}
	if t.keepaliveFetch() && t.fetchKeepalive(req) == nil {
		return nil
	}
	nav := prop(t.global, "navigator")
	if !isFunc(nav, "sendBeacon") {
		if isFunc(t.global, "fetch") {
			return t.fetchKeepalive(req)
		}
		return errors.New("beacon: neither fetch nor navigator.sendBeacon is available")
	}
	body, err := jsonBody(req.Token)
	if err != nil {
		return err
	}
	queued, err := nav.Call("sendBeacon", req.URL, body)
	if err != nil {
		return errors.New("beacon: sendBeacon failed: " + jsErrorText(thrownValue(err)))
	}
	if ok, _ := queued.Bool(); !ok {
		return errors.New("beacon: sendBeacon refused the request")
	}
	return nil
}

// fetchKeepalive calls fetch(url, {..., keepalive: true}) and returns without
// waiting for it.
func (t *Transport) fetchKeepalive(req session.Request) error {
	req.KeepAlive = true
	init, err := fetchInit(req)
	if err != nil {
		return err
	}
	p, err := t.global.Call("fetch", req.URL, init)
	if err != nil {
		return errors.New("beacon: fetch failed: " + jsErrorText(thrownValue(err)))
	}
	// Nobody awaits the answer; a rejection must not surface as an
	// unhandled rejection in the page.
	if isFunc(p, "catch") {
		_, _ = p.Call("catch", noop())
	}
	return nil
}

// keepaliveFetch reports whether fetch exists and honours keepalive, i.e.
// Request.prototype has a keepalive property (browsers that ignore the
// option, like Firefox before 133, lack it). Without a Request constructor
// to ask, a fetch is trusted.
func (t *Transport) keepaliveFetch() bool {
	if !isFunc(t.global, "fetch") {
		return false
	}
	req := prop(t.global, "Request")
	if typeOf(req) != safejs.TypeFunction {
		return true
	}
	has, err := jsGlobal("Reflect").Call("has", prop(req, "prototype"), "keepalive")
	if err != nil {
		return false
	}
	b, _ := has.Bool()
	return b
}

// noop is one shared do-nothing JS function, never released.
var noop = sync.OnceValue(func() safejs.Func {
	f, _ := safejs.FuncOf(func(safejs.Value, []safejs.Value) any { return nil })
	return f
})

// arg returns args[i], or undefined when there are fewer arguments.
func arg(args []safejs.Value, i int) safejs.Value {
	if i < len(args) {
		return args[i]
	}
	return safejs.Undefined()
}
