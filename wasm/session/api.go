// Package session is the game-session engine: the state machine, the heartbeat
// schedule, the retry rules and the error codes of the platform's session API.
//
// It is pure Go and builds on any GOOS. It never imports syscall/js or safejs:
// the browser (package wasm/browser) is injected through the small interfaces
// in this file, so every rule here is tested natively with -race and
// testing/synctest, and sessiontest's contract suites hold the fakes and the
// browser to the same behaviour.
//
// The .wasm must stay small (wasm/sizerules states the rules and checks them
// on the linker's dependency dump): no context (a Stop cancels), no
// time.Time or *time.Timer where a type can reach an interface (Instant,
// Clock.AfterFunc), no errors.Is/As (sentinels compare with ==), no select
// with two cases (every wait is one channel that all news is sent to), no
// fmt and no Unicode case tables (ASCII helpers in options.go).
package session

import "time"

// Op names one endpoint of the session API.
type Op string

const (
	OpInitiate  Op = "initiate"
	OpHeartbeat Op = "heartbeat"
	OpEnd       Op = "end"
)

// Request is one call to the session API. The transport posts
// {"auth_token": Token} as JSON to URL.
type Request struct {
	Op          Op
	URL         string // APIBase + "/api/games/sessions/" + Op
	Token       string
	Credentials string // fetch credentials mode: "omit", "same-origin" or "include"
	// KeepAlive asks Do for a request that outlives the page (fetch's
	// keepalive), so that a navigation right after endSession does not
	// cancel its end: pagehide then has no second end to send.
	KeepAlive bool
}

// Response is what came back. Body is the response decoded by the browser's
// JSON parser into Go values (map[string]any, []any, string, float64, bool,
// nil); it is nil when the body was empty or not JSON.
type Response struct {
	Status int
	Body   any
	// Redirected: the API answered with a redirect (a 3xx, or fetch's
	// opaqueredirect with redirect: "manual"). The module never follows
	// one: the token goes to apiBase only.
	Redirected bool
	// RetryAfter is the answer's Retry-After header as a wait from now
	// (delta-seconds or an HTTP date); 0 when absent or unreadable.
	RetryAfter time.Duration
	// Received is when the answer arrived, where the transport saw it
	// arrive off the main thread (a ScheduledTransport's Worker): a round
	// trip measured to when the engine reads the answer would include any
	// stall of the page. Zero when unknown: the engine's clock then.
	Received Instant
}

// Transport sends requests. The browser implements it with fetch.
type Transport interface {
	// Do sends req and waits for the answer. It returns an error only when
	// no HTTP response arrived: ErrTimeout when timeout (> 0) passed first,
	// ErrCanceled when stop fired first (the request is aborted), or a
	// network failure. A nil stop never fires.
	Do(req Request, timeout time.Duration, stop *Stop) (Response, error)
	// Beacon starts req so that it survives the page going away (fetch with
	// keepalive, else navigator.sendBeacon) and returns at once without
	// waiting for an answer. It is called synchronously inside pagehide.
	Beacon(req Request) error
}

// Clock is time as the engine sees it. RealClock uses package time; the
// browser may drive timers from a Worker so that hidden tabs keep their beat.
type Clock interface {
	Now() Instant
	// AfterFunc calls f once, when d has passed, unless cancel is called
	// first; cancel reports whether it stopped the call (false when f
	// already ran or was cancelled). f must not block: it may run inside a
	// JS callback.
	AfterFunc(d time.Duration, f func()) (cancel func() bool)
}

// Page tells the engine about the page it lives in.
type Page interface {
	// Online reports navigator.onLine (true where unknown).
	Online() bool
}

// Options are startSession's options (design.md), after the browser has
// checked their JS types: DefaultOptions with the keys a game gave
// overwritten. Validate checks their ranges.
type Options struct {
	APIBase           string        // absolute http(s) URL, resolved by the browser, no trailing slash
	HeartbeatInterval time.Duration // heartbeatIntervalMs
	SessionTTL        time.Duration // sessionTtlMs
	RequestTimeout    time.Duration // requestTimeoutMs
	Credentials       string        // fetch credentials mode
	SingleTab         bool
	Takeover          bool
	Debug             bool
	// BackgroundHeartbeats: heartbeats timed and sent by a Worker (the
	// browser's business; the engine picks the clock and transport).
	BackgroundHeartbeats bool
}

