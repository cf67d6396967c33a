//go:build js && wasm

package browser

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const goodToken = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"

// pageOrigin is the fake window's origin (fakeEnvJS). Node has no location,
// so the loader has no page origin to default apiBase to: tests that go
// through the loader pass this one.
const pageOrigin = "https://game.example"

// newRealAPI connects the real engine, over a fake fetch and the fake window
// from fakeEnvJS (origin https://game.example), to the loader's real core,
// and returns what the tests call (connectJS).
func newRealAPI(t *testing.T) (api, env safejs.Value, engine *session.Engine) {
	t.Helper()
	env = newFakeEnv(t)
	goAPI := &API{}
	api, host := connect(t, goAPI, "1.2.3-test", env)
	engine = session.New(session.Config{
		Transport: NewTransport(hostOn(t, env)),
		Page:      NewPage(host),
		Emit:      host.Emit,
	})
	goAPI.Engine = EngineOf(func() *session.Engine { return engine })
	t.Cleanup(func() { _ = engine.End() })
	return api, env, engine
}

// The control for the bad-input table: the same harness does send a request
// for good input, so "zero calls" below means something.
func TestStartSessionWithGoodInputSendsInitiate(t *testing.T) {
	api, env, engine := newRealAPI(t)
	s := await(t, jsEval(t, `return a.startSession(b, {heartbeatIntervalMs: 9000})`, api, goodToken))
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

func TestStartSessionRejectsBadInputAndSendsNothing(t *testing.T) {
	cases := map[string]string{
		// the token
		"no arguments":          `a.startSession()`,
		"undefined token":       `a.startSession(undefined)`,
		"null token":            `a.startSession(null)`,
		"number token":          `a.startSession(42)`,
		"object token":          `a.startSession({token: b})`,
		"array token":           `a.startSession([b])`,
		"String object token":   `a.startSession(new String(b))`,
		"function token":        `a.startSession(() => b)`,
		"symbol token":          `a.startSession(Symbol("t"))`,
		"empty token":           `a.startSession("")`,
		"whitespace-only token": `a.startSession("  \t  ")`,
		"spaces-only token":     `a.startSession("     ")`,
		"100 KB token":          `a.startSession("x".repeat(100 * 1024))`,
		"NUL in token":          `a.startSession(b + "\u0000")`,
		"newline in token":      `a.startSession(b + "\nX-Injected: 1")`,
		"DEL in token":          `a.startSession("ab\u007fcd")`,
		"U+2028 in token":       `a.startSession("ab\u2028cd")`,
		"lone surrogate token":  `a.startSession("ab\ud800cd")`,
		// the options argument itself
		"number options":   `a.startSession(b, 5)`,
		"string options":   `a.startSession(b, "https://api.example.com")`,
		"boolean options":  `a.startSession(b, true)`,
		"array options":    `a.startSession(b, [])`,
		"function options": `a.startSession(b, function () {})`,
		"Map options":      `a.startSession(b, new Map([["debug", true]]))`,
		"Date options":     `a.startSession(b, new Date())`,
		// option types
		"unknown option":              `a.startSession(b, {heartbeatInterval: 9000})`,
		"unknown option (typo case)":  `a.startSession(b, {apibase: "https://api.example.com"})`,
		"interval as string":          `a.startSession(b, {heartbeatIntervalMs: "9000"})`,
		"interval null":               `a.startSession(b, {heartbeatIntervalMs: null})`,
		"negative interval":           `a.startSession(b, {heartbeatIntervalMs: -9000})`,
		"zero interval":               `a.startSession(b, {heartbeatIntervalMs: 0})`,
		"NaN interval":                `a.startSession(b, {heartbeatIntervalMs: NaN})`,
		"Infinity interval":           `a.startSession(b, {heartbeatIntervalMs: Infinity})`,
		"tiny interval":               `a.startSession(b, {heartbeatIntervalMs: 1e-12})`,
		"interval below 10 ms":        `a.startSession(b, {heartbeatIntervalMs: 5})`,
		"huge interval":               `a.startSession(b, {heartbeatIntervalMs: 1e300})`,
		"ttl not above interval":      `a.startSession(b, {heartbeatIntervalMs: 9000, sessionTtlMs: 9000})`,
		"zero timeout":                `a.startSession(b, {requestTimeoutMs: 0})`,
		"timeout as object":           `a.startSession(b, {requestTimeoutMs: {}})`,
		"credentials number":          `a.startSession(b, {credentials: 1})`,
		"credentials unknown":         `a.startSession(b, {credentials: "always"})`,
		"credentials empty":           `a.startSession(b, {credentials: ""})`,
		"debug as string":             `a.startSession(b, {debug: "yes"})`,
		"singleTab as number":         `a.startSession(b, {singleTab: 1})`,
		"takeover null":               `a.startSession(b, {takeover: null})`,
		"backgroundHeartbeats string": `a.startSession(b, {backgroundHeartbeats: "false"})`,
		"apiBase number":              `a.startSession(b, {apiBase: 443})`,
		"apiBase empty":               `a.startSession(b, {apiBase: ""})`,
		"apiBase unparsable":          `a.startSession(b, {apiBase: "http://[::1"})`,
		"apiBase ftp":                 `a.startSession(b, {apiBase: "ftp://api.example.com"})`,
		"apiBase javascript:":         `a.startSession(b, {apiBase: "javascript:alert(1)"})`,
		"apiBase with credentials":    `a.startSession(b, {apiBase: "https://user:pass@api.example.com"})`,
		"apiBase with query":          `a.startSession(b, {apiBase: "https://api.example.com/?x=1"})`,
		"throwing getter":             `a.startSession(b, {get debug() { throw new Error("getter"); }})`,
		"Proxy throwing ownKeys":      `a.startSession(b, new Proxy({}, {ownKeys() { throw new Error("trap"); }}))`,
		"Proxy throwing get":          `a.startSession(b, new Proxy({debug: true}, {get() { throw new Error("trap"); }}))`,
	}
	for name, expr := range cases {
		t.Run(name, func(t *testing.T) {
			api, env, engine := newRealAPI(t)
			p := jsEval(t, "return "+expr, api, goodToken)
			s := await(t, p)
			require.True(t, s.rejected, "resolved")
			msg := requireGameSessionError(t, s.value, session.CodeInvalidArgument, 0)
			assert.NotContains(t, msg, goodToken, "the message must not echo the token")
			assert.Equal(t, 0, callCount(t, env), "a request was sent")
			assert.Equal(t, session.StateIdle, engine.State())
		})
	}
}

// Without a page origin (Node has no location) apiBase is required.
func TestStartSessionWithoutOriginNeedsAPIBase(t *testing.T) {
	api, env, _ := newRealAPI(t)
	jsEval(t, `delete a.location`, env)
	s := await(t, jsEval(t, `return a.startSession(b)`, api, goodToken))
	require.True(t, s.rejected)
	msg := requireGameSessionError(t, s.value, session.CodeInvalidArgument, 0)
	assert.Contains(t, msg, "apiBase")
	assert.Equal(t, 0, callCount(t, env))

	s = await(t, jsEval(t, `return a.startSession(b, {apiBase: "https://api.example.com/v1/"})`, api, goodToken))
	require.False(t, s.rejected, "rejected: %s", stringProp(s.value, "message"))
	assert.Equal(t, "https://api.example.com/v1/api/games/sessions/initiate", str(t, call(t, env, 0), "url"))
}

// fakeEngine records what Start got and can panic.
type fakeEngine struct {
	mu     sync.Mutex
	token  string
	opts   session.Options
	starts int
	panicN int   // Start panics on this call number
	err    error // what Start and End return
}

func (f *fakeEngine) Start(token string, opts session.Options) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starts++
	if f.starts == f.panicN {
		panic("engine bug")
	}
	f.token, f.opts = token, opts
	return f.err
}
func (f *fakeEngine) End() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}
func (f *fakeEngine) State() session.State { return session.StateActive }

