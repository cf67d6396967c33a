//go:build js && wasm

package browser

import (
	"math"
	"testing"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startArgs evaluates a JS array literal of flat arguments (see options.go)
// and reads it with StartArgs.
func startArgs(t *testing.T, list string) (string, session.Options, error) {
	t.Helper()
	arr := jsEval(t, "return ["+list+"]", goodToken, pageOrigin)
	n, err := arr.Length()
	require.NoError(t, err)
	args := make([]safejs.Value, n)
	for i := range args {
		args[i] = must(arr.Index(i))
	}
	return StartArgs(args)
}

func TestStartArgsOverwritesOnlyGivenOptions(t *testing.T) {
	_, o, err := startArgs(t, "a, b")
	require.NoError(t, err)
	want := session.DefaultOptions()
	want.APIBase = pageOrigin
	assert.Equal(t, want, o, "nothing given: DefaultOptions")

	_, o, err = startArgs(t, "a, b, undefined, 20000")
	require.NoError(t, err)
	want.SessionTTL = 20 * time.Second
	assert.Equal(t, want, o, "one given: only that one changes")
}

// backgroundHeartbeats reaches the engine: it picks the session's clock.
func TestStartArgsBackgroundHeartbeats(t *testing.T) {
	for list, want := range map[string]bool{
		"a, b": true,
		"a, b, undefined, undefined, undefined, undefined, undefined, undefined, undefined, true":      true,
		"a, b, undefined, undefined, undefined, undefined, undefined, undefined, undefined, false":     false,
		"a, b, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined": true,
	} {
		_, o, err := startArgs(t, list)
		require.NoError(t, err, list)
		assert.Equal(t, want, o.BackgroundHeartbeats, list)
	}
	_, _, err := startArgs(t, `a, b, undefined, undefined, undefined, undefined, undefined, undefined, undefined, "no"`)
	assert.Error(t, err)
}

// The messages name the option and what it must be, never the token.
func TestStartArgsErrorMessages(t *testing.T) {
	for list, want := range map[string]string{
		`42, b`:            "authToken must be a string",
		`"", b`:            "authToken must be a non-empty string",
		`a, b, "9000"`:     "options.heartbeatIntervalMs must be a number",
		`a, b, 5`:          "heartbeatIntervalMs must be between 10 and 3600000, got 5",
		`a, b, 9000, 9000`: "sessionTtlMs (9000) must be greater than heartbeatIntervalMs (9000)",
		`a, b, undefined, undefined, 1, "include"`:            "requestTimeoutMs must be between 10 and 600000, got 1",
		`a, b, undefined, undefined, undefined, "always"`:     `credentials must be "omit", "same-origin" or "include", got "always"`,
		`a, b, undefined, undefined, undefined, undefined, 1`: "options.singleTab must be a boolean",
		`a, 443`: "options.apiBase must be a string",
		`a`:      "apiBase is required",
	} {
		_, _, err := startArgs(t, list)
		var se *session.Error
		require.ErrorAs(t, err, &se, list)
		assert.Equal(t, session.CodeInvalidArgument, se.Code, list)
		assert.Contains(t, se.Message, want, list)
		assert.NotContains(t, se.Message, goodToken, list)
	}
}

func TestMillis(t *testing.T) {
	for ms, want := range map[float64]time.Duration{
		9000:             9 * time.Second,
		2500.5:           2500500 * time.Microsecond,
		1e-12:            1, // below a nanosecond: not zero, so Validate sees it
		0:                0,
		-5:               0,
		math.NaN():       0,
		math.Inf(-1):     0,
		math.Inf(1):      math.MaxInt64,
		1e300:            math.MaxInt64, // saturates (and fails Validate)
		9.3e12:           math.MaxInt64,
		float64(1 << 40): time.Duration(1<<40) * time.Millisecond,
	} {
		assert.Equal(t, want, millis(ms), "%v ms", ms)
	}
}
