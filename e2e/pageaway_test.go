package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Case 3: navigating to another page sends the end from pagehide, and it
// reaches the server every time, promptly.
func TestEndOnNavigation(t *testing.T) {
	t.Parallel()
	srv := steadyServer(t)
	p := newTab(t)
	const tries = 20
	var late []string
	var worst float64
	for i := range tries {
		user := fmt.Sprintf("navigate-%02d", i)
		p.Navigate(srv.URL + "/session.html")
		mustStart(t, p, srv, user, steadyOpts())

		navAt := unixMs(time.Now())
		p.Navigate(srv.URL + "/other.html")
		calls := srv.WaitCalls(user, 5*time.Second, "the end after navigating away", count(1, "end"))
		end := ops(calls, "end")[0]
		assert.Equal(t, 200, end.Status, "try %d: %v", i, end)
		d := end.At - navAt
		worst = max(worst, d)
		if d > 1000 {
			late = append(late, fmt.Sprintf("try %d: end %.0f ms after the navigation", i, d))
		}
	}
	assert.Empty(t, late, "ends later than 1 s after the navigation")
	// The end goes exactly once per page (design, behaviour 8); by now any
	// duplicate of the earlier tries would have arrived.
	for i := range tries {
		user := fmt.Sprintf("navigate-%02d", i)
		assert.Len(t, ops(srv.CallsOf(user), "end"), 1, "ends of %s", user)
	}
	t.Logf("%d of %d ends arrived; the slowest %.0f ms after its navigation began", tries-len(late), tries, worst)
}

// Case 4: closing the tab sends the end.
func TestEndOnTabClose(t *testing.T) {
	t.Parallel()
	srv := steadyServer(t)
	p := openSession(t, srv)
	const user = "close-tab"
	mustStart(t, p, srv, user, steadyOpts())
	srv.WaitCalls(user, 10*time.Second, "a heartbeat", count(1, "heartbeat"))

	p.cancel() // Target.closeTarget: Chromium runs pagehide, as for a user closing it
	calls := srv.WaitCalls(user, 5*time.Second, "the end after closing the tab", count(1, "end"))
	assert.Equal(t, 200, ops(calls, "end")[0].Status)
}

// Case 5: leaving the page ends the session; coming back from the
// back/forward cache starts a new one and the beat resumes.
func TestBackForwardCacheRenews(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts Opts
	}{
		{"default options", steadyOpts()},
		// Isolates bfcache from the Web Locks of singleTab, which can make
		// a page ineligible for the cache.
		{"singleTab false", withOpt(steadyOpts(), "singleTab", false)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := steadyServer(t)
			p := openSession(t, srv)
			user := "bfcache-" + strings.ReplaceAll(tc.name, " ", "-")
			mustStart(t, p, srv, user, tc.opts)
			srv.WaitCalls(user, 10*time.Second, "a heartbeat", count(1, "heartbeat"))

			notUsed := p.watchBFCacheMisses()
			p.Navigate(srv.URL + "/other.html")
			calls := srv.WaitCalls(user, 5*time.Second, "the end after leaving", count(1, "end"))
			end := ops(calls, "end")[0]
			require.Equal(t, 200, end.Status)

			p.Do("history.back()", chromedp.Evaluate[chromedp.Void]("history.back()"))
			if err := p.waitJS(`__log.some(e => e.type === "pageshow" && e.detail.persisted)`, 10*time.Second); err != nil {
				where, _ := tryEval[string](p, "location.pathname + ' ' + JSON.stringify(window.__log)")
				t.Fatalf("the session page did not come back from the back/forward cache (pageshow persisted): %v; Chromium's reasons: %s; page: %s", err, notUsed(), where)
			}
			calls = srv.WaitCalls(user, 10*time.Second, "a new initiate and 2 heartbeats after the restore", func(cs []Call) bool {
				cs = after(cs, end.Seq)
				return len(served(ops(cs, "initiate"))) >= 1 && len(ops(cs, "heartbeat")) >= 2
			})
			again := after(calls, end.Seq)
			assert.Len(t, ops(again, "initiate"), 1, "initiates after the restore:\n%s", formatCalls(again))
			p.WaitJS(`GameSession.state() === "active"`, 5*time.Second, "state active after the restore")
			p.WaitJS(`__log.some(e => e.type === "renew")`, 5*time.Second, "a renew event")
			if t.Failed() {
				t.Logf("page log: %s", eval[string](p, "JSON.stringify(__log)"))
			}
		})
	}
}

// watchBFCacheMisses collects Chromium's reasons for not restoring a page
// from the back/forward cache, for the failure message.
func (p *tab) watchBFCacheMisses() func() string {
	var mu sync.Mutex
	var reasons []string
	ctx, cancel := context.WithCancel(p.ctx)
	p.t.Cleanup(cancel)
	events := chromedp.Events(ctx, page.BackForwardCacheNotUsed)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			mu.Lock()
			for _, r := range ev.NotRestoredExplanations {
				reasons = append(reasons, fmt.Sprintf("%s/%s %s", r.Type, r.Reason, r.Context))
			}
			mu.Unlock()
		}
	}()
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		if len(reasons) == 0 {
			return "(none reported)"
		}
		return strings.Join(reasons, "; ")
	}
}

// endSession and, at once, a navigation: the end that endSession sent is
// still out when pagehide runs. It is a keepalive fetch, so it outlives the
// page, and pagehide sends no second end: one end per session.
func TestEndSessionThenNavigateSendsOneEnd(t *testing.T) {
	t.Parallel()
	srv := steadyServer(t)
	p := openSession(t, srv)
	const user = "end-then-navigate"
	mustStart(t, p, srv, user, steadyOpts())
	// The end is answered late, so it is surely in flight at pagehide.
	srv.SetFaults(Faults{LatencyMs: 500, Ops: []string{"end"}})

	p.Do("endSession, then navigate", chromedp.Evaluate[chromedp.Void](
		`GameSession.endSession(); location.href = "/other.html"`))
	calls := srv.WaitCalls(user, 5*time.Second, "the end", count(1, "end"))
	assert.Equal(t, 200, ops(calls, "end")[0].Status)
	// A second end (pagehide's beacon) would have arrived with the first,
	// 500 ms late like it; give it two intervals more.
	observe(500*time.Millisecond + 2*fastInterval)
	calls = srv.CallsOf(user)
	assert.Len(t, ops(calls, "end"), 1, "ends:\n%s", formatCalls(calls))
}
