package session

import "context"

func invalidArgument(msg string) *Error { return &Error{Code: CodeInvalidArgument, Message: msg} }

func invalidState(msg string) *Error { return &Error{Code: CodeInvalidState, Message: msg} }

// ctxError is the *Error for a wait or request that ctx ended.
func ctxError(what string, err error) *Error {
	if err == context.DeadlineExceeded {
		return &Error{Code: CodeTimeout, Message: what + ": " + err.Error()}
	}
	return &Error{Code: CodeNetworkError, Message: what + ": aborted"}
}
