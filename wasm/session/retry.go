package session

import "time"

// Retry policy. Backoff doubles from retryBase and is capped at the
// heartbeat interval; on top of it no more than maxSendsPerInterval
// automatic requests (initiate, heartbeat) go out in any window of one
// heartbeat interval, whatever mix of failures and renewals happens.
const (
	retryBase           = 250 * time.Millisecond
	maxSendsPerInterval = 4
	maxEndAttempts      = 4                      // End: the first try and at most 3 brief retries
	minEndTimeout       = 1 * time.Second        // End: per-try timeout floor, even near expiry
	lastTryMargin       = 100 * time.Millisecond // a heartbeat's last retry goes this long before expiry
	capMargin           = 250 * time.Millisecond // the send cap's window exceeds the interval by at most this
)

// backoff is the wait before retry number failures (1, 2, ...):
// 250 ms, 500 ms, 1 s, 2 s, 4 s, 8 s, ... but never more than limit.
func backoff(failures int, limit time.Duration) time.Duration {
	d := retryBase
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// sendLog remembers the last maxSendsPerInterval send times.
type sendLog struct {
	at []Instant
}

func (l *sendLog) record(t Instant) {
	l.at = append(l.at, t)
	if len(l.at) > maxSendsPerInterval {
		l.at = append(l.at[:0], l.at[len(l.at)-maxSendsPerInterval:]...)
	}
}

// last is the latest send time recorded (zero when none).
func (l *sendLog) last() Instant {
	if len(l.at) == 0 {
		return 0
	}
	return l.at[len(l.at)-1]
}

// earliest is t, or later if sending at t would make more than
// maxSendsPerInterval sends within one interval. The window is a thirtieth
// longer (at most 250 ms) than the interval: the cap is kept at the server,
// where a request sent from the Worker can arrive later than the next one
// sent from the page, and send times understate how close arrivals come.
func (l *sendLog) earliest(t Instant, interval time.Duration) Instant {
	if len(l.at) < maxSendsPerInterval {
		return t
	}
	if free := l.at[0].Add(interval + min(interval/30, capMargin)); t.Before(free) {
		return free
	}
	return t
}

// transient reports whether err is worth retrying: no answer, or an answer
// that is not one of the API's documented ones.
func transient(err *Error) bool {
	switch err.Code {
	case CodeNetworkError, CodeTimeout, CodeServerError, CodeBadResponse:
		return true
	}
	return false
}
