//go:build js && wasm

package browser

import (
	"fmt"
	"testing"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeLocksJS is navigator.locks as far as the Locker uses it (Node has
// none): exclusive locks, ifAvailable (callback(null) when held), steal (the
// holder's request Promise rejects with an AbortError) and waiting in a
// queue, which an AbortSignal leaves (the request rejects with an
// AbortError). The callback runs in a later microtask, as in a browser. With
// a.slow set, requests wait in a.pending until a.flush(). a.fail makes
// request reject before any grant.
const fakeLocksJS = `
const held = new Map();
const queues = new Map();
const locks = { calls: [], pending: [], slow: false, fail: null };
locks.isHeld = (name) => held.has(name);
locks.waiting = (name) => (queues.get(name) || []).length;
locks.flush = () => { const p = locks.pending; locks.pending = []; p.forEach((f) => f()); };
const release = (name, entry) => {
  if (held.get(name) !== entry) return;
  held.delete(name);
  const next = (queues.get(name) || []).shift();
  if (next) next();
};
locks.request = function (name, opts, cb) {
  locks.calls.push({ name, ifAvailable: opts.ifAvailable === true, steal: opts.steal === true, signal: opts.signal !== undefined });
  if (opts.ifAvailable && opts.steal) throw new DOMException("both", "NotSupportedError");
  return new Promise((resolve, reject) => {
    const grant = () => {
      const entry = { reject };
      held.set(name, entry);
      Promise.resolve(cb({ name, mode: "exclusive" })).then(
        (v) => { release(name, entry); resolve(v); },
        (e) => { release(name, entry); reject(e); });
    };
    const run = () => {
      if (locks.fail) { reject(new DOMException(locks.fail, "SecurityError")); return; }
      const cur = held.get(name);
      if (cur && opts.ifAvailable) { Promise.resolve(cb(null)).then(resolve, reject); return; }
      if (cur && opts.steal) { held.delete(name); cur.reject(new DOMException("The lock was stolen.", "AbortError")); }
      else if (cur) {
        if (!queues.has(name)) queues.set(name, []);
        const q = queues.get(name);
        q.push(grant);
        if (opts.signal) opts.signal.addEventListener("abort", () => {
          const i = q.indexOf(grant);
          if (i >= 0) { q.splice(i, 1); reject(new DOMException("The request was aborted.", "AbortError")); }
        });
        return;
      }
      grant();
    };
    if (locks.slow) locks.pending.push(run); else Promise.resolve().then(run);
  });
};
return { navigator: { locks }, AbortController };`

// tick lets the JS event loop run its pending microtasks and one macrotask:
// the fake settles promises there, as a browser does.
func tick(t *testing.T) {
	t.Helper()
	await(t, jsEval(t, "return new Promise((r) => setTimeout(r, 0))"))
}

func isHeld(t *testing.T, w safejs.Value, name string) bool {
	t.Helper()
	return boolean(t, jsEval(t, "return {v: a.navigator.locks.isHeld(b)}", w, name), "v")
}

// heldLock is a granted lock and its lost callback as a channel.
type heldLock struct {
	session.Lock
	lost chan struct{}
}

func (h heldLock) Lost() <-chan struct{} { return h.lost }

func acquire(t *testing.T, w safejs.Value, name string, mode session.LockMode) (heldLock, error) {
	t.Helper()
	stop := &session.Stop{}
	defer time.AfterFunc(failAfter, stop.Fire).Stop()
	h := heldLock{lost: make(chan struct{})}
	var err error
	h.Lock, err = NewWebLocks(hostOn(t, w)).Acquire(name, mode, stop, func() { close(h.lost) })
	return h, err
}

func TestWebLocksAcquireAndRelease(t *testing.T) {
	w := jsEval(t, fakeLocksJS)
	lock, err := acquire(t, w, "game-session:https://api.test", session.LockIfAvailable)
	require.NoError(t, err)
	assert.True(t, isHeld(t, w, "game-session:https://api.test"))
	assert.Equal(t, map[string]any{"name": "game-session:https://api.test", "ifAvailable": true, "steal": false, "signal": false},
		toGo(jsEval(t, "return a.navigator.locks.calls[0]", w)))

	tick(t)
	assert.True(t, isHeld(t, w, "game-session:https://api.test"), "held for as long as the callback's Promise is pending")
	lock.Release()
	lock.Release()
	tick(t)
	assert.False(t, isHeld(t, w, "game-session:https://api.test"))
	select {
	case <-lock.Lost():
		t.Fatal("a released lock is not lost")
	default:
	}
}

// A steal is request's steal option. What it does: TestWebLocksContract.
func TestWebLocksStealIsTheStealOption(t *testing.T) {
	w := jsEval(t, fakeLocksJS)
	old, err := acquire(t, w, "x", session.LockIfAvailable)
	require.NoError(t, err)
	stolen, err := acquire(t, w, "x", session.LockSteal)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"name": "x", "ifAvailable": false, "steal": true, "signal": false},
		toGo(jsEval(t, "return a.navigator.locks.calls[1]", w)))
	old.Release()
	stolen.Release()
}

