//go:build js && wasm

package browser

import (
	"strings"
	"sync"
	"testing"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const goodToken = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"

// pageOrigin is the fake window's origin (fakeEnvJS): what the loader passes
// as apiBase when a game gives none. The Go module's startSession takes flat,
// checked arguments (options.go); the loader's checks are js/test's.
const pageOrigin = "https://game.example"

// newRealAPI builds the JS API object over the real engine, a fake fetch and
// the fake window from fakeEnvJS (origin https://game.example).
func newRealAPI(t *testing.T) (api, env safejs.Value, engine *session.Engine) {
	t.Helper()
	env = newFakeEnv(t)
	listeners := NewListeners(jsGlobal("console"))
	engine = session.New(session.Config{
		Transport: NewTransport(env),
		Page:      NewPage(env),
		Emit:      listeners.Dispatch,
	})
	api, err := (&API{Global: env, Engine: engine, Listeners: listeners, Version: "1.2.3-test"}).Object()
	require.NoError(t, err)
	t.Cleanup(func() { _ = engine.End() })
	return api, env, engine
}

// The control for the bad-input table: the same harness does send a request
// for good input, so "zero calls" below means something.
func TestStartSessionWithGoodInputSendsInitiate(t *testing.T) {
	api, env, engine := newRealAPI(t)
	s := await(t, jsEval(t, `return a.startSession(b, c, 9000)`, api, goodToken, pageOrigin))
	require.False(t, s.rejected, "rejected: %s", stringProp(s.value, "message"))
	assert.True(t, boolean(t, s.value, "success"))
	require.GreaterOrEqual(t, callCount(t, env), 1)
	c := call(t, env, 0)
	assert.Equal(t, "https://game.example/api/games/sessions/initiate", str(t, c, "url"))
	assert.Equal(t, goodToken, str(t, jsEval(t, "return JSON.parse(a)", prop(c, "body")), "auth_token"))
	assert.Equal(t, "same-origin", str(t, c, "credentials"))
	assert.Equal(t, "active", str(t, jsEval(t, "return a.state()", api)))
	assert.Equal(t, session.StateActive, engine.State())

	s = await(t, jsEval(t, `return a.endSession()`, api))
	require.False(t, s.rejected, "rejected: %s", stringProp(s.value, "message"))
	assert.True(t, boolean(t, s.value, "success"))
	assert.Equal(t, "ended", str(t, jsEval(t, "return a.state()", api)))
}

// Bad flat arguments: the token's content (session.ValidateToken), the
// ranges (Options.Validate), and types that only a caller other than the
// loader could pass. (a: the API, b: a good token, c: pageOrigin.)
func TestStartSessionRejectsBadInputAndSendsNothing(t *testing.T) {
	cases := map[string]string{
		// the token
		"no arguments":          `a.startSession()`,
		"undefined token":       `a.startSession(undefined, c)`,
		"null token":            `a.startSession(null, c)`,
		"number token":          `a.startSession(42, c)`,
		"object token":          `a.startSession({token: b}, c)`,
		"String object token":   `a.startSession(new String(b), c)`,
		"symbol token":          `a.startSession(Symbol("t"), c)`,
		"empty token":           `a.startSession("", c)`,
		"whitespace-only token": `a.startSession("  \t  ", c)`,
		"100 KB token":          `a.startSession("x".repeat(100 * 1024), c)`,
		"NUL in token":          `a.startSession(b + "\u0000", c)`,
		"newline in token":      `a.startSession(b + "\nX-Injected: 1", c)`,
		"DEL in token":          `a.startSession("ab\u007fcd", c)`,
		"U+2028 in token":       `a.startSession("ab\u2028cd", c)`,
		// apiBase
		"no apiBase":            `a.startSession(b)`,
		"apiBase number":        `a.startSession(b, 443)`,
		"apiBase ftp":           `a.startSession(b, "ftp://api.example.com")`,
		"apiBase relative":      `a.startSession(b, "/platform")`,
		"apiBase sessions path": `a.startSession(b, "https://api.example.com/api/games/sessions")`,
		// ranges and types
		"interval as string":          `a.startSession(b, c, "9000")`,
		"interval null":               `a.startSession(b, c, null)`,
		"negative interval":           `a.startSession(b, c, -9000)`,
		"zero interval":               `a.startSession(b, c, 0)`,
		"NaN interval":                `a.startSession(b, c, NaN)`,
		"Infinity interval":           `a.startSession(b, c, Infinity)`,
		"tiny interval":               `a.startSession(b, c, 1e-12)`,
		"interval below 10 ms":        `a.startSession(b, c, 5)`,
		"huge interval":               `a.startSession(b, c, 1e300)`,
		"ttl not above interval":      `a.startSession(b, c, 9000, 9000)`,
		"ttl above an hour":           `a.startSession(b, c, undefined, 3600001)`,
		"zero timeout":                `a.startSession(b, c, undefined, undefined, 0)`,
		"timeout over 10 minutes":     `a.startSession(b, c, undefined, undefined, 600001)`,
		"timeout as object":           `a.startSession(b, c, undefined, undefined, {})`,
		"credentials number":          `a.startSession(b, c, undefined, undefined, undefined, 1)`,
		"credentials unknown":         `a.startSession(b, c, undefined, undefined, undefined, "always")`,
		"credentials empty":           `a.startSession(b, c, undefined, undefined, undefined, "")`,
		"singleTab as number":         `a.startSession(b, c, undefined, undefined, undefined, undefined, 1)`,
		"takeover null":               `a.startSession(b, c, undefined, undefined, undefined, undefined, undefined, null)`,
		"debug as string":             `a.startSession(b, c, undefined, undefined, undefined, undefined, undefined, undefined, "yes")`,
		"backgroundHeartbeats string": `a.startSession(b, c, undefined, undefined, undefined, undefined, undefined, undefined, undefined, "false")`,
	}
	for name, expr := range cases {
		t.Run(name, func(t *testing.T) {
			api, env, engine := newRealAPI(t)
			p := jsEval(t, "return "+expr, api, goodToken, pageOrigin)
			s := await(t, p)
			require.True(t, s.rejected, "resolved")
			msg := requireGameSessionError(t, s.value, session.CodeInvalidArgument, 0)
			assert.NotContains(t, msg, goodToken, "the message must not echo the token")
			assert.Equal(t, 0, callCount(t, env), "a request was sent")
			assert.Equal(t, session.StateIdle, engine.State())
		})
	}
}

// Without an apiBase (the loader always passes one) the error names it; with
// one the request goes there.
func TestStartSessionWithoutAPIBaseIsInvalid(t *testing.T) {
	api, env, _ := newRealAPI(t)
	s := await(t, jsEval(t, `return a.startSession(b)`, api, goodToken))
	require.True(t, s.rejected)
	msg := requireGameSessionError(t, s.value, session.CodeInvalidArgument, 0)
	assert.Contains(t, msg, "apiBase")
	assert.Equal(t, 0, callCount(t, env))

	s = await(t, jsEval(t, `return a.startSession(b, "https://api.example.com/v1")`, api, goodToken))
	require.False(t, s.rejected, "rejected: %s", stringProp(s.value, "message"))
	assert.Equal(t, "https://api.example.com/v1/api/games/sessions/initiate", str(t, call(t, env, 0), "url"))
}

// fakeEngine records what Start got and can panic.
type fakeEngine struct {
	mu     sync.Mutex
	token  string
	opts   session.Options
	starts int
	panicN int // Start panics on this call number
}

func (f *fakeEngine) Start(token string, opts session.Options) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starts++
	if f.starts == f.panicN {
		panic("engine bug")
	}
	f.token, f.opts = token, opts
	return nil
}
func (f *fakeEngine) End() error           { return nil }
func (f *fakeEngine) State() session.State { return session.StateActive }

