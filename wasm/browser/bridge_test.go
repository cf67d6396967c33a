//go:build js && wasm

package browser

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loader is the loader's real core (js/game-session.mjs between its core
// markers, which the classic script shares), evaluated once: the tests run
// Go's side of the bridge against the JS that ships, not a copy of it.
// It is {createGameSession, makeHost, listeners}.
var loader safejs.Value

// TestMain evaluates the loader once.
func TestMain(m *testing.M) {
	if err := loadLoader(); err != nil {
		fmt.Fprintln(os.Stderr, "loading js/game-session.mjs:", err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

func loadLoader() error {
	src, err := os.ReadFile("../../js/game-session.mjs")
	if err != nil {
		return err
	}
	const begin, end = "// #region core\n", "// #endregion core\n"
	i, j := strings.Index(string(src), begin), strings.Index(string(src), end)
	if i < 0 || j < i {
		return fmt.Errorf("no %q … %q block", begin, end)
	}
	core := string(src[i:j])
	fn, err := jsGlobal("Function").New(core + "\nreturn { createGameSession, makeHost, listeners };")
	if err != nil {
		return err
	}
	loader, err = fn.Invoke()
	return err
}

// hostFor returns a Host for the window w (a fake), its events recorded in
// the returned JS array as [type, detail] pairs.
func hostFor(t *testing.T, w safejs.Value) (*Host, safejs.Value) {
	t.Helper()
	got := jsEval(t, `return []`)
	registry := must(loader.Call("listeners"))
	for _, typ := range []string{"statechange", "heartbeat", "renew", "error", "end"} {
		jsEval(t, `a.on(b, (d) => c.push([b, d]))`, registry, typ, got)
	}
	h, err := newHost(must(loader.Call("makeHost", w, prop(registry, "emit"))))
	require.NoError(t, err)
	return h, got
}

// hostOn is the loader's host for the window w (a fake), its events dropped:
// what the browser implementations are made with in the tests.
func hostOn(t *testing.T, w safejs.Value) *Host {
	t.Helper()
	h, err := newHost(must(loader.Call("makeHost", w, jsEval(t, `return () => {}`))))
	require.NoError(t, err)
	return h
}

// connectJS does with Go's exports (c) what the loader's hand-over hook does,
// on a fresh createGameSession (a), and returns what the tests call: a
// startSession(token, options, defaultBase) whose third argument stands for
// the loader's default apiBase (data-api-base or configure), endSession,
// state and on as a game has them, the raw exports (go) and the host.
const connectJS = `
const settings = { __proto__: null, apiBase: undefined, page: d };
const gs = a(settings);
const host = gs.connect(b, c.start, c.end, c.state);
return {
  host, gs, go: c,
  startSession(token, options, base) { settings.apiBase = base; return gs.startSession(token, options); },
  endSession: () => gs.endSession(),
  state: () => gs.state(),
  on: (type, listener) => gs.on(type, listener),
};`

// connect hands api's exports to a fresh loader session and returns the
// test's API object (connectJS) and the host the loader answered with. Wire
// api.Engine with the host after this, as main does.
// page is the window whose location the loader defaults apiBase to (a fake
// from newFakeEnv, or undefined: Node's global, which has none).
func connect(t *testing.T, api *API, version string, page safejs.Value) (safejs.Value, *Host) {
	t.Helper()
	start, end, state, err := api.Exports()
	require.NoError(t, err)
	exports := jsEval(t, `return { start: a, end: b, state: c }`, start, end, state)
	obj := jsEval(t, connectJS, prop(loader, "createGameSession"), version, exports, page)
	h, err := newHost(prop(obj, "host"))
	require.NoError(t, err)
	return obj, h
}

// requireGameSessionError checks v is a JS Error named GameSessionError with
// code and status, and returns its message.
func requireGameSessionError(t *testing.T, v safejs.Value, code session.Code, status int) string {
	t.Helper()
	isErr, err := v.InstanceOf(jsGlobal("Error"))
	require.NoError(t, err)
	require.True(t, isErr, "not an Error: %s", typeName(v))
	assert.Equal(t, "GameSessionError", str(t, v, "name"))
	assert.Equal(t, string(code), str(t, v, "code"), "message: %s", stringProp(v, "message"))
	assert.Equal(t, float64(status), num(t, v, "status"))
	msg := str(t, v, "message")
	assert.NotEmpty(t, msg)
	return msg
}

// Handover calls the hook on Go's private global with the version and the
// three exports, and takes the host it answers with.
func TestHandoverGivesTheExportsAndTakesTheHost(t *testing.T) {
	private := jsEval(t, `const g = { __proto__: null, got: null };
		g.__gameSessionInit = (version, start, end, state) => {
			g.got = { version, start, end, state };
			return a;
		};
		return g;`, must(loader.Call("makeHost", safejs.Global(), jsEval(t, `return () => {}`))))
	h, err := Handover(private, "1.2.3", &API{Engine: (&fakeEngine{}).engine()})
	require.NoError(t, err)
	assert.NotNil(t, h)
	got := prop(private, "got")
	assert.Equal(t, "1.2.3", str(t, got, "version"))
	for _, name := range []string{"start", "end", "state"} {
		assert.Equal(t, safejs.TypeFunction, prop(got, name).Type(), name)
	}
	assert.Equal(t, "active", str(t, jsEval(t, `return a.state()`, got)))
}

func TestHandoverNeedsTheLoader(t *testing.T) {
	_, err := Handover(jsEval(t, `return {}`), "1", &API{})
	assert.ErrorIs(t, err, errNoHost)
	_, err = Handover(jsEval(t, `return { __gameSessionInit() { return null; } }`), "1", &API{})
	assert.Error(t, err, "a hook that gives no host (called twice)")
	_, err = Handover(jsEval(t, `return { __gameSessionInit() { throw new Error("x"); } }`), "1", &API{})
	assert.Error(t, err)
}

// Emit hands each event type's fields to the loader, which builds the
// detail a listener gets.
func TestEmitGivesEachEventsFields(t *testing.T) {
	h, got := hostFor(t, jsEval(t, `return {}`))
	h.Emit(session.Event{Type: session.EventStateChange, State: session.StateActive, Previous: session.StateStarting})
	h.Emit(session.Event{Type: session.EventHeartbeat, RTT: 12500 * time.Microsecond, At: session.Instant(1.7e18 + 999999)})
	h.Emit(session.Event{Type: session.EventRenew, Reason: "expired"})
	h.Emit(session.Event{Type: session.EventError, Err: &session.Error{Code: session.CodeNetworkError, Message: "offline"}})
	h.Emit(session.Event{Type: session.EventError, Err: &session.Error{Code: session.CodeUnauthorized, Status: 401, Message: "no"}, Fatal: true})
	h.Emit(session.Event{Type: session.EventEnd, Reason: "user"})
	assert.Equal(t, []any{
		[]any{"statechange", map[string]any{"state": "active", "previous": "starting"}},
		[]any{"heartbeat", map[string]any{"rttMs": 12.5, "at": 1.7e12}},
		[]any{"renew", map[string]any{"reason": "expired"}},
		[]any{"error", map[string]any{"code": "NETWORK_ERROR", "status": 0.0, "message": "offline", "fatal": false}},
		[]any{"error", map[string]any{"code": "UNAUTHORIZED", "status": 401.0, "message": "no", "fatal": true}},
		[]any{"end", map[string]any{"reason": "user"}},
	}, toGo(got))
}

// A listener that throws is the loader's to report: Go's Emit returns, and
// the other listeners still get the event.
func TestThrowingListenerDoesNotReachGo(t *testing.T) {
	reported := jsEval(t, `const r = []; globalThis.reportError = (e) => r.push(e.message); return r;`)
	t.Cleanup(func() { jsEval(t, `delete globalThis.reportError`) })
	api, h := connect(t, &API{Engine: (&fakeEngine{}).engine()}, "v", safejs.Undefined())
	seen := jsEval(t, `const s = [];
		a.on("error", () => { s.push("first"); throw new RangeError("listener bug"); });
		a.on("error", (d) => s.push("second " + d.code));
		return s;`, api)
	h.Emit(session.Event{Type: session.EventError, Err: &session.Error{Code: session.CodeTimeout, Message: "m"}})
	assert.Equal(t, []any{"first", "second TIMEOUT"}, toGo(seen))
	assert.Equal(t, []any{"listener bug"}, toGo(reported))
}

// Every request is made with the host's init and body: one rule.
func TestFetchInitIsTheHosts(t *testing.T) {
	host := must(loader.Call("makeHost", safejs.Global(), jsEval(t, `return () => {}`)))
	init := must(host.Call("init", goodToken, "include", true))
	assert.True(t, must(jsGlobal("Reflect").Call("getPrototypeOf", init)).IsNull())
	assert.Equal(t, "POST", str(t, init, "method"))
	assert.Equal(t, "manual", str(t, init, "redirect"))
	assert.Equal(t, "application/json", str(t, init, "headers", "Content-Type"))
	assert.Equal(t, "include", str(t, init, "credentials"))
	assert.True(t, boolean(t, init, "keepalive"))
	assert.Equal(t, `{"auth_token":"`+goodToken+`"}`, str(t, init, "body"))
	init = must(host.Call("init", "t", "", false))
	assert.True(t, prop(init, "keepalive").IsUndefined())
	assert.True(t, prop(init, "credentials").IsUndefined())
	assert.Equal(t, `{"auth_token":"a\"b`+"\u2028"+`"}`, str(t, must(host.Call("body", "a\"b\u2028"))))
}

// The host's functions never throw into Go, whatever the window: a Proxy
// whose every trap throws, getters that throw, methods that throw or return
// junk. Each answers with its documented failure value instead.
func TestHostFunctionsNeverThrow(t *testing.T) {
	windows := map[string]string{
		"throw-all Proxy": `return ` + throwAllJS,
		"throwing getters": `const w = {};
			for (const k of ["fetch", "fetchLater", "navigator", "AbortController", "Request", "Worker", "Blob", "URL", "top"])
				Object.defineProperty(w, k, { get() { throw new Error("getter " + k); } });
			return w;`,
		"throwing methods": `const boom = () => { throw new Error("boom"); };
			const w = { fetch: boom, fetchLater: boom, AbortController: boom, Request: boom, Blob: boom, URL: { createObjectURL: boom } };
			w.navigator = { sendBeacon: boom, locks: { request: boom } };
			w.Worker = function () { throw new Error("no"); };
			return w;`,
		"junk answers": `const w = { fetch: () => 42, fetchLater: () => 42, AbortController: function () { return 1; } };
			w.navigator = { sendBeacon: () => "yes", locks: { request: () => ({ then: 7 }) } };
			w.Worker = class { constructor() { return { postMessage: 1, addEventListener() {} }; } };
			w.Blob = class {}; w.URL = { createObjectURL: () => "blob:x" };
			return w;`,
	}
	for name, src := range windows {
		t.Run(name, func(t *testing.T) {
			host := must(loader.Call("makeHost", jsEval(t, src), jsEval(t, `return () => {}`)))
			got := jsEval(t, `const h = a, out = {};
				const done = () => {};
				for (const [k, f] of [
					["request", () => h.request("https://api.test/x", "tok", "include", false, done)],
					["beacon", () => h.beacon("https://api.test/x", "tok", "")],
					["later", () => h.later("https://api.test/x", "tok", "")],
					["lock", () => h.lock("n", "wait", () => {})],
					["worker", () => h.worker(() => {}, () => {})],
				]) {
					try { const v = f(); out[k] = typeof v; if (v && typeof v === "object") out[k + ".timer"] = typeof v.timer(1, 5); }
					catch (e) { out[k] = "threw " + e; }
				}
				return out;`, host)
			for k, v := range toGo(got).(map[string]any) {
				assert.NotContains(t, v, "threw", k)
			}
			tick(t) // their Promises settle: no unhandled rejection ends the Node process
		})
	}
}
