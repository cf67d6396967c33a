package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Case 6: the server drops the session; the next heartbeat learns it and the
// SDK initiates a new one at once and tells the page (renew).
func TestServerExpiryRenews(t *testing.T) {
	srv := fastServer(t)
	p := openSession(t, srv)
	const user = "server-expiry"
	mustStart(t, p, srv, user, fastOpts())
	calls := srv.WaitCalls(user, 10*time.Second, "2 heartbeats", count(2, "heartbeat"))
	mark := lastCall(t, calls).Seq

	expiredAt := unixMs(time.Now())
	srv.Expire(user)
	calls = srv.WaitCalls(user, 5*time.Second, "a new session after the expiry", func(cs []Call) bool {
		return len(served(ops(after(cs, mark), "initiate"))) >= 1
	})
	since := after(calls, mark)
	renewal := served(ops(since, "initiate"))[0]
	// The next heartbeat is due at most one interval after the expiry; the
	// initiate follows its NO_ACTIVE_SESSION answer at once (100 ms is for
	// that round trip).
	limit := ms(fastInterval) + 100
	assert.LessOrEqual(t, renewal.At-expiredAt, limit, "new initiate %.0f ms after the expiry:\n%s", renewal.At-expiredAt, formatCalls(since))
	before := filterCalls(since, func(c Call) bool { return c.Seq < renewal.Seq })
	assert.NotEmpty(t, filterCalls(before, func(c Call) bool { return c.Op == "heartbeat" && c.Code == "NO_ACTIVE_SESSION" }),
		"a heartbeat answered NO_ACTIVE_SESSION before the new initiate:\n%s", formatCalls(since))

	p.WaitJS(`__log.some(e => e.type === "renew")`, 5*time.Second, "a renew event")
	srv.WaitCalls(user, 5*time.Second, "heartbeats after the renewal", func(cs []Call) bool {
		return len(served(ops(after(cs, renewal.Seq), "heartbeat"))) >= 2
	})
	p.WaitJS(`GameSession.state() === "active"`, 5*time.Second, "state active")
}

// thirtyPercent makes 30 % of the session requests fail fast: half of them
// dropped (no response), half answered 503.
var thirtyPercent = Faults{DropRate: 0.15, ErrorRate: 0.15, ErrorStatus: 503}

// Case 7, real timing: with 30 % of the requests failing, the retries keep
// the session alive at the spec's 9 s / 10 s, without a request storm. The
// one exception is by design: when all the tries the cap allows for one beat
// fail (0.3⁴ a beat, ~5 % of the runs; see capSpentOnFailures), no try is
// left within the TTL, and the session must be renewed instead.
// About a minute; parallel, as its bounds are seconds wide.
func TestFaultsAtRealTiming(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "-ttl", "10s")
	p := openSession(t, srv)
	const user = "faults-9s"
	mustStart(t, p, srv, user, Opts{}) // the defaults: 9 s / 10 s
	start := lastCall(t, srv.CallsOf(user))
	srv.SetFaults(thirtyPercent)

	const beats = 6
	calls := srv.WaitCalls(user, (beats+4)*9*time.Second, fmt.Sprintf("%d heartbeats served under faults", beats), func(cs []Call) bool {
		return len(served(ops(after(cs, start.Seq), "heartbeat"))) >= beats
	})
	srv.ClearFaults()

	assert.LessOrEqual(t, maxInWindow(calls, perInterval(9*time.Second)), sendsPerInterval, "more than %d requests within one interval:\n%s", sendsPerInterval, formatCalls(calls))
	if run, spent := capSpentOnFailures(calls); spent {
		// By design (the cap), not a bug: then what must happen is a renewal.
		t.Logf("calls %d–%d all failed by injection: the cap allows no fifth try within the TTL, so the session may be lost; checking the renewal instead", run[0].Seq, run[len(run)-1].Seq)
		expiries := checkRenewals(t, calls, 10*time.Second, 9*time.Second)
		assert.NotEmpty(t, expiries, "the cap was spent, yet no expiry shows:\n%s", formatCalls(calls))
		if len(expiries) > 0 {
			renewed := served(ops(calls, "initiate", "heartbeat"))
			assert.Greater(t, lastCall(t, renewed).At, expiries[len(expiries)-1], "nothing was served after the last expiry:\n%s", formatCalls(calls))
		}
		return
	}
	assert.Len(t, served(ops(calls, "initiate")), 1, "a second session was initiated, so one expired:\n%s", formatCalls(calls))
	for _, c := range calls {
		assert.NotEqual(t, "NO_ACTIVE_SESSION", c.Code, "the session expired on the server: %v", c)
	}
	keepalive := served(ops(calls, "initiate", "heartbeat"))
	for i, g := range gapsMs(keepalive) {
		assert.Less(t, g, 10_000.0, "gap %d between served requests is %.0f ms: past the server's TTL", i+1, g)
	}
	if s, ok := srv.Session(user); assert.True(t, ok, "no session on the server") {
		assert.InDelta(t, start.At, s.StartedAt, 1000, "the session was restarted")
	}
	t.Logf("%d requests, %d failed by injection, over %.0f s", len(calls), len(calls)-len(served(calls)), (lastCall(t, calls).At-start.At)/1000)
}

