package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The scenarios of the multi-engine suite (see engines_test.go), in the
// order of what matters most to a player.

// Start, then heartbeats at the fixed rate as the server sees them.
func TestEngineStartAndCadence(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		srv := steadyServer(t)
		p := openPage(t, e, srv.URL+"/session.html")
		user := "cadence-" + e.name()
		p.MustStart(srv, user, steadyOpts())
		const beats = 6
		calls := srv.WaitCalls(user, beats*fastInterval+10*time.Second, "6 heartbeats", count(beats, "heartbeat"))
		require.Len(t, ops(calls, "initiate"), 1, "%s: one initiate:\n%s", e.name(), formatCalls(calls))
		beatCalls := ops(calls, "heartbeat")
		for _, c := range beatCalls {
			assert.Equal(t, 200, c.Status, "%s: heartbeat %v", e.name(), c)
		}
		// The median gap is the interval; single gaps stretch with a late
		// timer (a 2-core machine running three browsers delays any
		// engine's; Firefox's page timers may fire an eighth of their
		// delay late, which the Worker steps around), but none may come
		// near the TTL or crowd the one before.
		gaps := gapsMs(beatCalls)
		assert.InDelta(t, ms(fastInterval), median(gaps), 0.1*ms(fastInterval), "%s: median gap between heartbeats; gaps %.0f", e.name(), gaps)
		for i, g := range gaps {
			assert.True(t, g > 0.5*ms(fastInterval) && g < ms(steadyTTL)-500, "%s: gap %d between heartbeats is %.0f ms", e.name(), i+1, g)
		}
		t.Logf("%s: heartbeat gaps %.0f ms", e.name(), gaps)
		if t.Failed() {
			t.Logf("%s: server saw:\n%s", e.name(), formatCalls(calls))
		}
	})
}

// endSession sends one end, stops the beat and leaves the state "ended".
func TestEngineEndSession(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		srv := steadyServer(t)
		p := openPage(t, e, srv.URL+"/session.html")
		user := "end-session-" + e.name()
		p.MustStart(srv, user, steadyOpts())
		srv.WaitCalls(user, 10*time.Second, "a heartbeat", count(1, "heartbeat"))

		o := p.End()
		require.True(t, o.OK, "%s: endSession: %v", e.name(), o)
		assert.Equal(t, "ended", p.State(), "%s", e.name())
		calls := srv.CallsOf(user)
		ends := ops(calls, "end")
		require.Len(t, ends, 1, "%s: one end by the time endSession resolved:\n%s", e.name(), formatCalls(calls))
		assert.Equal(t, 200, ends[0].Status, "%s", e.name())
		// Two intervals with no call prove the beat stopped.
		observe(2 * fastInterval)
		calls = srv.CallsOf(user)
		assert.Empty(t, after(calls, ends[0].Seq), "%s: calls after the end:\n%s", e.name(), formatCalls(calls))
		evs := p.Events()
		assert.Equal(t, 1, countEvents(evs, "end"), "%s: end events: %v", e.name(), evs)
	})
}

// Navigating away sends the end from pagehide, once, promptly.
func TestEngineEndOnNavigation(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		srv := steadyServer(t)
		p := openPages(t, e, 1)[0]
		const tries = 5
		for i := range tries {
			user := fmt.Sprintf("navigate-%s-%d", e.name(), i)
			p.Navigate(srv.URL + "/session.html")
			p.MustStart(srv, user, steadyOpts())
			navAt := unixMs(time.Now())
			p.Navigate(srv.URL + "/other.html")
			calls := srv.WaitCalls(user, 5*time.Second, "the end after navigating away", count(1, "end"))
			end := ops(calls, "end")[0]
			assert.Equal(t, 200, end.Status, "%s: try %d: %v", e.name(), i, end)
			// Before the session would have lapsed anyway (the Chromium
			// suite's own case holds Chromium to 1 s).
			assert.Less(t, end.At-navAt, ms(steadyTTL), "%s: try %d: the end came %.0f ms after the navigation", e.name(), i, end.At-navAt)
		}
		// By now any duplicate of the earlier tries would have arrived.
		for i := range tries {
			user := fmt.Sprintf("navigate-%s-%d", e.name(), i)
			assert.Len(t, ops(srv.CallsOf(user), "end"), 1, "%s: ends of %s", e.name(), user)
		}
	})
}

