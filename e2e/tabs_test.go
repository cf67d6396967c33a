package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// One tab owns the session (singleTab, Web Locks). The tabs of these cases
// share one browser context, as a player's tabs do, so they share locks.

// The cases run at a relaxed timing: they check who sends what, and a 1 s
// beat against a 3 s TTL leaves each answer 2 s, so a busy machine does not
// turn a slow answer into a renewal that muddles the server's log. "At once"
// means well within one TTL: riding out a held session would take a TTL.
const (
	tabsTTL  = 3 * time.Second
	atOnce   = 2 * time.Second
	tabsBeat = time.Second
)

func tabsServer(t *testing.T) *devServer {
	t.Helper()
	return startServer(t, "-ttl", tabsTTL.String())
}

func tabsOpts() Opts {
	return Opts{"heartbeatIntervalMs": ms(tabsBeat), "sessionTtlMs": ms(tabsTTL)}
}

// sameContextTabs opens n tabs in one new browser context of the shared
// browser. The context belongs to an extra blank tab that lives until the
// test ends, so that closing one of the n tabs leaves the others alone.
func sameContextTabs(t *testing.T, n int) []*tab {
	t.Helper()
	return sameContextTabsIn(t, sharedBrowser(t), n)
}

// sameContextTabsIn is sameContextTabs in the given browser.
func sameContextTabsIn(t *testing.T, browser context.Context, n int) []*tab {
	t.Helper()
	anchor := openTab(t, browser)
	id := chromedp.FromContext(anchor.ctx).BrowserContextID
	require.NotEmpty(t, id, "the anchor tab has its own browser context")
	tabs := make([]*tab, n)
	for i := range tabs {
		ctx, cancel := chromedp.NewContext(browser, chromedp.WithExistingBrowserContext(id))
		p := &tab{t: t, ctx: ctx, cancel: cancel}
		if err := chromedp.Do(ctx); err != nil {
			cancel()
			t.Fatalf("opening tab %d: %v", i, err)
		}
		p.watchConsole()
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("tab %d console:\n%s", i, p.consoleText())
			}
			cancel()
		})
		tabs[i] = p
	}
	return tabs
}

// sessionTabs opens two tabs of one browser context on the session page.
func sessionTabs(t *testing.T, srv *devServer) (first, second *tab) {
	t.Helper()
	tabs := sameContextTabs(t, 2)
	for _, p := range tabs {
		p.Navigate(srv.URL + "/session.html")
	}
	// Both modules loaded before a case starts: a tab compiling its wasm
	// while the other one beats at the suite's short timing can delay that
	// beat's answer past its (short) timeout.
	for _, p := range tabs {
		require.True(t, eval[bool](p, "GameSession.ready.then(() => true)"))
	}
	return tabs[0], tabs[1]
}

func TestTabsSecondTabIsRejectedWithoutARequest(t *testing.T) {
	t.Parallel()
	srv := tabsServer(t)
	first, second := sessionTabs(t, srv)
	mustStart(t, first, srv, "tabs-first", tabsOpts())

	// The lock is the site's, whoever plays: the second tab asks for
	// another user so that the server's log tells the tabs apart.
	const user = "tabs-second"
	began := time.Now()
	o := second.Start(srv.Token(user), tabsOpts())
	took := time.Since(began)
	require.False(t, o.OK, "the second tab's startSession must reject: %v", o)
	assert.Equal(t, "GameSessionError", o.Name)
	assert.Equal(t, "ALREADY_IN_GAME", o.Code)
	assert.Equal(t, 0, o.Status, "no request, so no status")
	assert.Contains(t, o.Message, "another tab")
	assert.Less(t, took, atOnce, "at once, not after riding out a TTL")

	// Two intervals later the server has still seen nothing of it.
	observe(2 * tabsBeat)
	assert.Empty(t, srv.CallsOf(user), "the second tab reached the server")
	assert.Len(t, ops(srv.CallsOf("tabs-first"), "initiate"), 1, "the first tab was not disturbed")
	assert.Equal(t, "active", first.State())
	assert.Equal(t, "ended", second.State())
}

