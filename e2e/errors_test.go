package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Case 9: a token the server refuses ends everything: the start rejects with
// UNAUTHORIZED / 401, the state is "ended" and no heartbeat follows.
func TestBadTokenUnauthorized(t *testing.T) {
	srv := fastServer(t)
	p := openSession(t, srv)
	o := p.Start(srv.ExpiredToken("bad-token"), fastOpts())
	require.False(t, o.OK, "startSession with an expired token resolved")
	assert.True(t, o.IsError, "the rejection is an Error")
	assert.Equal(t, "GameSessionError", o.Name)
	assert.Equal(t, "UNAUTHORIZED", o.Code)
	assert.Equal(t, 401, o.Status)
	assert.NotEmpty(t, o.Message)
	assert.Equal(t, "ended", p.State())

	// Two intervals with no request prove that nothing keeps beating.
	observe(2 * fastInterval)
	calls := srv.Calls(0)
	require.Len(t, calls, 1, "the server saw:\n%s", formatCalls(calls))
	assert.Equal(t, "initiate", calls[0].Op)
	assert.Equal(t, 401, calls[0].Status)
	assert.Equal(t, "UNAUTHORIZED", calls[0].Code)

	evs := p.Events()
	var fatal bool
	for _, e := range evs {
		if e.Type == "error" && e.Detail["code"] == "UNAUTHORIZED" && e.Detail["fatal"] == true {
			fatal = true
		}
	}
	assert.True(t, fatal, "an error event {code: UNAUTHORIZED, fatal: true}; events: %v", evs)
	assert.Equal(t, "ended", p.State(), "state after the observation window")
}

// The same page can start a good session after the refusal: "ended" is not
// a dead end.
func TestStartAfterUnauthorized(t *testing.T) {
	srv := fastServer(t)
	p := openSession(t, srv)
	require.False(t, p.Start(srv.ExpiredToken("refused"), fastOpts()).OK)
	mustStart(t, p, srv, "accepted", fastOpts())
	srv.WaitCalls("accepted", 5*time.Second, "a heartbeat", count(1, "heartbeat"))
}
