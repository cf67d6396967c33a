package session

import (
	"strconv"
)

// maxMessage bounds a server message carried into errors and events.
const maxMessage = 300

// parseResponse reads the answer to op: nil when the session API accepted it,
// else why not.
//
// The spec names the error codes but not the body shape, so the code is
// looked up in every shape it lists ({"error":"C"}, {"error_code":"C"},
// {"code":"C"}, {"error":{"code":"C","message":"…"}},
// {"success":false,"error":"C","message":"…"}); a body that names no known
// code falls back on the status: 401 → UNAUTHORIZED, 400 → ALREADY_IN_GAME on
// initiate and NO_ACTIVE_SESSION on heartbeat/end. 5xx, 429, 408, 3xx and
// any other status → SERVER_ERROR, and a 2xx without success:true →
// BAD_RESPONSE: transient, never session-ending. The server's message is
// used when it gives one.
//
// Other 4xx answers (403, 404, 405, 410, 422, …) and redirects are
// permanent: a wrong apiBase or an API that is not there, which no retry can
// mend. The module never follows a redirect (the token goes to apiBase
// only); both messages name the URL.
func parseResponse(req Request, r Response) *Error {
	op := req.Op
	body, _ := r.Body.(map[string]any)
	code, msg := readBody(body)
	st := r.Status
	fail := func(c Code, fallback string) *Error {
		if msg == "" {
			msg = string(op) + ": " + fallback + " (HTTP " + strconv.Itoa(st) + ")"
		}
		return &Error{Code: c, Status: st, Message: msg, retryAfter: int64(r.RetryAfter)}
	}
	if r.Redirected {
		return &Error{Code: CodeServerError, Status: st, permanent: true, Message: string(op) + ": " + req.URL +
			" answered with a redirect; the module never follows one (the token goes to apiBase only): set apiBase to where the API really is"}
	}
	switch {
	case st >= 200 && st < 300:
		if ok, _ := body["success"].(bool); ok {
			return nil
		}
		if code != "" { // an error answer dressed as 200
			return fail(code, defaultMessage(code))
		}
		return fail(CodeBadResponse, "the answer has no success:true")
	case st >= 400 && st < 500 && st != 408 && st != 429:
		if code != "" {
			return fail(code, defaultMessage(code))
		}
		switch {
		case st == 401:
			return fail(CodeUnauthorized, defaultMessage(CodeUnauthorized))
		case st == 400 && op == OpInitiate:
			return fail(CodeAlreadyInGame, defaultMessage(CodeAlreadyInGame))
		case st == 400:
			return fail(CodeNoActiveSession, defaultMessage(CodeNoActiveSession))
		}
		return &Error{Code: CodeServerError, Status: st, permanent: true, Message: string(op) + ": HTTP " + strconv.Itoa(st) +
			" from " + req.URL + ": not the session API's answer (is apiBase right?)"}
	}
	return fail(CodeServerError, "unexpected status")
}

func defaultMessage(c Code) string {
	switch c {
	case CodeUnauthorized:
		return "the auth token was rejected"
	case CodeAlreadyInGame:
		return "a session is already active for this user"
	case CodeNoActiveSession:
		return "no active session for this user"
	}
	return string(c)
}

// readBody finds a known error code and a message in a decoded JSON body.
func readBody(body map[string]any) (Code, string) {
	var code Code
	var msg string
	nested, _ := body["error"].(map[string]any)
	for _, v := range []any{body["error"], body["error_code"], body["code"], nested["code"]} {
		if s, ok := v.(string); ok && code == "" {
			code = knownCode(s)
		}
	}
	for _, v := range []any{body["message"], nested["message"], body["detail"], body["error"]} {
		if s, ok := v.(string); ok && msg == "" && knownCode(s) == "" {
			msg = trimSpaceASCII(s)
		}
	}
	return code, clip(msg, maxMessage)
}

// knownCode is the session API code s names ("" for none), leniently:
// surrounding spaces and letter case do not matter.
func knownCode(s string) Code {
	if len(s) > 40 {
		return ""
	}
	switch c := Code(upperASCII(trimSpaceASCII(s))); c {
	case CodeAlreadyInGame, CodeUnauthorized, CodeNoActiveSession:
		return c
	}
	return ""
}

// clip shortens s to at most n bytes without splitting a character.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := 0
	for i := range s {
		if i > n-len("…") {
			break
		}
		cut = i
	}
	return s[:cut] + "…"
}

func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
