package session

import (
	"context"
	"fmt"
	"strings"
	"time"
)

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

	ctx    context.Context // cancelled when the session stops: aborts the request in flight
	cancel context.CancelFunc
	wake   chan struct{} // page signals (visible, online); buffered, never blocks

	// Guarded by e.mu.
	started     chan struct{} // closed once the start is settled
	settled     bool
	startErr    error
	deadline    time.Time     // last success + SessionTTL: the session may be alive until then
	beaconSent  bool          // pagehide handed an end to the browser: no other end goes
	endInFlight bool          // endSession's keepalive end is out: it outlives the page
	lock        Lock          // the singleTab lock while held (lock.go)
	endLock     Lock          // held with lock until this run's end settled (lock.go)
	endDone     chan struct{} // closed when End's request settled
	endErr      error

	// Owned by the loop goroutine (written by nobody else).
	starting  bool      // no success yet: the first initiate settles Start
	noSession bool      // the server said NO_ACTIVE_SESSION: initiate again
	lastSend  time.Time // when the last successful request was sent: the beat's anchor
	retryAt   time.Time // when to try again after a failure; zero: no retry pending
	failures  int       // consecutive failures, for the backoff
	initSince time.Time // first attempt of the current initiate, for the one-TTL window
	recent    sendLog   // recent send times, for the "no storm" cap
}

func newRun(e *Engine, token string, opts Options, reason string) *run {
	ctx, cancel := context.WithCancel(context.Background())
	return &run{
		e:         e,
		clock:     e.clockFor(opts),
		token:     token,
		opts:      opts,
		urlBase:   strings.TrimRight(opts.APIBase, "/") + "/api/games/sessions/",
		reason:    reason,
		ctx:       ctx,
		cancel:    cancel,
		wake:      make(chan struct{}, 1),
		started:   make(chan struct{}),
		starting:  true,
		noSession: true,
	}
}

// request builds the call for op. The token travels in the body only.
func (r *run) request(op Op) Request {
	return Request{Op: op, URL: r.urlBase + string(op), Token: r.token, Credentials: r.opts.Credentials}
}

// liveLocked reports whether r is still the session being kept. Every stop
// (End, PageHide, a fatal answer) cancels ctx under e.mu.
func (r *run) liveLocked() bool { return r.ctx.Err() == nil }

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

func (r *run) waitStarted(ctx context.Context) error {
	select {
	case <-r.started:
		return r.startErr
	case <-ctx.Done():
		return ctxError("startSession: stopped waiting", ctx.Err())
	}
}

func (r *run) waitEnded(ctx context.Context, done <-chan struct{}) error {
	select {
	case <-done:
		return r.endErr
	case <-ctx.Done():
		return ctxError("endSession: stopped waiting", ctx.Err())
	}
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
	e := r.e
	e.mu.Lock()
	if !r.liveLocked() {
		e.mu.Unlock()
		return
	}
	e.queueLocked(evs...)
	e.mu.Unlock()
	e.flush()
}

// succeeded records a successful initiate or heartbeat sent at sent.
func (r *run) succeeded(sent time.Time) {
	r.lastSend = sent
	r.failures, r.retryAt = 0, time.Time{}
	r.e.mu.Lock()
	r.deadline = sent.Add(r.opts.SessionTTL)
	r.e.mu.Unlock()
}

// established reports a successful initiate: the start settles (state
// active), or a renewal is announced.
func (r *run) established() {
	e := r.e
	e.mu.Lock()
	if !r.liveLocked() {
		e.mu.Unlock()
		return
	}
	if r.starting {
		r.starting = false
		r.settleStartLocked(nil)
		e.setStateLocked(StateActive)
		if r.reason != "" {
			e.queueLocked(renewEvent(r.reason))
		}
	} else {
		e.queueLocked(renewEvent("expired"))
	}
	e.mu.Unlock()
	e.flush()
}

// stop ends the session after a fatal answer: state ended, a fatal error
// event, and an end event when endReason is set. Start, if waiting, gets err.
func (r *run) stop(err *Error, endReason string) {
	e := r.e
	e.mu.Lock()
	if !r.liveLocked() {
		e.mu.Unlock()
		return
	}
	r.cancel()
	r.settleStartLocked(err)
	r.releaseLockLocked()
	disarm := e.disarmLocked() // the session is gone, or never was ours
	e.setStateLocked(StateEnded)
	e.queueLocked(errorEvent(err, true))
	if endReason != "" {
		e.queueLocked(endEvent(endReason))
	}
	e.mu.Unlock()
	disarm()
	e.flush()
	r.logf("stopped: %v", err)
}

// logf writes a debug line when Options.Debug is set. Callers never pass the
// token itself, only redact(token).
func (r *run) logf(format string, args ...any) {
	if !r.opts.Debug || r.e.cfg.Log == nil {
		return
	}
	defer func() { _ = recover() }()
	r.e.cfg.Log("game-session: " + fmt.Sprintf(format, args...))
}
