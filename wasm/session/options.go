package session

import (
	"strconv"
	"strings"
	"time"
)

// Option defaults (design.md) and ranges (the team contract).
const (
	DefaultHeartbeatInterval = 9 * time.Second
	DefaultSessionTTL        = 10 * time.Second
	DefaultRequestTimeout    = 5 * time.Second
	DefaultCredentials       = "same-origin"

	MinHeartbeatInterval = 10 * time.Millisecond
	MaxHeartbeatInterval = time.Hour
	MaxSessionTTL        = time.Hour
	MinRequestTimeout    = 10 * time.Millisecond
	MaxRequestTimeout    = 10 * time.Minute
)

// DefaultOptions are startSession's options when a game gives none
// (design.md): the one place the defaults live. Parsing starts from them
// and overwrites only the keys a game gave. APIBase has no default here:
// the browser fills in the page's origin.
func DefaultOptions() Options {
	return Options{
		HeartbeatInterval:    DefaultHeartbeatInterval,
		SessionTTL:           DefaultSessionTTL,
		RequestTimeout:       DefaultRequestTimeout,
		Credentials:          DefaultCredentials,
		SingleTab:            true,
		BackgroundHeartbeats: true,
	}
}

// Validate checks o's ranges and values; it fills in nothing (see
// DefaultOptions) and reads no URL: the loader resolved APIBase and checked
// its form (js/game-session.mjs, apiBaseArg). Errors are *Error with
// CodeInvalidArgument.
func (o Options) Validate() error {
	if o.APIBase == "" {
		return invalidArgument("apiBase is required (no page origin to default to)")
	}
	if err := inRange("heartbeatIntervalMs", o.HeartbeatInterval, MinHeartbeatInterval, MaxHeartbeatInterval); err != nil {
		return err
	}
	if o.SessionTTL <= o.HeartbeatInterval {
		return invalidArgument("sessionTtlMs (" + ms(o.SessionTTL) + ") must be greater than heartbeatIntervalMs (" + ms(o.HeartbeatInterval) + ")")
	}
	if err := inRange("sessionTtlMs", o.SessionTTL, o.HeartbeatInterval, MaxSessionTTL); err != nil {
		return err
	}
	if err := inRange("requestTimeoutMs", o.RequestTimeout, MinRequestTimeout, MaxRequestTimeout); err != nil {
		return err
	}
	switch o.Credentials {
	case "omit", "same-origin", "include":
	default:
		return invalidArgument(`credentials must be "omit", "same-origin" or "include", got ` + strconv.Quote(clip(o.Credentials, 100)))
	}
	return nil
}

func inRange(name string, d, lo, hi time.Duration) *Error {
	if d < lo || d > hi {
		return invalidArgument(name + " must be between " + ms(lo) + " and " + ms(hi) + ", got " + ms(d))
	}
	return nil
}

// ms formats d in milliseconds, as the JS options are written.
func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', -1, 64)
}

// wholeMs formats d in whole milliseconds, for debug lines.
func wholeMs(d time.Duration) string {
	if d < 0 {
		return "-" + wholeMs(-d)
	}
	return strconv.FormatInt(int64((d+time.Millisecond/2)/time.Millisecond), 10)
}

// ASCII helpers: strings.TrimSpace and strings.ToUpper link Unicode tables
// (wasm/sizerules), and every text handled here is ASCII.

// trimSpaceASCII trims ASCII white space (strings.TrimSpace links Unicode
// tables).
func trimSpaceASCII(s string) string {
	for len(s) > 0 && isSpaceASCII(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpaceASCII(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func isSpaceASCII(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// trimSlashes drops trailing slashes.
func trimSlashes(s string) string {
	for strings.HasSuffix(s, "/") {
		s = s[:len(s)-1]
	}
	return s
}