func (f *fakeEngine) engine() Engine { return Engine{Start: f.Start, End: f.End, State: f.State} }

func newFakeAPI(t *testing.T, eng *fakeEngine) (api, env safejs.Value) {
	t.Helper()
	env = newFakeEnv(t)
	api, _ = connect(t, &API{Engine: eng.engine()}, "v9", env)
	return api, env
}

func TestStartSessionPassesParsedOptions(t *testing.T) {
	eng := &fakeEngine{}
	api, _ := newFakeAPI(t, eng)
	s := await(t, jsEval(t, `return a.startSession(b, {
		apiBase: "/platform/", heartbeatIntervalMs: 2500.5, sessionTtlMs: 4000, requestTimeoutMs: 1000,
		credentials: "include", singleTab: false, takeover: true, debug: true, backgroundHeartbeats: false,
		requestTimeoutMs: undefined,
	})`, api, goodToken))
	require.False(t, s.rejected, "rejected: %s", stringProp(s.value, "message"))
	assert.Equal(t, goodToken, eng.token)
	o := eng.opts
	assert.Equal(t, "https://game.example/platform", o.APIBase, "resolved against location.href, no trailing slash")
	assert.Equal(t, 2500500000, int(o.HeartbeatInterval))
	assert.Equal(t, 4000000000, int(o.SessionTTL))
	assert.Equal(t, session.DefaultRequestTimeout, o.RequestTimeout, "undefined means default")
	assert.Equal(t, "include", o.Credentials)
	assert.False(t, o.SingleTab)
	assert.True(t, o.Takeover)
	assert.True(t, o.Debug)
}

