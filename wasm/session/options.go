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

// Validate fills defaults into o and checks ranges; errors are *Error with
// CodeInvalidArgument.
func (o Options) Validate() (Options, error) {
	base := strings.TrimSpace(o.APIBase)
	lower := strings.ToLower(base)
	switch {
	case base == "":
		return o, invalidArgument("apiBase is required (no page origin to default to)")
	case !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://"):
		return o, invalidArgument("apiBase must be an http(s) URL, got " + strconv.Quote(clip(o.APIBase, 100)))
	}
	if path := strings.TrimRight(lower, "/"); strings.HasSuffix(path, "/api/games/sessions") || strings.Contains(lower, "/api/games/sessions/") {
		// A common slip: apiBase is where /api/games/sessions/* lives.
		return o, invalidArgument("apiBase is where /api/games/sessions/* lives, without that path: use " +
			strconv.Quote(clip(base[:strings.Index(lower, "/api/games/sessions")], 100)))
	}
	o.APIBase = base

	o.HeartbeatInterval = orDefault(o.HeartbeatInterval, DefaultHeartbeatInterval)
	o.SessionTTL = orDefault(o.SessionTTL, DefaultSessionTTL)
	o.RequestTimeout = orDefault(o.RequestTimeout, DefaultRequestTimeout)
	if err := inRange("heartbeatIntervalMs", o.HeartbeatInterval, MinHeartbeatInterval, MaxHeartbeatInterval); err != nil {
		return o, err
	}
	if o.SessionTTL <= o.HeartbeatInterval {
		return o, invalidArgument("sessionTtlMs (" + ms(o.SessionTTL) + ") must be greater than heartbeatIntervalMs (" + ms(o.HeartbeatInterval) + ")")
	}
	if err := inRange("sessionTtlMs", o.SessionTTL, o.HeartbeatInterval, MaxSessionTTL); err != nil {
		return o, err
	}
	if err := inRange("requestTimeoutMs", o.RequestTimeout, MinRequestTimeout, MaxRequestTimeout); err != nil {
		return o, err
	}

	switch o.Credentials {
	case "":
		o.Credentials = DefaultCredentials
	case "omit", "same-origin", "include":
	default:
		return o, invalidArgument(`credentials must be "omit", "same-origin" or "include", got ` + strconv.Quote(clip(o.Credentials, 100)))
	}
	if o.SingleTab == nil {
		o.SingleTab = ptrTrue()
	}
	if o.BackgroundHeartbeats == nil {
		o.BackgroundHeartbeats = ptrTrue()
	}
	return o, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
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
	return strconv.FormatInt(d.Round(time.Millisecond).Milliseconds(), 10)
}

func ptrTrue() *bool {
	yes := true
	return &yes
}