// Closing the tab sends the end.
func TestEngineEndOnClose(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		srv := steadyServer(t)
		p := openPage(t, e, srv.URL+"/session.html")
		user := "close-" + e.name()
		p.MustStart(srv, user, steadyOpts())
		srv.WaitCalls(user, 10*time.Second, "a heartbeat", count(1, "heartbeat"))
		p.Close()
		calls := srv.WaitCalls(user, 5*time.Second, "the end after closing the page", count(1, "end"))
		assert.Equal(t, 200, ops(calls, "end")[0].Status, "%s", e.name())
	})
}

// singleTab: a second tab of the same profile is refused at once, with no
// request; with takeover it takes the session, after the first tab's end.
func TestEngineOneTabOwnsTheSession(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		srv := tabsServer(t)
		tabs := openPages(t, e, 2)
		for _, p := range tabs {
			p.Navigate(srv.URL + "/session.html")
			require.True(t, evalIn[bool](p, "GameSession.ready.then(() => true)"))
		}
		first, second := tabs[0], tabs[1]
		require.True(t, evalIn[bool](first, "!!navigator.locks"), "%s: Web Locks", e.name())
		user := "tabs-" + e.name()
		first.MustStart(srv, user, tabsOpts())
		srv.WaitCalls(user, 10*time.Second, "a heartbeat", count(1, "heartbeat"))

		other := "tabs-second-" + e.name()
		began := time.Now()
		o := second.Start(srv.Token(other), tabsOpts())
		took := time.Since(began)
		require.False(t, o.OK, "%s: the second tab's startSession must reject: %v", e.name(), o)
		assert.Equal(t, "ALREADY_IN_GAME", o.Code, "%s: %v", e.name(), o)
		assert.Equal(t, 0, o.Status, "%s: no request, so no status", e.name())
		assert.Less(t, took, atOnce, "%s: at once, not after riding out a TTL", e.name())
		assert.Empty(t, srv.CallsOf(other), "%s: the refused tab reached the server", e.name())

		// Takeover: the second tab takes user's session from the first.
		mark := lastCall(t, srv.CallsOf(user)).Seq
		opts := tabsOpts()
		opts["takeover"] = true
		second.MustStart(srv, user, opts)
		first.WaitJS(`__log.some(e => e.type === "end" && e.detail.reason === "takeover")`, 10*time.Second, "end{takeover} in the first tab")
		calls := after(srv.CallsOf(user), mark)
		ends, inits := ops(calls, "end"), served(ops(calls, "initiate"))
		require.Len(t, ends, 1, "%s: the first tab's end:\n%s", e.name(), formatCalls(calls))
		require.Len(t, inits, 1, "%s: the second tab's initiate:\n%s", e.name(), formatCalls(calls))
		assert.Less(t, ends[0].Seq, inits[0].Seq, "%s: the old end before the new initiate:\n%s", e.name(), formatCalls(calls))
		srv.WaitCalls(user, 10*time.Second, "2 heartbeats of the new session", func(cs []Call) bool {
			return len(served(ops(after(cs, inits[0].Seq), "heartbeat"))) >= 2
		})
		assert.Equal(t, "ended", first.State(), "%s", e.name())
		assert.Equal(t, "active", second.State(), "%s", e.name())
	})
}

// What an engine has or lacks, asserted both ways so that the suite notices
// the day an engine gains (or loses) it. README's per-engine table says
// what a player gets from it.
func TestEngineFeatures(t *testing.T) {
	want := map[string]map[string]bool{
		"chromium": {"fetchLater": true, "locks": true, "worker": true},
		"firefox":  {"fetchLater": false, "locks": true, "worker": true},
		"webkit":   {"fetchLater": false, "locks": true, "worker": true},
	}
	forEngines(t, func(t *testing.T, e engine) {
		srv := steadyServer(t)
		p := openPage(t, e, srv.URL+"/session.html")
		got := evalIn[map[string]bool](p, `({
			fetchLater: typeof fetchLater === "function",
			locks: !!(navigator.locks && navigator.locks.request),
			worker: typeof Worker === "function",
		})`)
		assert.Equal(t, want[e.name()], got, "%s: features", e.name())
	})
}