func TestStartSessionDefaultsAPIBaseToOrigin(t *testing.T) {
	for _, opts := range []string{"undefined", "null", "{}"} {
		t.Run(opts, func(t *testing.T) {
			eng := &fakeEngine{}
			api, _ := newFakeAPI(t, eng)
			s := await(t, jsEval(t, `return a.startSession(b, `+opts+`)`, api, goodToken))
			require.False(t, s.rejected, "rejected: %s", stringProp(s.value, "message"))
			assert.Equal(t, "https://game.example", eng.opts.APIBase)
			assert.Equal(t, session.DefaultHeartbeatInterval, eng.opts.HeartbeatInterval)
		})
	}
}

// A Go panic inside the engine rejects that one call; the next call works.
func TestStartSessionPanicRejectsAndNextCallWorks(t *testing.T) {
	eng := &fakeEngine{panicN: 1}
	api, _ := newFakeAPI(t, eng)
	s := await(t, jsEval(t, `return a.startSession(b)`, api, goodToken))
	require.True(t, s.rejected)
	msg := requireGameSessionError(t, s.value, session.CodeInvalidState, 0)
	assert.Equal(t, "internal error: engine bug", msg)

	s = await(t, jsEval(t, `return a.startSession(b)`, api, goodToken))
	require.False(t, s.rejected, "rejected: %s", stringProp(s.value, "message"))
	assert.True(t, boolean(t, s.value, "success"))
	assert.Equal(t, 2, eng.starts)
}

func TestVersionAndStateReachTheLoader(t *testing.T) {
	api, _ := newFakeAPI(t, &fakeEngine{})
	assert.Equal(t, "idle", str(t, jsEval(t, `return a.state()`, api)), "before ready")
	require.False(t, await(t, prop(prop(api, "gs"), "ready")).rejected)
	assert.Equal(t, "v9", str(t, prop(api, "gs"), "version"))
	assert.Equal(t, "active", str(t, jsEval(t, `return a.state()`, api)))
}

