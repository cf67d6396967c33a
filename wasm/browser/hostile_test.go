//go:build js && wasm

package browser

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Go↔JS edge against a hostile page (issue 12, items 1, 2, 4-7). Each
// table row is one hostile input; the tests log how many they tried.

// throwAllJS is a Proxy whose every trap throws: its handler is itself a
// Proxy that answers every trap lookup with a throwing function.
const throwAllJS = `new Proxy({}, new Proxy({}, { get() { return () => { throw new Error("trap"); }; } }))`

// hostileStarts are startSession calls (a: the API, b: a good token, c:
// pageOrigin) with values of the wrong type in the flat arguments (only a
// caller other than the loader passes them): INVALID_ARGUMENT, nothing sent,
// nothing thrown. The loader's own checks of hostile options are js/test's.
var hostileStarts = map[string]string{
	// Types syscall/js cannot read (it panics "bad type flag").
	"BigInt token":          `a.startSession(1n, c)`,
	"BigInt apiBase":        `a.startSession(b, 1n)`,
	"BigInt interval":       `a.startSession(b, c, 1n)`,
	"BigInt credentials":    `a.startSession(b, c, undefined, undefined, undefined, 1n)`,
	"BigInt debug":          `a.startSession(b, c, undefined, undefined, undefined, undefined, undefined, undefined, 1n)`,
	"Symbol token":          `a.startSession(Symbol.iterator, c)`,
	"Symbol takeover":       `a.startSession(b, c, undefined, undefined, undefined, undefined, undefined, Symbol("x"))`,
	"throw-all Proxy token": `a.startSession(` + throwAllJS + `, c)`,
	"throw-all Proxy base":  `a.startSession(b, ` + throwAllJS + `)`,
	"throw-all Proxy ttl":   `a.startSession(b, c, undefined, ` + throwAllJS + `)`,
	"revoked Proxy token":   `a.startSession((() => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; })(), c)`,
	"options object":        `a.startSession(b, {apiBase: c})`,
}

func TestHostileStartSessionArgumentsAreInvalidArgument(t *testing.T) {
	for name, expr := range hostileStarts {
		t.Run(name, func(t *testing.T) {
			api, env, engine := newRealAPI(t)
			// jsEval fails the test if the call throws synchronously.
			s := await(t, jsEval(t, "return "+expr, api, goodToken, pageOrigin))
			require.True(t, s.rejected, "resolved")
			msg := requireGameSessionError(t, s.value, session.CodeInvalidArgument, 0)
			assert.NotContains(t, msg, "internal error")
			assert.NotContains(t, msg, goodToken)
			assert.Equal(t, 0, callCount(t, env), "a request was sent")
			assert.Equal(t, session.StateIdle, engine.State())
		})
	}
	t.Logf("hostile startSession inputs: %d, each INVALID_ARGUMENT", len(hostileStarts))
}

func TestOnWithHostileArgumentsThrowsInvalidArgument(t *testing.T) {
	cases := map[string]string{
		"BigInt type":         `a.on(1n, () => {})`,
		"cyclic object type":  `a.on((() => { const o = {}; o.o = o; return o; })(), () => {})`,
		"throwing toJSON":     `a.on({toJSON() { throw new Error("json"); }}, () => {})`,
		"throwing toString":   `a.on({toString() { throw new Error("str"); }}, () => {})`,
		"Symbol type":         `a.on(Symbol("heartbeat"), () => {})`,
		"throw-all Proxy":     `a.on(` + throwAllJS + `, () => {})`,
		"BigInt listener":     `a.on("heartbeat", 1n)`,
		"Proxy listener":      `a.on("heartbeat", ` + throwAllJS + `)`,
		"boxed string type":   `a.on(new String("heartbeat"), () => {})`,
		"10 MB type":          `a.on("x".repeat(10 << 20), () => {})`,
		"lone surrogate type": `a.on("heart\ud800beat", () => {})`,
	}
	api, _ := newFakeAPI(t, &fakeEngine{})
	for name, expr := range cases {
		t.Run(name, func(t *testing.T) {
			r := jsEval(t, `try { `+expr+`; return {}; } catch (e) { return {e}; }`, api)
			e := prop(r, "e")
			require.False(t, e.IsUndefined(), "did not throw")
			msg := requireGameSessionError(t, e, session.CodeInvalidArgument, 0)
			assert.Less(t, len(msg), 200)
		})
	}
	t.Logf("hostile on() inputs: %d, each a thrown INVALID_ARGUMENT", len(cases))
}

