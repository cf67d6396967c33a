package session

import (
	"strings"
	"time"
)

func invalidArgument(msg string) *Error { return &Error{Code: CodeInvalidArgument, Message: msg} }

func invalidState(msg string) *Error { return &Error{Code: CodeInvalidState, Message: msg} }

// canceledError is the *Error for a wait or request that a Stop ended.
func canceledError(what string) *Error {
	return &Error{Code: CodeNetworkError, Message: what + ": aborted"}
}

// timeoutError is a request sent and not answered within timeout.
func timeoutError(op Op, timeout time.Duration) *Error {
	return &Error{Code: CodeTimeout, Message: string(op) + ": no answer within " + wholeMs(timeout) + " ms"}
}

// networkError is a request that got no HTTP response. A first initiate that
// cannot reach the API is most often a wrong apiBase or an API that does not
// allow this page's origin (CORS, which the browser reports as nothing but
// "Failed to fetch"): the message names the URL and says so.
func networkError(req Request, err error) *Error {
	msg := string(req.Op) + ": " + err.Error()
	if req.Op == OpInitiate {
		msg = "initiate: cannot reach " + req.URL + " (offline, a wrong apiBase, or an API that does not allow this page's origin with CORS): " + err.Error()
	}
	return &Error{Code: CodeNetworkError, Message: msg}
}

// scrub keeps the token, and any 8-character piece of it, out of a message
// that may echo what the server or the browser said.
func scrub(msg, token string) string {
	const piece = 8
	if len(token) < piece {
		if token != "" {
			msg = strings.ReplaceAll(msg, token, "[token]")
		}
		return msg
	}
	for i := 0; i+piece <= len(msg); i++ {
		if strings.Contains(token, msg[i:i+piece]) {
			// Widen the match as far as it stays inside the token.
			j := i + piece
			for j < len(msg) && strings.Contains(token, msg[i:j+1]) {
				j++
			}
			msg = msg[:i] + "[token]" + msg[j:]
			i += len("[token]") - 1
		}
	}
	return msg
}
