package e2e

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hider is a page whose driver can hide it, really: document.visibilityState
// turns "hidden" (the case checks it).
//   - firefox: a new tab opened in front of it in its window (BiDi
//     browsingContext.create with referenceContext); a background tab is
//     hidden in Firefox.
//   - webkit: its window minimised (WebDriver Minimize Window).
//
// Chromium has its own case (hidden_test.go): only a tab created in the
// background is hidden there, and only in a browser with throttling on.
type hider interface {
	hide() error
}

func (p *bidiPage) hide() error {
	_, err := p.b.newContext(map[string]any{"type": "tab", "referenceContext": p.id, "background": false})
	return err
}

func (p *wdPage) hide() error { return p.minimize() }

// hiddenPageTimersThrottled says whether a hidden page's own timers fire
// late in an engine, as measured by TestEngineHiddenTab (a 500 ms beat on
// page timers, for 8 s): Firefox clamps a background tab's timers to 1 s;
// WebKit did not throttle a minimised window's timers within that time.
var hiddenPageTimersThrottled = map[string]bool{"firefox": true, "webkit": false}

// A hidden page keeps its beat: with backgroundHeartbeats (the default) the
// Worker clock keeps the interval; on page timers, the engine's own
// throttling shows (asserted per engine, so a change is noticed).
func TestEngineHiddenTab(t *testing.T) {
	const interval, ttl = 500 * time.Millisecond, 1500 * time.Millisecond
	forEngines(t, func(t *testing.T, e engine) {
		if _, ok := openPages(t, e, 1)[0].d.(hider); !ok {
			t.Logf("%s: NOT RUN: hidden tabs are TestHiddenTabKeepsItsSession's (hidden_test.go)", e.name())
			return
		}
		for _, tc := range []struct {
			name       string
			background bool
		}{{"worker-timers", true}, {"page-timers", false}} {
			t.Run(tc.name, func(t *testing.T) {
				srv := startServer(t, "-ttl", ttl.String())
				p := openPages(t, e, 1)[0]
				h := p.d.(hider)
				p.Navigate(srv.URL + "/session.html")
				user := "hidden-" + e.name() + "-" + tc.name
				p.MustStart(srv, user, Opts{"heartbeatIntervalMs": ms(interval), "sessionTtlMs": ms(ttl), "backgroundHeartbeats": tc.background})
				require.NoError(t, h.hide(), "%s: hiding the page", e.name())
				const proof = `document.visibilityState + (document.hidden ? " (hidden)" : " (not hidden)")`
				require.Equal(t, "hidden (hidden)", evalIn[string](p, proof), "%s: the page must really be hidden for this case to mean anything", e.name())
				mark := lastCall(t, srv.CallsOf(user)).Seq
				observe(8 * time.Second)
				require.Equal(t, "hidden (hidden)", evalIn[string](p, proof), "%s: still hidden", e.name())

				calls := after(srv.CallsOf(user), mark)
				gaps := gapsMs(served(ops(calls, "heartbeat")))
				require.GreaterOrEqual(t, len(gaps), 5, "%s: heartbeats while hidden:\n%s", e.name(), formatCalls(calls))
				// Throttling shows in every gap, a busy machine in a few:
				// the median tells them apart.
				med := median(gaps)
				throttled := med > 1.5*ms(interval)
				if tc.background {
					assert.False(t, throttled, "%s: the Worker clock's median gap is %.0f ms; gaps %.0f", e.name(), med, gaps)
					assert.Empty(t, expiriesOf(srv.CallsOf(user), ttl), "%s: the session lapsed:\n%s", e.name(), formatCalls(calls))
				} else {
					assert.Equal(t, hiddenPageTimersThrottled[e.name()], throttled, "%s: page timers throttled while hidden; median %.0f ms, gaps %.0f", e.name(), med, gaps)
				}
				t.Logf("%s, %s: gaps while hidden %.0f ms", e.name(), tc.name, gaps)
			})
		}
	})
}

// median of xs (not empty).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
