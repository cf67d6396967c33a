package session

import "time"

// loop keeps one session alive. Each turn works out which request is next
// (nextOp) and when it is due (nextDue), waits until then (woken early by
// visibility and online signals), sends that one request and acts on its
// answer. Requests are sent from this goroutine only and one at a time, so at
// most one is ever in flight: a heartbeat that falls due while another is
// still out simply waits for it.
//
// What counts at the server is when a heartbeat *arrives*: its session lives
// until the last arrival + TTL. The module only knows when it sent, so its
// deadline (last success's send + TTL) is an estimate that errs early, by
// the request's travel time. Hence the three rules of mobile networks:
//   - an answer counts whenever it comes: a heartbeat's timeout is
//     requestTimeoutMs, not the time left before the estimated deadline;
//   - an unknown outcome (timeout, network error, 5xx) is probed with a
//     heartbeat before anything is renewed; only NO_ACTIVE_SESSION, or a
//     probe that also goes unanswered after the deadline, starts a renewal;
//   - the send time adapts to the network's jitter (nextDue, rtt.go).
func (r *run) loop() {
	defer r.recoverPanic()
	if d, ok := r.clock.(ClockDescriber); ok {
		r.logf("heartbeat timers: " + d.Describe())
	}
	if !r.acquireLock() {
		return
	}
	for !r.stopped() {
		now := r.clock.Now()
		op := r.nextOp(now)
		if op == OpInitiate && !r.starting {
			r.renewing()
		}
		due := r.nextDue(now, op)
		if due.After(now) && !(op == OpHeartbeat && r.scheduled != nil) {
			r.sleep(due.Sub(now))
			continue
		}
		switch op {
		case OpInitiate:
			r.initiate()
		case OpEnd:
			r.takeOverAtServer()
		default:
			r.heartbeat(due)
		}
	}
}

// nextOp is the request the session needs next.
func (r *run) nextOp(now Instant) Op {
	switch {
	case r.endFirst:
		return OpEnd // takeover through the server: end the user's session, then initiate
	case r.probe:
		return OpHeartbeat // an ALREADY_IN_GAME that may be our own session
	case r.noSession:
		return OpInitiate // never started, or the server said NO_ACTIVE_SESSION
	case !now.Before(r.deadline) && r.unknown != 1:
		// A TTL with no answer at all, and the probe of an unknown outcome
		// went unanswered too (or no beat went out: a frozen page).
		return OpInitiate
	}
	return OpHeartbeat
}

// nextDue is when the next request may go.
func (r *run) nextDue(now Instant, op Op) Instant {
	// Fixed rate from send times, so the server sees gaps of the interval,
	// less the lead that the network's jitter asks for (rtt.go).
	due := r.lastSend.Add(r.opts.HeartbeatInterval - r.rtt.lead(r.opts))
	switch {
	case !r.retryAt.IsZero():
		due = r.retryAt // backing off after a failure
	case op != OpHeartbeat || r.probe:
		due = now // expired, taking over, probing, or not started yet: at once
	}
	if op == OpInitiate && !r.starting && !r.e.page.Online() {
		// navigator.onLine says offline, but it can be wrong for ever (VPNs,
		// some OSes): keep trying, at most once an interval; the online
		// event still wakes the loop at once (Engine.Online).
		if !r.offline {
			r.offline = true
			r.logf("offline: renewing at most once an interval until the online event")
		}
		due = later(due, r.recent.last().Add(r.opts.HeartbeatInterval))
	} else if r.offline {
		r.offline = false
		r.failures, r.retryAt = 0, 0 // online again: a fresh backoff
		due = now
	}
	return r.recent.earliest(due, r.opts.HeartbeatInterval)
}

// sleep waits d, or until a page signal or the end of the session, whichever
// comes first: all of them signal r.wake, the loop's one channel.
func (r *run) sleep(d time.Duration) {
	cancel := r.clock.AfterFunc(d, r.signal)
	<-r.wake
	cancel()
}

