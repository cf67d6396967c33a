package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The game's own 63.9 KiB sendBeacon in its pagehide handler, run before the
// module's, takes the page's keepalive quota (64 KiB in flight, shared): a
// keepalive end would fail after pagehide, with no end at all. The end goes
// by fetchLater (activateAfter: 0) instead, out of that quota, and the
// server gets exactly one end for the session, whether the page enters the
// back/forward cache (and comes back) or is closed.
func TestEndDespiteTheGamesKeepaliveQuota(t *testing.T) {
	t.Parallel()
	for _, away := range []string{"navigation", "tab close"} {
		t.Run(away, func(t *testing.T) {
			srv := steadyServer(t)
			p := newTab(t)
			p.Navigate(srv.URL + "/quota.html")
			require.True(t, eval[bool](p, `typeof fetchLater === "function"`), "this case is about Chromium's fetchLater")
			user := "quota-" + map[string]string{"navigation": "nav", "tab close": "close"}[away]
			mustStart(t, p, srv, user, steadyOpts())
			srv.WaitCalls(user, 10*time.Second, "a heartbeat", count(1, "heartbeat"))

			if away == "tab close" {
				p.cancel() // Target.closeTarget: pagehide runs, then the document is destroyed
				calls := srv.WaitCalls(user, 5*time.Second, "the end after closing the tab", count(1, "end"))
				assert.Equal(t, 200, ops(calls, "end")[0].Status)
				observe(2 * time.Second) // a second end would come with the first
				calls = srv.CallsOf(user)
				assert.Len(t, ops(calls, "end"), 1, "ends:\n%s", formatCalls(calls))
				return
			}

			p.Navigate(srv.URL + "/other.html")
			calls := srv.WaitCalls(user, 5*time.Second, "the end after leaving", count(1, "end"))
			end := ops(calls, "end")[0]
			assert.Equal(t, 200, end.Status)
			beacon := eval[map[string]any](p, `JSON.parse(localStorage.getItem("gameBeacon"))`)
			require.Equal(t, true, beacon["queued"], "the game's beacon took the quota")

			// Back from the back/forward cache: a new session; the old one
			// still has its one end (an armed deferred end must not go too).
			p.Do("history.back()", chromedp.Evaluate[chromedp.Void]("history.back()"))
			p.WaitJS(`__log.some(e => e.type === "pageshow" && e.detail.persisted)`, 10*time.Second, "the page back from the back/forward cache")
			calls = srv.WaitCalls(user, 10*time.Second, "a new initiate and a heartbeat after the restore", func(cs []Call) bool {
				cs = after(cs, end.Seq)
				return len(served(ops(cs, "initiate"))) >= 1 && len(ops(cs, "heartbeat")) >= 1
			})
			observe(2 * time.Second)
			calls = srv.CallsOf(user)
			assert.Len(t, ops(calls, "end"), 1, "ends:\n%s", formatCalls(calls))
			assert.Len(t, ops(calls, "initiate"), 2, "calls:\n%s", formatCalls(calls))
			p.WaitJS(`GameSession.state() === "active"`, 5*time.Second, "active after the restore")
		})
	}
}
