//go:build js && wasm

package browser

import (
	"math"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// startSession's arguments arrive flat and already checked by the loader
// (js/game-session.mjs, readStartArgs: types, plain objects, unknown keys,
// apiBase resolved against the page), in these positions:
//
//	startSession(token, apiBase, heartbeatIntervalMs, sessionTtlMs, requestTimeoutMs,
//	             credentials, singleTab, takeover, debug, backgroundHeartbeats)
//
// token and apiBase are strings; the rest are numbers (milliseconds), a
// string and booleans, or undefined for an option the game did not give.
// Arguments the bridge adds come after these (from StartArgCount on).
const (
	argToken = iota
	argAPIBase
	argHeartbeatInterval
	argSessionTTL
	argRequestTimeout
	argCredentials
	argSingleTab
	argTakeover
	argDebug
	argBackgroundHeartbeats

	// StartArgCount is how many of startSession's arguments StartArgs reads.
	StartArgCount
)

// StartArgs reads startSession's flat arguments: the options start from
// session.DefaultOptions and only those given overwrite them; then
// session.ValidateToken checks the token's content and Options.Validate the
// ranges. A value of the wrong type (a caller other than the loader) is
// INVALID_ARGUMENT as well. Errors never contain the token.
func StartArgs(args []safejs.Value) (token string, opts session.Options, err error) {
	opts = session.DefaultOptions()
	r := argReader{args: args}
	if v, ok := r.value(argToken, safejs.TypeString, "authToken"); ok {
		token, _ = v.String()
	}
	r.str(argAPIBase, "apiBase", &opts.APIBase)
	r.millis(argHeartbeatInterval, "heartbeatIntervalMs", &opts.HeartbeatInterval)
	r.millis(argSessionTTL, "sessionTtlMs", &opts.SessionTTL)
	r.millis(argRequestTimeout, "requestTimeoutMs", &opts.RequestTimeout)
	r.str(argCredentials, "credentials", &opts.Credentials)
	r.boolean(argSingleTab, "singleTab", &opts.SingleTab)
	r.boolean(argTakeover, "takeover", &opts.Takeover)
	r.boolean(argDebug, "debug", &opts.Debug)
	r.boolean(argBackgroundHeartbeats, "backgroundHeartbeats", &opts.BackgroundHeartbeats)
	if r.err != nil {
		return "", opts, r.err
	}
	if err := session.ValidateToken(token); err != nil {
		return "", opts, err
	}
	if err := opts.Validate(); err != nil {
		return "", opts, err
	}
	return token, opts, nil
}

// argReader reads flat arguments; the first of the wrong type is its err.
type argReader struct {
	args []safejs.Value
	err  error
}

// value returns argument i and true when it is of type want; undefined (not
// given) and anything after an error give false.
func (r *argReader) value(i int, want safejs.Type, name string) (safejs.Value, bool) {
	if r.err != nil || i >= len(r.args) || r.args[i].IsUndefined() {
		return safejs.Undefined(), false
	}
	v := r.args[i]
	if typeOf(v) != want {
		if name != "authToken" {
			name = "options." + name
		}
		r.err = &session.Error{Code: session.CodeInvalidArgument, Message: name + " must be a " + want.String()}
		return v, false
	}
	return v, true
}

func (r *argReader) str(i int, name string, dst *string) {
	if v, ok := r.value(i, safejs.TypeString, name); ok {
		*dst, _ = v.String()
	}
}

func (r *argReader) boolean(i int, name string, dst *bool) {
	if v, ok := r.value(i, safejs.TypeBoolean, name); ok {
		*dst, _ = v.Bool()
	}
}

func (r *argReader) millis(i int, name string, dst *time.Duration) {
	if v, ok := r.value(i, safejs.TypeNumber, name); ok {
		f, _ := v.Float()
		*dst = millis(f)
	}
}

// millis converts a JS millisecond count to a Duration for Validate to
// judge: not positive (or NaN) is 0, too large saturates, and a positive
// count below a nanosecond stays 1 ns, so that none of them passes for a
// valid value.
func millis(ms float64) time.Duration {
	ns := ms * float64(time.Millisecond)
	switch {
	case !(ns > 0):
		return 0
	case ns >= math.MaxInt64:
		return math.MaxInt64
	case ns < 1:
		return 1
	}
	return time.Duration(ns)
}
