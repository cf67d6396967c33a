//go:build js && wasm

package browser

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// ErrorName is the name property of every error this module rejects or throws with.
const ErrorName = "GameSessionError"

// invalidArgument is an INVALID_ARGUMENT *session.Error: bad JS input, no request sent.
func invalidArgument(format string, args ...any) error {
	return &session.Error{Code: session.CodeInvalidArgument, Message: fmt.Sprintf(format, args...)}
}

// internalError reports a fault of this module itself (a recovered panic, a
// JS call that should not fail). The design has no INTERNAL code; of its codes
// INVALID_STATE is the honest one: the call was well-formed, nothing was
// wrong with the network or the server, the module could not do it now. The
// message starts with "internal error: " so a bug report can tell them apart.
func internalError(v any) error {
	return &session.Error{Code: session.CodeInvalidState, Message: fmt.Sprintf("internal error: %v", v)}
}

// describe maps any Go error to a GameSessionError's code, status and message.
// A *session.Error maps 1:1; a context deadline is TIMEOUT; anything else is
// an internal error.
func describe(err error) (code session.Code, status int, message string) {
	var se *session.Error
	switch {
	case errors.As(err, &se):
		return se.Code, se.Status, se.Message
	case errors.Is(err, context.DeadlineExceeded):
		return session.CodeTimeout, 0, "timed out"
	default:
		return session.CodeInvalidState, 0, "internal error: " + err.Error()
	}
}

// newJSError builds the JS Error a Promise rejects with:
// name "GameSessionError", code, status (0 = no response) and message.
// name, code and status are defined, not assigned (see defineAll): a setter
// a page put on Error.prototype, or a frozen Error.prototype, cannot make
// building the error throw.
func newJSError(err error) safejs.Value {
	code, status, message := describe(err)
	e, nerr := jsGlobal("Error").New(message)
	keys, vals := []string{"name", "code", "status"}, []any{ErrorName, string(code), status}
	if nerr != nil {
		// No Error constructor (should not happen): a plain object still
		// carries the fields a game reads.
		e, _ = jsGlobal("Object").New()
		keys, vals = append(keys, "message"), append(vals, message)
	}
	_ = defineAll(e, keys, vals)
	return e
}

// thrownValue returns the JS value behind an error from a safejs call that
// threw, or undefined.
func thrownValue(err error) safejs.Value {
	var je js.Error
	if errors.As(err, &je) {
		return safejs.Safe(je.Value)
	}
	return safejs.Undefined()
}

// jsErrorText describes an error a JS call threw or a Promise rejected with,
// e.g. "TypeError: Failed to fetch", with its cause when there is one.
func jsErrorText(v safejs.Value) string {
	text := describeValue(v)
	if cause := prop(v, "cause"); !cause.IsUndefined() {
		text += ": " + describeValue(cause)
	}
	return text
}

func describeValue(v safejs.Value) string {
	switch typeOf(v) {
	case safejs.TypeString:
		s, _ := v.String()
		return s
	case safejs.TypeObject:
		name, msg := stringProp(v, "name"), stringProp(v, "message")
		switch {
		case name != "" && msg != "":
			return name + ": " + msg
		case name != "" || msg != "":
			return name + msg
		}
	}
	return typeName(v)
}
