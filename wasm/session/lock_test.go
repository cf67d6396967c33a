package session

import (
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeLocks is Web Locks shared by the engines ("tabs") of one test: one
// holder per name; steal takes a name from its holder and calls its lost;
// wait waits for the holder's Release.
type fakeLocks struct {
	mu       sync.Mutex
	held     map[string]*fakeLock
	err      error          // when set, Acquire fails with it: locks do not work here
	acquires map[string]int // Acquire calls per name
	waited   []string       // names an Acquire had to wait for
	// releaseDelay, when set, frees a released lock only that much later,
	// as Web Locks do (the browser frees it asynchronously).
	releaseDelay time.Duration
}

type fakeLock struct {
	locks    *fakeLocks
	name     string
	lost     func()
	waiters  []chan bool   // told (true) when released or stolen: they try again
	done     chan struct{} // closed when a Release has freed it (Released)
	released bool
}

func newFakeLocks() *fakeLocks {
	return &fakeLocks{held: map[string]*fakeLock{}, acquires: map[string]int{}}
}

func (f *fakeLocks) Acquire(name string, mode LockMode, stop *Stop, lost func()) (Lock, error) {
	if stop.Fired() {
		return nil, ErrCanceled
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.acquires[name]++
	if f.err != nil {
		return nil, f.err
	}
	for cur := f.held[name]; cur != nil && mode == LockWait; cur = f.held[name] {
		f.waited = append(f.waited, name)
		woken := make(chan bool, 2)
		cur.waiters = append(cur.waiters, woken)
		f.mu.Unlock()
		remove := stop.OnFire(func() { woken <- false })
		freed := <-woken
		remove()
		f.mu.Lock()
		if !freed {
			return nil, ErrCanceled
		}
	}
	if cur := f.held[name]; cur != nil {
		if mode != LockSteal {
			return nil, ErrLockHeld
		}
		if cur.lost != nil {
			cur.lost()
		}
		cur.wakeWaiters()
	}
	l := &fakeLock{locks: f, name: name, lost: lost, done: make(chan struct{})}
	f.held[name] = l
	return l, nil
}

func (l *fakeLock) Release() {
	l.locks.mu.Lock()
	defer l.locks.mu.Unlock()
	if l.released {
		return
	}
	l.released = true
	free := func() {
		if l.locks.held[l.name] == l {
			delete(l.locks.held, l.name)
			l.wakeWaiters()
		}
		close(l.done)
	}
	if d := l.locks.releaseDelay; d > 0 {
		go func() {
			time.Sleep(d)
			l.locks.mu.Lock()
			defer l.locks.mu.Unlock()
			free()
		}()
		return
	}
	free()
}

func (l *fakeLock) Released() <-chan struct{} { return l.done }

// wakeWaiters tells the Acquires waiting for l that it is free; locks.mu held.
func (l *fakeLock) wakeWaiters() {
	for _, w := range l.waiters {
		w <- true
	}
	l.waiters = nil
}

// holder is the lock now held under name, or nil.
func (f *fakeLocks) holder(name string) *fakeLock {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.held[name]
}

const testLock = "game-session:https://api.test"

// sharedServer is the session API as two tabs of one user see it: one
// session per user, ALREADY_IN_GAME while it is held, end drops it. It
// records every call in order, across tabs.
type sharedServer struct {
	mu     sync.Mutex
	live   bool
	served []string // "tab op status", in arrival order
}

func (s *sharedServer) script(tab string) func(Request, int) reply {
	return func(req Request, _ int) reply {
		s.mu.Lock()
		defer s.mu.Unlock()
		rep := okReply()
		switch req.Op {
		case OpInitiate:
			if s.live {
				rep = codeReply(400, "ALREADY_IN_GAME")
			}
			s.live = true
		case OpHeartbeat:
			if !s.live {
				rep = codeReply(400, "NO_ACTIVE_SESSION")
			}
		case OpEnd:
			if !s.live {
				rep = codeReply(400, "NO_ACTIVE_SESSION")
			}
			s.live = false
		}
		status := "200"
		if rep.status != 200 {
			status = rep.body.(map[string]any)["error"].(string)
		}
		s.served = append(s.served, tab+" "+string(req.Op)+" "+status)
		return rep
	}
}

// expire drops the session, as the server does after a TTL without beat.
func (s *sharedServer) expire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.live = false
}

func (s *sharedServer) log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.served...)
}

func withLocker(l Locker) func(*Config) { return func(c *Config) { c.Locker = l } }