// pollutedNames get a throwing setter on Object.prototype: every property
// the module sets on an object it makes (fetch init and headers, the body,
// lock options, event details, results, the error records, descriptors).
var pollutedNames = []string{
	"auth_token", "method", "redirect", "headers", "body", "keepalive", "credentials", "signal",
	"Content-Type", "steal", "ifAvailable", "state", "previous", "reason", "rttMs", "at",
	"success", "v", "t", "e", "name", "code", "status", "message", "fatal",
	"enumerable", "configurable", // value and writable would break the test's own descriptors
	"startSession", "endSession", "on", "version", "ready",
}

// pollute puts a throwing setter for each of names on proto (a JS
// expression) and removes them when the test ends.
func pollute(t *testing.T, proto string, names []string) {
	t.Helper()
	list := jsEval(t, `return a.split(",")`, strings.Join(names, ","))
	jsEval(t, `for (const k of a) Object.defineProperty(`+proto+`, k, {
		set() { throw new Error("polluted setter " + k); }, get() { return undefined; }, configurable: true });`, list)
	t.Cleanup(func() { jsEval(t, `for (const k of a) delete `+proto+`[k];`, list) })
}

// A page that put throwing setters on Object.prototype and Error.prototype,
// and getters that would change fetch's init, still gets a working session.
func TestPollutedPrototypesDoNotReachTheModule(t *testing.T) {
	api, env, engine := newRealAPI(t)
	// A fetch with no Node internals behind it (Node's Response and
	// EventTarget are JavaScript, and assign "status", "body", "previous"...
	// themselves; a browser's are not): it records the init and answers
	// success with a plain object.
	jsEval(t, `a.inits = [];
	a.fetch = function (url, init) {
		a.calls.push({ url, method: init.method, body: init.body });
		a.inits.push({ redirect: init.redirect, mode: init.mode, proto: Object.getPrototypeOf(init) });
		return Promise.resolve({ status: 200, type: "basic", headers: { get() { return null; } },
			text() { return Promise.resolve('{"success":true}'); } });
	};`, env)
	pollute(t, "Object.prototype", pollutedNames)
	pollute(t, "Error.prototype", []string{"name", "code", "status", "message"})
	// An inherited getter that fetch would read from an ordinary init.
	jsEval(t, `Object.defineProperty(Object.prototype, "mode", { get() { return "no-cors"; }, configurable: true })`)
	t.Cleanup(func() { jsEval(t, `delete Object.prototype.mode`) })

	states := jsEval(t, `const s = []; a.on("statechange", (d) => s.push(d.state + "<" + d.previous)); return s;`, api)
	s := await(t, jsEval(t, `return a.startSession(b, c)`, api, goodToken, pageOrigin))
	require.False(t, s.rejected, "rejected: %s", stringProp(s.value, "message"))
	assert.True(t, boolean(t, s.value, "success"))
	assert.Equal(t, session.StateActive, engine.State())
	require.GreaterOrEqual(t, callCount(t, env), 1)
	c := call(t, env, 0)
	assert.Equal(t, "POST", str(t, c, "method"))
	assert.Equal(t, goodToken, str(t, jsEval(t, "return JSON.parse(a)", prop(c, "body")), "auth_token"))
	init := must(prop(env, "inits").Index(0))
	assert.Equal(t, "manual", str(t, init, "redirect"))
	assert.True(t, prop(init, "mode").IsUndefined(), "fetch's init inherits from Object.prototype")
	assert.True(t, prop(init, "proto").IsNull())
	assert.Equal(t, "starting<idle,active<starting", str(t, jsEval(t, `return a.join()`, states)))
	assert.Equal(t, "active", str(t, jsEval(t, `return a.state()`, api)))

	// Error.prototype setters: a rejection is still built, with own fields.
	s = await(t, jsEval(t, `return a.startSession(42)`, api))
	require.True(t, s.rejected)
	requireGameSessionError(t, s.value, session.CodeInvalidArgument, 0)
	r := jsEval(t, `try { a.on(1n, () => {}); return {}; } catch (e) { return {e}; }`, api)
	requireGameSessionError(t, prop(r, "e"), session.CodeInvalidArgument, 0)

	s = await(t, jsEval(t, `return a.endSession()`, api))
	require.False(t, s.rejected, "rejected: %s", stringProp(s.value, "message"))
	assert.Equal(t, session.StateEnded, engine.State())
	t.Logf("polluted names: %d on Object.prototype (+1 getter), 4 on Error.prototype", len(pollutedNames))
}

