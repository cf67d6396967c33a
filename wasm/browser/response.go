//go:build js && wasm

package browser

import (
	"strconv"
	"strings"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// readResponse fills a session.Response from what a fetch answered: its
// status, its type ("opaqueredirect" for a redirect under redirect:
// "manual"), its body text and its Retry-After header text. Both paths use
// it, the page's fetch (Do) and the Worker's (DoAt), which sends these four
// back as plain values, so that one answer reads the same either way.
func readResponse(status int, typ string, text safejs.Value, retryAfter string) session.Response {
	return session.Response{
		Status:     status,
		Body:       parseJSON(text),
		Redirected: typ == "opaqueredirect" || (status >= 300 && status < 400),
		RetryAfter: parseRetryAfter(retryAfter, time.Now()),
	}
}

// responseHeader is response.headers.get(name) ("" when absent or
// unreadable, as for an opaque redirect).
func responseHeader(r safejs.Value, name string) string {
	h := prop(r, "headers")
	if !isFunc(h, "get") {
		return ""
	}
	v, err := h.Call("get", name)
	if err != nil || v.Type() != safejs.TypeString {
		return ""
	}
	s, _ := v.String()
	return s
}

// parseRetryAfter reads a Retry-After value, delta-seconds or an HTTP date,
// as a wait from now; 0 when empty, unreadable or in the past. The date is
// read by the browser's Date.parse (Go's time.Parse would add 60 KB to the
// .wasm).
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(n) * time.Second
	}
	if v[0] < 'A' { // a number of another form, which Date.parse would take as a year
		return 0
	}
	ms, err := jsGlobal("Date").Call("parse", v)
	if err != nil {
		return 0
	}
	f, err := ms.Float()
	if err != nil || f != f { // NaN: not a date
		return 0
	}
	if at := time.UnixMilli(int64(f)); at.After(now) {
		return at.Sub(now)
	}
	return 0
}
