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

// deferringTransport is the fake transport plus fetchLater: it keeps one
// ordered log of what went out ("do end", "beacon end") and of the deferred
// requests armed and cancelled, and counts how many are armed at once.
type deferringTransport struct {
	*fakeTransport
	deferErr   error // Defer fails with it
	beaconErr  error // Beacon fails with it
	mu         sync.Mutex
	log        []string
	armed      []*deferred
	maxPending int
}

type deferred struct {
	req       Request
	cancelled bool
}

func (d *deferringTransport) note(s string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.log = append(d.log, s)
}

func (d *deferringTransport) Do(req Request, timeout time.Duration, stop *Stop) (Response, error) {
	d.note("do " + string(req.Op))
	return d.fakeTransport.Do(req, timeout, stop)
}

func (d *deferringTransport) Beacon(req Request) error {
	d.note("beacon " + string(req.Op))
	if d.beaconErr != nil {
		return d.beaconErr
	}
	return d.fakeTransport.Beacon(req)
}

func (d *deferringTransport) Defer(req Request) (func(), error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.deferErr != nil {
		return nil, d.deferErr
	}
	x := &deferred{req: req}
	d.armed = append(d.armed, x)
	d.log = append(d.log, "defer "+string(req.Op))
	d.maxPending = max(d.maxPending, d.pendingLocked())
	return func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if !x.cancelled {
			x.cancelled = true
			d.log = append(d.log, "cancel deferred")
		}
	}, nil
}

func (d *deferringTransport) pendingLocked() int {
	n := 0
	for _, x := range d.armed {
		if !x.cancelled {
			n++
		}
	}
	return n
}

// pending is how many deferred requests would go if the page died now.
func (d *deferringTransport) pending() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pendingLocked()
}

func (d *deferringTransport) events() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.log...)
}

// endsIfKilledNow counts the ends the server gets for the session if the page
// died now: those sent, plus the deferred ones still armed.
func (d *deferringTransport) endsIfKilledNow() int {
	return len(d.ops(OpEnd)) + d.beaconCount() + d.pending()
}

func newDeferHarness(t *testing.T, configure ...func(*Config)) (*harness, *deferringTransport) {
	dt := &deferringTransport{fakeTransport: &fakeTransport{}}
	h := newHarness(t, append([]func(*Config){func(c *Config) { c.Transport = dt }}, configure...)...)
	h.tr = dt.fakeTransport
	return h, dt
}

func TestDeferredEndArmedWhenActive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, dt := newDeferHarness(t)
		h.start(t, testOptions())
		require.Equal(t, []string{"do initiate", "defer end"}, dt.events())
		assert.Equal(t, Request{Op: OpEnd, URL: "https://api.test/api/games/sessions/end", Token: testToken, Credentials: "same-origin"}, dt.armed[0].req)
		time.Sleep(30 * time.Second)
		assert.Equal(t, 1, dt.pending(), "one, kept while the beat goes on")
		assert.Len(t, dt.armed, 1, "heartbeats do not re-arm it")
		assert.Equal(t, 1, dt.endsIfKilledNow())
	})
}

func TestDeferredEndNotArmedBeforeAnInitiateSucceeds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, dt := newDeferHarness(t)
		h.tr.setScript(func(Request, int) reply { return codeReply(401, "UNAUTHORIZED") })
		require.Error(t, h.e.Start(testToken, testOptions()))
		assert.Empty(t, dt.armed)
	})
}

func TestDeferredEndReplacedOnRenew(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, dt := newDeferHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpHeartbeat && n == 1 {
				return codeReply(400, "NO_ACTIVE_SESSION")
			}
			return okReply()
		})
		h.start(t, testOptions())
		time.Sleep(20 * time.Second)
		require.Len(t, h.rec.of(EventRenew), 1)
		assert.Equal(t, []string{
			"do initiate", "defer end",
			"do heartbeat",
			"do heartbeat", "cancel deferred", // the server lost it: its end must not go later
			"do initiate", "defer end",
		}, dt.events()[:7])
		assert.Equal(t, 1, dt.pending())
		assert.Equal(t, 1, dt.maxPending, "never two armed")
	})
}

