package session

import "time"

// run keeps one session: from its first initiate until End, pagehide or a
// fatal answer. Its loop goroutine (heartbeat.go) is the only sender of its
// initiate and heartbeat requests.
type run struct {
	e       *Engine
	token   string
	opts    Options
	urlBase string // APIBase without trailing slashes + "/api/games/sessions/"
	reason  string // renew reason of the first success: "" for Start, "bfcache", "takeover"
	clock   Clock  // the engine's Clock, or its BackgroundClock (backgroundHeartbeats)

	halt *Stop         // fired when the session stops: aborts the request in flight, wakes the loop
	wake chan struct{} // the loop's one wait: timers, page signals (visible, online), stop; buffered

	// Guarded by e.mu.
	started     chan struct{} // closed once the start is settled
	settled     bool
	startErr    error
	deadline    Instant       // last success + SessionTTL: the session may be alive until then
	beaconSent  bool          // pagehide handed an end to the browser: no other end goes
	endInFlight bool          // endSession's keepalive end is out: it outlives the page
	lock        Lock          // the singleTab lock while held (lock.go)
	endLock     Lock          // held with lock until this run's end settled (lock.go)
	endDone     chan struct{} // closed when End's request settled
	endErr      error

	// Owned by the loop goroutine (written by nobody else).
	scheduled ScheduledTransport // heartbeats timed and sent off the main thread; nil: page timers
	starting  bool               // no success yet: the first initiate settles Start
	noSession bool               // never started, or the server said NO_ACTIVE_SESSION: initiate
	maybeOurs bool               // a request with an unknown outcome may have made or kept our session
	probe     bool               // next: a heartbeat asking whether an ALREADY_IN_GAME is ours
	endFirst  bool               // next: end the user's session (takeover without Web Locks)
	unknown   int                // consecutive heartbeats with an unknown outcome
	offline   bool               // renewing while navigator.onLine says offline
	lastSend  Instant            // when the last successful request was sent: the beat's anchor
	retryAt   Instant            // when to try again after a failure; zero: no retry pending
	failures  int                // consecutive failures, for the backoff
	initSince Instant            // first attempt of the current initiate, for the one-TTL window
	recent    sendLog            // recent send times, for the "no storm" cap
	rtt       rttLog             // recent round trips, for the adaptive send time (rtt.go)
}

func newRun(e *Engine, token string, opts Options, reason string) *run {
	r := makeRun(e, token, opts, reason)
	r.halt.OnFire(r.signal) // a stop wakes the loop, which then returns
	return r
}

func makeRun(e *Engine, token string, opts Options, reason string) *run {
	var scheduled ScheduledTransport
	if st, ok := e.cfg.Transport.(ScheduledTransport); ok && opts.BackgroundHeartbeats {
		scheduled = st
	}
	return &run{
		scheduled: scheduled,
		maybeOurs: reason == "bfcache", // the session pagehide left may still be alive
		e:         e,
		clock:     e.clockFor(opts),
		token:     token,
		opts:      opts,
		urlBase:   trimSlashes(opts.APIBase) + "/api/games/sessions/",
		reason:    reason,
		halt:      &Stop{},
		wake:      make(chan struct{}, 1),
		started:   make(chan struct{}),
		starting:  true,
		noSession: true,
	}
}

// cancel stops r: its loop ends and the request in flight is aborted. It
// never blocks; callers hold e.mu, so that liveLocked changes with the state.
func (r *run) cancel() { r.halt.Fire() }

// request builds the call for op. The token travels in the body only.
func (r *run) request(op Op) Request {
	return Request{Op: op, URL: r.urlBase + string(op), Token: r.token, Credentials: r.opts.Credentials}
}

// liveLocked reports whether r is still the session being kept. Every stop
// (End, PageHide, a fatal answer) fires r.stop under e.mu.
func (r *run) liveLocked() bool { return !r.halt.Fired() }

// stopped reports whether r was stopped; the loop's and helpers' check.
func (r *run) stopped() bool { return r.halt.Fired() }

