//go:build js && wasm

package browser

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireGameSessionError checks v is a JS Error named GameSessionError with
// code and status, and returns its message.
func requireGameSessionError(t *testing.T, v safejs.Value, code session.Code, status int) string {
	t.Helper()
	isErr, err := v.InstanceOf(jsGlobal("Error"))
	require.NoError(t, err)
	require.True(t, isErr, "not an Error: %s", typeName(v))
	assert.Equal(t, ErrorName, str(t, v, "name"))
	assert.Equal(t, string(code), str(t, v, "code"), "message: %s", stringProp(v, "message"))
	assert.Equal(t, float64(status), num(t, v, "status"))
	msg := str(t, v, "message")
	assert.NotEmpty(t, msg)
	return msg
}

func TestAsyncResolvesFromAGoroutine(t *testing.T) {
	release := make(chan struct{})
	f, err := Async(func(safejs.Value, []safejs.Value) (func() (any, error), error) {
		return func() (any, error) {
			<-release // blocking here is fine: this is not the JS callback
			return map[string]any{"success": true, "n": 3}, nil
		}, nil
	})
	require.NoError(t, err)
	p, err := f.Value().Invoke()
	require.NoError(t, err)
	close(release)
	s := await(t, p)
	require.False(t, s.rejected)
	assert.True(t, boolean(t, s.value, "success"))
	assert.Equal(t, 3.0, num(t, s.value, "n"))
}

func TestAsyncMapsErrors(t *testing.T) {
	cases := []struct {
		err    error
		code   session.Code
		status int
		msg    string
	}{
		{&session.Error{Code: session.CodeAlreadyInGame, Status: 400, Message: "already"}, session.CodeAlreadyInGame, 400, "already"},
		{errors.Join(errors.New("wrapped"), &session.Error{Code: session.CodeServerError, Status: 503, Message: "down"}), session.CodeServerError, 503, "down"},
		{context.DeadlineExceeded, session.CodeTimeout, 0, "timed out"},
		{errors.New("odd"), session.CodeInvalidState, 0, "internal error: odd"},
	}
	for _, c := range cases {
		t.Run(string(c.code), func(t *testing.T) {
			f, err := Async(func(safejs.Value, []safejs.Value) (func() (any, error), error) {
				return func() (any, error) { return nil, c.err }, nil
			})
			require.NoError(t, err)
			s := await(t, must(f.Value().Invoke()))
			require.True(t, s.rejected)
			assert.Equal(t, c.msg, requireGameSessionError(t, s.value, c.code, c.status))
		})
	}
}

func TestAsyncPanicRejectsAndTheNextCallWorks(t *testing.T) {
	for _, stage := range []string{"prepare", "work"} {
		t.Run(stage, func(t *testing.T) {
			calls := 0
			f, err := Async(func(safejs.Value, []safejs.Value) (func() (any, error), error) {
				calls++
				if calls == 1 && stage == "prepare" {
					panic("prepare exploded")
				}
				n := calls
				return func() (any, error) {
					if n == 1 {
						var m map[string]int
						m["x"] = 1 // a runtime panic, not just panic(string)
					}
					return "ok", nil
				}, nil
			})
			require.NoError(t, err)
			s := await(t, must(f.Value().Invoke()))
			require.True(t, s.rejected)
			msg := requireGameSessionError(t, s.value, session.CodeInvalidState, 0)
			assert.True(t, strings.HasPrefix(msg, "internal error: "), msg)

			s = await(t, must(f.Value().Invoke()))
			require.False(t, s.rejected)
			assert.Equal(t, "ok", str(t, s.value))
		})
	}
}

func TestSyncReturnsThrowsAndSurvivesPanics(t *testing.T) {
	calls := 0
	f, err := Sync(func(_ safejs.Value, args []safejs.Value) (any, error) {
		calls++
		switch calls {
		case 1:
			return "value", nil
		case 2:
			return nil, invalidArgument("bad %s", "thing")
		case 3:
			panic("sync exploded")
		}
		return "again", nil
	}, "fallback")
	require.NoError(t, err)
	// try/catch in JS: what a game's code sees.
	const probe = `try { return {v: a()}; } catch (e) { return {e}; }`
	r := jsEval(t, probe, f)
	assert.Equal(t, "value", str(t, r, "v"))
	r = jsEval(t, probe, f)
	assert.Equal(t, "bad thing", requireGameSessionError(t, prop(r, "e"), session.CodeInvalidArgument, 0))
	r = jsEval(t, probe, f)
	msg := requireGameSessionError(t, prop(r, "e"), session.CodeInvalidState, 0)
	assert.Contains(t, msg, "internal error: sync exploded")
	r = jsEval(t, probe, f)
	assert.Equal(t, "again", str(t, r, "v"))
}

// Where the throwing wrapper is unavailable (a loader is present, or a CSP
// forbids the Function constructor) errors go to the console and the
// fallback is returned; values pass through unwrapped.
func TestSyncWithoutWrapperReturnsFallback(t *testing.T) {
	fail := true
	f, err := syncWith(safejs.Undefined(), func(safejs.Value, []safejs.Value) (any, error) {
		if fail {
			return nil, invalidArgument("bad")
		}
		return "value", nil
	}, noop())
	require.NoError(t, err)
	r := jsEval(t, `return typeof a()`, f)
	assert.Equal(t, "function", str(t, r), "fallback (a no-op function) returned")
	fail = false
	assert.Equal(t, "value", str(t, must(f.Invoke())))
}
