package e2e

import (
	"slices"
	"testing"
	"time"

	"github.com/game-session/game-session/harness"
)

// Helpers that read the server's call log.

// ops keeps the calls whose op is one of ops.
func ops(calls []Call, names ...string) []Call {
	return filterCalls(calls, func(c Call) bool { return slices.Contains(names, c.Op) })
}

// served keeps the calls the server answered 200 without an injected fault:
// the ones that really touched the session.
func served(calls []Call) []Call {
	return filterCalls(calls, func(c Call) bool { return c.Status == 200 && c.Fault == "" })
}

// after keeps the calls that arrived after seq.
func after(calls []Call, seq int64) []Call {
	return filterCalls(calls, func(c Call) bool { return c.Seq > seq })
}

// count returns a WaitCalls predicate: at least n calls of op.
func count(n int, op string) func([]Call) bool {
	return func(calls []Call) bool { return len(ops(calls, op)) >= n }
}

// gapsMs are the times between consecutive calls, in ms.
func gapsMs(calls []Call) []float64 {
	var out []float64
	for i := 1; i < len(calls); i++ {
		out = append(out, calls[i].At-calls[i-1].At)
	}
	return out
}

// The SDK may space two requests exactly one interval apart (its cap is
// "at most 4 sent in any interval"); the server sees arrival times, which
// jitter by a few milliseconds. Windows checked against that cap are
// shortened by this much so the jitter cannot make 5 out of 4.
const arrivalJitter = 30 * time.Millisecond

// perInterval is the window for checking the cap on requests per interval.
func perInterval(interval time.Duration) time.Duration { return interval - arrivalJitter }

// maxInWindow is the largest number of calls that arrived within any window
// of length w (each window starts at a call and is half-open).
func maxInWindow(calls []Call, w time.Duration) int { return harness.MaxInWindow(calls, w) }

// unixMs is t as the server's call timestamps are (unix ms).
func unixMs(t time.Time) float64 { return float64(t.UnixNano()) / 1e6 }

// lastCall is the last call, failing the test when there is none.
func lastCall(t testing.TB, calls []Call) Call {
	t.Helper()
	if len(calls) == 0 {
		t.Fatal("no calls")
	}
	return calls[len(calls)-1]
}

// observe lets time pass to see that something does NOT happen (no
// heartbeat after the end, say). It is an observation window, not a way to
// wait for something: waits use WaitCalls / WaitJS.
func observe(d time.Duration) { time.Sleep(d) }

// sendsPerInterval is the engine's cap on automatic requests in one
// heartbeat interval (wasm/session/retry.go, maxSendsPerInterval).
const sendsPerInterval = 4

// capSpentOnFailures returns the first run of sendsPerInterval keepalive
// calls (initiate, heartbeat) in a row that all failed by injection. Such a
// run spends the cap on one beat: no fifth try may go before the TTL ends,
// so the session is lost by design, not by a bug. With 30 % of the calls
// failing that happens on 0.3⁴ of the beats, in about 5 % of the runs of a
// one-minute test.
func capSpentOnFailures(calls []Call) ([]Call, bool) {
	keep := ops(calls, "initiate", "heartbeat")
	for i := 0; i+sendsPerInterval <= len(keep); i++ {
		run := keep[i : i+sendsPerInterval]
		if !slices.ContainsFunc(run, func(c Call) bool { return c.Fault == "" }) {
			return run, true
		}
	}
	return nil, false
}

func TestCapSpentOnFailures(t *testing.T) {
	// The calls of a CI run where 30 % faults cost the session (seq, op,
	// fault): four failed tries of one beat, then NO_ACTIVE_SESSION.
	c := func(seq int64, op, fault string) Call { return Call{Seq: seq, Op: op, Fault: fault} }
	lost := []Call{
		c(1, "initiate", ""), c(2, "heartbeat", ""), c(3, "heartbeat", "drop"), c(4, "heartbeat", "error"),
		c(5, "heartbeat", "drop"), c(6, "heartbeat", "error"), c(7, "heartbeat", ""), c(8, "initiate", ""),
	}
	run, ok := capSpentOnFailures(lost)
	if !ok || run[0].Seq != 3 || run[len(run)-1].Seq != 6 {
		t.Errorf("capSpentOnFailures(lost) = %v, %v; want calls 3–6", run, ok)
	}
	// Three failures in a row leave a fourth try within the TTL; an end
	// between them does not count (it is not a keepalive).
	kept := []Call{
		c(1, "initiate", ""), c(2, "heartbeat", "drop"), c(3, "heartbeat", "error"), c(4, "heartbeat", "drop"),
		c(5, "heartbeat", ""), c(6, "heartbeat", "error"), c(7, "end", "drop"), c(8, "heartbeat", "drop"),
		c(9, "heartbeat", "error"), c(10, "heartbeat", ""),
	}
	if run, ok := capSpentOnFailures(kept); ok {
		t.Errorf("capSpentOnFailures(kept) = %v: no four keepalives in a row failed", run)
	}
}