// State is the engine's lifecycle state.
type State string

const (
	StateIdle     State = "idle"
	StateStarting State = "starting"
	StateActive   State = "active"
	StateRenewing State = "renewing" // the session is believed gone; a new one is being initiated
	StateEnding   State = "ending"
	StateEnded    State = "ended"
)

// Code is a GameSessionError code.
type Code string

const (
	// From the server.
	CodeAlreadyInGame   Code = "ALREADY_IN_GAME"
	CodeUnauthorized    Code = "UNAUTHORIZED"
	CodeNoActiveSession Code = "NO_ACTIVE_SESSION"
	// Local.
	CodeInvalidArgument Code = "INVALID_ARGUMENT"
	CodeNetworkError    Code = "NETWORK_ERROR"
	CodeTimeout         Code = "TIMEOUT"
	CodeServerError     Code = "SERVER_ERROR"
	CodeBadResponse     Code = "BAD_RESPONSE"
	CodeInvalidState    Code = "INVALID_STATE"
	// CodeLocksUnavailable is a non-fatal error event only: Web Locks are
	// missing, denied or partitioned (a portal's cross-site iframe), so
	// singleTab and takeover work through the server alone.
	CodeLocksUnavailable Code = "LOCKS_UNAVAILABLE"
)

// Error is what every rejection carries to JavaScript as a GameSessionError.
type Error struct {
	Code    Code
	Status  int // HTTP status, 0 when there was no response
	Message string

	permanent bool // retrying cannot help: a wrong URL, a redirect (response.go)
	// retryAfter is the server's Retry-After in nanoseconds, honoured
	// within the TTL. Not a time.Duration: Error reaches the error
	// interface, and a Duration there links its String (wasm/sizerules).
	retryAfter int64
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// EventType names an event a game can listen to with GameSession.on.
type EventType string

const (
	EventStateChange EventType = "statechange" // {state, previous}
	EventHeartbeat   EventType = "heartbeat"   // {rttMs, at}
	EventRenew       EventType = "renew"       // {reason}
	EventError       EventType = "error"       // {code, status, message, fatal}
	EventEnd         EventType = "end"         // {reason: "user"|"pagehide"|"unauthorized"|"takeover"}
)

// Event is one notification to the game: Type and the fields design.md
// names for it; the browser builds the JS detail object from them.
type Event struct {
	Type     EventType
	State    State         // statechange: the state entered
	Previous State         // statechange
	RTT      time.Duration // heartbeat: rttMs
	At       Instant       // heartbeat: when it was sent (at, unix ms)
	Reason   string        // renew, end
	Err      *Error        // error: code, status, message
	Fatal    bool          // error
}

// ScheduledTransport is optionally implemented by a Transport that can send
// a request at a set time without the page's main thread: the browser's
// Worker transport, whose timer and fetch both run in a dedicated Worker, so
// that a main thread stalled by the game (a level loading) does not delay a
// heartbeat (design.md, behaviour 3). The engine uses it for heartbeats of
// sessions with backgroundHeartbeats (the default).
type ScheduledTransport interface {
	// DoAt sends req when the wall clock reaches at (at once when at has
	// passed) and waits for the answer; timeout counts from the send. It
	// returns when the request left (zero when it never did) and, like Do,
	// an error only when no HTTP response arrived: ErrCanceled when stop
	// fired first (before the send this withdraws the request, after it the
	// request is aborted), ErrTimeout when timeout passed after the send, or
	// a network failure.
	DoAt(at Instant, timeout time.Duration, req Request, stop *Stop) (sent Instant, resp Response, err error)
}

// ErrTimeout is a transport's error for a request sent but not answered
// within its timeout.
var ErrTimeout error = constError("no answer within the request timeout")

// ErrCanceled is the error of a request or a wait that its Stop ended.
var ErrCanceled error = constError("canceled")

// constError is an error that compares with ==: the engine never needs
// errors.Is (which links reflection: see wasm/sizerules).
type constError string

func (e constError) Error() string { return string(e) }