// Without a loader, Handover defines the globals' namespace; a setter on
// Object.prototype for one of its keys does not stop it.
func TestHandoverUnderPollution(t *testing.T) {
	api, _ := newFakeAPI(t, &fakeEngine{})
	pollute(t, "Object.prototype", []string{"startSession", "endSession", "state", "on", "version", "ready"})
	g := jsEval(t, `return {}`)
	require.NoError(t, Handover(g, api))
	assert.True(t, boolean(t, jsEval(t, `return a.GameSession.on === b.on && a.GameSession.ready instanceof Promise`, g, api)))
}

// fetchInit is shared by Do, the keepalive beacon and fetchLater: all three
// ask for redirect "manual".
func TestEveryRequestRefusesRedirects(t *testing.T) {
	env := withFetchLater(t)
	jsEval(t, `a.fetch = ((fetch) => function (url, init) {
		a.redirects = (a.redirects || []).concat(init.redirect);
		return fetch.call(this, url, init);
	})(a.fetch);
	a.fetchLater = ((fl) => function (url, init) {
		a.redirects = (a.redirects || []).concat(init.redirect);
		return fl.call(this, url, init);
	})(a.fetchLater);`, env)
	tr := NewTransport(env)
	_, err := tr.Do(session.Request{URL: testURL, Token: goodToken}, 0, nil)
	require.NoError(t, err)
	require.NoError(t, tr.Beacon(session.Request{URL: endURL, Token: goodToken}))
	cancel, err := tr.Defer(session.Request{URL: endURL, Token: goodToken})
	require.NoError(t, err)
	cancel()
	assert.Equal(t, "manual,manual,manual", str(t, jsEval(t, `return a.redirects.join()`, env)))
}

// A redirect answer is Redirected, with its status, and its body (which may
// say success:true) unread.
func TestDoRedirectAnswersAreRedirected(t *testing.T) {
	cases := map[string]struct {
		answer string
		status int
	}{
		"307":            {`{status: 307, body: '{"success":true}'}`, 307},
		"308":            {`{status: 308, body: '{"success":true}'}`, 308},
		"302":            {`{status: 302, body: '{"success":true}'}`, 302},
		"301":            {`{status: 301, body: ""}`, 301},
		"303":            {`{status: 303, body: ""}`, 303},
		"300":            {`{status: 300, body: ""}`, 300},
		"opaqueredirect": {`{opaque: true}`, 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env := newFakeEnv(t)
			jsEval(t, `a.fetch = ((fetch) => function (url, init) {
				if (a.script[0] && a.script[0].opaque) {
					a.script.shift();
					// What a browser gives for a redirect under redirect: "manual".
					return Promise.resolve({ type: "opaqueredirect", status: 0, headers: new Headers(),
						text() { a.read = true; return Promise.resolve(""); } });
				}
				return fetch.call(this, url, init);
			})(a.fetch)`, env)
			script(t, env, tc.answer)
			resp, err := NewTransport(env).Do(session.Request{URL: testURL, Token: goodToken}, 0, nil)
			require.NoError(t, err)
			assert.True(t, resp.Redirected)
			assert.Equal(t, tc.status, resp.Status)
			assert.Nil(t, resp.Body, "a redirect's body is not read")
			assert.True(t, prop(env, "read").IsUndefined())
		})
	}
	t.Logf("redirect answers: %d, each Redirected", len(cases))
}