// Case 7, short timing: with the same faults and only 100 ms between the
// beat and the TTL, sessions do expire; each expiry must be followed by a
// new initiate within one interval, and the page must end up active.
func TestFaultsAtShortTiming(t *testing.T) {
	// The brief's 30 %: retries usually save the session even with 100 ms
	// to spare, so expiries are rare; whatever happens, every expiry must
	// be followed by a renewal within one interval.
	t.Run("30 percent", func(t *testing.T) {
		const beats = 20
		checkRenewsUnderFaults(t, "faults-short-30", thirtyPercent, fmt.Sprintf("%d served heartbeats", beats), func(cs []Call) bool {
			return len(served(ops(cs, "heartbeat"))) >= beats
		}, false)
	})
	// 70 % makes expiries certain, so the renewal path is really exercised.
	t.Run("70 percent", func(t *testing.T) {
		const renewals = 3
		heavy := Faults{DropRate: 0.35, ErrorRate: 0.35, ErrorStatus: 503}
		checkRenewsUnderFaults(t, "faults-short-70", heavy, fmt.Sprintf("%d renewals", renewals), func(cs []Call) bool {
			return len(served(ops(cs, "initiate"))) >= 1+renewals
		}, true)
	})
}

// checkRenewsUnderFaults starts a session at short timing, injects faults
// until done says so, and checks what the server saw: every expiry followed
// by an initiate within one interval, never more than 4 requests within one
// interval, a healthy beat once the faults stop, and one renew event on the
// page per new session on the server.
func checkRenewsUnderFaults(t *testing.T, user string, faults Faults, what string, done func([]Call) bool, wantExpiry bool) {
	srv := fastServer(t)
	p := openSession(t, srv)
	mustStart(t, p, srv, user, fastOpts())
	start := lastCall(t, srv.CallsOf(user))
	srv.SetFaults(faults)

	calls := srv.WaitCalls(user, 60*time.Second, what+" under faults", done)
	srv.ClearFaults()

	expiries := checkRenewals(t, calls, fastTTL, fastInterval)
	if wantExpiry {
		require.NotEmpty(t, expiries, "no expiry seen:\n%s", formatCalls(calls))
	}
	assert.LessOrEqual(t, maxInWindow(after(calls, start.Seq), perInterval(fastInterval)), 4, "more than 4 requests within one interval")

	// Faults off: the page gets back to a healthy beat.
	mark := lastCall(t, srv.CallsOf(user)).Seq
	srv.WaitCalls(user, 10*time.Second, "2 served heartbeats after the faults", func(cs []Call) bool {
		return len(served(ops(after(cs, mark), "heartbeat"))) >= 2
	})
	p.WaitJS(`GameSession.state() === "active"`, 5*time.Second, "state active")
	// Each new session the server made is a renew event on the page. Read
	// the page first: a renewal whose answer is still on its way is on the
	// server but not yet on the page, so the server may be one ahead.
	renews := countEvents(p.Events(), "renew")
	sessions := len(served(ops(srv.CallsOf(user), "initiate"))) - 1
	assert.True(t, renews == sessions || renews+1 == sessions, "%d renew events on the page, %d new sessions on the server", renews, sessions)
	t.Logf("%d requests (%d failed by injection), %d expiries, %d renew events", len(calls), len(calls)-len(served(calls)), len(expiries), renews)
	if t.Failed() {
		t.Logf("server saw:\n%s", formatCalls(calls))
	}
}

