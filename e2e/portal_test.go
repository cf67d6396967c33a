package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The game runs in a portal's iframe. Cross-site (the portal on localhost,
// the game and its API on 127.0.0.1), Chromium denies Web Locks: the module
// tells the game once, with a non-fatal LOCKS_UNAVAILABLE error event that
// names the case, and the session goes on with the server as the only guard.
// Same-origin, the frame shares the game's locks: no such event.
func TestPortalIframeSaysLocksAreUnavailable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		portal   func(gameOrigin string) string
		lockErrs int
	}{
		{"cross-site", func(o string) string { return strings.Replace(o, "127.0.0.1", "localhost", 1) }, 1},
		{"same-origin", func(o string) string { return o }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := steadyServer(t)
			p := newTab(t)
			p.Navigate(tc.portal(srv.URL) + "/portal.html?game=" + url.QueryEscape(srv.URL+"/portal-game.html"))
			p.WaitJS(`__log.some(e => e.type === "frameload")`, 10*time.Second, "the game's frame")

			user := "portal-" + tc.name
			token := srv.Token(user)
			p.Do("start the game's session", chromedp.Evaluate[chromedp.Void]("__startGame("+jsValue(p, token)+", "+jsValue(p, steadyOpts())+")"))
			p.WaitJS(`__log.some(e => e.type === "state")`, 15*time.Second, "startSession in the frame settled")
			srv.WaitCalls(user, 10*time.Second, "2 heartbeats", count(2, "heartbeat"))

			evs := p.Events()
			var starts, states, lockErrors []Event
			for _, e := range evs {
				switch {
				case e.Type == "start":
					starts = append(starts, e)
				case e.Type == "state":
					states = append(states, e)
				case e.Type == "error" && e.Detail["code"] == "LOCKS_UNAVAILABLE":
					lockErrors = append(lockErrors, e)
				}
			}
			require.Len(t, starts, 1)
			assert.Equal(t, true, starts[0].Detail["ok"], "startSession in the portal: %v", starts[0].Detail)
			require.Len(t, states, 1)
			assert.Equal(t, "active", states[0].Detail["state"])
			require.Len(t, lockErrors, tc.lockErrs, "LOCKS_UNAVAILABLE error events; page log: %v", evs)
			if tc.lockErrs > 0 {
				assert.Equal(t, false, lockErrors[0].Detail["fatal"])
				assert.Contains(t, lockErrors[0].Detail["message"], "cross-origin iframe")
				assert.NotContains(t, lockErrors[0].Detail["message"], token)
			}
		})
	}
}