// locked runs f with e.mu held if r is still the session being kept, and
// reports whether it did. Every change a run makes to the engine's shared
// state goes through it, so that a stopped run changes nothing; what must
// happen outside the lock (a withdrawal, a release, delivering the events f
// queued with e.flush) the caller does after it returns.
func (r *run) locked(f func(e *Engine)) bool {
	e := r.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !r.liveLocked() {
		return false
	}
	f(e)
	return true
}

// settleStartLocked gives Start its outcome, once.
func (r *run) settleStartLocked(err *Error) {
	if r.settled {
		return
	}
	r.settled = true
	if err != nil {
		r.startErr = err
	}
	close(r.started)
}

// waitStarted waits until the start settled (it always does: at the
// latest one TTL after the first attempt, or when the session stops).
func (r *run) waitStarted() error {
	<-r.started
	return r.startErr
}

// signal wakes the loop without blocking; one pending signal is enough.
func (r *run) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// emit queues events if r is still live and delivers them.
func (r *run) emit(evs ...Event) {
	r.locked(func(e *Engine) { e.queueLocked(evs...) })
	r.e.flush()
}

// succeeded records a successful initiate or heartbeat sent at sent and
// answered after rtt.
func (r *run) succeeded(sent Instant, rtt time.Duration) {
	r.answered(rtt)
	r.lastSend = sent
	r.failures, r.retryAt = 0, 0
	r.e.mu.Lock()
	r.deadline = sent.Add(r.opts.SessionTTL)
	r.e.mu.Unlock()
}

// answered records the round trip of a request the server answered.
func (r *run) answered(rtt time.Duration) { r.rtt.record(rtt) }

// renewing enters the renewing state: the module believes the session is
// gone and is starting a new one, so "active" no longer holds (a game asks
// state() before requesting an ad).
func (r *run) renewing() { _ = r.setState(StateActive, StateRenewing) }

// setActive is renewing's way back without a new session: a heartbeat found
// the session alive. It reports whether the state changed.
func (r *run) setActive() bool { return r.setState(StateRenewing, StateActive) }

// setState moves from one state to another, if r is live and in from.
func (r *run) setState(from, to State) bool {
	changed := false
	r.locked(func(e *Engine) {
		if changed = e.state == from; changed {
			e.setStateLocked(to)
		}
	})
	r.e.flush()
	return changed
}

// established reports a successful initiate: the start settles (state
// active), or a renewal is announced.
func (r *run) established() {
	r.locked(func(e *Engine) {
		e.setStateLocked(StateActive)
		switch {
		case !r.starting:
			e.queueLocked(renewEvent("expired"))
		case r.reason != "":
			e.queueLocked(renewEvent(r.reason))
		}
		if r.starting {
			r.starting = false
			r.settleStartLocked(nil)
		}
	})
	r.e.flush()
}

// stop ends the session after a fatal answer: state ended, a fatal error
// event, and an end event when endReason is set. Start, if waiting, gets err.
func (r *run) stop(err *Error, endReason string) {
	var released []Lock
	var disarm func()
	if !r.locked(func(e *Engine) {
		r.cancel()
		r.settleStartLocked(err)
		released = r.releaseLockLocked()
		disarm = e.disarmLocked() // the session is gone, or never was ours
		e.setStateLocked(StateEnded)
		e.queueLocked(errorEvent(err, true))
		if endReason != "" {
			e.queueLocked(endEvent(endReason))
		}
	}) {
		return
	}
	disarm()
	r.awaitReleased(released)
	r.e.flush()
	r.logf("stopped: " + err.Error())
}

// logf writes a debug line when Options.Debug is set. Callers never pass the
// token itself, only redact(token); durations go in whole milliseconds (ms).
func (r *run) logf(line string) {
	if !r.opts.Debug || r.e.cfg.Log == nil {
		return
	}
	defer func() { _ = recover() }()
	r.e.cfg.Log("game-session: " + line)
}