// A session that expired on the client's clock (no answer for a TTL) is
// presumed gone at the server: its deferred end goes before the renewal.
func TestDeferredEndWithdrawnWhenRenewingAfterSilence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, dt := newDeferHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpHeartbeat && n < 4 { // every try before expiry fails
				return reply{err: errNetwork}
			}
			return okReply()
		})
		h.start(t, testOptions())
		time.Sleep(30 * time.Second)
		ev := dt.events()
		cancelAt, renewAt := indexOf(ev, "cancel deferred"), indexOf(ev[1:], "do initiate")+1
		require.Positive(t, cancelAt, "%v", ev)
		assert.Less(t, cancelAt, renewAt, "%v", ev)
		assert.Equal(t, 1, dt.pending())
		assert.Equal(t, 1, dt.maxPending)
	})
}

func TestEndCancelsTheDeferredEndBeforeSendingIts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, dt := newDeferHarness(t)
		h.start(t, testOptions())
		require.NoError(t, h.e.End())
		assert.Equal(t, []string{"do initiate", "defer end", "cancel deferred", "do end"}, dt.events())
		h.e.PageHide()
		time.Sleep(time.Minute)
		assert.Equal(t, 1, dt.endsIfKilledNow(), "exactly one end for the session")
	})
}

func TestPageHideCancelsTheDeferredEndOnceTheBeaconWent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, dt := newDeferHarness(t)
		h.start(t, testOptions())
		h.e.PageHide()
		h.e.PageHide()
		assert.Equal(t, []string{"do initiate", "defer end", "beacon end", "cancel deferred"}, dt.events())
		assert.Equal(t, 1, dt.endsIfKilledNow())
	})
}

// When the beacon fails, the deferred end is the end: it stays armed and goes
// when the document is destroyed.
func TestPageHideKeepsTheDeferredEndWhenTheBeaconFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, dt := newDeferHarness(t)
		dt.beaconErr = errors.New("sendBeacon refused the request")
		h.start(t, testOptions())
		h.e.PageHide()
		assert.Equal(t, 1, dt.pending())
		assert.Equal(t, 1, dt.endsIfKilledNow())

		// Restored from the back/forward cache instead: the old one goes,
		// the new session gets its own.
		h.e.PageShow(true)
		synctest.Wait()
		assert.Equal(t, StateActive, h.e.State())
		assert.Len(t, dt.armed, 2)
		assert.Equal(t, 1, dt.pending())
		assert.True(t, dt.armed[0].cancelled)
		assert.Equal(t, 1, dt.maxPending)
	})
}

func TestDeferredEndRearmedAfterRestore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, dt := newDeferHarness(t)
		h.start(t, testOptions())
		h.e.PageHide()
		require.Zero(t, dt.pending())
		h.e.PageShow(true)
		synctest.Wait()
		assert.Equal(t, 1, dt.pending())
		assert.Equal(t, OpEnd, dt.armed[1].req.Op)
	})
}

func TestFatalAnswerWithdrawsTheDeferredEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, dt := newDeferHarness(t)
		h.tr.setScript(func(req Request, _ int) reply {
			if req.Op == OpHeartbeat {
				return codeReply(401, "UNAUTHORIZED")
			}
			return okReply()
		})
		h.start(t, testOptions())
		time.Sleep(10 * time.Second)
		require.Equal(t, StateEnded, h.e.State())
		assert.Zero(t, dt.pending())
	})
}

func TestTakeoverCancelsTheDeferredEndBeforeSendingIts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		locks := newFakeLocks()
		a, dt := newDeferHarness(t, withLocker(locks))
		b := newHarness(t, withLocker(locks))
		a.start(t, testOptions())
		opts := testOptions()
		opts.Takeover = true
		b.start(t, opts)
		synctest.Wait()
		assert.Equal(t, []string{"do initiate", "defer end", "cancel deferred", "do end"}, dt.events())
		assert.Equal(t, 1, dt.endsIfKilledNow())
	})
}

// Without fetchLater (or when it throws) the session goes on as before.
func TestDeferUnavailableIsNoFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, dt := newDeferHarness(t)
		dt.deferErr = errors.New("QuotaExceededError")
		opts := testOptions()
		opts.Debug = true
		h.start(t, opts)
		time.Sleep(10 * time.Second)
		assert.Equal(t, StateActive, h.e.State())
		assert.Len(t, h.tr.ops(OpHeartbeat), 1)
		assert.Zero(t, dt.pending(), "nothing armed")
		assert.Empty(t, h.rec.of(EventError), "not the game's concern")
		h.e.PageHide()
		assert.Equal(t, 1, h.tr.beaconCount(), "pagehide still ends the session")
	})
}