// checkRenewals checks that each expiry of the session in calls (see
// expiriesOf) was followed by a new initiate within one interval, and
// returns the expiries.
func checkRenewals(t *testing.T, calls []Call, ttl, interval time.Duration) []float64 {
	t.Helper()
	expiries := expiriesOf(calls, ttl)
	for _, e := range expiries {
		next, ok := firstAfter(ops(calls, "initiate"), e)
		if !assert.True(t, ok, "no initiate after the expiry at %s", fmtMs(e)) {
			continue
		}
		assert.LessOrEqual(t, next.At-e, ms(interval), "initiate %v came %.0f ms after the expiry at %s", next, next.At-e, fmtMs(e))
	}
	return expiries
}

// expiriesOf returns when (unix ms) the server's session lapsed: ttl after a
// served initiate or heartbeat with no served heartbeat in time, or when a
// heartbeat found no session, whichever the log shows first.
func expiriesOf(calls []Call, ttl time.Duration) []float64 {
	var out []float64
	var last *Call // the last served initiate or heartbeat of a live session
	for i := range calls {
		c := calls[i]
		if last != nil && c.At-last.At > ms(ttl) {
			out = append(out, last.At+ms(ttl))
			last = nil
		}
		switch {
		case c.Op == "heartbeat" && c.Code == "NO_ACTIVE_SESSION":
			if last != nil {
				out = append(out, c.At)
				last = nil
			}
		case (c.Op == "initiate" || c.Op == "heartbeat") && c.Status == 200 && c.Fault == "":
			last = &calls[i]
		}
	}
	return out
}

func firstAfter(calls []Call, at float64) (Call, bool) {
	for _, c := range calls {
		if c.At > at {
			return c, true
		}
	}
	return Call{}, false
}

func fmtMs(at float64) string { return time.UnixMilli(int64(at)).Format("15:04:05.000") }

// Case 8: the previous page's end was lost (the server drops it), so the
// server still holds the session when the reloaded page starts again; the
// start must still succeed within one TTL. The steady 3 s TTL keeps the
// stale session alive across the reload on a busy machine.
func TestStaleSessionAfterLostEnd(t *testing.T) {
	srv := steadyServer(t)
	p := openSession(t, srv)
	const user = "stale"
	opts := steadyOpts()
	mustStart(t, p, srv, user, opts)
	srv.SetFaults(Faults{DropRate: 1, Ops: []string{"end"}})
	// Reload right after a heartbeat, so that the stale session has nearly
	// the whole TTL left when the new page asks for one.
	mark := lastCall(t, srv.CallsOf(user)).Seq
	srv.WaitCalls(user, 10*time.Second, "a heartbeat", func(cs []Call) bool { return len(ops(after(cs, mark), "heartbeat")) >= 1 })
	p.Do("reload", chromedp.Reload())
	calls := srv.WaitCalls(user, 5*time.Second, "the dropped end", count(1, "end"))
	require.Equal(t, "drop", ops(calls, "end")[0].Fault)
	srv.ClearFaults()
	mark = lastCall(t, calls).Seq

	o := p.Start(srv.Token(user), opts)
	require.True(t, o.OK, "startSession after the lost end: %v", o)
	calls = after(srv.CallsOf(user), mark)
	inits := ops(calls, "initiate")
	require.NotEmpty(t, inits)
	assert.Equal(t, "ALREADY_IN_GAME", inits[0].Code, "the first initiate met the stale session:\n%s", formatCalls(calls))
	ok := lastCall(t, inits)
	assert.Equal(t, 200, ok.Status)
	// The stale session's last beat came before the first initiate, so it
	// is gone one TTL after that initiate at the latest; the retry that
	// finds it gone may come one backoff step (at most an interval) later.
	took := ok.At - inits[0].At
	assert.LessOrEqual(t, took, ms(3*time.Second+fastInterval), "the new session came %.0f ms after the first initiate:\n%s", took, formatCalls(calls))
	t.Logf("new session %.0f ms after the first initiate, %d initiates", took, len(inits))
	assert.Equal(t, "active", p.State())
}