func TestSingleTabSecondStartRejectsAtOnceWithoutRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		locks := newFakeLocks()
		a := newHarness(t, withLocker(locks))
		b := newHarness(t, withLocker(locks))
		a.start(t, testOptions())
		require.NotNil(t, locks.holder(testLock), "the first tab holds the lock")

		began := time.Now()
		err := b.e.Start(testToken, testOptions())
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, CodeAlreadyInGame, e.Code)
		assert.Equal(t, 0, e.Status, "no request, no status")
		assert.Contains(t, e.Message, "another tab")
		assert.Zero(t, time.Since(began), "at once")
		assert.Empty(t, b.tr.ops(""), "the second tab sent nothing")
		assert.Equal(t, StateEnded, b.e.State())

		time.Sleep(20 * time.Second)
		assert.Equal(t, StateActive, a.e.State(), "the first tab keeps its session")
		assert.Len(t, a.tr.ops(OpHeartbeat), 2)
	})
}

// takeover with no other tab holding the session is a plain start.
func TestTakeoverWithNobodyToTakeFromIsAPlainStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		locks := newFakeLocks()
		h := newHarness(t, withLocker(locks))
		opts := testOptions()
		opts.Takeover = true
		h.start(t, opts)
		assert.NotNil(t, locks.holder(testLock))
		assert.Empty(t, h.rec.of(EventRenew))
		assert.Equal(t, 1, locks.acquires[testLock], "no steal")
	})
}

func TestSingleTabFalseTakesNoLock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		locks := newFakeLocks()
		a := newHarness(t, withLocker(locks))
		b := newHarness(t, withLocker(locks))
		a.start(t, testOptions())
		opts := testOptions()
		opts.SingleTab = false
		b.start(t, opts)
		assert.Len(t, b.tr.ops(OpInitiate), 1)
		assert.Equal(t, 1, locks.acquires[testLock], "only the singleTab session asked for the lock")
	})
}

func TestWithoutWebLocksStartsAsBefore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		locks := newFakeLocks()
		locks.err = errors.New("SecurityError: locks are not available here")
		h := newHarness(t, withLocker(locks))
		h.start(t, testOptions())
		assert.Len(t, h.tr.ops(OpInitiate), 1)
		assert.Equal(t, StateActive, h.e.State())
		errs := h.rec.of(EventError)
		require.Len(t, errs, 1)
		assert.Equal(t, "LOCKS_UNAVAILABLE", errs[0]["code"])
		assert.Equal(t, false, errs[0]["fatal"])
		assert.Contains(t, errs[0]["message"], "SecurityError: locks are not available here", "says why")

		h.stop()
		h.start(t, testOptions())
		assert.Equal(t, StateActive, h.e.State())
		assert.Len(t, h.rec.of(EventError), 1, "said once a page")
	})
}

func TestTakeoverEndsTheOldTabsSession(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		locks := newFakeLocks()
		srv := &sharedServer{}
		a := newHarness(t, withLocker(locks))
		b := newHarness(t, withLocker(locks))
		a.tr.setScript(srv.script("A"))
		b.tr.setScript(srv.script("B"))
		a.start(t, testOptions())
		time.Sleep(5 * time.Second)

		opts := testOptions()
		opts.Takeover = true
		b.start(t, opts)
		synctest.Wait()

		assert.Equal(t, StateEnded, a.e.State())
		assert.Equal(t, []map[string]any{{"reason": "takeover"}}, a.rec.of(EventEnd))
		assert.Equal(t, []string{"starting", "active", "ending", "ended"}, a.rec.states())
		assert.Empty(t, a.rec.of(EventError), "a takeover is no error")
		require.Len(t, a.tr.ops(OpEnd), 1, "the old tab sent its end")
		assert.Equal(t, StateActive, b.e.State())
		assert.Equal(t, []map[string]any{{"reason": "takeover"}}, b.rec.of(EventRenew), "the new tab learns it took a session over")

		// Whatever the race between the two tabs, the server ends the old
		// session before it serves the new one.
		log := srv.log()
		assert.Equal(t, "A initiate 200", log[0])
		assert.Equal(t, "A end 200", firstOf(log, "A end"))
		assert.Less(t, indexOf(log, "A end 200"), indexOf(log, "B initiate 200"), "server saw %v", log)

		time.Sleep(30 * time.Second)
		assert.Len(t, a.tr.ops(""), 2, "the old tab's initiate and end, nothing since")
		assert.NotEmpty(t, b.tr.ops(OpHeartbeat), "the new tab keeps the session")
		assert.Equal(t, StateActive, b.e.State())
	})
}

