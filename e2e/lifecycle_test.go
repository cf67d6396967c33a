package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Case 1: one initiate, then heartbeats at a fixed rate as the server sees
// them. Not parallel: its ±10 % bound is about the SDK's timers, not about a
// busy machine. It runs at the steady timing (900 ms against a 3 s TTL) and
// checks the gaps against the fast TTL (1 s): at a 1 s TTL the SDK caps each
// request's timeout at the ~100 ms left before expiry, so a loaded machine
// turns a slow fetch into an expiry and a renewal, which is case 7's subject,
// not this one's.
func TestHeartbeatsAtFixedRate(t *testing.T) {
	srv := steadyServer(t)
	p := openSession(t, srv)
	const user = "fixed-rate"
	mustStart(t, p, srv, user, steadyOpts())

	const beats = 11 // 10 heartbeat-to-heartbeat gaps
	calls := srv.WaitCalls(user, beats*fastInterval+10*time.Second, fmt.Sprintf("%d heartbeats", beats), count(beats, "heartbeat"))

	initiates := ops(calls, "initiate")
	require.Len(t, initiates, 1, "one initiate:\n%s", formatCalls(calls))
	assert.Equal(t, 200, initiates[0].Status)
	beatCalls := ops(calls, "heartbeat")
	for _, c := range beatCalls {
		assert.Equal(t, 200, c.Status, "heartbeat %v", c)
		assert.Equal(t, "application/json", c.ContentType, "heartbeat %v", c)
	}
	lo, hi := 0.9*ms(fastInterval), 1.1*ms(fastInterval)
	for i, g := range gapsMs(beatCalls) {
		assert.True(t, g >= lo && g <= hi, "gap %d between heartbeats is %.0f ms, want %.0f..%.0f", i+1, g, lo, hi)
	}
	// The first heartbeat is timed from the initiate; it too must come
	// within the (fast) TTL, as every later one must.
	for i, g := range gapsMs(append(initiates[:1:1], beatCalls...)) {
		assert.Less(t, g, ms(fastTTL), "gap %d (%.0f ms) exceeds the TTL", i, g)
	}
	if t.Failed() {
		t.Logf("server saw:\n%s", formatCalls(calls))
	}
}

// Case 2: endSession sends one end, stops the heartbeat and leaves the
// state "ended".
func TestEndSession(t *testing.T) {
	srv := steadyServer(t)
	p := openSession(t, srv)
	const user = "end-session"
	mustStart(t, p, srv, user, steadyOpts())
	srv.WaitCalls(user, 10*time.Second, "2 heartbeats", count(2, "heartbeat"))

	o := p.End()
	require.True(t, o.OK, "endSession: %v", o)
	assert.Equal(t, "ended", p.State())
	calls := srv.CallsOf(user)
	ends := ops(calls, "end")
	require.Len(t, ends, 1, "one end by the time endSession resolved:\n%s", formatCalls(calls))
	assert.Equal(t, 200, ends[0].Status)
	_, live := srv.Session(user)
	assert.False(t, live, "the server still has a session after the end")

	// Two intervals with no heartbeat prove the beat stopped.
	observe(2 * fastInterval)
	calls = srv.CallsOf(user)
	assert.Empty(t, after(calls, ends[0].Seq), "calls after the end:\n%s", formatCalls(calls))
	evs := p.Events()
	assert.Equal(t, 1, countEvents(evs, "end"), "end events: %v", evs)
	for _, e := range evs {
		if e.Type == "end" {
			assert.Equal(t, "user", e.Detail["reason"])
		}
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