// takeOver starts user's session in first and, once it beats, runs before
// and takes the session over from second. It returns the seq of the last
// call before the takeover.
func takeOver(t *testing.T, srv *devServer, first, second *tab, user string, before func()) int64 {
	t.Helper()
	mustStart(t, first, srv, user, tabsOpts())
	srv.WaitCalls(user, 10*time.Second, "a heartbeat", count(1, "heartbeat"))
	mark := lastCall(t, srv.CallsOf(user)).Seq
	before()
	opts := tabsOpts()
	opts["takeover"] = true
	mustStart(t, second, srv, user, opts)
	return mark
}

func TestTabsTakeover(t *testing.T) {
	t.Parallel()
	srv := tabsServer(t)
	first, second := sessionTabs(t, srv)
	const user = "tabs-takeover"
	mark := takeOver(t, srv, first, second, user, func() {})
	first.WaitJS(`__log.some(e => e.type === "end" && e.detail.reason === "takeover")`, 10*time.Second, "end{takeover} in the first tab")
	assert.Equal(t, "ended", first.State())
	calls := after(srv.CallsOf(user), mark)
	ends, inits := ops(calls, "end"), served(ops(calls, "initiate"))
	require.Len(t, ends, 1, "the first tab's end:\n%s", formatCalls(calls))
	assert.Equal(t, 200, ends[0].Status)
	require.Len(t, inits, 1, "the second tab's initiate:\n%s", formatCalls(calls))
	assert.Less(t, ends[0].Seq, inits[0].Seq, "the server ended the old session before it served the new one:\n%s", formatCalls(calls))
	for _, c := range ops(calls, "initiate") {
		if c.Seq < ends[0].Seq {
			assert.Equal(t, "ALREADY_IN_GAME", c.Code, "an initiate before the old end met the old session")
		}
	}

	// The second tab keeps the session; the first one is silent.
	srv.WaitCalls(user, 10*time.Second, "2 heartbeats of the new session", func(cs []Call) bool {
		return len(served(ops(after(cs, inits[0].Seq), "heartbeat"))) >= 2
	})
	endIdx := -1
	evs := first.Events()
	for i, e := range evs {
		if e.Type == "end" {
			endIdx = i
		}
	}
	for _, e := range evs[endIdx+1:] {
		assert.NotEqual(t, "heartbeat", e.Type, "the first tab beat after it was taken over")
	}
	assert.Equal(t, "active", second.State())
	second.WaitJS(`__log.some(e => e.type === "renew" && e.detail.reason === "takeover")`, 5*time.Second, "renew{takeover} in the second tab")
	assert.Zero(t, countEvents(second.Events(), "end"))
}

// A takeover of a session the server has already dropped, with the old
// tab's end slow to arrive: the new tab waits for that end before its
// initiate, so the late end cannot end the new session.
func TestTabsTakeoverWaitsForTheOldEnd(t *testing.T) {
	t.Parallel()
	srv := tabsServer(t)
	first, second := sessionTabs(t, srv)
	const user = "tabs-takeover-late-end"
	const endLatency = 800 * time.Millisecond
	mark := takeOver(t, srv, first, second, user, func() {
		srv.SetFaults(Faults{LatencyMs: int(ms(endLatency)), Ops: []string{"end"}})
		srv.Expire(user) // the first tab has not noticed yet
	})
	first.WaitJS(`__log.some(e => e.type === "end" && e.detail.reason === "takeover")`, 10*time.Second, "end{takeover} in the first tab")

	// Three beats of the new session, all answered: the old end did not
	// take it away.
	calls := srv.WaitCalls(user, 10*time.Second, "3 heartbeats after the takeover", func(cs []Call) bool {
		return len(ops(after(cs, mark), "heartbeat")) >= 3
	})
	calls = after(calls, mark)
	ends := ops(calls, "end")
	require.Len(t, ends, 1, "the first tab's end:\n%s", formatCalls(calls))
	// The first tab may meet the expiry with a beat of its own before the
	// takeover reaches it (its Worker beats on time) and renew once: that
	// initiate precedes its end. After the end: one session, no renewal.
	inits := served(ops(after(calls, ends[0].Seq), "initiate"))
	require.Len(t, inits, 1, "one session after the takeover, no renewal:\n%s", formatCalls(calls))
	assert.GreaterOrEqual(t, inits[0].At-ends[0].At, ms(endLatency)-50,
		"the new initiate waited until the old end was through:\n%s", formatCalls(calls))
	for _, c := range ops(calls, "heartbeat") {
		assert.Equal(t, 200, c.Status, "heartbeat %v:\n%s", c, formatCalls(calls))
	}
	assert.Equal(t, "active", second.State())
	for _, e := range second.Events() {
		if e.Type == "renew" {
			assert.Equal(t, "takeover", e.Detail["reason"], "renew events of the second tab")
		}
	}
}

