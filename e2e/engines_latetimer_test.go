package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The late-timer case of issue 14, made deterministic. In Firefox a
// heartbeat timer fired ~80 ms late and left its request 15 ms before the
// module's own deadline (its estimate of the server's expiry); the module
// raised TIMEOUT although the server answered 200, renewed, met its own live
// session as ALREADY_IN_GAME three times, and ended with end {reason:
// "takeover"} with one tab open.
//
// Here the module's TTL equals the server's (1 s, beat 0.9 s), and the
// server answers every heartbeat 300 ms after it served it (responseLatencyMs:
// the session is renewed on arrival, only the answer is slow). That is more
// than the ~100 ms a beat has left before the module's deadline, in every
// engine, without relying on a late timer. An answer that comes is an
// answer: the session must go on, with no TIMEOUT and no end. Before the
// engine of issue 10 this failed in all three engines (TIMEOUT every beat,
// ALREADY_IN_GAME renewals against its own session).
const lateAnswer = 300 * time.Millisecond

func TestEngineLateHeartbeatAnswerCounts(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		srv := fastServer(t)
		p := openPage(t, e, srv.URL+"/session.html")
		user := "late-answer-" + e.name()
		p.MustStart(srv, user, fastOpts())
		calls := srv.WaitCalls(user, 10*time.Second, "a heartbeat", count(1, "heartbeat"))
		mark := lastCall(t, calls).Seq
		setAnswerLatency(srv, lateAnswer, "heartbeat")

		// Six heartbeats served with late answers, or the session's end.
		deadline := time.Now().Add(6*fastInterval + 10*time.Second)
		for {
			calls = after(srv.CallsOf(user), mark)
			if len(served(ops(calls, "heartbeat"))) >= 6 || time.Now().After(deadline) ||
				evalIn[bool](p, `__log.some(e => e.type === "end")`) {
				break
			}
			time.Sleep(25 * time.Millisecond) // poll interval
		}
		srv.ClearFaults()
		assert.GreaterOrEqual(t, len(served(ops(calls, "heartbeat"))), 6, "%s: heartbeats served with late answers", e.name())
		assert.Empty(t, ops(calls, "end"), "%s: an end while the session was live", e.name())
		var ends, timeouts, fatal []Event
		for _, ev := range p.Events() {
			switch {
			case ev.Type == "end":
				ends = append(ends, ev)
			case ev.Type == "error" && ev.Detail["code"] == "TIMEOUT":
				timeouts = append(timeouts, ev)
			case ev.Type == "error" && ev.Detail["fatal"] == true:
				fatal = append(fatal, ev)
			}
		}
		assert.Empty(t, ends, "%s: the session ended", e.name())
		assert.Empty(t, timeouts, "%s: TIMEOUT errors although every answer came, %v late", e.name(), lateAnswer)
		assert.Empty(t, fatal, "%s: fatal errors", e.name())
		// A renewal is no failure in itself: on a machine so loaded that an
		// answer comes ~1 s late, the module may rightly think the session
		// lapsed, meet it still alive (ALREADY_IN_GAME), and ask with a
		// heartbeat. What must not happen is what the issue saw: TIMEOUT
		// for answers that came, and the session given up.
		if n := len(filterCalls(ops(calls, "initiate"), func(c Call) bool { return c.Code == "ALREADY_IN_GAME" })); n > 0 {
			t.Logf("%s: %d initiates met ALREADY_IN_GAME (a loaded machine's late answers)", e.name(), n)
		}
		p.WaitJS(`GameSession.state() === "active"`, 5*time.Second, "state active once answers are prompt again")
		if t.Failed() {
			t.Logf("%s: server saw:\n%s\npage log: %s", e.name(), formatCalls(srv.CallsOf(user)), p.LogText())
		}
	})
}

// setAnswerLatency makes the server answer the calls of ops d after it
// served them (a slow return leg: the dev server's responseLatencyMs).
func setAnswerLatency(srv *devServer, d time.Duration, ops ...string) {
	srv.t.Helper()
	srv.do("POST", "/dev/faults", map[string]any{"responseLatencyMs": d.Milliseconds(), "ops": ops}, nil, http.StatusOK)
}
