//go:build js && wasm

package browser

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

const (
	// maxBodyChars bounds the answer body read into Go: the session API's
	// answers are a few dozen bytes; a longer body is not the API's.
	maxBodyChars = 64 << 10
	// maxServerText bounds every string of the body (a message echoed into
	// err.message and error events), in characters.
	maxServerText = 200
	// scrubWindow: a run of this many bytes of the token, or more, is cut
	// out of server text.
	scrubWindow = 8
	// minScrubbed: a token shorter than this (no real one is) is not cut
	// out whole; every "t" of a message is not a secret.
	minScrubbed = 4
	// maxRetryAfter caps a Retry-After wait (the engine honours it only
	// within the session's TTL anyway).
	maxRetryAfter = 24 * time.Hour
)

// ResponseOf turns what a fetch answered into a session.Response: the
// status, the response type ("opaqueredirect" for a redirect under
// redirect: "manual"), the Retry-After header's text and the body as a JS
// string (anything else reads as no body). Do and the Worker transport both
// use it, so both read an answer the same way:
//   - a redirect (type opaqueredirect, or a 3xx) is Redirected, its body unread;
//   - Retry-After (delta-seconds, or an HTTP date read by Date.parse) is RetryAfter;
//   - the body is JSON.parse'd when it is at most maxBodyChars long, and every
//     string in it is clipped to maxServerText characters and scrubbed of
//     token (see scrub): a server that echoes the token cannot put it into
//     err.message or an event.
func ResponseOf(status int, typ, retryAfter string, body safejs.Value, token string) session.Response {
	r := session.Response{Status: status, RetryAfter: parseRetryAfter(retryAfter)}
	if typ == "opaqueredirect" || isRedirect(status) {
		r.Redirected = true
		return r
	}
	r.Body = scrubValue(parseJSON(body), token, 0)
	return r
}

func isRedirect(status int) bool { return status >= 300 && status < 400 }

// responseHead reads a fetch Response's status, type and Retry-After header,
// each read guarded (a fake or odd Response may lack them).
func responseHead(r safejs.Value) (status int, typ, retryAfter string) {
	if s := prop(r, "status"); typeOf(s) == safejs.TypeNumber {
		status, _ = s.Int()
	}
	typ = stringProp(r, "type")
	if h := prop(r, "headers"); isFunc(h, "get") {
		if v, err := h.Call("get", "Retry-After"); err == nil && typeOf(v) == safejs.TypeString {
			if n, err := strLen(v); err == nil && n <= 64 {
				retryAfter, _ = v.String()
			}
		}
	}
	return status, typ, retryAfter
}

// parseRetryAfter reads a Retry-After value as a wait from now: a
// non-negative integer of seconds, or an HTTP date (parsed by the browser's
// Date.parse, which reads IMF-fixdate and the obsolete forms; no Go time
// parser in the .wasm). 0 when absent, unreadable or in the past.
func parseRetryAfter(text string) time.Duration {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0
	}
	if strings.Trim(text, "0123456789") == "" {
		secs, err := strconv.ParseUint(text, 10, 64)
		if err != nil || secs > uint64(maxRetryAfter/time.Second) {
			return maxRetryAfter // too many digits for a uint64 is still "a long time"
		}
		return time.Duration(secs) * time.Second
	}
	at, err := jsGlobal("Date").Call("parse", text)
	if err != nil {
		return 0
	}
	now, err := jsGlobal("Date").Call("now")
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

// parseJSON is JSON.parse(text) converted to Go values; nil when text is not
// a string, longer than maxBodyChars (checked before any copy) or not JSON.
func parseJSON(text safejs.Value) any {
	if typeOf(text) != safejs.TypeString {
		return nil
	}
	if n, err := strLen(text); err != nil || n > maxBodyChars {
		return nil
	}
	v, err := jsGlobal("JSON").Call("parse", text)
	if err != nil {
		return nil
	}
	return toGo(v)
}

// scrubValue applies scrub to every string in a decoded body.
func scrubValue(v any, token string, depth int) any {
	switch x := v.(type) {
	case string:
		return scrub(x, token)
	case map[string]any:
		for k, el := range x {
			x[k] = scrubValue(el, token, depth+1)
		}
	case []any:
		for i, el := range x {
			x[i] = scrubValue(el, token, depth+1)
		}
	}
	return v
}

// scrub clips server text to maxServerText characters and cuts out every
// run of it that also occurs in token and is at least scrubWindow bytes
// long, replacing each with "…". A run of that length is covered by its
// scrubWindow-byte windows, each of which is a substring of the token, so
// marking every window found in the token's set of windows marks exactly
// those runs. Cuts widen to whole characters.
func scrub(s, token string) string {
	if utf8.RuneCountInString(s) > maxServerText {
		i := 0
		for n := 0; n < maxServerText; n++ {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
		}
		s = s[:i] + "…"
	}
	if len(token) >= minScrubbed {
		s = strings.ReplaceAll(s, token, "…") // a token shorter than a window, too
	}
	if len(token) < scrubWindow || len(s) < scrubWindow {
		return s
	}
	windows := make(map[string]struct{}, len(token)-scrubWindow+1)
	for i := 0; i+scrubWindow <= len(token); i++ {
		windows[token[i:i+scrubWindow]] = struct{}{}
	}
	cut := make([]bool, len(s))
	found := false
	for i := 0; i+scrubWindow <= len(s); i++ {
		if _, ok := windows[s[i:i+scrubWindow]]; ok {
			for j := i; j < i+scrubWindow; j++ {
				cut[j] = true
			}
			found = true
		}
	}
	if !found {
		return s
	}
	// A cut that starts or ends inside a character takes the whole character.
	for i := 0; i < len(s); i++ {
		if !cut[i] {
			continue
		}
		for k := i; k > 0 && !utf8.RuneStart(s[k]); k-- {
			cut[k-1] = true
		}
		for k := i + 1; k < len(s) && !utf8.RuneStart(s[k]); k++ {
			cut[k] = true
		}
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case !cut[i]:
			b.WriteByte(s[i])
		case i == 0 || !cut[i-1]:
			b.WriteString("…")
		}
	}
	return b.String()
}
