package session

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPageHideBeaconsEndExactlyOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.start(t, testOptions())
		time.Sleep(10 * time.Second)
		h.e.PageHide()
		h.e.PageHide()
		synctest.Wait()

		require.Equal(t, 1, h.tr.beaconCount())
		assert.Equal(t, Request{Op: OpEnd, URL: "https://api.test/api/games/sessions/end", Token: testToken, Credentials: "same-origin"}, h.tr.beacons[0])
		assert.Equal(t, StateEnded, h.e.State())
		assert.Equal(t, []string{"starting", "active", "ended"}, h.rec.states())
		assert.Equal(t, []map[string]any{{"reason": "pagehide"}}, h.rec.of(EventEnd))
		time.Sleep(time.Minute)
		assert.Len(t, h.tr.ops(""), 2, "the initiate and the 9 s beat; nothing after pagehide")
		assert.Empty(t, h.tr.ops(OpEnd), "the end went by beacon")
	})
}

func TestPageHideDuringHeartbeatAbortsIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, _ int) reply {
			if req.Op == OpHeartbeat {
				return reply{status: 200, body: map[string]any{"success": true}, delay: 2 * time.Second}
			}
			return okReply()
		})
		h.start(t, testOptions())
		time.Sleep(9 * time.Second) // the 8 s beat is out (calibrating: rtt.go)
		h.e.PageHide()
		synctest.Wait()
		assert.True(t, h.tr.ops(OpHeartbeat)[0].aborted)
		assert.Equal(t, 1, h.tr.beaconCount())
		assert.Empty(t, h.rec.of(EventHeartbeat))
	})
}

func TestPageHideWhenIdleOrEndedSendsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.e.PageHide()
		h.start(t, testOptions())
		require.NoError(t, h.e.End())
		h.e.PageHide()
		assert.Zero(t, h.tr.beaconCount())
		h.e.PageShow(true)
		synctest.Wait()
		assert.Len(t, h.tr.ops(OpInitiate), 1, "a session the user ended is not restored")
	})
}

func TestPageHideWhileStartingRejectsStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.rtt = 2 * time.Second
		errc := make(chan error, 1)
		go func() { errc <- h.e.Start(testToken, testOptions()) }()
		time.Sleep(time.Second)
		h.e.PageHide()
		err := <-errc
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, CodeInvalidState, e.Code)
		assert.Equal(t, 1, h.tr.beaconCount())
	})
}

func TestPageShowFromBFCacheRenews(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.start(t, testOptions())
		time.Sleep(5 * time.Second)
		h.e.PageHide()
		time.Sleep(30 * time.Second) // in the cache
		h.e.PageShow(true)
		synctest.Wait()

		assert.Equal(t, StateActive, h.e.State())
		assert.Equal(t, seconds(0, 35), h.tr.sendTimes(OpInitiate, h.t0))
		assert.Equal(t, []map[string]any{{"reason": "bfcache"}}, h.rec.of(EventRenew))
		assert.Equal(t, []string{"starting", "active", "ended", "starting", "active"}, h.rec.states())
		time.Sleep(10 * time.Second)
		assert.Equal(t, seconds(43), h.tr.sendTimes(OpHeartbeat, h.t0), "the beat resumes")

		h.e.PageShow(true) // not after a pagehide: nothing
		synctest.Wait()
		assert.Len(t, h.tr.ops(OpInitiate), 2)
	})
}

func TestPageShowNotPersistedDoesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.start(t, testOptions())
		h.e.PageHide()
		h.e.PageShow(false)
		time.Sleep(time.Minute)
		assert.Equal(t, StateEnded, h.e.State())
		assert.Len(t, h.tr.ops(""), 1)
	})
}

func TestVisibleAfterMissedBeatSendsOneAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := &hiddenClock{lag: time.Minute}
		h := newHarness(t, func(c *Config) { c.Clock = clock })
		opts := testOptions()
		opts.SessionTTL = 30 * time.Second
		clock.setHidden(true) // the tab is hidden: its 9 s timer fires a minute late
		h.start(t, opts)
		time.Sleep(15 * time.Second)
		require.Empty(t, h.tr.ops(OpHeartbeat), "throttled")

		clock.setHidden(false)
		h.e.VisibilityChange(true)
		synctest.Wait()
		assert.Equal(t, seconds(15), h.tr.sendTimes(OpHeartbeat, h.t0), "the missed beat goes at once")

		time.Sleep(20 * time.Second)
		assert.Equal(t, seconds(15, 24, 33), h.tr.sendTimes(OpHeartbeat, h.t0), "then the fixed rate from it")
	})
}

func TestVisibleWithoutMissedBeatSendsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.start(t, testOptions())
		time.Sleep(4 * time.Second)
		h.e.VisibilityChange(false)
		h.e.VisibilityChange(true)
		h.e.Online()
		time.Sleep(15 * time.Second)
		assert.Equal(t, seconds(8, 16), h.tr.sendTimes(OpHeartbeat, h.t0))
	})
}

func TestPageHideDuringEndSendsNoSecondEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpEnd {
				return reply{status: 200, body: map[string]any{"success": true}, delay: time.Second}
			}
			return okReply()
		})
		h.start(t, testOptions())
		endc := make(chan error, 1)
		go func() { endc <- h.e.End() }()
		synctest.Wait()
		require.Equal(t, StateEnding, h.e.State())
		// The page goes away while endSession's end is out. That fetch is
		// keepalive, so it outlives the page: no second end.
		h.e.PageHide()
		h.e.PageHide()
		assert.Zero(t, h.tr.beaconCount())
		assert.NoError(t, <-endc)
		ends := h.tr.ops(OpEnd)
		require.Len(t, ends, 1)
		assert.True(t, ends[0].req.KeepAlive, "endSession's end must outlive the page")
		assert.Equal(t, []map[string]any{{"reason": "user"}}, h.rec.of(EventEnd))
		h.e.PageShow(true)
		synctest.Wait()
		assert.Len(t, h.tr.ops(OpInitiate), 1, "a session the user ended is not restored")
	})
}

func TestPageHideBetweenEndRetriesBeaconsTheEndInstead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpEnd {
				return reply{status: 503}
			}
			return okReply()
		})
		h.start(t, testOptions())
		endc := make(chan error, 1)
		go func() { endc <- h.e.End() }()
		synctest.Wait() // the first end failed; its retry waits out the backoff
		require.Len(t, h.tr.ops(OpEnd), 1)
		require.Equal(t, StateEnding, h.e.State())

		h.e.PageHide() // nothing is out: the beacon is the end
		assert.Equal(t, 1, h.tr.beaconCount())
		assert.NoError(t, <-endc, "the end went with the beacon")
		time.Sleep(time.Minute)
		assert.Len(t, h.tr.ops(OpEnd), 1, "no retry after the beacon")
		assert.Equal(t, 1, h.tr.beaconCount())
		assert.Equal(t, StateEnded, h.e.State())
	})
}
