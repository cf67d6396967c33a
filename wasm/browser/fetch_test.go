//go:build js && wasm

package browser

import (
	"strings"
	"testing"

	"github.com/game-session/game-session/wasm/session"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testURL = "https://api.example.com/api/games/sessions/initiate"

func TestDoPostsJSONWithContentTypeAndCredentials(t *testing.T) {
	env := newFakeEnv(t)
	tr := NewTransport(hostOn(t, env))
	_, err := tr.Do(session.Request{
		Op: session.OpInitiate, URL: testURL, Token: `a"b\c`, Credentials: "include",
	}, 0, nil)
	require.NoError(t, err)
	require.Equal(t, 1, callCount(t, env))
	c := call(t, env, 0)
	assert.Equal(t, testURL, str(t, c, "url"))
	assert.Equal(t, "POST", str(t, c, "method"))
	assert.Equal(t, "application/json", str(t, c, "headers", "Content-Type"))
	assert.Equal(t, "include", str(t, c, "credentials"))
	assert.False(t, boolean(t, c, "keepalive"))
	assert.Equal(t, `{"auth_token":"a\"b\\c"}`, str(t, c, "body"))
}

// endSession's end must outlive a navigation that follows at once.
func TestDoKeepAliveRequestIsAKeepaliveFetch(t *testing.T) {
	env := newFakeEnv(t)
	_, err := NewTransport(hostOn(t, env)).Do(session.Request{
		Op: session.OpEnd, URL: testURL, Token: "t", KeepAlive: true,
	}, 0, nil)
	require.NoError(t, err)
	assert.True(t, boolean(t, call(t, env, 0), "keepalive"))
}

func TestDoOmitsCredentialsWhenUnset(t *testing.T) {
	env := newFakeEnv(t)
	_, err := NewTransport(hostOn(t, env)).Do(session.Request{URL: testURL, Token: "t"}, 0, nil)
	require.NoError(t, err)
	assert.True(t, prop(call(t, env, 0), "credentials").IsUndefined())
}

// Each token must come back out of JSON.parse(body) unchanged.
func TestDoBodyRoundTripsAwkwardTokens(t *testing.T) {
	tokens := map[string]string{
		"quotes":      `he said "hi" and 'bye'`,
		"backslashes": `C:\path\to\"x"\\`,
		"emoji":       "🎮👾 game 🕹️",
		"cjk":         "游戏会话トークン게임",
		"script":      `</script><script>alert(1)</script>`,
		"separators":  "line\u2028para\u2029end",
		"jwt":         "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln",
	}
	for name, token := range tokens {
		t.Run(name, func(t *testing.T) {
			env := newFakeEnv(t)
			_, err := NewTransport(hostOn(t, env)).Do(session.Request{URL: testURL, Token: token}, 0, nil)
			require.NoError(t, err)
			back := jsEval(t, "return JSON.parse(a.calls[0].body)", env)
			keys, err := objectKeys(back)
			require.NoError(t, err)
			assert.Equal(t, []string{"auth_token"}, keys)
			assert.Equal(t, token, str(t, back, "auth_token"))
		})
	}
}

func TestDoFetchThrowingSynchronouslyIsAnError(t *testing.T) {
	env := newFakeEnv(t)
	jsEval(t, `a.fetch = function () { throw new TypeError("bad init"); }`, env)
	_, err := NewTransport(hostOn(t, env)).Do(session.Request{URL: testURL, Token: "t"}, 0, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad init")
}

func TestBeaconUsesKeepaliveFetchWithoutWaiting(t *testing.T) {
	env := newFakeEnv(t)
	script(t, env, `{hang: true}`) // never answers: Beacon must not wait for it
	err := NewTransport(hostOn(t, env)).Beacon(session.Request{
		Op: session.OpEnd, URL: "https://api.example.com/api/games/sessions/end", Token: `to"k`, Credentials: "same-origin",
	})
	require.NoError(t, err)
	// Issued synchronously: recorded before Beacon returned.
	require.Equal(t, 1, callCount(t, env))
	c := call(t, env, 0)
	assert.True(t, boolean(t, c, "keepalive"))
	assert.Equal(t, "POST", str(t, c, "method"))
	assert.Equal(t, "https://api.example.com/api/games/sessions/end", str(t, c, "url"))
	assert.Equal(t, "application/json", str(t, c, "headers", "Content-Type"))
	assert.Equal(t, "same-origin", str(t, c, "credentials"))
	assert.Equal(t, `{"auth_token":"to\"k"}`, str(t, c, "body"))
	assert.Equal(t, 0, must(prop(env, "beacons").Length()))
}

// A rejected keepalive fetch must be caught: an unhandled rejection would
// end this Node test process.
func TestBeaconSwallowsFetchRejection(t *testing.T) {
	env := newFakeEnv(t)
	script(t, env, `{fail: "offline"}`)
	require.NoError(t, NewTransport(hostOn(t, env)).Beacon(session.Request{URL: testURL, Token: "t"}))
	// Let the rejection happen while the test still runs.
	_, err := NewTransport(hostOn(t, env)).Do(session.Request{URL: testURL, Token: "t"}, 0, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, callCount(t, env))
}

func TestBeaconFallsBackToSendBeaconWithStringBody(t *testing.T) {
	for name, setup := range map[string]string{
		"no fetch":             `a.fetch = undefined`,
		"no keepalive support": `a.Request = function Request() {}`,
		"fetch throws":         `a.fetch = function () { throw new TypeError("nope"); }`,
	} {
		t.Run(name, func(t *testing.T) {
			env := newFakeEnv(t)
			jsEval(t, setup, env)
			err := NewTransport(hostOn(t, env)).Beacon(session.Request{URL: testURL, Token: "tök\"en"})
			require.NoError(t, err)
			require.Equal(t, 0, callCount(t, env))
			b := jsEval(t, "return a.beacons", env)
			require.Equal(t, 1, must(b.Length()))
			first := must(b.Index(0))
			assert.Equal(t, testURL, str(t, first, "url"))
			assert.Equal(t, "string", str(t, first, "bodyType"))
			assert.Equal(t, `{"auth_token":"tök\"en"}`, str(t, first, "body"))
		})
	}
}

func TestBeaconReportsRefusalAndAbsence(t *testing.T) {
	env := newFakeEnv(t)
	jsEval(t, `a.fetch = undefined; a.navigator.sendBeacon = () => false`, env)
	assert.Error(t, NewTransport(hostOn(t, env)).Beacon(session.Request{URL: testURL, Token: "t"}))

	jsEval(t, `a.navigator = {}`, env)
	err := NewTransport(hostOn(t, env)).Beacon(session.Request{URL: testURL, Token: "secret"})
	require.Error(t, err)
	assert.False(t, strings.Contains(err.Error(), "secret"))
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// waitFor yields until cond holds: the JS side runs while this goroutine
// waits on a channel, so the condition becomes observable without sleeps.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; !cond(); i++ {
		if i > 1000 {
			t.Fatal("condition never held")
		}
		// A resolved-promise round trip lets pending JS jobs run.
		await(t, must(jsGlobal("Promise").Call("resolve")))
	}
}
