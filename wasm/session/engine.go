package session

import "sync"

// Config wires an Engine to its surroundings.
type Config struct {
	Transport Transport // may also be a DeferredSender (deferred.go)
	Clock     Clock     // nil: RealClock
	// BackgroundClock, when set, times the sessions started with
	// Options.BackgroundHeartbeats (the default) instead of Clock: the
	// browser's Worker clock, whose timers a hidden tab does not throttle.
	BackgroundClock Clock
	Locker          Locker       // nil: no singleTab guard (lock.go)
	Page            Page         // nil: always online
	Emit            func(Event)  // called with no engine lock held; must not block
	Log             func(string) // debug lines, used only when Options.Debug; never the whole token
}

// Engine is one page's session keeper. All methods are safe for concurrent use.
//
// The engine owns the lifecycle state; each live session is kept by a run
// (run.go) whose one goroutine sends every initiate and heartbeat
// (heartbeat.go). The mutex guards the state and is never held across a
// transport call, a timer wait or an Emit.
type Engine struct {
	cfg   Config
	clock Clock
	page  Page

	mu       sync.Mutex
	state    State
	run      *run    // the live session's keeper, or the last one; nil before the first Start
	resume   *resume // what pagehide ended, for a back/forward cache restore
	events   []Event // queued under mu, in order; flush delivers them
	flushing bool
	deferred func() // cancels the armed deferred end (deferred.go); nil when none
	// locksWarned: the LOCKS_UNAVAILABLE error event went out (once a page).
	locksWarned bool
}

// resume is the session a pagehide ended, started again by PageShow(true).
type resume struct {
	token string
	opts  Options
}

// New returns an idle Engine.
func New(cfg Config) *Engine {
	e := &Engine{cfg: cfg, clock: cfg.Clock, page: cfg.Page, state: StateIdle}
	if e.clock == nil {
		e.clock = RealClock{}
	}
	if e.page == nil {
		e.page = alwaysOnline{}
	}
	return e
}

type alwaysOnline struct{}

func (alwaysOnline) Online() bool { return true }

// Start validates token and opts, initiates a session and returns once it is
// active (nil) or failed (*Error). Allowed from idle or ended.
//
// A second Start with the same token while a session is starting or active
// does not initiate again: it returns the first one's outcome (its options are
// ignored). Another token gets INVALID_STATE.
//
// With Options.SingleTab and a Locker, only the tab that gets the lock sends
// anything: in another tab Start rejects at once with ALREADY_IN_GAME, status
// 0, or with Options.Takeover takes the session over (lock.go).
func (e *Engine) Start(token string, opts Options) error {
	if e == nil {
		return invalidState("startSession: no engine")
	}
	if err := ValidateToken(token); err != nil {
		return err
	}
	if err := opts.Validate(); err != nil {
		return err
	}
	if e.cfg.Transport == nil {
		return invalidState("startSession: the engine has no transport")
	}

	e.mu.Lock()
	switch e.state {
	case StateStarting, StateActive, StateRenewing:
		r, st := e.run, e.state
		e.mu.Unlock()
		if r.token != token {
			return invalidState("startSession: a session with another token is " + string(st) + "; call endSession first")
		}
		return r.waitStarted()
	case StateEnding:
		e.mu.Unlock()
		return invalidState("startSession: endSession is in progress")
	}
	e.resume = nil
	r := e.startRunLocked(token, opts, "")
	e.mu.Unlock()
	e.flush()

	r.logf("startSession(" + redact(token) + ") at " + r.urlBase)
	return r.waitStarted()
}

// startRunLocked makes r the live session, enters starting and starts its
// loop. reason is the renew reason its first success reports ("" for Start).
func (e *Engine) startRunLocked(token string, opts Options, reason string) *run {
	r := newRun(e, token, opts, reason)
	e.run = r
	e.setStateLocked(StateStarting)
	go r.loop()
	return r
}

// End stops the heartbeat, aborts one in flight, sends end and returns.
//
// When idle or ended it returns nil without a request. During starting it
// cancels the start (Start returns INVALID_STATE) and still sends end, since
// the initiate may have reached the server. NO_ACTIVE_SESSION counts as
// success; after brief retries of a transient failure the state is ended
// anyway and the error is returned.
func (e *Engine) End() error {
	if e == nil {
		return nil
	}
	e.mu.Lock()
	r := e.run
	switch e.state {
	case StateStarting, StateActive, StateRenewing:
	case StateEnding:
		done := r.endDone
		e.mu.Unlock()
		<-done
		return r.endErr
	default: // idle or ended: nothing to end
		e.resume = nil
		e.mu.Unlock()
		return nil
	}
	r.settleStartLocked(invalidState("startSession: ended by endSession"))
	deadline, disarm := e.beginEndLocked(r)
	e.mu.Unlock()
	disarm()
	e.flush()

	r.logf("endSession")
	return e.finishEnd(r, deadline, "user")
}

// beginEndLocked stops r's loop (aborting the request in flight) and enters
// ending. It returns r's deadline and the deferred end's cancel, to be called
// before the end request goes: one end per session.
func (e *Engine) beginEndLocked(r *run) (deadline Instant, disarm func()) {
	r.cancel()
	r.endDone = make(chan struct{})
	e.setStateLocked(StateEnding)
	return r.deadline, e.disarmLocked()
}