func TestDoReadsRetryAfter(t *testing.T) {
	cases := map[string]struct {
		header   string // JS expression
		min, max time.Duration
	}{
		"seconds":          {`"120"`, 120 * time.Second, 120 * time.Second},
		"zero":             {`"0"`, 0, 0},
		"padded":           {`" 7 "`, 7 * time.Second, 7 * time.Second},
		"HTTP date +1h":    {`new Date(Date.now() + 3600e3).toUTCString()`, 3590 * time.Second, time.Hour},
		"HTTP date past":   {`new Date(Date.now() - 3600e3).toUTCString()`, 0, 0},
		"garbage":          {`"soon"`, 0, 0},
		"negative":         {`"-5"`, 0, 0},
		"fraction":         {`"1.5"`, 0, 0},
		"huge":             {`"9".repeat(40)`, maxRetryAfter, maxRetryAfter},
		"date far future":  {`"Fri, 31 Dec 9999 23:59:59 GMT"`, maxRetryAfter, maxRetryAfter},
		"too long to read": {`"1".repeat(100)`, 0, 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env := newFakeEnv(t)
			jsEval(t, `a.fetch = ((fetch) => function (url, init) {
				return fetch.call(this, url, init).then((r) => new Response(r.body, { status: 429, headers: { "Retry-After": b } }));
			})(a.fetch)`, env, jsEval(t, "return "+tc.header))
			resp, err := NewTransport(env).Do(session.Request{URL: testURL, Token: goodToken}, 0, nil)
			require.NoError(t, err)
			assert.Equal(t, 429, resp.Status)
			assert.GreaterOrEqual(t, resp.RetryAfter, tc.min)
			assert.LessOrEqual(t, resp.RetryAfter, tc.max)
		})
	}
}

// A server that echoes the token: err.message and the error event carry
// neither the token nor any 8-byte piece of it, and are clipped.
func TestServerMessagesAreClippedAndScrubbed(t *testing.T) {
	api, env, _ := newRealAPI(t)
	piece := goodToken[10:30]
	msg := "token " + goodToken + " refused; part " + piece + "; " + strings.Repeat("x", 1000)
	jsEval(t, `a.script.push({status: 401, body: JSON.stringify({error: "UNAUTHORIZED", message: b})})`, env, msg)
	events := jsEval(t, `const e = []; a.on("error", (d) => e.push(d.message)); return e;`, api)
	s := await(t, jsEval(t, `return a.startSession(b, c)`, api, goodToken, pageOrigin))
	require.True(t, s.rejected)
	got := requireGameSessionError(t, s.value, session.CodeUnauthorized, 401)
	for _, text := range []string{got, str(t, jsEval(t, `return a.join("\n")`, events))} {
		for i := 0; i+scrubWindow <= len(goodToken); i++ {
			require.NotContains(t, text, goodToken[i:i+scrubWindow])
		}
	}
	assert.LessOrEqual(t, utf8.RuneCountInString(got), maxServerText+1)
	assert.True(t, strings.HasPrefix(got, "token … refused; part …; xxx"), got)
}

func TestScrub(t *testing.T) {
	tok := "héllo-wörld-0123456789-abcdef"
	for _, tc := range []struct{ in, want string }{
		{"no secret here", "no secret here"},
		{"whole " + tok + " end", "whole … end"},
		{"piece wörld-0123 end", "piece … end"},
		{"short örld-0 end", "short örld-0 end"}, // 7 bytes shared
		{"twice 0123456789/456789-abcdef", "twice …/…"},
		{"accent cut llo-wörl", "accent cut …"},
		{strings.Repeat("é", 300), strings.Repeat("é", maxServerText) + "…"},
	} {
		got := scrub(tc.in, tok)
		assert.Equal(t, tc.want, got, "scrub(%q)", tc.in)
		assert.True(t, utf8.ValidString(got))
	}
	assert.Equal(t, "a t b", scrub("a t b", "t"), "a token too short is not cut out")
}

// The helper for the Worker transport reads the same answers as Do.
func TestResponseOf(t *testing.T) {
	body := jsEval(t, `return '{"success":false,"message":"' + a + '"}'`, goodToken)
	r := ResponseOf(500, "basic", "3", body, goodToken)
	assert.Equal(t, session.Response{Status: 500, RetryAfter: 3 * time.Second,
		Body: map[string]any{"success": false, "message": "…"}}, r)
	r = ResponseOf(0, "opaqueredirect", "", safejs.Undefined(), goodToken)
	assert.Equal(t, session.Response{Redirected: true}, r)
	big := jsEval(t, `return JSON.stringify({s: "x".repeat(70000)})`)
	assert.Nil(t, ResponseOf(200, "basic", "", big, goodToken).Body, "a body over 64 KiB is not read")
}

// A getter a page put on the global object throws: the module reads globals
// through Reflect.get and sees undefined.
func TestThrowingGlobalGetterReadsAsUndefined(t *testing.T) {
	jsEval(t, `Object.defineProperty(globalThis, "__gsThrows", { get() { throw new Error("getter"); }, configurable: true })`)
	t.Cleanup(func() { jsEval(t, `delete globalThis.__gsThrows`) })
	assert.True(t, jsGlobal("__gsThrows").IsUndefined())
}