func TestTabsClosingTheOwnerFreesTheSession(t *testing.T) {
	t.Parallel()
	srv := tabsServer(t)
	first, second := sessionTabs(t, srv)
	const user = "tabs-close"
	mustStart(t, first, srv, user, tabsOpts())
	srv.WaitCalls(user, 10*time.Second, "a heartbeat", count(1, "heartbeat"))

	first.cancel() // closes the tab: pagehide sends the end and the lock goes with the page
	calls := srv.WaitCalls(user, 5*time.Second, "the end after closing the tab", count(1, "end"))
	mark := lastCall(t, calls).Seq

	began := time.Now()
	o := second.Start(srv.Token(user), tabsOpts())
	require.True(t, o.OK, "startSession in the remaining tab: %v", o)
	assert.Less(t, time.Since(began), atOnce, "at once")
	calls = after(srv.CallsOf(user), mark)
	inits := ops(calls, "initiate")
	require.Len(t, inits, 1, "one initiate, not a ride over a stale session:\n%s", formatCalls(calls))
	assert.Equal(t, 200, inits[0].Status)
}

// The lock leaves with the page (a held lock would keep it out of the
// back/forward cache) and comes back with it: while the page is in the cache
// another tab may start; after the restore, the restored page owns it again.
func TestTabsLockFollowsTheBackForwardCache(t *testing.T) {
	t.Parallel()
	srv := tabsServer(t)
	first, second := sessionTabs(t, srv)
	const user = "tabs-bfcache"
	mustStart(t, first, srv, user, tabsOpts())

	notUsed := first.watchBFCacheMisses()
	first.Navigate(srv.URL + "/other.html")
	end := ops(srv.WaitCalls(user, 5*time.Second, "the end after leaving", count(1, "end")), "end")[0]

	// In the cache, the first page holds nothing.
	held := eval[bool](second, `navigator.locks.query().then(s => s.held.length > 0)`)
	assert.False(t, held, "a lock is still held while the first page is in the cache")

	first.Do("history.back()", chromedp.Evaluate[chromedp.Void]("history.back()"))
	if err := first.waitJS(`__log.some(e => e.type === "pageshow" && e.detail.persisted)`, 10*time.Second); err != nil {
		t.Fatalf("no back/forward cache restore: %v; Chromium's reasons: %s", err, notUsed())
	}
	srv.WaitCalls(user, 10*time.Second, "the initiate after the restore", func(cs []Call) bool {
		return len(served(ops(after(cs, end.Seq), "initiate"))) >= 1
	})
	first.WaitJS(`GameSession.state() === "active"`, 5*time.Second, "the restored page is active")

	o := second.Start(srv.Token("tabs-bfcache-other"), tabsOpts())
	assert.Equal(t, "ALREADY_IN_GAME", o.Code, "the restored page holds the lock again: %v", o)
	assert.Empty(t, srv.CallsOf("tabs-bfcache-other"))
}

// On an http page that is not localhost there are no Web Locks (nor
// fetchLater): each tab starts as before, and the debug log says why.
func TestTabsWithoutWebLocks(t *testing.T) {
	t.Parallel()
	srv := tabsServer(t)
	// game.test is 127.0.0.1 to this browser, but an insecure origin.
	opts := append(allocatorOptions(chromiumPath(t), t.TempDir()), chromedp.Flag("host-resolver-rules", "MAP game.test 127.0.0.1"))
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(acancel)
	browser, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	tabs := sameContextTabsIn(t, browser, 2)
	first, second := tabs[0], tabs[1]
	insecure := strings.Replace(srv.URL, "127.0.0.1", "game.test", 1)
	for _, p := range []*tab{first, second} {
		p.Navigate(insecure + "/session.html")
		require.Equal(t, "false undefined", eval[string](p, `isSecureContext + " " + typeof navigator.locks`))
	}

	debugOpts := tabsOpts()
	debugOpts["debug"] = true
	mustStart(t, first, srv, "nolocks-a", debugOpts)
	mustStart(t, second, srv, "nolocks-b", tabsOpts())
	log := first.consoleText()
	assert.Contains(t, log, "singleTab: Web Locks unavailable")
	assert.Contains(t, log, "deferred end unavailable")
}
