package e2e

import (
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
		// Steady timing: the gaps are the interval, give or take the
		// engine's timer lateness (Firefox's fire up to ~100 ms late) and
		// a loaded machine; each is well inside the 3 s TTL either way.
		lo, hi := 0.85*ms(fastInterval), 1.25*ms(fastInterval)
		for i, g := range gapsMs(beatCalls) {
			assert.True(t, g >= lo && g <= hi, "%s: gap %d between heartbeats is %.0f ms, want %.0f..%.0f", e.name(), i+1, g, lo, hi)
		}
		if t.Failed() {
			t.Logf("%s: server saw:\n%s", e.name(), formatCalls(calls))
		}
	})
}