func TestWebLocksUnavailable(t *testing.T) {
	for name, env := range map[string]string{
		"no navigator":        "return {}",
		"no locks":            "return {navigator: {}}",
		"request throws":      `return {navigator: {locks: {request() { throw new TypeError("nope"); }}}}`,
		"request no thenable": `return {navigator: {locks: {request() { return 1; }}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := acquire(t, jsEval(t, env), "x", session.LockIfAvailable)
			require.Error(t, err)
			assert.NotErrorIs(t, err, session.ErrLockHeld)
		})
	}
	t.Run("request rejects", func(t *testing.T) {
		w := jsEval(t, fakeLocksJS)
		jsEval(t, `a.navigator.locks.fail = "opaque origin"`, w)
		_, err := acquire(t, w, "x", session.LockIfAvailable)
		require.Error(t, err)
		assert.NotErrorIs(t, err, session.ErrLockHeld)
		assert.Contains(t, err.Error(), "SecurityError: opaque origin")
	})
}

// LockWait waits for the holder to let go, and its request leaves the queue
// when ctx ends first.
func TestWebLocksWaitGetsTheLockOnceReleased(t *testing.T) {
	w := jsEval(t, fakeLocksJS)
	first, err := acquire(t, w, "x", session.LockIfAvailable)
	require.NoError(t, err)
	got := make(chan session.Lock, 1)
	go func() {
		l, err := acquire(t, w, "x", session.LockWait)
		assert.NoError(t, err)
		got <- l
	}()
	tick(t)
	assert.Equal(t, map[string]any{"name": "x", "ifAvailable": false, "steal": false, "signal": true},
		toGo(jsEval(t, "return a.navigator.locks.calls[1]", w)))
	require.Equal(t, 1.0, num(t, jsEval(t, `return {n: a.navigator.locks.waiting("x")}`, w), "n"), "queued, not refused")
	select {
	case <-got:
		t.Fatal("granted while another holder has it")
	default:
	}
	first.Release()
	second := <-got
	require.NotNil(t, second)
	assert.True(t, isHeld(t, w, "x"))
	second.Release()
	tick(t)
	assert.False(t, isHeld(t, w, "x"))

	// Given up: the queued request is withdrawn, and the lock never comes.
	holder, err := acquire(t, w, "x", session.LockIfAvailable)
	require.NoError(t, err)
	stop := &session.Stop{}
	errc := make(chan error, 1)
	go func() {
		_, err := NewWebLocks(hostOn(t, w)).Acquire("x", session.LockWait, stop, nil)
		errc <- err
	}()
	tick(t)
	stop.Fire()
	assert.Equal(t, session.ErrCanceled, <-errc)
	tick(t)
	assert.Equal(t, 0.0, num(t, jsEval(t, `return {n: a.navigator.locks.waiting("x")}`, w), "n"), "withdrawn from the queue")
	holder.Release()
	tick(t)
	assert.False(t, isHeld(t, w, "x"), "nobody got it after the holder let go")
}

// A grant that comes after Acquire gave up is given back at once.
func TestWebLocksGrantAfterCancelIsReleased(t *testing.T) {
	w := jsEval(t, fakeLocksJS)
	jsEval(t, "a.navigator.locks.slow = true", w)
	stop := &session.Stop{}
	errc := make(chan error, 1)
	go func() {
		_, err := NewWebLocks(hostOn(t, w)).Acquire("x", session.LockIfAvailable, stop, nil)
		errc <- err
	}()
	tick(t) // the request is made
	require.Equal(t, 1, length(t, jsEval(t, "return a.navigator.locks.pending", w)))
	stop.Fire()
	assert.Equal(t, session.ErrCanceled, <-errc)
	jsEval(t, "a.navigator.locks.flush()", w)
	tick(t)
	assert.False(t, isHeld(t, w, "x"))
}

func length(t *testing.T, v safejs.Value) int {
	t.Helper()
	n, err := v.Length()
	require.NoError(t, err)
	return n
}

// Each way locks cannot work is a locksUnavailable error, and says which;
// a lock held elsewhere or another failure is not.
func TestWebLocksUnavailableIsErrLocksUnavailable(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		_, err := acquire(t, jsEval(t, "return {navigator: {}}"), "x", session.LockIfAvailable)
		require.IsType(t, locksUnavailable(""), err)
		assert.Contains(t, err.Error(), "navigator.locks is not available")
	})
	t.Run("denied by a rejection", func(t *testing.T) {
		w := jsEval(t, fakeLocksJS)
		jsEval(t, `a.navigator.locks.fail = "The request was denied."`, w)
		_, err := acquire(t, w, "x", session.LockIfAvailable)
		require.IsType(t, locksUnavailable(""), err)
		assert.Contains(t, err.Error(), "denied: SecurityError: The request was denied.")
	})
	t.Run("denied by a throw", func(t *testing.T) {
		w := jsEval(t, `return {navigator: {locks: {request() { throw new DOMException("The request was denied.", "SecurityError"); }}}}`)
		_, err := acquire(t, w, "x", session.LockIfAvailable)
		require.IsType(t, locksUnavailable(""), err)
		assert.Contains(t, err.Error(), "denied: SecurityError")
	})
	t.Run("cross-origin iframe", func(t *testing.T) {
		// window.top is another window whose location.origin throws, as a
		// cross-origin one does; request is never called.
		w := jsEval(t, fakeLocksJS)
		jsEval(t, `a.top = { location: { get origin() { throw new DOMException("Blocked a frame", "SecurityError"); } } }`, w)
		_, err := acquire(t, w, "x", session.LockIfAvailable)
		require.IsType(t, locksUnavailable(""), err)
		assert.Contains(t, err.Error(), "cross-origin iframe")
		assert.Equal(t, 0.0, num(t, jsEval(t, "return {n: a.navigator.locks.calls.length}", w), "n"))
	})
	for name, setup := range map[string]string{
		"top-level window":   "a.top = a",
		"same-origin iframe": `a.top = { location: { origin: "https://game.example" } }`,
	} {
		t.Run(name+" works", func(t *testing.T) {
			w := jsEval(t, fakeLocksJS)
			jsEval(t, setup, w)
			lock, err := acquire(t, w, "x", session.LockIfAvailable)
			require.NoError(t, err)
			lock.Release()
		})
	}
	t.Run("held or another failure is not", func(t *testing.T) {
		w := jsEval(t, fakeLocksJS)
		first, err := acquire(t, w, "x", session.LockIfAvailable)
		require.NoError(t, err)
		_, err = acquire(t, w, "x", session.LockIfAvailable)
		assert.NotEqual(t, "browser.locksUnavailable", fmt.Sprintf("%T", err))
		first.Release()
		_, err = acquire(t, jsEval(t, `return {navigator: {locks: {request() { throw new TypeError("nope"); }}}}`), "x", session.LockIfAvailable)
		assert.NotEqual(t, "browser.locksUnavailable", fmt.Sprintf("%T", err))
	})
}