// The old tab's session already expired at the server, and its end arrives
// late. The new tab waits for that end (the end lock) before its initiate,
// so the end cannot take the new session with it.
func TestTakeoverWaitsForTheOldTabsEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		locks := newFakeLocks()
		srv := &sharedServer{}
		a := newHarness(t, withLocker(locks))
		b := newHarness(t, withLocker(locks))
		serveA := srv.script("A")
		a.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpEnd {
				time.Sleep(time.Second) // still on its way
			}
			return serveA(req, n)
		})
		b.tr.setScript(srv.script("B"))
		a.start(t, testOptions())
		time.Sleep(5 * time.Second)
		srv.expire() // A has not noticed yet

		opts := testOptions()
		opts.Takeover = true
		b.start(t, opts)
		assert.Equal(t, 6*time.Second, b.since(), "B started once A's end had settled")
		assert.Equal(t, []string{"A initiate 200", "A end NO_ACTIVE_SESSION", "B initiate 200"}, srv.log())

		time.Sleep(30 * time.Second)
		for _, line := range srv.log()[3:] {
			assert.Equal(t, "B heartbeat 200", line)
		}
		assert.Equal(t, []map[string]any{{"reason": "takeover"}}, b.rec.of(EventRenew), "no renewal after the takeover")
		assert.Equal(t, StateActive, b.e.State())
	})
}

// A tab that holds the end lock and never lets go (hung, say) delays a
// takeover by at most one TTL and an end timeout.
func TestTakeoverWaitsForTheEndLockOnlySoLong(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		locks := newFakeLocks()
		var hung Lock
		for _, name := range []string{testLock, endlockName("https://api.test")} {
			var err error
			hung, err = locks.Acquire(name, LockIfAvailable, nil, nil) // the hung tab's
			require.NoError(t, err)
		}
		h := newHarness(t, withLocker(locks))
		opts := testOptions()
		opts.Takeover = true
		h.start(t, opts)
		assert.Equal(t, 10*time.Second+minEndTimeout, h.since(), "one TTL and an end timeout")
		assert.Equal(t, seconds(11), h.tr.sendTimes(OpInitiate, h.t0))
		assert.Equal(t, []string{endlockName("https://api.test")}, locks.waited)
		require.NotNil(t, locks.holder(endlockName("https://api.test")))
		assert.NotSame(t, hung, locks.holder(endlockName("https://api.test")), "the end lock was stolen from the hung tab")
		h.stop()
		assert.Nil(t, locks.holder(endlockName("https://api.test")), "released with the session")
	})
}

// pagehide while the start waits for the end lock gives the session lock
// back at once, inside the handler: a held lock keeps the page out of the
// back/forward cache.
func TestPageHideWhileWaitingForTheEndLockReleasesTheLock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		locks := newFakeLocks()
		_, err := locks.Acquire(endlockName("https://api.test"), LockIfAvailable, nil, nil) // an ending tab's
		require.NoError(t, err)
		h := newHarness(t, withLocker(locks))
		errc := make(chan error, 1)
		go func() { errc <- h.e.Start(testToken, testOptions()) }()
		synctest.Wait()
		require.NotNil(t, locks.holder(testLock), "holds the session lock while it waits")

		h.e.PageHide()
		assert.Nil(t, locks.holder(testLock), "released by pagehide itself")
		require.Error(t, <-errc)
		synctest.Wait()
		assert.Empty(t, h.tr.ops(""), "nothing was sent")
	})
}

// A takeover while the old tab is still starting rejects its startSession.
func TestTakeoverWhileStartingRejectsTheOldStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		locks := newFakeLocks()
		a := newHarness(t, withLocker(locks))
		b := newHarness(t, withLocker(locks))
		a.tr.rtt = 2 * time.Second
		errc := make(chan error, 1)
		go func() { errc <- a.e.Start(testToken, testOptions()) }()
		synctest.Wait()
		opts := testOptions()
		opts.Takeover = true
		b.start(t, opts)
		var e *Error
		require.ErrorAs(t, <-errc, &e)
		assert.Equal(t, CodeAlreadyInGame, e.Code)
		time.Sleep(3 * time.Second) // the old tab's end takes its 2 s round trip
		assert.Equal(t, []map[string]any{{"reason": "takeover"}}, a.rec.of(EventEnd))
		assert.Len(t, a.tr.ops(OpEnd), 1, "its initiate may have arrived: end it")
	})
}