// finishEnd sends r's end, gives up its lock (only now, so that a tab
// starting next does not meet this session) and enters ended with an end
// event for reason ("unauthorized" when the end said so).
func (e *Engine) finishEnd(r *run, deadline Instant, reason string) error {
	endErr := r.sendEnd(deadline)

	e.mu.Lock()
	if endErr != nil {
		r.endErr = endErr
	}
	close(r.endDone)
	released := r.releaseLockLocked()
	e.setStateLocked(StateEnded)
	if endErr != nil && endErr.Code == CodeUnauthorized {
		e.queueLocked(errorEvent(endErr, true), endEvent("unauthorized"))
	} else {
		e.queueLocked(endEvent(reason))
	}
	e.mu.Unlock()
	r.awaitReleased(released)
	e.flush()
	return r.endErr
}

// State is the current lifecycle state.
func (e *Engine) State() State {
	if e == nil {
		return StateIdle
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.state
}

// PageHide must be called synchronously from the pagehide handler: it sends
// end through Transport.Beacon at most once per session and stops the beat.
//
// It never waits: the lock it takes is only ever held briefly, and Beacon
// returns at once. A session that was starting or active is remembered so
// that PageShow(true) starts it again.
func (e *Engine) PageHide() {
	if e == nil {
		return
	}
	e.mu.Lock()
	r := e.run
	beacon := false
	switch e.state {
	case StateStarting, StateActive, StateRenewing:
		r.cancel()
		r.settleStartLocked(invalidState("startSession: ended by pagehide"))
		e.resume = &resume{token: r.token, opts: r.opts}
		e.setStateLocked(StateEnded)
		e.queueLocked(endEvent("pagehide"))
		beacon = !r.beaconSent
	case StateEnding:
		// endSession's end in flight is a keepalive fetch and outlives the
		// page. Between its retries nothing is out: the beacon is the end,
		// and sendEnd sends no more.
		beacon = !r.beaconSent && !r.endInFlight
	}
	if beacon {
		r.beaconSent = true
	}
	if r != nil {
		// A held lock keeps the page out of the back/forward cache;
		// PageShow takes it again.
		r.releaseLockLocked()
	}
	e.mu.Unlock()

	if beacon {
		if err := e.cfg.Transport.Beacon(r.request(OpEnd)); err != nil {
			// The deferred end, if armed, stays: it goes when the
			// document is destroyed.
			r.logf("pagehide: end beacon failed: " + err.Error())
		} else {
			e.mu.Lock()
			disarm := e.disarmLocked()
			e.mu.Unlock()
			disarm()
			r.logf("pagehide: end beacon sent")
		}
	}
	e.flush()
}

// PageShow is called on pageshow; persisted means a back/forward cache restore.
// A session that pagehide ended is then initiated again (renew "bfcache").
func (e *Engine) PageShow(persisted bool) {
	if e == nil || !persisted {
		return
	}
	e.mu.Lock()
	res := e.resume
	if res == nil || e.state != StateEnded {
		e.mu.Unlock()
		return
	}
	e.resume = nil
	// Left armed by a failed beacon: the old session is over. Withdrawn
	// before the new run starts, whose initiate arms its own: never two.
	// (cancel never blocks, so it may run under e.mu.)
	e.disarmLocked()()
	r := e.startRunLocked(res.token, res.opts, "bfcache")
	e.mu.Unlock()
	e.flush()
	r.logf("pageshow from the back/forward cache: initiating again")
}

// VisibilityChange is called on visibilitychange. Becoming visible wakes the
// heartbeat loop, which sends at once a heartbeat that fell due while the
// hidden page's timers were throttled.
func (e *Engine) VisibilityChange(visible bool) {
	if visible {
		e.wakeRun()
	}
}

// Online is called on the window's online event: a renew waiting for the
// network initiates at once.
func (e *Engine) Online() { e.wakeRun() }

func (e *Engine) wakeRun() {
	if e == nil {
		return
	}
	e.mu.Lock()
	r := e.run
	e.mu.Unlock()
	if r != nil {
		r.signal()
	}
}

// setStateLocked moves to s and queues the statechange event.
func (e *Engine) setStateLocked(s State) {
	prev := e.state
	if prev == s {
		return
	}
	e.state = s
	e.queueLocked(stateEvent(s, prev))
}

func (e *Engine) queueLocked(evs ...Event) {
	e.events = append(e.events, evs...)
}

// flush delivers queued events in order, with no lock held while Emit runs.
// Only one goroutine delivers at a time; another one that queued meanwhile
// returns at once and its events go out with this batch. This keeps events in
// the order of the state changes and lets a listener call back into the
// engine.
func (e *Engine) flush() {
	e.mu.Lock()
	if e.flushing {
		e.mu.Unlock()
		return
	}
	e.flushing = true
	for len(e.events) > 0 {
		ev := e.events[0]
		e.events[0] = Event{}
		e.events = e.events[1:]
		e.mu.Unlock()
		e.deliver(ev)
		e.mu.Lock()
	}
	e.events = nil
	e.flushing = false
	e.mu.Unlock()
}

// deliver calls Emit; a panicking listener loses its event, not the engine.
func (e *Engine) deliver(ev Event) {
	if e.cfg.Emit == nil {
		return
	}
	defer func() { _ = recover() }()
	e.cfg.Emit(ev)
}
