//go:build js && wasm

package browser

import (
	"testing"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const endURL = "https://api.example.com/api/games/sessions/end"

// withFetchLater adds a fake fetchLater to a fake env (Node has none): it
// records each call and whether its signal aborted; a.laterThrows makes it
// throw as a browser does when it cannot defer.
func withFetchLater(t *testing.T) safejs.Value {
	t.Helper()
	env := newFakeEnv(t)
	jsEval(t, `
a.later = [];
a.fetchLater = function (url, init) {
  if (a.laterThrows) throw new DOMException(a.laterThrows, "QuotaExceededError");
  const call = { url, method: init.method, headers: init.headers, body: init.body,
    credentials: init.credentials, keepalive: init.keepalive, activateAfter: init.activateAfter,
    hasSignal: init.signal instanceof AbortSignal, aborted: false };
  if (init.signal) init.signal.addEventListener("abort", () => { call.aborted = true; call.aborts = (call.aborts || 0) + 1; });
  a.later.push(call);
  return { activated: false };
};`, env)
	return env
}

func later(t *testing.T, env safejs.Value, i int) safejs.Value {
	t.Helper()
	c, err := prop(env, "later").Index(i)
	require.NoError(t, err)
	return c
}

func TestDeferRegistersTheEndWithFetchLater(t *testing.T) {
	env := withFetchLater(t)
	cancel, err := NewTransport(hostOn(t, env)).Defer(session.Request{Op: session.OpEnd, URL: endURL, Token: `t"k`, Credentials: "include"})
	require.NoError(t, err)
	c := later(t, env, 0)
	assert.Equal(t, endURL, str(t, c, "url"))
	assert.Equal(t, "POST", str(t, c, "method"))
	assert.Equal(t, "application/json", str(t, c, "headers", "Content-Type"))
	assert.Equal(t, `{"auth_token":"t\"k"}`, str(t, c, "body"))
	assert.Equal(t, "include", str(t, c, "credentials"))
	assert.True(t, boolean(t, c, "hasSignal"))
	assert.True(t, prop(c, "activateAfter").IsUndefined(), "never sent while the page lives")
	assert.True(t, prop(c, "keepalive").IsUndefined(), "fetchLater is keepalive by nature")
	assert.Zero(t, callCount(t, env), "nothing sent now")

	assert.False(t, boolean(t, c, "aborted"))
	cancel()
	cancel()
	assert.True(t, boolean(t, c, "aborted"))
	assert.Equal(t, 1.0, num(t, c, "aborts"), "aborted once")
}

func TestDeferWithoutFetchLater(t *testing.T) {
	env := newFakeEnv(t)
	_, err := NewTransport(hostOn(t, env)).Defer(session.Request{Op: session.OpEnd, URL: endURL, Token: "t"})
	assert.ErrorIs(t, err, errNoFetchLater)
	assert.Zero(t, callCount(t, env), "no fallback request")
}

// fetchLater throws where it cannot defer: the error is returned, not thrown.
func TestDeferWhenFetchLaterThrows(t *testing.T) {
	env := withFetchLater(t)
	jsEval(t, `a.laterThrows = "deferred fetch quota exceeded"`, env)
	cancel, err := NewTransport(hostOn(t, env)).Defer(session.Request{Op: session.OpEnd, URL: endURL, Token: "t"})
	require.Error(t, err)
	assert.Nil(t, cancel)
	assert.Contains(t, err.Error(), "QuotaExceededError: deferred fetch quota exceeded")
}

func TestTransportIsADeferredSender(t *testing.T) {
	var tr session.Transport = NewTransport(hostOn(t, newFakeEnv(t)))
	_, ok := tr.(session.DeferredSender)
	assert.True(t, ok, "the engine finds fetchLater by this type assertion")
}

// Where fetchLater exists, pagehide's end is a fetchLater sent at once
// (activateAfter: 0), so that the game's own keepalive requests cannot use
// up its quota; no keepalive fetch and no beacon besides.
func TestBeaconIsFetchLaterActivatedAtOnce(t *testing.T) {
	env := withFetchLater(t)
	err := NewTransport(hostOn(t, env)).Beacon(session.Request{Op: session.OpEnd, URL: endURL, Token: `t"k`, Credentials: "include", KeepAlive: true})
	require.NoError(t, err)
	c := later(t, env, 0)
	assert.Equal(t, endURL, str(t, c, "url"))
	assert.Equal(t, "POST", str(t, c, "method"))
	assert.Equal(t, "application/json", str(t, c, "headers", "Content-Type"))
	assert.Equal(t, `{"auth_token":"t\"k"}`, str(t, c, "body"))
	assert.Equal(t, "include", str(t, c, "credentials"))
	assert.Equal(t, 0.0, num(t, c, "activateAfter"))
	assert.True(t, prop(c, "keepalive").IsUndefined())
	assert.Zero(t, callCount(t, env), "no keepalive fetch besides")
	assert.Zero(t, num(t, jsEval(t, "return {n: a.beacons.length}", env), "n"), "no sendBeacon besides")
}

// When fetchLater throws (an insecure URL, its quota), Beacon falls back to a
// keepalive fetch.
func TestBeaconFallsBackWhenFetchLaterThrows(t *testing.T) {
	env := withFetchLater(t)
	jsEval(t, `a.laterThrows = "deferred fetch quota exceeded"`, env)
	require.NoError(t, NewTransport(hostOn(t, env)).Beacon(session.Request{Op: session.OpEnd, URL: endURL, Token: "t"}))
	require.Equal(t, 1, callCount(t, env))
	assert.True(t, boolean(t, call(t, env, 0), "keepalive"))
}
