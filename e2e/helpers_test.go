package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The suite's own logic, checked without a browser.

func TestShortHidesTokens(t *testing.T) {
	tok := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"
	got := short(`__settle(startSession("` + tok + `", {}))`)
	assert.NotContains(t, got, "eyJ")
	assert.True(t, strings.HasPrefix(got, `__settle(startSession("<token>"`), got)
}

func at(ms ...float64) []Call {
	var out []Call
	for i, m := range ms {
		out = append(out, Call{Seq: int64(i + 1), At: m, Op: "heartbeat", Status: 200})
	}
	return out
}

func TestMaxInWindow(t *testing.T) {
	assert.Equal(t, 0, maxInWindow(nil, time.Second))
	assert.Equal(t, 1, maxInWindow(at(0, 1000, 2000), time.Second), "the window is half-open")
	assert.Equal(t, 3, maxInWindow(at(0, 100, 200, 1100, 1150), time.Second))
	assert.Equal(t, 4, maxInWindow(at(0, 900, 950, 990, 1000, 2500), time.Second))
}

func TestExpiriesOf(t *testing.T) {
	ttl := time.Second
	init := func(c Call) Call { c.Op = "initiate"; return c }
	calls := at(0, 900, 1800, 3000, 3100)
	calls[0] = init(calls[0])
	calls[4] = init(calls[4])
	// 1800 → 3000 is past the TTL: the session lapsed at 2800.
	assert.Equal(t, []float64{2800}, expiriesOf(calls, ttl))

	calls = at(0, 900, 1500, 1600)
	calls[0] = init(calls[0])
	calls[2].Status, calls[2].Code = 400, "NO_ACTIVE_SESSION" // killed on the server
	calls[3] = init(calls[3])
	assert.Equal(t, []float64{1500}, expiriesOf(calls, ttl))

	calls = at(0, 900, 1000, 1800)
	calls[0] = init(calls[0])
	calls[2].Status, calls[2].Fault = 503, "error" // failed, but the next one is in time
	assert.Empty(t, expiriesOf(calls, ttl))
}
