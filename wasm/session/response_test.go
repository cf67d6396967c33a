package session

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseResponse(t *testing.T) {
	type m = map[string]any
	for _, tc := range []struct {
		name   string
		op     Op
		status int
		body   any
		code   Code // "" = success
		msg    string
	}{
		{"success", OpHeartbeat, 200, m{"success": true}, "", ""},
		{"success with extras", OpInitiate, 200, m{"success": true, "session": m{"id": 1.0}}, "", ""},
		{"201 with success", OpInitiate, 201, m{"success": true}, "", ""},

		// Every body shape of the spec's Gaps section.
		{"error string", OpInitiate, 400, m{"error": "ALREADY_IN_GAME"}, CodeAlreadyInGame, "initiate: a session is already active for this user (HTTP 400)"},
		{"error_code", OpHeartbeat, 400, m{"error_code": "NO_ACTIVE_SESSION"}, CodeNoActiveSession, "heartbeat: no active session for this user (HTTP 400)"},
		{"code", OpEnd, 401, m{"code": "UNAUTHORIZED"}, CodeUnauthorized, "end: the auth token was rejected (HTTP 401)"},
		{"nested error", OpHeartbeat, 400, m{"error": m{"code": "NO_ACTIVE_SESSION", "message": "session expired"}}, CodeNoActiveSession, "session expired"},
		{"reference server", OpInitiate, 400, m{"success": false, "error": "ALREADY_IN_GAME", "message": "user alice already has a session"}, CodeAlreadyInGame, "user alice already has a session"},
		{"code in any case", OpInitiate, 400, m{"error": " already_in_game "}, CodeAlreadyInGame, ""},
		{"body code wins over status fallback", OpHeartbeat, 400, m{"error": "UNAUTHORIZED"}, CodeUnauthorized, ""},
		{"body code on other 4xx", OpHeartbeat, 404, m{"code": "NO_ACTIVE_SESSION"}, CodeNoActiveSession, ""},
		{"error answer with status 200", OpHeartbeat, 200, m{"success": false, "error": "NO_ACTIVE_SESSION"}, CodeNoActiveSession, ""},

		// Status fallbacks: empty, not JSON (Body nil), or no known code.
		{"401 empty", OpHeartbeat, 401, nil, CodeUnauthorized, ""},
		{"400 initiate empty", OpInitiate, 400, nil, CodeAlreadyInGame, ""},
		{"400 heartbeat empty", OpHeartbeat, 400, nil, CodeNoActiveSession, ""},
		{"400 end empty", OpEnd, 400, nil, CodeNoActiveSession, ""},
		{"400 unknown code", OpHeartbeat, 400, m{"error": "Session not found"}, CodeNoActiveSession, "Session not found"},
		{"401 with message", OpInitiate, 401, m{"message": "token expired"}, CodeUnauthorized, "token expired"},
		{"400 body is a string", OpInitiate, 400, "ALREADY_IN_GAME", CodeAlreadyInGame, ""},
		{"400 body is an array", OpHeartbeat, 400, []any{"x"}, CodeNoActiveSession, ""},
		{"code not a string", OpHeartbeat, 400, m{"code": 42.0, "error": true}, CodeNoActiveSession, ""},

		// Transient: never session-ending.
		{"503", OpHeartbeat, 503, nil, CodeServerError, "heartbeat: unexpected status (HTTP 503)"},
		{"500 naming a code stays transient", OpHeartbeat, 500, m{"error": "NO_ACTIVE_SESSION"}, CodeServerError, ""},
		{"429", OpHeartbeat, 429, m{"error": "UNAUTHORIZED"}, CodeServerError, ""},
		{"408", OpInitiate, 408, nil, CodeServerError, ""},
		{"302", OpInitiate, 302, nil, CodeServerError, ""},
		{"404 html", OpInitiate, 404, nil, CodeServerError, ""},
		{"403", OpHeartbeat, 403, nil, CodeServerError, ""},
		{"status 0", OpHeartbeat, 0, nil, CodeServerError, ""},
		{"negative status", OpHeartbeat, -1, nil, CodeServerError, ""},
		{"200 empty", OpHeartbeat, 200, nil, CodeBadResponse, "heartbeat: the answer has no success:true (HTTP 200)"},
		{"200 success false", OpHeartbeat, 200, m{"success": false}, CodeBadResponse, ""},
		{"200 success as string", OpHeartbeat, 200, m{"success": "true"}, CodeBadResponse, ""},
		{"204", OpEnd, 204, nil, CodeBadResponse, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := parseResponse(Request{Op: tc.op}, Response{Status: tc.status, Body: tc.body})
			if tc.code == "" {
				assert.Nil(t, e)
				return
			}
			require.NotNil(t, e)
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, tc.status, e.Status)
			assert.NotEmpty(t, e.Message)
			if tc.msg != "" {
				assert.Equal(t, tc.msg, e.Message)
			}
		})
	}
}

func TestParseResponseClipsLongMessages(t *testing.T) {
	long := strings.Repeat("é", 1000)
	e := parseResponse(Request{Op: OpHeartbeat}, Response{Status: 400, Body: map[string]any{"message": long}})
	require.NotNil(t, e)
	assert.LessOrEqual(t, len(e.Message), maxMessage)
	assert.True(t, strings.HasSuffix(e.Message, "é…"))
}

// Each body shape must be read for itself: on a status with no fallback
// (409) only the body can name the code.
func TestParseResponseFindsCodeInEveryShape(t *testing.T) {
	type m = map[string]any
	shapes := map[string]func(code string) any{
		"error":         func(c string) any { return m{"error": c} },
		"error_code":    func(c string) any { return m{"error_code": c} },
		"code":          func(c string) any { return m{"code": c} },
		"nested error":  func(c string) any { return m{"error": m{"code": c, "message": "nested says " + c}} },
		"success false": func(c string) any { return m{"success": false, "error": c, "message": "flat says " + c} },
	}
	for name, shape := range shapes {
		for _, code := range []Code{CodeAlreadyInGame, CodeUnauthorized, CodeNoActiveSession} {
			for _, op := range []Op{OpInitiate, OpHeartbeat, OpEnd} {
				e := parseResponse(Request{Op: op}, Response{Status: 409, Body: shape(string(code))})
				require.NotNil(t, e, "%s %s %s", name, code, op)
				assert.Equal(t, code, e.Code, "%s %s %s", name, code, op)
				assert.Equal(t, 409, e.Status)
			}
		}
		e := parseResponse(Request{Op: OpHeartbeat}, Response{Status: 409, Body: shape("SOMETHING_ELSE")})
		require.NotNil(t, e)
		assert.Equal(t, CodeServerError, e.Code, "%s: no known code, no fallback for 409", name)
	}
}