func TestLockReleasedOnPageHideAndTakenAgainOnRestore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		locks := newFakeLocks()
		h := newHarness(t, withLocker(locks))
		h.start(t, testOptions())
		first := locks.holder(testLock)
		require.NotNil(t, first)

		h.e.PageHide()
		assert.Nil(t, locks.holder(testLock), "released inside pagehide, so the page can enter the back/forward cache")
		assert.True(t, first.released)

		h.e.PageShow(true)
		synctest.Wait()
		assert.Equal(t, StateActive, h.e.State())
		again := locks.holder(testLock)
		require.NotNil(t, again, "held again after the restore")
		assert.NotSame(t, first, again)
		assert.Len(t, h.tr.ops(OpInitiate), 2)
	})
}

// A restored page does not take the session from the tab the player went on
// to use, even when it was started with takeover.
func TestRestoreDoesNotStealTheLock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		locks := newFakeLocks()
		a := newHarness(t, withLocker(locks))
		b := newHarness(t, withLocker(locks))
		opts := testOptions()
		opts.Takeover = true
		a.start(t, opts)
		a.e.PageHide()
		b.start(t, testOptions())

		a.e.PageShow(true)
		synctest.Wait()
		assert.Equal(t, StateEnded, a.e.State())
		assert.Len(t, a.tr.ops(OpInitiate), 1, "no initiate after the restore")
		errs := a.rec.of(EventError)
		require.Len(t, errs, 1)
		assert.Equal(t, "ALREADY_IN_GAME", errs[0]["code"])
		assert.Equal(t, StateActive, b.e.State())
		assert.Empty(t, b.rec.of(EventEnd))
	})
}

// The lock goes only once the end request settled: a tab starting next
// then does not meet this session at the server.
func TestLockReleasedAfterEndSettles(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		locks := newFakeLocks()
		h := newHarness(t, withLocker(locks))
		h.tr.setScript(func(req Request, _ int) reply {
			if req.Op == OpEnd {
				return reply{status: 200, body: map[string]any{"success": true}, delay: time.Second}
			}
			return okReply()
		})
		h.start(t, testOptions())
		endc := make(chan error, 1)
		go func() { endc <- h.e.End() }()
		synctest.Wait()
		assert.NotNil(t, locks.holder(testLock), "held while the end is out")
		require.NoError(t, <-endc)
		assert.Nil(t, locks.holder(testLock))
	})
}

func TestFatalAnswerReleasesTheLock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		locks := newFakeLocks()
		h := newHarness(t, withLocker(locks))
		h.tr.setScript(func(req Request, _ int) reply {
			if req.Op == OpHeartbeat {
				return codeReply(401, "UNAUTHORIZED")
			}
			return okReply()
		})
		h.start(t, testOptions())
		time.Sleep(10 * time.Second)
		assert.Equal(t, StateEnded, h.e.State())
		assert.Nil(t, locks.holder(testLock))
	})
}

// A lock granted after the session stopped (pagehide during the request) is
// given back at once.
func TestLockGrantedAfterStopIsReleased(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := &slowLocker{fakeLocks: newFakeLocks(), grant: make(chan struct{})}
		h := newHarness(t, withLocker(slow))
		errc := make(chan error, 1)
		go func() { errc <- h.e.Start(testToken, testOptions()) }()
		synctest.Wait()
		h.e.PageHide()
		close(slow.grant)
		require.Error(t, <-errc)
		synctest.Wait()
		assert.Nil(t, slow.holder(testLock))
		assert.Empty(t, h.tr.ops(""))
	})
}

// slowLocker grants only when grant is closed, ignoring stop, as a browser
// may answer a lock request after the page stopped caring.
type slowLocker struct {
	*fakeLocks
	grant chan struct{}
}

func (s *slowLocker) Acquire(name string, mode LockMode, stop *Stop, lost func()) (Lock, error) {
	<-s.grant
	return s.fakeLocks.Acquire(name, mode, stop, lost)
}

func TestLockNameIsPerAPIBase(t *testing.T) {
	assert.Equal(t, "game-session:https://api.test/v1", lockName("https://api.test/v1/"))
	assert.NotEqual(t, lockName("https://a.test"), lockName("https://b.test"))
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func firstOf(list []string, prefix string) string {
	for _, x := range list {
		if len(x) >= len(prefix) && x[:len(prefix)] == prefix {
			return x
		}
	}
	return ""
}
