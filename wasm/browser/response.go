//go:build js && wasm

package browser

import (
	"math"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// maxRetryAfter caps a Retry-After wait (the engine honours it only within
// the session's TTL anyway).
const maxRetryAfter = 24 * time.Hour

// responseOf turns what a fetch answered, as the host hands it over (the
// page's request and the Worker's answer alike), into a session.Response:
// the status, the response type ("opaqueredirect" for a redirect under
// redirect: "manual"), the Retry-After header's text and the body the host
// parsed:
//   - a redirect (type opaqueredirect, or a 3xx) is Redirected, its body unread;
//   - Retry-After (delta-seconds, or an HTTP date read by Date.parse) is RetryAfter;
//   - the body becomes Go values (toGo, depth-bounded; the host parsed at
//     most 64 Ki characters). The engine clips the message it takes from it
//     and scrubs the token out (session's readBody and scrub).
func responseOf(status safejs.Value, typ, retryAfter string, body safejs.Value) session.Response {
	r := session.Response{RetryAfter: parseRetryAfter(retryAfter)}
	if typeOf(status) == safejs.TypeNumber {
		r.Status, _ = status.Int()
	}
	if typ == "opaqueredirect" || (r.Status >= 300 && r.Status < 400) {
		r.Redirected = true
		return r
	}
	r.Body = toGo(body)
	return r
}

// parseRetryAfter reads a Retry-After value as a wait from now: a
// non-negative integer of seconds, or an HTTP date (parsed by the browser's
// Date.parse, which reads IMF-fixdate and the obsolete forms; no Go time
// parser in the .wasm). 0 when absent, unreadable or in the past.
func parseRetryAfter(text string) time.Duration {
	i, j := 0, len(text)
	for i < j && isSpace(text[i]) {
		i++
	}
	for j > i && isSpace(text[j-1]) {
		j--
	}
	text = text[i:j]
	if text == "" {
		return 0
	}
	const maxSecs = uint64(maxRetryAfter / time.Second)
	secs, digits := uint64(0), true
	for k := 0; k < len(text) && digits; k++ {
		c := text[k]
		digits = '0' <= c && c <= '9'
		if digits && secs <= maxSecs { // past the cap it only grows: "a long time"
			secs = secs*10 + uint64(c-'0')
		}
	}
	if digits {
		return time.Duration(min(secs, maxSecs)) * time.Second
	}
	at, err := jsDate.Call("parse", text)
	if err != nil {
		return 0
	}
	now, err := jsDate.Call("now")
	if err != nil {
		return 0
	}
	atMs, _ := at.Float()
	nowMs, _ := now.Float()
	if math.IsNaN(atMs) || atMs <= nowMs {
		return 0
	}
	return min(time.Duration((atMs-nowMs)*float64(time.Millisecond)), maxRetryAfter)
}

// isSpace is ASCII white space, what strings.TrimSpace would cut from a
// header (without its Unicode tables).
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