func newFakeAPI(t *testing.T, eng *fakeEngine) (api, env safejs.Value) {
	t.Helper()
	env = newFakeEnv(t)
	api, err := (&API{Global: env, Engine: eng, Listeners: NewListeners(jsGlobal("console")), Version: "v9"}).Object()
	require.NoError(t, err)
	return api, env
}

func TestStartSessionPassesParsedOptions(t *testing.T) {
	eng := &fakeEngine{}
	api, _ := newFakeAPI(t, eng)
	s := await(t, jsEval(t, `return a.startSession(b, "https://game.example/platform", 2500.5, 4000, undefined,
		"include", false, true, true, false, "a trailing argument of the bridge's")`, api, goodToken))
	require.False(t, s.rejected, "rejected: %s", stringProp(s.value, "message"))
	assert.Equal(t, goodToken, eng.token)
	o := eng.opts
	assert.Equal(t, "https://game.example/platform", o.APIBase)
	assert.Equal(t, 2500500000, int(o.HeartbeatInterval))
	assert.Equal(t, 4000000000, int(o.SessionTTL))
	assert.Equal(t, session.DefaultRequestTimeout, o.RequestTimeout, "undefined means default")
	assert.Equal(t, "include", o.Credentials)
	assert.False(t, o.SingleTab)
	assert.True(t, o.Takeover)
	assert.True(t, o.Debug)
	assert.False(t, o.BackgroundHeartbeats)
}

// Options not given are session.DefaultOptions'.
func TestStartSessionDefaultsAreDefaultOptions(t *testing.T) {
	for _, args := range []string{"b, c", "b, c, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined"} {
		t.Run(args, func(t *testing.T) {
			eng := &fakeEngine{}
			api, _ := newFakeAPI(t, eng)
			s := await(t, jsEval(t, `return a.startSession(`+args+`)`, api, goodToken, pageOrigin))
			require.False(t, s.rejected, "rejected: %s", stringProp(s.value, "message"))
			want := session.DefaultOptions()
			want.APIBase = pageOrigin
			assert.Equal(t, want, eng.opts)
		})
	}
}