// heartbeat sends one heartbeat at due (from the Worker where it runs, so
// that a stalled main thread does not delay it) and acts on its answer.
func (r *run) heartbeat(due Instant) {
	probe := r.probe
	r.probe = false
	sent, rtt, err := r.send(OpHeartbeat, due)
	if r.stopped() {
		return // End or pagehide aborted it: the answer no longer matters
	}
	switch {
	case err == nil:
		r.unknown = 0
		renewed := r.noSession // the probe found the session our lost initiate made
		r.succeeded(sent, rtt)
		if late := sent.Sub(due); late > 0 && late < r.opts.HeartbeatInterval/2 {
			// A timer that fired late (a loaded machine; a page timer in
			// Firefox, which may fire up to an eighth of its delay late to
			// share a wake-up: the Worker's wait steps around that) must not
			// push every later beat: the next one is timed from when this
			// one was due. The deadline stays the real send's.
			r.lastSend = due
		}
		if probe {
			r.logf("probe: the session is alive")
			r.initSince = 0
		}
		r.maybeOurs = false
		switch {
		case renewed || r.starting:
			// Our lost initiate made it: the new session is up.
			r.noSession = false
			r.armDeferredEnd()
			r.established()
		case r.setActive():
			// A renewal from silence found the session alive after all:
			// back to active, no renew; its end is armed again.
			r.armDeferredEnd()
		}
		r.emit(heartbeatEvent(rtt, sent))
	case err.Code == CodeUnauthorized:
		r.stop(err, "unauthorized")
	case err.Code == CodeNoActiveSession:
		// The server dropped the session (or the ALREADY_IN_GAME we probed
		// is gone): initiate a new one at once.
		r.logf("heartbeat: no active session: renewing")
		r.answered(rtt)
		r.unknown = 0
		r.noSession, r.maybeOurs = true, false
		r.failures, r.retryAt = 0, 0
		if !r.starting {
			r.renewing()
		}
	default:
		// The outcome is unknown: the heartbeat may have arrived. The next
		// request is a heartbeat again, as a probe; retries only help while
		// the session can be alive, so the last one goes just before the
		// estimated deadline, whatever the backoff says.
		r.unknown++
		r.maybeOurs = true
		r.retryLater(sent, err, r.deadline.Add(-lastTryMargin))
	}
}

// initiate sends one initiate (the first one, or a renewal) and acts on its
// answer.
func (r *run) initiate() {
	now := r.clock.Now()
	if r.starting && r.initSince.IsZero() {
		r.initSince = now // Start's window opens with its first attempt
	}
	if !r.starting {
		// Renewing: the old session is gone or presumed gone. Its end must
		// not go later and hit a session that another tab may hold by now.
		r.disarmDeferredEnd()
		if !r.noSession {
			// Presumed gone from silence, not from an answer: the server
			// may still hold it (its deadline counts from arrival).
			r.maybeOurs = true
		}
	}
	sent, rtt, err := r.send(OpInitiate, now)
	if r.stopped() {
		return
	}
	r.unknown = 0
	if err == nil {
		r.initSince, r.noSession, r.maybeOurs = 0, false, false
		r.succeeded(sent, rtt)
		r.armDeferredEnd()
		r.established()
		return
	}
	switch {
	case err.Code == CodeUnauthorized:
		r.stop(err, "unauthorized")
		return
	case err.permanent:
		// A wrong apiBase, a redirect, an API that is not there: retrying
		// cannot help. Reject at once, naming the URL.
		r.stop(err, "")
		return
	case err.Code != CodeAlreadyInGame:
		// No answer, or a proxy's 5xx: it may have arrived and made our
		// session.
		r.maybeOurs = true
		if r.starting {
			r.retryInWindow(sent, err)
		} else {
			// A renewal retries for as long as it takes (the backoff and the
			// send cap keep that quiet).
			r.retryLater(sent, err, 0)
		}
		return
	}

	// ALREADY_IN_GAME.
	r.answered(rtt)
	switch {
	case r.maybeOurs:
		// Our own earlier request may have made or kept this session: ask
		// it with a heartbeat before riding anything out.
		r.logf("initiate: ALREADY_IN_GAME may be our own session: probing with a heartbeat")
		r.probe = true
		r.failures, r.retryAt = 0, 0
		if r.initSince.IsZero() {
			r.initSince = sent
		}
	case r.starting && r.opts.Takeover && r.initSince.Add(r.opts.SessionTTL).After(sent):
		// takeover: true without a lock to steal (a portal's iframe, another
		// device): end the user's session at the server, then initiate.
		r.logf("takeover: ending the session another page holds, then initiating")
		r.endFirst = true
		r.reason = "takeover"
		r.failures, r.retryAt = 0, 0
	case r.starting:
		// A session of this user is still alive, most likely the one of a
		// page whose end was lost. It expires at the latest one TTL after
		// we first tried, so ride it out for that long, then reject.
		r.retryInWindow(sent, err)
	default:
		// Renewing after the server said NO_ACTIVE_SESSION: the user's
		// session is someone else's now (another device, or a tab that took
		// over without Web Locks).
		r.stop(err, "takeover")
	}
}

