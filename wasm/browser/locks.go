//go:build js && wasm

package browser

import (
	"errors"
	"sync"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// WebLocks is a session.Locker over navigator.locks (the Web Locks API).
// Which lock, when, and what a stolen lock means are the engine's business
// (session/lock.go); this only translates.
type WebLocks struct {
	global safejs.Value // where navigator is looked up; tests pass a fake
}

var _ session.Locker = (*WebLocks)(nil)

// NewWebLocks returns a Locker over global.navigator.locks. Where there is
// none (an insecure context, an old browser, Node), Acquire says so and the
// engine carries on without locking.
func NewWebLocks(global safejs.Value) *WebLocks { return &WebLocks{global: global} }

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

// crossOriginFrame reports whether global is a window framed by a document
// of another origin: window.top is another window whose location.origin
// cannot be read (the browser throws SecurityError, which prop reads as
// undefined). A same-origin parent shares our locks; no window.top (Node,
// a Worker) is not framed.
func crossOriginFrame(global safejs.Value) bool {
	top := prop(global, "top")
	if top.Type() != safejs.TypeObject || top.Equal(global) {
		return false
	}
	return prop(prop(top, "location"), "origin").Type() != safejs.TypeString
}

// deniedOrElse is the error for request failing with reason before any
// grant: a SecurityError means the browser denies locks to this document.
func deniedOrElse(reason safejs.Value) error {
	if stringProp(reason, "name") == "SecurityError" {
		return locksUnavailable(deniedPrefix + jsErrorText(reason))
	}
	return errors.New("navigator.locks.request: " + jsErrorText(reason))
}

// Acquire calls navigator.locks.request(name, options, callback), with
// options {ifAvailable: true}, {steal: true} or, to wait, an AbortSignal that
// withdraws the request when ctx ends. The callback gets null when another
// tab holds the lock (ErrLockHeld); otherwise it returns a Promise that stays
// pending while the lock is held: resolving it (Release) gives the lock back.
// When another tab steals the lock, request's own Promise rejects
// (AbortError) and lost is called.
func (w *WebLocks) Acquire(name string, mode session.LockMode, stop *session.Stop, lost func()) (session.Lock, error) {
	if stop.Fired() {
		return nil, session.ErrCanceled
	}
	locks := prop(prop(w.global, "navigator"), "locks")
	if !isFunc(locks, "request") {
		return nil, errNoWebLocks
	}
	if crossOriginFrame(w.global) {
		return nil, errCrossOrigin
	}
	opts, err := newDict() // no prototype: a page's setters are not run (see newDict)
	if err != nil {
		return nil, err
	}
	var abort safejs.Value
	switch mode {
	case session.LockSteal:
		_ = opts.Set("steal", true)
	case session.LockWait:
		if ac := prop(w.global, "AbortController"); ac.Type() == safejs.TypeFunction {
			if abort, err = ac.New(); err == nil {
				_ = opts.Set("signal", prop(abort, "signal"))
			}
		}
	default:
		_ = opts.Set("ifAvailable", true)
	}

	l := &webLock{lost: lost, granted: make(chan error, 1), settled: make(chan struct{})}
	var callback, onSettled, onRejected safejs.Func
	// Released once request's Promise settles: neither is called after.
	releaseFuncs := func() {
		callback.Release()
		onSettled.Release()
		onRejected.Release()
	}
	callback, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		var ret any
		guard("lock callback", func() { ret = l.onGrant(arg(args, 0)) })
		return ret
	})
	if err != nil {
		return nil, err
	}
	onSettled, _ = safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		releaseFuncs()
		l.settle()
		return nil
	})
	onRejected, _ = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		releaseFuncs()
		l.settle()
		guard("lock request", func() { l.rejected(arg(args, 0)) })
		return nil
	})
	promise, err := locks.Call("request", name, opts, callback)
	if err == nil {
		_, err = promise.Call("then", onSettled, onRejected)
	}
	if err != nil {
		releaseFuncs()
		if v := thrownValue(err); stringProp(v, "name") == "SecurityError" {
			return nil, locksUnavailable(deniedPrefix + jsErrorText(v))
		}
		return nil, errors.New("navigator.locks.request failed: " + jsErrorText(thrownValue(err)))
	}

	remove := stop.OnFire(func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.answerLocked(session.ErrCanceled)
	})
	err = <-l.granted
	remove()
	switch {
	case err == session.ErrCanceled:
		l.Release() // a grant that comes later is given back at once
		if !abort.IsUndefined() {
			_, _ = abort.Call("abort") // and a request still queued is withdrawn
		}
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
	resolve  safejs.Value // resolves the callback's Promise: releases the lock
	released bool
	isLost   bool
}

// onGrant is the lock callback: lock is null when the lock is held
// elsewhere (ifAvailable). It returns what the callback returns: nothing
// (which ends the request at once) or the pending Promise that holds the lock.
func (l *webLock) onGrant(lock safejs.Value) any {
	l.mu.Lock()
	defer l.mu.Unlock()
	if lock.IsNull() || lock.IsUndefined() {
		l.answerLocked(session.ErrLockHeld)
		return nil
	}
	if l.released { // Acquire gave up (its ctx ended) before the grant
		l.answerLocked(errors.New("lock granted after the request was abandoned"))
		return nil
	}
	promise, resolve, err := pendingPromise()
	if err != nil {
		l.answerLocked(err)
		return nil
	}
	l.resolve = resolve
	l.answerLocked(nil)
	return promise
}

// rejected handles the rejection of request's Promise: before a grant it
// means the request failed (a SecurityError in an opaque origin, say); after
// one, that another tab stole the lock.
func (l *webLock) rejected(reason safejs.Value) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.answered {
		l.answerLocked(deniedOrElse(reason))
		return
	}
	if l.resolve.IsUndefined() || l.released || l.isLost {
		return
	}
	l.isLost = true
	if l.lost != nil {
		l.lost()
	}
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

// settle closes settled, once; it runs in a JS callback and never blocks.
func (l *webLock) settle() { l.settleOnce.Do(func() { close(l.settled) }) }

// Release resolves the callback's Promise, which ends the request and frees
// the lock. It is a synchronous JS call, so it works inside pagehide.
func (l *webLock) Release() {
	l.mu.Lock()
	if l.released {
		l.mu.Unlock()
		return
	}
	l.released = true
	resolve := l.resolve
	l.mu.Unlock()
	if resolve.Type() == safejs.TypeFunction {
		_, _ = resolve.Invoke()
	}
}

// pendingPromise returns a new Promise and the function that resolves it.
func pendingPromise() (promise, resolve safejs.Value, err error) {
	exec, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		resolve = arg(args, 0)
		return nil
	})
	if err != nil {
		return safejs.Undefined(), safejs.Undefined(), err
	}
	// The executor runs inside the constructor: release it right after.
	promise, err = jsGlobal("Promise").New(exec)
	exec.Release()
	if err != nil {
		return safejs.Undefined(), safejs.Undefined(), err
	}
	if resolve.Type() != safejs.TypeFunction {
		return safejs.Undefined(), safejs.Undefined(), errors.New("Promise executor got no resolve function")
	}
	return promise, resolve, nil
}
