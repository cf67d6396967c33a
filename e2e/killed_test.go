package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The end survives a killed tab: while a session is live the SDK keeps one
// deferred end registered with fetchLater, which the browser sends when the
// document is destroyed even if no event runs, as when a mobile browser is
// killed from the app switcher. Here the renderer is killed with CDP
// Page.crash, so pagehide never runs.

// crash kills the tab's renderer. Page.crash never answers: it is sent
// without waiting for a reply.
func (p *tab) crash() {
	go func() {
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		defer cancel()
		_, _ = chromedp.Call(ctx, page.Crash, cdp.Empty{})
	}()
}

func TestKilledTabStillEnds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		fetchLater bool
	}{
		{"with fetchLater", true},
		// The control: the same kill without fetchLater sends no end, so
		// the end above is the deferred one, not pagehide's.
		{"without fetchLater", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := fastServer(t)
			p := openSession(t, srv)
			require.True(t, eval[bool](p, `typeof fetchLater === "function"`), "this Chromium has fetchLater")
			if !tc.fetchLater {
				p.Do("removing fetchLater", chromedp.Evaluate[chromedp.Void](`delete window.fetchLater`))
			}
			user := "killed-" + map[bool]string{true: "deferred", false: "control"}[tc.fetchLater]
			mustStart(t, p, srv, user, fastOpts())
			srv.WaitCalls(user, 10*time.Second, "a heartbeat", count(1, "heartbeat"))

			killedAt := unixMs(time.Now())
			p.crash()
			if tc.fetchLater {
				calls := srv.WaitCalls(user, 5*time.Second, "the deferred end after the crash", count(1, "end"))
				end := ops(calls, "end")[0]
				assert.Equal(t, 200, end.Status, "it ended the live session: %v", end)
				assert.Equal(t, "application/json", end.ContentType)
				assert.Greater(t, end.At, killedAt)
				observe(2 * fastInterval)
				assert.Len(t, ops(srv.CallsOf(user), "end"), 1, "one end")
				return
			}
			// Without it the session is left to expire at the server.
			srv.WaitCalls(user, 5*time.Second, "silence after the crash", func(cs []Call) bool {
				return lastCall(t, cs).At < unixMs(time.Now())-ms(fastTTL)
			})
			assert.Empty(t, ops(srv.CallsOf(user), "end"), "no end without fetchLater")
		})
	}
}

// A session ended by endSession, or by pagehide's beacon, gets exactly one
// end: its deferred end was withdrawn and does not go when the document is
// destroyed later.
func TestKilledNormalEndSendsOneEnd(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		leave func(p *tab, srv *devServer)
		crash bool // destroy the document by killing the renderer, not by closing the tab
	}{
		{"endSession then close", endSession, false},
		{"endSession then crash", endSession, true},
		{"navigate away then close", func(p *tab, srv *devServer) {
			p.Navigate(srv.URL + "/other.html") // pagehide's beacon sends the end
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := fastServer(t)
			p := openSession(t, srv)
			require.True(t, eval[bool](p, `typeof fetchLater === "function"`), "this Chromium has fetchLater")
			const user = "one-end"
			mustStart(t, p, srv, user, fastOpts())
			srv.WaitCalls(user, 10*time.Second, "a heartbeat", count(1, "heartbeat"))

			tc.leave(p, srv)
			calls := srv.WaitCalls(user, 5*time.Second, "the end", count(1, "end"))
			require.Equal(t, 200, ops(calls, "end")[0].Status)

			// Destroy the document (and with it anything deferred), then
			// look for a second end.
			if tc.crash {
				p.crash()
			} else {
				p.cancel()
			}
			observe(2 * time.Second)
			calls = srv.CallsOf(user)
			assert.Len(t, ops(calls, "end"), 1, "exactly one end:\n%s", formatCalls(calls))
		})
	}
}

func endSession(p *tab, _ *devServer) {
	p.t.Helper()
	if o := p.End(); !o.OK {
		p.t.Fatalf("endSession: %v", o)
	}
}
