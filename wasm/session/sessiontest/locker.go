package sessiontest

import (
	"sync/atomic"
	"testing"

	"github.com/game-session/game-session/wasm/session"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Locker runs session.Locker's contract against the lockers that setup
// makes. One Locker stands for the locks of every tab of a site: each
// Acquire is another tab's.
func Locker(t *testing.T, o Options, setup func(t *testing.T) session.Locker) {
	// tab is one holder: its lock and how often it was told it lost it.
	type tab struct {
		session.Lock
		lost atomic.Int32
	}
	acquire := func(t *testing.T, l session.Locker, name string, mode session.LockMode, stop *session.Stop) (*tab, error) {
		t.Helper()
		h := &tab{}
		lock, err := l.Acquire(name, mode, stop, func() { h.lost.Add(1) })
		if err != nil {
			return nil, err
		}
		h.Lock = lock
		return h, nil
	}
	must := func(t *testing.T, l session.Locker, name string, mode session.LockMode) *tab {
		t.Helper()
		h, err := acquire(t, l, name, mode, nil)
		require.NoError(t, err)
		require.NotNil(t, h.Lock)
		return h
	}
	// free checks that name can be taken, and gives it back.
	free := func(t *testing.T, l session.Locker, name string) {
		t.Helper()
		h := must(t, l, name, session.LockIfAvailable)
		h.Release()
		recv(t, h.Released(), "Released")
	}
	isReleased := func(h *tab) bool {
		select {
		case <-h.Released():
			return true
		default:
			return false
		}
	}

	o.run(t, "IfAvailable", func(t *testing.T) {
		l := setup(t)
		a := must(t, l, "x", session.LockIfAvailable)
		_, err := acquire(t, l, "x", session.LockIfAvailable, nil)
		assert.Equal(t, session.ErrLockHeld, err, "held by another tab")
		free(t, l, "y") // another name is another lock
		a.Release()
		recv(t, a.Released(), "Released")
		free(t, l, "x") // free at once once Released is closed
		assert.Zero(t, a.lost.Load())
	})

	o.run(t, "ReleasedClosesOnlyAfterRelease", func(t *testing.T) {
		l := setup(t)
		a := must(t, l, "x", session.LockIfAvailable)
		o.yield(t)
		assert.False(t, isReleased(a), "held")
		a.Release()
		a.Release() // harmless
		recv(t, a.Released(), "Released")
		free(t, l, "x")
	})

	o.run(t, "StealTellsTheHolderOnce", func(t *testing.T) {
		l := setup(t)
		a := must(t, l, "x", session.LockIfAvailable)
		b := must(t, l, "x", session.LockSteal)
		o.eventually(t, "the holder learns it lost the lock", func() bool { return a.lost.Load() > 0 })
		a.Release() // harmless after the loss: b keeps it
		recv(t, a.Released(), "Released after the loss")
		_, err := acquire(t, l, "x", session.LockIfAvailable, nil)
		assert.Equal(t, session.ErrLockHeld, err, "the thief holds it")

		c := must(t, l, "x", session.LockSteal)
		o.eventually(t, "the second holder learns it lost the lock", func() bool { return b.lost.Load() > 0 })
		o.yield(t)
		assert.Equal(t, int32(1), a.lost.Load(), "told once")
		assert.Equal(t, int32(1), b.lost.Load(), "told once")
		assert.Zero(t, c.lost.Load())
		b.Release()
		c.Release()
		recv(t, c.Released(), "Released")
		free(t, l, "x")
	})

	o.run(t, "StealAFreeLock", func(t *testing.T) {
		l := setup(t)
		a := must(t, l, "x", session.LockSteal)
		_, err := acquire(t, l, "x", session.LockIfAvailable, nil)
		assert.Equal(t, session.ErrLockHeld, err)
		a.Release()
		recv(t, a.Released(), "Released")
		assert.Zero(t, a.lost.Load())
	})

	o.run(t, "WaitWaitsForTheRelease", func(t *testing.T) {
		l := setup(t)
		free(t, l, "x")
		w := must(t, l, "x", session.LockWait) // free: granted at once
		w.Release()
		recv(t, w.Released(), "Released")

		a := must(t, l, "x", session.LockIfAvailable)
		got := make(chan *tab, 1)
		go func() {
			h, err := acquire(t, l, "x", session.LockWait, nil)
			assert.NoError(t, err)
			got <- h
		}()
		for range 3 {
			o.yield(t)
		}
		select {
		case <-got:
			t.Fatal("granted while another tab holds it")
		default:
		}
		a.Release()
		b := recv(t, got, "the waiting Acquire")
		require.NotNil(t, b)
		_, err := acquire(t, l, "x", session.LockIfAvailable, nil)
		assert.Equal(t, session.ErrLockHeld, err, "the waiter holds it")
		b.Release()
		recv(t, b.Released(), "Released")
		free(t, l, "x")
	})

	o.run(t, "StopEndsTheWait", func(t *testing.T) {
		l := setup(t)
		a := must(t, l, "x", session.LockIfAvailable)
		stop := &session.Stop{}
		errc := make(chan error, 1)
		go func() {
			h, err := acquire(t, l, "x", session.LockWait, stop)
			if h != nil {
				h.Release()
			}
			errc <- err
		}()
		o.yield(t)
		stop.Fire()
		assert.Equal(t, session.ErrCanceled, recv(t, errc, "the waiting Acquire after its stop"))
		a.Release()
		recv(t, a.Released(), "Released")
		// Nobody holds it: the stopped wait took nothing, or gave it back.
		o.eventually(t, "the lock is free", func() bool {
			h, err := acquire(t, l, "x", session.LockIfAvailable, nil)
			if err != nil {
				return false
			}
			h.Release()
			recv(t, h.Released(), "Released")
			return true
		})
	})

	o.run(t, "FiredStopTakesNothing", func(t *testing.T) {
		l := setup(t)
		stop := &session.Stop{}
		stop.Fire()
		for _, mode := range []session.LockMode{session.LockIfAvailable, session.LockWait, session.LockSteal} {
			h, err := acquire(t, l, "x", mode, stop)
			assert.Equal(t, session.ErrCanceled, err, "mode %d", mode)
			assert.Nil(t, h)
		}
		o.yield(t)
		free(t, l, "x")
	})
}