// settle's (code, status, message) becomes the loader's GameSessionError.
func TestSettleMapsErrors(t *testing.T) {
	cases := []struct {
		err    error
		code   session.Code
		status int
		msg    string
	}{
		{&session.Error{Code: session.CodeAlreadyInGame, Status: 400, Message: "already"}, session.CodeAlreadyInGame, 400, "already"},
		{errors.Join(errors.New("wrapped"), &session.Error{Code: session.CodeServerError, Status: 503, Message: "down"}), session.CodeServerError, 503, "down"},
		{fmt.Errorf("wrapped: %w", &session.Error{Code: session.CodeUnauthorized, Status: 401, Message: "no"}), session.CodeUnauthorized, 401, "no"},
		{session.ErrTimeout, session.CodeTimeout, 0, "timed out"},
		{errors.New("odd"), session.CodeInvalidState, 0, "internal error: odd"},
	}
	for _, c := range cases {
		t.Run(c.msg, func(t *testing.T) {
			api, _ := newFakeAPI(t, &fakeEngine{err: c.err})
			for _, call := range []string{`a.startSession(b)`, `a.endSession()`} {
				s := await(t, jsEval(t, "return "+call, api, goodToken))
				require.True(t, s.rejected, call)
				assert.Equal(t, c.msg, requireGameSessionError(t, s.value, c.code, c.status), call)
			}
		})
	}
}

// Go's own check, for a caller that skipped the loader's: a string longer
// than the cap is refused by its length, settled before the call returns.
func TestStartSessionExportRefusesLongTokensByLength(t *testing.T) {
	api, env := newFakeAPI(t, &fakeEngine{})
	// The raw export takes the flat arguments (StartArgs), then settle.
	got := jsEval(t, `const got = [];
		const flat = (token) => [token, b, ...Array(8).fill(undefined)];
		a.go.start(...flat("x".repeat(8193)), (...r) => got.push(r));
		a.go.start(...flat(42), (...r) => got.push(r));
		return got;`, api, pageOrigin)
	require.Equal(t, 2, must(got.Length()), "settled before the call returned")
	assert.Equal(t, "INVALID_ARGUMENT", str(t, must(must(got.Index(0)).Index(0))))
	assert.Contains(t, str(t, must(must(got.Index(0)).Index(2))), "too long")
	assert.Equal(t, 0.0, num(t, must(must(got.Index(1)).Index(1))))
	assert.Equal(t, 0, callCount(t, env))
}

// The page's lifecycle listeners come with the first startSession whose
// arguments are good, once.
func TestFirstStartRunsOnceAtTheFirstGoodStart(t *testing.T) {
	n := 0
	api, _ := connect(t, &API{Engine: (&fakeEngine{}).engine(), FirstStart: func() { n++ }}, "v", newFakeEnv(t))
	require.True(t, await(t, jsEval(t, `return a.startSession(42)`, api)).rejected)
	assert.Equal(t, 0, n, "bad arguments start nothing")
	require.False(t, await(t, jsEval(t, `return a.startSession(b)`, api, goodToken)).rejected)
	require.False(t, await(t, jsEval(t, `return a.startSession(b)`, api, goodToken)).rejected)
	assert.Equal(t, 1, n)
}

func TestErrorMessagesNeverHoldTheToken(t *testing.T) {
	api, _, _ := newRealAPI(t)
	secret := "SECRET" + strings.Repeat("s", 20) + "\u0001"
	s := await(t, jsEval(t, `return a.startSession(b)`, api, secret))
	require.True(t, s.rejected)
	assert.NotContains(t, requireGameSessionError(t, s.value, session.CodeInvalidArgument, 0), "SECRET")
}

// Calls made in one JS task reach the engine in call order: each export's
// goroutine runs until it blocks before the JS call returns.
func TestStartThenEndInOneTaskKeepOrder(t *testing.T) {
	api, env, _ := newRealAPI(t)
	both := jsEval(t, `return [a.startSession(b), a.endSession()]`, api, goodToken)
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