// retryInWindow retries a first start until one TTL after its first attempt
// (design.md, behaviour 2), then rejects it.
func (r *run) retryInWindow(sent Instant, err *Error) {
	window := r.initSince.Add(r.opts.SessionTTL)
	if !sent.Before(window) {
		r.stop(err, "")
		return
	}
	// One last try just after the window, whatever the backoff says.
	r.retryLater(sent, err, window.Add(retryBase))
}

// takeOverAtServer sends the end of a takeover without Web Locks; the
// initiate follows at once.
func (r *run) takeOverAtServer() {
	sent, _, err := r.send(OpEnd, r.clock.Now())
	if r.stopped() {
		return
	}
	if err == nil || err.Code == CodeNoActiveSession {
		r.endFirst = false
		r.failures, r.retryAt = 0, 0
		return
	}
	if err.Code == CodeUnauthorized || err.permanent {
		r.stop(err, "")
		return
	}
	r.retryInWindow(sent, err)
}

// retryLater schedules the next attempt after a transient failure (not later
// than notAfter when that is set) and reports the failure as a non-fatal
// error event. A server's Retry-After is honoured within those bounds.
func (r *run) retryLater(sent Instant, err *Error, notAfter Instant) {
	r.failures++
	wait := max(backoff(r.failures, r.opts.HeartbeatInterval), min(time.Duration(err.retryAfter), r.opts.SessionTTL))
	r.retryAt = sent.Add(wait)
	if !notAfter.IsZero() && r.retryAt.After(notAfter) {
		r.retryAt = notAfter
	}
	r.logf(string(err.Code) + " (" + err.Message + "): retry in " + wholeMs(r.retryAt.Sub(sent)) + " ms")
	r.emit(errorEvent(err, false))
}

// send posts op for this session at the time at and reads the answer. A
// heartbeat that is not due yet goes through the ScheduledTransport, which
// times and sends it off the main thread.
func (r *run) send(op Op, at Instant) (sent Instant, rtt time.Duration, err *Error) {
	timeout := r.opts.RequestTimeout
	req := r.request(op)
	r.logf(string(op) + " for " + redact(r.token) + " (timeout " + wholeMs(timeout) + " ms)")
	var resp Response
	var terr error
	if r.scheduled != nil && op == OpHeartbeat && at.After(r.clock.Now()) {
		sent, resp, terr = r.scheduled.DoAt(at, timeout, req, r.halt)
		if sent.IsZero() {
			sent = r.clock.Now() // withdrawn before it went: only a stop does that
		}
		r.recent.record(sent)
	} else {
		sent = r.clock.Now()
		r.recent.record(sent)
		resp, terr = r.e.cfg.Transport.Do(req, timeout, r.halt)
	}
	err = outcome(req, resp, terr, timeout)
	rtt = r.clock.Now().Sub(sent)
	if !resp.Received.IsZero() { // the Worker's: a stalled page does not stretch it
		rtt = resp.Received.Sub(sent)
	}
	if err == nil {
		r.logf(string(op) + " ok in " + wholeMs(rtt) + " ms")
	}
	return sent, rtt, err
}

// callOnce makes one request that nothing aborts (End's) and reads its answer.
func callOnce(t Transport, req Request, timeout time.Duration) *Error {
	resp, err := t.Do(req, timeout, nil)
	return outcome(req, resp, err, timeout)
}

// outcome reads what a transport returned: nil on success, else an *Error
// (TIMEOUT, NETWORK_ERROR or what the response says) whose message, which
// may echo the server or the browser, never holds the token.
func outcome(req Request, resp Response, err error, timeout time.Duration) *Error {
	var e *Error
	switch {
	case err == nil:
		e = parseResponse(req, resp)
	case err == ErrCanceled:
		e = canceledError(string(req.Op))
	case err == ErrTimeout:
		e = timeoutError(req.Op, timeout)
	default:
		e = networkError(req, err)
	}
	if e != nil {
		e.Message = scrub(e.Message, req.Token)
	}
	return e
}

// recoverPanic keeps a bug (or a panicking transport) from killing the
// module: the session stops with a fatal error instead.
func (r *run) recoverPanic() {
	if p := recover(); p != nil {
		msg := "internal error"
		if e, ok := p.(error); ok {
			msg += ": " + e.Error()
		} else if s, ok := p.(string); ok {
			msg += ": " + s
		}
		r.stop(&Error{Code: CodeInvalidState, Message: scrub(msg, r.token)}, "")
	}
}

func later(a, b Instant) Instant {
	if b.After(a) {
		return b
	}
	return a
}