// A Go panic inside the engine rejects that one call; the next call works.
func TestStartSessionPanicRejectsAndNextCallWorks(t *testing.T) {
	eng := &fakeEngine{panicN: 1}
	api, _ := newFakeAPI(t, eng)
	s := await(t, jsEval(t, `return a.startSession(b, c)`, api, goodToken, pageOrigin))
	require.True(t, s.rejected)
	msg := requireGameSessionError(t, s.value, session.CodeInvalidState, 0)
	assert.Equal(t, "internal error: engine bug", msg)

	s = await(t, jsEval(t, `return a.startSession(b, c)`, api, goodToken, pageOrigin))
	require.False(t, s.rejected, "rejected: %s", stringProp(s.value, "message"))
	assert.True(t, boolean(t, s.value, "success"))
	assert.Equal(t, 2, eng.starts)
}

func TestAPIObjectShape(t *testing.T) {
	api, _ := newFakeAPI(t, &fakeEngine{})
	shape := jsEval(t, `return Object.keys(a).sort().map(k => k + ":" + typeof a[k]).join(",")`, api)
	assert.Equal(t, "endSession:function,on:function,startSession:function,state:function,version:string",
		str(t, shape))
	assert.Equal(t, "v9", str(t, api, "version"))
	assert.Equal(t, "active", str(t, jsEval(t, `return a.state()`, api)))
}

func TestHandoverWithoutLoaderSetsGlobals(t *testing.T) {
	api, _ := newFakeAPI(t, &fakeEngine{})
	g := jsEval(t, `return {}`)
	require.NoError(t, Handover(g, api))
	assert.True(t, boolean(t, jsEval(t, `return a.startSession === b.startSession && a.endSession === b.endSession &&
		a.GameSession.on === b.on && a.GameSession.state === b.state && a.GameSession.version === b.version &&
		a.GameSession.ready instanceof Promise`, g, api)))
	s := await(t, prop(prop(g, "GameSession"), "ready"))
	assert.False(t, s.rejected)
}

func TestHandoverCallsTheLoaderHook(t *testing.T) {
	api, _ := newFakeAPI(t, &fakeEngine{})
	g := jsEval(t, `const g = {}; g.__gameSessionInit = (api) => { g.got = api; }; return g;`)
	require.NoError(t, Handover(g, api))
	assert.True(t, prop(g, "got").Equal(api))
	assert.True(t, prop(g, "startSession").IsUndefined(), "globals are the loader's job then")
}

func TestPageGlobal(t *testing.T) {
	// The loader's private global (a Proxy over the page's in js/game-session.mjs) names the
	// page's global as its globalThis.
	private := jsEval(t, `return new Proxy({ __gameSessionInit() {} }, { get: (o, k) => k in o ? o[k] : globalThis[k] })`)
	assert.True(t, PageGlobal(private).Equal(safejs.Global()))
	// Without the loader, the global is the page's.
	assert.True(t, PageGlobal(safejs.Global()).Equal(safejs.Global()))
	// Something without a globalThis object: itself.
	g := jsEval(t, `return { globalThis: 42 }`)
	assert.True(t, PageGlobal(g).Equal(g))
}

func TestErrorMessagesNeverHoldTheToken(t *testing.T) {
	api, _, _ := newRealAPI(t)
	secret := "SECRET" + strings.Repeat("s", 20) + "\u0001"
	s := await(t, jsEval(t, `return a.startSession(b, c)`, api, secret, pageOrigin))
	require.True(t, s.rejected)
	assert.NotContains(t, requireGameSessionError(t, s.value, session.CodeInvalidArgument, 0), "SECRET")
}

// Calls made in one JS task reach the engine in call order: each export's
// goroutine runs until it blocks before the JS call returns.
func TestStartThenEndInOneTaskKeepOrder(t *testing.T) {
	api, env, _ := newRealAPI(t)
	both := jsEval(t, `return [a.startSession(b, c), a.endSession()]`, api, goodToken, pageOrigin)
	start, end := await(t, must(both.Index(0))), await(t, must(both.Index(1)))
	require.False(t, end.rejected, "endSession rejected: %s", stringProp(end.value, "message"))
	if start.rejected { // the engine may cancel a start that End overtook
		requireGameSessionError(t, start.value, session.CodeInvalidState, 0)
	}
	require.Equal(t, 2, callCount(t, env))
	assert.True(t, strings.HasSuffix(str(t, call(t, env, 0), "url"), "/initiate"))
	assert.True(t, strings.HasSuffix(str(t, call(t, env, 1), "url"), "/end"))
	assert.Equal(t, "ended", str(t, jsEval(t, "return a.state()", api)))
}
