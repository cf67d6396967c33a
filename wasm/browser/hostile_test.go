//go:build js && wasm

package browser

import (
	"strings"
	"testing"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Go↔JS edge against a hostile page (issue 12, items 1, 2, 4-7). Each
// table row is one hostile input; the tests log how many they tried.

// throwAllJS is a Proxy whose every trap throws: its handler is itself a
// Proxy that answers every trap lookup with a throwing function.
const throwAllJS = `new Proxy({}, new Proxy({}, { get() { return () => { throw new Error("trap"); }; } }))`

// hostileStarts are startSession calls (a: the API, b: a good token) that
// must reject with INVALID_ARGUMENT, send nothing and throw nothing.
var hostileStarts = map[string]string{
	// Types syscall/js cannot read (it panics "bad type flag").
	"BigInt token":          `a.startSession(1n)`,
	"BigInt option":         `a.startSession(b, {debug: 1n})`,
	"BigInt apiBase":        `a.startSession(b, {apiBase: 1n})`,
	"BigInt options":        `a.startSession(b, 1n)`,
	"BigInt default base":   `a.startSession(b, undefined, 1n)`,
	"Symbol token":          `a.startSession(Symbol.iterator)`,
	"Symbol option":         `a.startSession(b, {takeover: Symbol("x")})`,
	"throw-all Proxy token": `a.startSession(` + throwAllJS + `)`,
	"throw-all Proxy opts":  `a.startSession(b, ` + throwAllJS + `)`,
	"revoked Proxy options": `a.startSession(b, (() => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; })())`,
	// The one plain-object rule.
	"class instance options":  `a.startSession(b, new (class O { constructor() { this.debug = true; } })())`,
	"two-link prototype":      `a.startSession(b, Object.create(Object.create(Object.prototype)))`,
	"Error as options":        `a.startSession(b, new Error("x"))`,
	"boxed string options":    `a.startSession(b, new String("x"))`,
	"getter with default":     `a.startSession(b, {get debug() { throw new Error("getter"); }}, "https://api.example.com")`,
	"apiBase getter throws 1": `a.startSession(b, {get apiBase() { throw 1; }}, "https://api.example.com")`,
	// Blank bases would resolve to the page itself.
	"apiBase spaces":        `a.startSession(b, {apiBase: "   "})`,
	"apiBase tab newline":   `a.startSession(b, {apiBase: "\t\n "})`,
	"apiBase NBSP ideo":     `a.startSession(b, {apiBase: "\u00a0\u3000"})`,
	"apiBase C0 controls":   `a.startSession(b, {apiBase: "\u0001\u001f"})`,
	"default base spaces":   `a.startSession(b, undefined, "   ")`,
	"default base number":   `a.startSession(b, {}, 42)`,
	"default base object":   `a.startSession(b, {}, {toString() { return "https://x.example"; }})`,
	"apiBase 1 MB":          `a.startSession(b, {apiBase: "https://x.example/" + "a".repeat(1 << 20)})`,
	"credentials 1 MB":      `a.startSession(b, {credentials: "a".repeat(1 << 20)})`,
	"lone surrogate + long": `a.startSession("\ud800" + "a".repeat(9000))`,
}

func TestHostileStartSessionArgumentsAreInvalidArgument(t *testing.T) {
	for name, expr := range hostileStarts {
		t.Run(name, func(t *testing.T) {
			api, env, engine := newRealAPI(t)
			// jsEval fails the test if the call throws synchronously.
			s := await(t, jsEval(t, "return "+expr, api, goodToken))
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

// The loader hands its default apiBase over as the third argument; the
// options' own apiBase wins, and any plain object takes the default.
func TestDefaultAPIBaseIsTheThirdArgument(t *testing.T) {
	for name, tc := range map[string]struct{ expr, want string }{
		"no options":            {`a.startSession(b, undefined, "https://api.example.com/v1/")`, "https://api.example.com/v1"},
		"options without base":  {`a.startSession(b, {debug: true}, "https://api.example.com")`, "https://api.example.com"},
		"apiBase undefined":     {`a.startSession(b, {apiBase: undefined}, "https://api.example.com")`, "https://api.example.com"},
		"null-prototype object": {`a.startSession(b, Object.assign(Object.create(null), {debug: true}), "https://api.example.com")`, "https://api.example.com"},
		"own apiBase wins":      {`a.startSession(b, {apiBase: "https://own.example"}, "https://api.example.com")`, "https://own.example"},
		"empty default is none": {`a.startSession(b, {}, "")`, "https://game.example"},
		"null default is none":  {`a.startSession(b, null, null)`, "https://game.example"},
	} {
		t.Run(name, func(t *testing.T) {
			eng := &fakeEngine{}
			api, _ := newFakeAPI(t, eng)
			s := await(t, jsEval(t, "return "+tc.expr, api, goodToken))
			require.False(t, s.rejected, "rejected: %s", stringProp(s.value, "message"))
			assert.Equal(t, tc.want, eng.opts.APIBase)
		})
	}
}

// Length before copy: a token longer than the cap is refused by its .length,
// before the string is copied into Go or scanned for surrogates.
func TestHugeTokensAreTooLongAtOnce(t *testing.T) {
	for name, expr := range map[string]string{
		"a × (2^29-24)": `"a".repeat(2 ** 29 - 24)`,
		"é × 2^28":      `"é".repeat(2 ** 28)`,
		"8193 × a":      `"a".repeat(8193)`,
	} {
		t.Run(name, func(t *testing.T) {
			api, env, _ := newRealAPI(t)
			tok := jsEval(t, "return "+expr)
			start := time.Now()
			p := jsEval(t, "return a.startSession(b)", api, tok)
			took := time.Since(start)
			s := await(t, p)
			require.True(t, s.rejected)
			msg := requireGameSessionError(t, s.value, session.CodeInvalidArgument, 0)
			assert.Contains(t, msg, "too long")
			assert.Less(t, took, 500*time.Millisecond, "the token was copied or scanned")
			assert.Equal(t, 0, callCount(t, env))
			t.Logf("%s: rejected in %v: %s", name, took, msg)
		})
	}
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
// the module and the loader's host set on an object they make (fetch init
// and headers, the body, lock options, event details, results, errors,
// descriptors), and names the bridge used to have (the shim's v, t, e).
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
	s := await(t, jsEval(t, `return a.startSession(b)`, api, goodToken))
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

// The host's init is shared by Do, the keepalive beacon and fetchLater: all three
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
	tr := NewTransport(hostOn(t, env))
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
			resp, err := NewTransport(hostOn(t, env)).Do(session.Request{URL: testURL, Token: goodToken}, 0, nil)
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
			resp, err := NewTransport(hostOn(t, env)).Do(session.Request{URL: testURL, Token: goodToken}, 0, nil)
			require.NoError(t, err)
			assert.Equal(t, 429, resp.Status)
			assert.GreaterOrEqual(t, resp.RetryAfter, tc.min)
			assert.LessOrEqual(t, resp.RetryAfter, tc.max)
		})
	}
}

// A server that echoes the token: err.message and the error event carry
// neither the token nor any 8-byte piece of it (the engine scrubs every
// message, session's TestScrub), and are clipped.
func TestServerMessagesAreClippedAndScrubbed(t *testing.T) {
	api, env, _ := newRealAPI(t)
	piece := goodToken[10:30]
	msg := "token " + goodToken + " refused; part " + piece + "; " + strings.Repeat("x", 1000)
	jsEval(t, `a.script.push({status: 401, body: JSON.stringify({error: "UNAUTHORIZED", message: b})})`, env, msg)
	events := jsEval(t, `const e = []; a.on("error", (d) => e.push(d.message)); return e;`, api)
	s := await(t, jsEval(t, `return a.startSession(b)`, api, goodToken))
	require.True(t, s.rejected)
	got := requireGameSessionError(t, s.value, session.CodeUnauthorized, 401)
	const piece8 = 8
	for _, text := range []string{got, str(t, jsEval(t, `return a.join("\n")`, events))} {
		for i := 0; i+piece8 <= len(goodToken); i++ {
			require.NotContains(t, text, goodToken[i:i+piece8])
		}
	}
	assert.LessOrEqual(t, len(got), 300+len("…"), "clipped by the engine (maxMessage)")
	assert.True(t, strings.HasPrefix(got, "token [token] refused; part [token]; xxx"), got)
}

// The page's fetch and the Worker's answer are read alike (responseOf):
// status, Retry-After, a redirect's body unread, the body's values as Go's.
func TestResponseOf(t *testing.T) {
	body := jsEval(t, `return {success: false, message: "é".repeat(3), list: ["x", null], n: 1}`)
	r := responseOf(jsEval(t, "return 500"), "basic", "3", body)
	assert.Equal(t, session.Response{Status: 500, RetryAfter: 3 * time.Second, Body: map[string]any{
		"success": false, "message": "ééé", "list": []any{"x", nil}, "n": 1.0}}, r)
	r = responseOf(jsEval(t, "return 0"), "opaqueredirect", "", body)
	assert.Equal(t, session.Response{Redirected: true}, r)
	r = responseOf(jsEval(t, "return 302"), "basic", "", body)
	assert.Equal(t, session.Response{Status: 302, Redirected: true}, r)
	deep := jsEval(t, `let v = "deep"; for (let i = 0; i < 100; i++) v = [v]; return v;`)
	assert.NotPanics(t, func() { responseOf(jsEval(t, "return 200"), "basic", "", deep) }, "depth-bounded")
}

// The host hands Go no body over 64 Ki characters, and none that is not JSON.
func TestDoReadsNoHugeOrNonJSONBody(t *testing.T) {
	for name, body := range map[string]string{
		"over 64 KiB": `JSON.stringify({s: "x".repeat(70000)})`,
		"not JSON":    `"<html>busy</html>"`,
	} {
		t.Run(name, func(t *testing.T) {
			env := newFakeEnv(t)
			script(t, env, `{status: 200, body: `+body+`}`)
			resp, err := NewTransport(hostOn(t, env)).Do(session.Request{URL: testURL, Token: goodToken}, 0, nil)
			require.NoError(t, err)
			assert.Equal(t, 200, resp.Status)
			assert.Nil(t, resp.Body)
		})
	}
}

// A getter a page put on the global object throws: the module reads globals
// through Reflect.get and sees undefined.
func TestThrowingGlobalGetterReadsAsUndefined(t *testing.T) {
	jsEval(t, `Object.defineProperty(globalThis, "__gsThrows", { get() { throw new Error("getter"); }, configurable: true })`)
	t.Cleanup(func() { jsEval(t, `delete globalThis.__gsThrows`) })
	assert.True(t, jsGlobal("__gsThrows").IsUndefined())
}
