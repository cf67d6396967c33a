//go:build js && wasm

package browser

import (
	"errors"
	"sync"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// WebLocks is a session.Locker over navigator.locks (the Web Locks API),
// through the loader's host (lock: host.go). Which lock, when, and what a
// stolen lock means are the engine's business (session/lock.go); this only
// translates.
type WebLocks struct {
	host *Host
}

var _ session.Locker = (*WebLocks)(nil)

// NewWebLocks returns a Locker over the navigator.locks of host's window.
// Where there is none (an insecure context, an old browser, Node), Acquire
// says so and the engine carries on without locking.
func NewWebLocks(host *Host) *WebLocks { return &WebLocks{host: host} }

// The three ways locks cannot work here (missing, cross-origin frame,
// denied): any error of Acquire but ErrLockHeld and ErrCanceled tells the
// engine so.
var (
	errNoWebLocks  = locksUnavailable("navigator.locks is not available (insecure context or old browser)")
	errCrossOrigin = locksUnavailable("the page is a cross-origin iframe (a portal, say), where locks are denied or partitioned per top-level site")
)

const deniedPrefix = "navigator.locks.request was denied: "

// locksUnavailable says why Web Locks cannot be used here.
type locksUnavailable string

func (e locksUnavailable) Error() string { return "Web Locks unavailable: " + string(e) }

// Acquire has the host call navigator.locks.request(name, options,
// callback), with options {ifAvailable: true}, {steal: true} or, to wait, an
// AbortSignal that withdraws the request when stop fires. The callback gets
// null when another tab holds the lock (ErrLockHeld); otherwise the host
// holds the lock (a pending Promise) until Release. When another tab steals
// the lock, request's own Promise rejects (AbortError) and lost is called.
func (w *WebLocks) Acquire(name string, mode session.LockMode, stop *session.Stop, lost func()) (session.Lock, error) {
	if stop.Fired() {
		return nil, session.ErrCanceled
	}
	modeName := "ifAvailable"
	switch mode {
	case session.LockSteal:
		modeName = "steal"
	case session.LockWait:
		modeName = "wait"
	}
	l := &webLock{lost: lost, granted: make(chan error, 1), settled: make(chan struct{})}
	// The host calls back until it told settled or rejected: released then.
	var callback safejs.Func
	callback, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		var ret any
		guard("lock callback", func() { ret = l.event(callback, args) })
		return ret
	})
	if err != nil {
		return nil, err
	}
	release, err := w.host.lock.Invoke(name, modeName, callback)
	if err != nil || typeOf(release) != safejs.TypeFunction {
		callback.Release() // the host calls it only when it returned release
		switch {
		case err != nil:
			return nil, errors.New("navigator.locks.request failed")
		case stringOf(release) == "cross-origin":
			return nil, errCrossOrigin
		}
		return nil, errNoWebLocks
	}
	l.mu.Lock()
	l.release = release
	l.mu.Unlock()

	remove := stop.OnFire(func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.answerLocked(session.ErrCanceled)
	})
	err = <-l.granted
	remove()
	switch {
	case err == session.ErrCanceled:
		// A grant that comes later is given back at once, and a request
		// still queued is withdrawn.
		l.Release()
		return nil, err
	case err != nil:
		return nil, err
	}
	return l, nil
}

// webLock is one lock request and, once granted, the held lock.
type webLock struct {
	granted    chan error    // Acquire's answer; buffered, written at most once
	lost       func()        // the engine's: called once when another tab steals the lock
	settled    chan struct{} // closed when the request's Promise settled: the lock is free
	settleOnce sync.Once

	mu       sync.Mutex
	answered bool         // granted has its answer
	release  safejs.Value // the host's: gives the lock back, or withdraws the request
	held     bool
	released bool
	isLost   bool
}

// event is the host's callback(event, name, text) for the request; it runs
// in a JS callback and never blocks. It returns true to hold a granted lock.
func (l *webLock) event(callback safejs.Func, args []safejs.Value) any {
	event := stringOf(arg(args, 0))
	if event == "settled" || event == "rejected" {
		callback.Release() // the host's last call
		l.settleOnce.Do(func() { close(l.settled) })
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch event {
	case "held": // ifAvailable, and another tab has it
		l.answerLocked(session.ErrLockHeld)
	case "granted":
		if l.released { // Acquire gave up (stop fired) before the grant
			l.answerLocked(errors.New("lock granted after the request was abandoned"))
			return false
		}
		l.held = true
		l.answerLocked(nil)
		return true
	case "settled": // the lock is free; a request never answered ended without a grant
		l.answerLocked(errors.New("navigator.locks.request ended without a grant"))
	case "rejected":
		// Before a grant the request failed (a SecurityError in an opaque
		// origin, say: the browser denies locks to this document); after
		// one, another tab stole the lock.
		text := stringOf(arg(args, 2))
		switch {
		case !l.answered && stringOf(arg(args, 1)) == "SecurityError":
			l.answerLocked(locksUnavailable(deniedPrefix + text))
		case !l.answered:
			l.answerLocked(errors.New("navigator.locks.request: " + text))
		case l.held && !l.released && !l.isLost:
			l.isLost = true
			if l.lost != nil {
				l.lost()
			}
		}
	}
	return nil
}

func (l *webLock) answerLocked(err error) {
	if !l.answered {
		l.answered = true
		l.granted <- err
	}
}

// Released is closed when navigator.locks.request's Promise settles: only
// then is the lock free for the next request (Release frees it
// asynchronously).
func (l *webLock) Released() <-chan struct{} { return l.settled }

// Release gives the lock back (the host resolves the Promise that holds
// it), which ends the request and frees the lock. It is a synchronous JS
// call, so it works inside pagehide.
func (l *webLock) Release() {
	l.mu.Lock()
	if l.released {
		l.mu.Unlock()
		return
	}
	l.released = true
	release := l.release
	l.mu.Unlock()
	if typeOf(release) == safejs.TypeFunction {
		_, _ = release.Invoke()
	}
}
