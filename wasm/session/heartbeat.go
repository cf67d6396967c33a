package session

import (
	"context"
	"fmt"
	"time"
)

// loop keeps one session alive. Each turn works out what is due and when,
// sleeps until then (woken early by visibility and online signals), sends
// that one request and acts on its answer. Requests are sent from this
// goroutine only and one at a time, so at most one is ever in flight: a
// heartbeat that falls due while another is still out simply waits for it.
func (r *run) loop() {
	defer r.recoverPanic()
	if d, ok := r.clock.(ClockDescriber); ok {
		r.logf("heartbeat timers: %s", d.Describe())
	}
	if !r.acquireLock() {
		return
	}
	for r.ctx.Err() == nil {
		now := r.clock.Now()
		initiate := r.noSession || !now.Before(r.deadline) // never started, or expired
		if initiate && !r.starting && !r.e.page.Online() {
			// Offline, a renewal would fail at once: wait for the online
			// event, then initiate at once with a fresh backoff.
			r.failures, r.retryAt = 0, time.Time{}
			r.logf("offline: waiting for the network to renew")
			r.sleep(-1)
			continue
		}
		if due := r.nextDue(now, initiate); due.After(now) {
			r.sleep(due.Sub(now))
			continue
		}
		if initiate {
			r.initiate()
		} else {
			r.heartbeat()
		}
	}
}

// nextDue is when the next request may go.
func (r *run) nextDue(now time.Time, initiate bool) time.Time {
	// Fixed rate: due one interval after the last one was *sent*, not after
	// its answer, so the server sees gaps of exactly the interval.
	due := r.lastSend.Add(r.opts.HeartbeatInterval)
	switch {
	case !r.retryAt.IsZero():
		due = r.retryAt // backing off after a failure
	case initiate:
		due = now // expired or not started yet: at once
	}
	return r.recent.earliest(due, r.opts.HeartbeatInterval)
}

// sleep waits d (with no timer when d < 0), or until a page signal or the end
// of the session, whichever comes first.
func (r *run) sleep(d time.Duration) {
	var fired <-chan time.Time
	if d >= 0 {
		t := r.clock.NewTimer(d)
		defer t.Stop()
		fired = t.C()
	}
	select {
	case <-fired:
	case <-r.wake:
	case <-r.ctx.Done():
	}
}

// heartbeat sends one heartbeat and acts on its answer.
func (r *run) heartbeat() {
	sent, rtt, err := r.send(OpHeartbeat)
	if r.ctx.Err() != nil {
		return // End or pagehide aborted it: the answer no longer matters
	}
	switch {
	case err == nil:
		r.succeeded(sent)
		r.emit(heartbeatEvent(rtt, sent))
	case err.Code == CodeUnauthorized:
		r.stop(err, "unauthorized")
	case err.Code == CodeNoActiveSession:
		// The server dropped the session: initiate a new one at once.
		r.logf("heartbeat: no active session: renewing")
		r.noSession = true
		r.failures, r.retryAt = 0, time.Time{}
	default:
		// Retries only help while the session is alive: the last one goes
		// just before the deadline, whatever the backoff says, so a short
		// outage never costs the session.
		r.retryLater(sent, err, r.deadline.Add(-lastTryMargin))
	}
}

// initiate sends one initiate (the first one, or a renewal) and acts on its
// answer.
func (r *run) initiate() {
	if r.starting && r.initSince.IsZero() {
		r.initSince = r.clock.Now() // Start's window opens with its first attempt
	}
	if !r.starting {
		// Renewing: the old session is gone or presumed gone (no success
		// for a TTL). Its end must not go later and hit a session that
		// another tab may hold by now.
		r.disarmDeferredEnd()
	}
	sent, _, err := r.send(OpInitiate)
	if r.ctx.Err() != nil {
		return
	}
	if err == nil {
		r.initSince, r.noSession = time.Time{}, false
		r.succeeded(sent)
		r.armDeferredEnd()
		r.established()
		return
	}
	if err.Code == CodeUnauthorized {
		r.stop(err, "unauthorized")
		return
	}
	// ALREADY_IN_GAME: a session of this user is still alive, most likely
	// the one of a page whose end was lost. It expires at the latest one TTL
	// after we first saw it, so ride it out for that long. A first start
	// gives transient failures the same window before it rejects; a renewal
	// retries them for as long as it takes (the backoff and the send cap
	// keep that quiet), and its window opens with the first ALREADY_IN_GAME,
	// since a long outage says nothing about who holds the session.
	if r.starting || err.Code == CodeAlreadyInGame {
		if r.initSince.IsZero() {
			r.initSince = sent
		}
		window := r.initSince.Add(r.opts.SessionTTL)
		if !sent.Before(window) {
			reason := "takeover" // another page holds the session now
			if r.starting {
				reason = "" // never had one: Start rejects
			}
			r.stop(err, reason)
			return
		}
		// One last try just after the window, whatever the backoff says.
		r.retryLater(sent, err, window.Add(retryBase))
		return
	}
	r.retryLater(sent, err, time.Time{})
}

// retryLater schedules the next attempt after a transient failure (not later
// than notAfter when that is set) and reports the failure as a non-fatal
// error event.
func (r *run) retryLater(sent time.Time, err *Error, notAfter time.Time) {
	r.failures++
	r.retryAt = sent.Add(backoff(r.failures, r.opts.HeartbeatInterval))
	if !notAfter.IsZero() && r.retryAt.After(notAfter) {
		r.retryAt = notAfter
	}
	r.logf("%s failed (%v): retry in %v", err.Code, err, r.retryAt.Sub(sent))
	r.emit(errorEvent(err, false))
}

// send posts op for this session and reads the answer. A heartbeat's timeout
// never outlasts the session: past the deadline the answer is useless, the
// session must be initiated again.
func (r *run) send(op Op) (sent time.Time, rtt time.Duration, err *Error) {
	sent = r.clock.Now()
	timeout := r.opts.RequestTimeout
	if op == OpHeartbeat {
		timeout = min(timeout, r.deadline.Sub(sent))
	}
	r.recent.record(sent)
	r.logf("%s for %s (timeout %v)", op, redact(r.token), timeout)
	err = send(r.ctx, r.e.cfg.Transport, r.request(op), timeout)
	rtt = r.clock.Now().Sub(sent)
	if err == nil {
		r.logf("%s ok in %v", op, rtt)
	}
	return sent, rtt, err
}

// send makes one call with a timeout and reads its answer: nil on success,
// else an *Error (TIMEOUT, NETWORK_ERROR or what the response says).
func send(parent context.Context, t Transport, req Request, timeout time.Duration) *Error {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	resp, err := t.Do(ctx, req)
	if err == nil {
		return parseResponse(req.Op, resp)
	}
	if parent.Err() != nil {
		return ctxError(string(req.Op), parent.Err())
	}
	if ctx.Err() == context.DeadlineExceeded {
		return &Error{Code: CodeTimeout, Message: fmt.Sprintf("%s: no answer within %v", req.Op, timeout)}
	}
	return &Error{Code: CodeNetworkError, Message: string(req.Op) + ": " + err.Error()}
}

// recoverPanic keeps a bug (or a panicking transport) from killing the
// module: the session stops with a fatal error instead.
func (r *run) recoverPanic() {
	if p := recover(); p != nil {
		r.stop(&Error{Code: CodeInvalidState, Message: fmt.Sprint("internal error: ", p)}, "")
	}
}
