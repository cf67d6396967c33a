package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A Content-Security-Policy without blob: workers (testdata/csp-no-worker.html):
// the module's Worker clock cannot start, it falls back to page timers, says
// so in its debug log, and the visible page keeps its session.
func TestEngineCSPWithoutBlobWorkers(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		srv := tabsServer(t) // relaxed timing: this is about the fallback, not the rate
		p := openPage(t, e, srv.URL+"/csp-no-worker.html")
		// The console as the page sees it, in every engine (WebDriver
		// classic has no console): the module picks its timers at start.
		evalIn[any](p, `void ["log", "info", "debug", "warn", "error"].forEach((m) => {
			const orig = console[m];
			console[m] = (...args) => { (window.__console ||= []).push(args.map(String).join(" ")); orig.apply(console, args); };
		})`)
		user := "csp-" + e.name()
		opts := tabsOpts()
		opts["debug"] = true
		p.MustStart(srv, user, opts)
		calls := srv.WaitCalls(user, 15*time.Second, "4 heartbeats", count(4, "heartbeat"))
		assert.Len(t, ops(calls, "initiate"), 1, "%s: no renewal:\n%s", e.name(), formatCalls(calls))
		assert.Empty(t, expiriesOf(calls, tabsTTL), "%s: the session lapsed:\n%s", e.name(), formatCalls(calls))
		log := strings.Join(evalIn[[]string](p, "window.__console || []"), "\n")
		// Chromium and Firefox report the violation with the Worker's error
		// event ("the timer Worker failed"), WebKit throws from new Worker
		// ("new Worker failed: SecurityError"): both fall back.
		assert.Contains(t, log, "heartbeat timers: page timers (", "%s: the debug log", e.name())
		assert.NotContains(t, log, "dedicated Worker", "%s: the debug log", e.name())
	})
}
