//go:build js && wasm

package browser

import (
	"github.com/game-session/game-session/wasm/session"
)

// internalError reports a fault of this module itself (a recovered panic, a
// JS call that should not fail). The design has no INTERNAL code; of its codes
// INVALID_STATE is the honest one: the call was well-formed, nothing was
// wrong with the network or the server, the module could not do it now. The
// message starts with "internal error: " so a bug report can tell them apart.
func internalError(v any) error {
	what := "panic"
	switch v := v.(type) {
	case string:
		what = v
	case error:
		what = v.Error()
	}
	return &session.Error{Code: session.CodeInvalidState, Message: "internal error: " + what}
}

// describe maps any Go error to a GameSessionError's code, status and message
// (settle's arguments). The first *session.Error in err's tree maps 1:1;
// session.ErrTimeout is TIMEOUT; anything else is an internal error.
func describe(err error) (code session.Code, status int, message string) {
	code, message = session.CodeInvalidState, "internal error: "+err.Error()
	walk(err, func(e error) bool {
		if se, ok := e.(*session.Error); ok {
			code, status, message = se.Code, se.Status, se.Message
			return true
		}
		if e == session.ErrTimeout {
			code, status, message = session.CodeTimeout, 0, "timed out"
			return true
		}
		return false
	})
	return code, status, message
}

// walk calls visit on err and on every error it wraps (Unwrap() error and
// Unwrap() []error), depth first, until visit returns true; it reports
// whether one did. errors.As without its reflection.
func walk(err error, visit func(error) bool) bool {
	for err != nil {
		if visit(err) {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if walk(e, visit) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}
