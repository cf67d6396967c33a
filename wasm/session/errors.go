package session

import "time"

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

// scrub keeps the token, and any 8-byte piece of it, out of a message
// that may echo what the server or the browser said: every run of msg that
// also occurs in the token and is at least 8 bytes long (or the whole
// token, when it is shorter) becomes "[token]".
func scrub(msg, token string) string {
	const piece = 8
	n := min(piece, len(token))
	if n == 0 {
		return msg
	}
	out := make([]byte, 0, len(msg))
	for i := 0; i < len(msg); {
		if i+n > len(msg) || !contains(token, msg[i:i+n]) {
			out = append(out, msg[i])
			i++
			continue
		}
		// Widen the match as far as it stays inside the token.
		j := i + n
		for j < len(msg) && contains(token, msg[i:j+1]) {
			j++
		}
		out = append(out, "[token]"...)
		i = j
	}
	return string(out)
}

// contains reports whether sub occurs in s (strings.Contains, without its
// package's search code: the texts here are a few hundred bytes).
func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
