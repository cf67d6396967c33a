package session

import (
	"errors"
	"time"
)

// Locker gives one tab of a site the session (Options.SingleTab). The
// browser implements it with Web Locks; nil means no locking, as where the
// browser has none (an insecure origin, an old browser, Node).
type Locker interface {
	// Acquire takes the exclusive lock called name, as mode says. Any error
	// but ErrLockHeld and ErrCanceled means locks do not work here. When
	// stop fires first, Acquire returns ErrCanceled and a lock granted later
	// is released. lost (nil: none) is called once if another tab steals
	// the lock while it is held; it must not block.
	Acquire(name string, mode LockMode, stop *Stop, lost func()) (Lock, error)
}

// LockMode is how Acquire deals with a lock another tab holds.
type LockMode int

const (
	LockIfAvailable LockMode = iota // never wait: ErrLockHeld at once
	LockWait                        // wait until the holder releases it
	LockSteal                       // take it; the holder's Lost closes
)

// Lock is a held lock.
type Lock interface {
	// Release gives the lock up. It is safe to call more than once and
	// after Lost, and it never blocks: PageHide calls it inside pagehide.
	Release()
	// Released is closed once the lock is really free again (Web Locks
	// free it asynchronously, after Release): a startSession made from the
	// end listener must find it free (awaitReleased).
	Released() <-chan struct{}
}

// ErrLockHeld is Locker.Acquire's answer when another tab holds the lock.
var ErrLockHeld = errors.New("the lock is held by another tab")

// lockName is the lock that guards the sessions of one API: two games on one
// site that talk to different APIs do not exclude each other.
func lockName(apiBase string) string {
	return "game-session:" + trimSlashes(apiBase)
}

// endLockName is held, next to lockName's lock, until the tab's end has
// settled: a tab that took the session over waits for it before its
// initiate, so the old tab's end, when it arrives late, cannot end the new
// session (which the server keys by user, as it does the old one).
func endlockName(apiBase string) string { return lockName(apiBase) + " end" }

// errLockHeld is what Start rejects with when another tab owns the session:
// status 0, since no request was sent.
func errLockHeld() *Error {
	return &Error{Code: CodeAlreadyInGame, Message: "startSession: another tab of this site holds the game session " +
		"(singleTab); close that tab, or start with takeover: true to take the session from it"}
}

// acquireLock runs first in the loop: with singleTab, the session starts only
// in the tab that gets the lock. It reports whether the loop may go on.
//
// Only startSession with takeover steals the lock, and only from a tab that
// holds it; the session it starts then reports renew "takeover". A
// back/forward cache restore never steals: the tab the player went on to use
// keeps the session.
func (r *run) acquireLock() bool {
	locker := r.e.cfg.Locker
	if locker == nil || !r.opts.SingleTab {
		return true
	}
	name := lockName(r.opts.APIBase)
	steal := r.opts.Takeover && r.reason == ""
	lost := func() { go r.takenOver() }
	lock, err := locker.Acquire(name, LockIfAvailable, r.halt, lost)
	if steal && err == ErrLockHeld && !r.stopped() {
		if lock, err = locker.Acquire(name, LockSteal, r.halt, lost); err == nil {
			r.reason = "takeover" // the loop's own field: established reports it
			r.logf("singleTab: took the session over from another tab")
		}
	}
	switch {
	case r.stopped():
		if lock != nil {
			lock.Release()
		}
		return false
	case err == ErrLockHeld:
		r.logf("singleTab: another tab holds the session")
		r.stop(errLockHeld(), "")
		return false
	case err != nil:
		// Behave as without Web Locks: the server is then the only guard
		// (ALREADY_IN_GAME; takeover ends the user's session there). Said
		// once a page: in a portal's cross-site iframe this is the norm.
		r.logf("singleTab: Web Locks unavailable (" + err.Error() + "): the server is the only guard against other tabs")
		r.locked(func(e *Engine) {
			if !e.locksWarned {
				e.locksWarned = true
				e.queueLocked(errorEvent(&Error{Code: CodeLocksUnavailable, Message: "singleTab: Web Locks are unavailable here (" +
					err.Error() + "); other tabs are kept out by the server only, and takeover goes through the server"}, false))
			}
		})
		r.e.flush()
		return true
	}
	// From now on every stop (pagehide too) releases the lock at once.
	if !r.locked(func(*Engine) { r.lock = lock }) { // stopped while it was being granted
		lock.Release()
		return false
	}

	endLock := r.acquireEndLock(locker)
	if !r.locked(func(*Engine) { r.endLock = endLock }) {
		if endLock != nil {
			endLock.Release()
		}
		return false
	}
	return true
}

// acquireEndLock waits until the tab this one took over (if any) has sent
// its end, but not longer than that end can take: after one TTL and an end
// timeout it is either through or lost, and the lock is stolen. nil when
// locks fail or r stops meanwhile.
func (r *run) acquireEndLock(locker Locker) Lock {
	name := endlockName(r.opts.APIBase)
	wait := &Stop{} // fires when r stops or the wait is over
	remove := r.halt.OnFire(wait.Fire)
	cancel := r.clock.AfterFunc(r.opts.SessionTTL+minEndTimeout, wait.Fire)
	lock, err := locker.Acquire(name, LockWait, wait, nil)
	remove()
	cancel()
	if err == ErrCanceled && !r.stopped() {
		r.logf("singleTab: the previous tab's end did not settle in time; going on")
		lock, err = locker.Acquire(name, LockSteal, r.halt, nil)
	}
	if err != nil {
		return nil
	}
	return lock
}

// takenOver: another tab took the session (startSession with takeover). Stop
// the beat, send this session's end and emit end "takeover". The new tab
// waits for the end lock, which finishEnd releases once the end settled.
func (r *run) takenOver() {
	defer r.recoverPanic()
	var deadline Instant
	var disarm func()
	if !r.locked(func(e *Engine) {
		r.lock = nil // lost: nothing to release
		r.settleStartLocked(&Error{Code: CodeAlreadyInGame, Message: "startSession: another tab took the session over"})
		deadline, disarm = e.beginEndLocked(r)
	}) {
		return
	}
	disarm()
	r.e.flush()

	r.logf("singleTab: another tab took the session over; ending it here")
	r.e.finishEnd(r, deadline, "takeover")
}

// releaseLockLocked gives up r's locks, if it holds them: the end lock first,
// so that a tab that gets the session lock next finds the end lock free. It
// returns the locks given up, for awaitReleased.
func (r *run) releaseLockLocked() (released []Lock) {
	for _, l := range []*Lock{&r.endLock, &r.lock} {
		if *l != nil {
			lock := *l
			*l = nil
			lock.Release()
			released = append(released, lock)
		}
	}
	return released
}

// releaseWait bounds awaitReleased: Web Locks free a lock within a few
// milliseconds of Release.
const releaseWait = time.Second

// awaitReleased waits (never inside a JS callback: only End's and the loop's
// goroutines call it) until locks are free, so that the events that follow,
// end above all, fire after the session has let go of everything it held:
// a listener may start the next session at once.
func (r *run) awaitReleased(locks []Lock) {
	if len(locks) == 0 {
		return
	}
	freed := make(chan bool, len(locks)+1)
	cancel := r.clock.AfterFunc(releaseWait, func() { freed <- false })
	defer cancel()
	for _, l := range locks {
		go func() { <-l.Released(); freed <- true }()
	}
	for range locks {
		if !<-freed {
			return
		}
	}
}
