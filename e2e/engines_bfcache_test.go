package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bfcacheRestores says, per engine and singleTab, whether going back to the
// session page restores it from the back/forward cache (pageshow persisted)
// or loads it afresh. Found by this test, and kept as an assertion so that
// the suite notices when an engine changes its rules:
//   - Chromium and WebKit restore the page either way: the module releases
//     its Web Lock in pagehide, in time for them.
//   - Firefox keeps no page in the cache that holds a Web Lock when the
//     navigation starts, which is before pagehide (checked here on a bare
//     page: a lock released in pagehide still blocks it, one released before
//     the navigation does not). With singleTab (the default) the page comes
//     back as a fresh load, so the game starts a new session itself; without
//     it the page is restored.
//   - WebKit restored even a page whose lock was never released.
var bfcacheRestores = map[string]map[bool]bool{
	"chromium": {true: true, false: true},
	"firefox":  {true: false, false: true},
	"webkit":   {true: true, false: true},
}

// Leaving the page ends the session; coming back from the back/forward
// cache starts a new one (renew {reason: "bfcache"}) and the beat resumes.
// Where the engine loads the page afresh instead, the old session has its
// one end and the new page is idle until the game starts it.
func TestEngineBackForwardCache(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		for _, singleTab := range []bool{true, false} {
			name := "singleTab " + map[bool]string{true: "true", false: "false"}[singleTab]
			t.Run(strings.ReplaceAll(name, " ", "-"), func(t *testing.T) {
				srv := steadyServer(t)
				p := openPage(t, e, srv.URL+"/session.html")
				user := "bfcache-" + e.name()
				p.MustStart(srv, user, withOpt(steadyOpts(), "singleTab", singleTab))
				srv.WaitCalls(user, 10*time.Second, "a heartbeat", count(1, "heartbeat"))
				p.Navigate(srv.URL + "/other.html")
				calls := srv.WaitCalls(user, 5*time.Second, "the end after leaving", count(1, "end"))
				end := ops(calls, "end")[0]
				require.Equal(t, 200, end.Status, "%s", e.name())

				// history.back() from a task of its own, so that the
				// evaluation returns before the page goes.
				evalIn[any](p, "void setTimeout(() => history.back(), 0)")
				p.WaitJS(`location.pathname === "/session.html" && __log.some(e => e.type === "pageshow")`, 10*time.Second, "the session page back")
				restored := evalIn[bool](p, `__log.some(e => e.type === "pageshow" && e.detail.persisted)`)
				require.Equal(t, bfcacheRestores[e.name()][singleTab], restored,
					"%s, %s: restored from the back/forward cache; page log: %s", e.name(), name, p.LogText())
				if !restored {
					// A fresh page: no module state survived, nothing is sent.
					assert.Equal(t, "idle", p.State(), "%s", e.name())
					observe(2 * fastInterval)
					calls = srv.CallsOf(user)
					assert.Empty(t, after(calls, end.Seq), "%s: calls after the fresh load:\n%s", e.name(), formatCalls(calls))
					return
				}
				calls = srv.WaitCalls(user, 10*time.Second, "a new initiate and 2 heartbeats after the restore", func(cs []Call) bool {
					cs = after(cs, end.Seq)
					return len(served(ops(cs, "initiate"))) >= 1 && len(ops(cs, "heartbeat")) >= 2
				})
				again := after(calls, end.Seq)
				assert.Len(t, ops(again, "initiate"), 1, "%s: initiates after the restore:\n%s", e.name(), formatCalls(again))
				assert.Len(t, ops(calls, "end"), 1, "%s: ends:\n%s", e.name(), formatCalls(calls))
				p.WaitJS(`GameSession.state() === "active"`, 5*time.Second, "state active after the restore")
				p.WaitJS(`__log.some(e => e.type === "renew" && e.detail.reason === "bfcache")`, 5*time.Second, "renew {reason: bfcache}")
			})
		}
	})
}
