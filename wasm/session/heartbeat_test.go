package session

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHeartbeatCadenceFromSendTimeUnderRoundTrip(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.rtt = 300 * time.Millisecond
		h.start(t, testOptions())
		time.Sleep(61 * time.Second)

		// Initiate sent at 0. While calibrating (3 beats) each beat goes 1 s
		// early (rtt.go); then, the network steady, every beat exactly 9 s
		// after the previous send, not 9 s + 300 ms after its answer.
		want := seconds(8, 16, 24, 33, 42, 51, 60)
		assert.Equal(t, seconds(0), h.tr.sendTimes(OpInitiate, h.t0))
		assert.Equal(t, want, h.tr.sendTimes(OpHeartbeat, h.t0))
		beats := h.rec.of(EventHeartbeat)
		require.Len(t, beats, len(want))
		for i, b := range beats {
			assert.Equal(t, 300.0, b["rttMs"])
			assert.Equal(t, float64(h.t0.Add(want[i]).UnixMilli()), b["at"])
		}
		assert.Empty(t, h.rec.of(EventError))
		h.stop()
	})
}

func TestAtMostOneRequestInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		opts := testOptions()
		opts.HeartbeatInterval = time.Second
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpHeartbeat {
				return reply{status: 200, body: map[string]any{"success": true}, delay: 2500 * time.Millisecond}
			}
			return okReply()
		})
		h.start(t, opts)
		time.Sleep(30 * time.Second)

		assert.Equal(t, 1, h.tr.maxInFlight())
		times := h.tr.sendTimes(OpHeartbeat, h.t0)
		require.Greater(t, len(times), 5)
		// The 1 s slot falls due while the 2.5 s beat is out: the next one
		// goes when it is back, never next to it.
		assert.Equal(t, time.Second, times[0])
		for i := 1; i < len(times); i++ {
			assert.Equal(t, 2500*time.Millisecond, times[i]-times[i-1])
		}
		h.stop()
	})
}

// Issue 10, rule 1: the module's deadline is an estimate from send times;
// the server's is later by the request's travel time. A 200 that comes after
// the estimate means the session is alive.
func TestAnswerAfterTheEstimatedDeadlineCounts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpHeartbeat && n == 0 {
				return reply{status: 200, body: map[string]any{"success": true}, delay: 3 * time.Second}
			}
			return okReply()
		})
		h.start(t, testOptions())
		time.Sleep(30 * time.Second)

		beat := h.tr.ops(OpHeartbeat)[0]
		assert.Equal(t, 8*time.Second, beat.at.Sub(h.t0))
		assert.Equal(t, 11*time.Second, beat.done.Sub(h.t0), "answered after the estimated deadline (10 s), not cut")
		assert.False(t, beat.aborted)
		assert.Len(t, h.tr.ops(OpInitiate), 1, "no renewal")
		assert.Empty(t, h.rec.of(EventRenew))
		assert.Empty(t, h.rec.of(EventError))
		assert.Equal(t, []string{"starting", "active"}, h.rec.states())
		// The 3 s round trip widened the spread the beat must allow for
		// (rtt.go): the next beats go 2.5 s early, then (4.5 s) half the
		// interval, never closer.
		assert.Equal(t, seconds(8, 14.5, 21, 25.5), h.tr.sendTimes(OpHeartbeat, h.t0))
		h.stop()
	})
}

// A heartbeat's timeout is requestTimeoutMs even near the estimated
// deadline; its unknown outcome is probed with a heartbeat, not an initiate.
func TestUnknownOutcomeIsProbedWithAHeartbeat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpHeartbeat && n == 0 {
				return reply{hang: true} // arrived, answer lost
			}
			return okReply()
		})
		h.start(t, testOptions()) // timeout 5 s
		time.Sleep(30 * time.Second)

		beats := h.tr.ops(OpHeartbeat)
		require.GreaterOrEqual(t, len(beats), 2)
		assert.Equal(t, 13*time.Second, beats[0].done.Sub(h.t0), "cut after requestTimeoutMs (5 s), not at the estimated deadline")
		assert.Equal(t, 13*time.Second, beats[1].at.Sub(h.t0), "the probe goes at once")
		assert.Len(t, h.tr.ops(OpInitiate), 1, "the probe found the session alive: no renewal")
		assert.Empty(t, h.rec.of(EventRenew))
		errs := h.rec.of(EventError)
		require.Len(t, errs, 1)
		assert.Equal(t, "TIMEOUT", errs[0]["code"])
		assert.Equal(t, false, errs[0]["fatal"])
		assert.Equal(t, []string{"starting", "active"}, h.rec.states(), "still believed alive: never renewing")
		h.stop()
	})
}

func TestRequestTimeoutAndNetworkErrorCodes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		opts := testOptions()
		opts.RequestTimeout = 2 * time.Second
		opts.SessionTTL = 30 * time.Second
		h.tr.setScript(func(req Request, n int) reply {
			switch {
			case req.Op == OpHeartbeat && n == 0:
				return reply{hang: true}
			case req.Op == OpHeartbeat && n == 1:
				return reply{err: errNetwork}
			}
			return okReply()
		})
		h.start(t, opts)
		time.Sleep(12 * time.Second)

		beats := h.tr.ops(OpHeartbeat)
		require.GreaterOrEqual(t, len(beats), 2)
		assert.Equal(t, 2*time.Second, beats[0].done.Sub(beats[0].at), "RequestTimeout when the session has longer")
		errs := h.rec.of(EventError)
		require.GreaterOrEqual(t, len(errs), 2)
		assert.Equal(t, "TIMEOUT", errs[0]["code"])
		assert.Equal(t, "NETWORK_ERROR", errs[1]["code"])
		assert.Contains(t, errs[1]["message"], "Failed to fetch")
		h.stop()
	})
}

func TestTransientFailureRetriedWithBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpHeartbeat && n < 2 {
				return reply{status: 503, body: "<html>Service Unavailable</html>"}
			}
			return okReply()
		})
		h.start(t, testOptions())
		time.Sleep(20 * time.Second)

		// 8 s fails, +250 ms fails, +500 ms works; the beat then keeps its
		// fixed rate from that send (8 s while calibrating: rtt.go).
		assert.Equal(t, seconds(8, 8.25, 8.75, 16.75), h.tr.sendTimes(OpHeartbeat, h.t0))
		errs := h.rec.of(EventError)
		require.Len(t, errs, 2)
		assert.Equal(t, map[string]any{"code": "SERVER_ERROR", "status": 503.0, "message": "heartbeat: unexpected status (HTTP 503)", "fatal": false}, errs[0])
		assert.Len(t, h.rec.of(EventHeartbeat), 2)
		assert.Empty(t, h.rec.of(EventRenew))
		assert.Equal(t, StateActive, h.e.State())
		h.stop()
	})
}

func TestLastHeartbeatRetryGoesBeforeExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpHeartbeat && n < 3 {
				return reply{status: 503}
			}
			return okReply()
		})
		h.start(t, testOptions())
		time.Sleep(12 * time.Second)

		// 8 s, 8.25 s and 8.75 s fail; the 1 s backoff still lands before
		// the 10 s expiry, at 9.75 s, and saves it.
		assert.Equal(t, seconds(8, 8.25, 8.75, 9.75), h.tr.sendTimes(OpHeartbeat, h.t0))
		assert.Len(t, h.tr.ops(OpInitiate), 1, "no renewal: the session never expired")
		assert.Empty(t, h.rec.of(EventRenew))
		h.stop()
	})
}

func TestNoRetryStormWhenEverythingFails(t *testing.T) {
	for _, tc := range []struct {
		name string
		rep  reply
	}{
		{"network error", reply{err: errNetwork}},
		{"server error", reply{status: 500}},
		{"bad response", reply{status: 200, body: map[string]any{"ok": true}}},
		{"timeout", reply{hang: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				h.start(t, testOptions())
				h.tr.setScript(func(Request, int) reply { return tc.rep })
				time.Sleep(time.Minute)

				calls := h.tr.ops("")
				times := h.tr.sendTimes("", h.t0)
				// Never more than 4 requests in any 9 s window, and no more
				// than one per interval once the backoff is at its cap.
				for i := 4; i < len(times); i++ {
					assert.GreaterOrEqual(t, times[i]-times[i-4], 9*time.Second, "5 requests within one interval at %v", times[i])
				}
				assert.LessOrEqual(t, len(calls), 15, "requests in 60 s: %v", times)
				assert.GreaterOrEqual(t, len(calls), 8, "it keeps trying: %v", times)
				// Heartbeats (retries, and the one probe of an unknown
				// outcome) only until the renewal begins; then initiates.
				renewal := 0
				for i, c := range calls {
					if i > 0 && c.req.Op == OpInitiate && renewal == 0 {
						renewal = i
					}
					if renewal > 0 {
						assert.Equal(t, OpInitiate, c.req.Op, "after the renewal began, at %v", c.at.Sub(h.t0))
					}
				}
				assert.NotZero(t, renewal, "renewed after a TTL without an answer: %v", times)
				// Transient failures never end the session; with no answer for
				// a TTL it is believed gone and being renewed.
				assert.Equal(t, StateRenewing, h.e.State())
				for _, e := range h.rec.of(EventError) {
					assert.Equal(t, false, e["fatal"])
				}
				h.stop()
			})
		})
	}
}

func TestRenewAfterNoActiveSession(t *testing.T) {
	for _, body := range []any{nil, map[string]any{"error": "NO_ACTIVE_SESSION"}} {
		synctest.Test(t, func(t *testing.T) {
			h := newHarness(t)
			h.tr.setScript(func(req Request, n int) reply {
				if req.Op == OpHeartbeat && n == 1 {
					return reply{status: 400, body: body}
				}
				return okReply()
			})
			h.tr.rtt = 100 * time.Millisecond
			h.start(t, testOptions())
			time.Sleep(40 * time.Second)

			// The beat at 18 s finds no session: initiate at once (when its
			// answer is back), then the beat resumes from that initiate.
			assert.Equal(t, seconds(0, 16.1), h.tr.sendTimes(OpInitiate, h.t0))
			assert.Equal(t, seconds(8, 16, 25.1, 34.1), h.tr.sendTimes(OpHeartbeat, h.t0))
			assert.Equal(t, []map[string]any{{"reason": "expired"}}, h.rec.of(EventRenew))
			assert.Equal(t, []string{"starting", "active", "renewing", "active"}, h.rec.states(),
				"renewing from NO_ACTIVE_SESSION until the new session is up")
			h.stop()
		})
	}
}

func TestRenewWhenDeadlinePassed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpHeartbeat {
				return reply{err: errNetwork}
			}
			return okReply()
		})
		h.start(t, testOptions())
		time.Sleep(20 * time.Second)

		// 8, 8.25, 8.75 and 9.75 fail; the last chance at 9.9 s would be a
		// 5th request within one interval; then the session has expired, so
		// the next try is an initiate, as soon as the cap of 4 requests per
		// interval allows (one interval and 250 ms after 8 s).
		assert.Equal(t, seconds(8, 8.25, 8.75, 9.75), h.tr.sendTimes(OpHeartbeat, h.t0))
		assert.Equal(t, seconds(0, 17.25), h.tr.sendTimes(OpInitiate, h.t0))
		assert.Equal(t, []map[string]any{{"reason": "expired"}}, h.rec.of(EventRenew))
		h.stop()
	})
}

// Issue 10, rule 5: navigator.onLine can say offline for ever while the
// network works (VPNs, some OSes): the renewal still goes, once an interval.
func TestRenewWhileOfflineStillTriesOnceAnInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpHeartbeat && n == 0 {
				return codeReply(400, "NO_ACTIVE_SESSION")
			}
			return okReply()
		})
		h.start(t, testOptions())
		h.page.set(false) // wrong: the network works
		time.Sleep(30 * time.Second)

		assert.Equal(t, seconds(0, 17), h.tr.sendTimes(OpInitiate, h.t0), "one interval after the last request")
		assert.Equal(t, []map[string]any{{"reason": "expired"}}, h.rec.of(EventRenew))
		assert.Equal(t, StateActive, h.e.State())
		h.stop()
	})
}

func TestRenewWhileOfflineProbesSlowlyAndOnlineTriggersAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			switch {
			case req.Op == OpHeartbeat && n == 0:
				return codeReply(400, "NO_ACTIVE_SESSION")
			case req.Op == OpInitiate && n > 0 && time.Since(h.t0) < 40*time.Second:
				return reply{err: errNetwork} // really offline
			}
			return okReply()
		})
		h.start(t, testOptions())
		h.page.set(false)
		time.Sleep(40*time.Second - time.Since(h.t0) + 500*time.Millisecond)
		assert.Equal(t, seconds(0, 17, 26, 35), h.tr.sendTimes(OpInitiate, h.t0), "at most one request an interval")
		assert.Equal(t, StateRenewing, h.e.State())
		h.e.VisibilityChange(true) // another wake-up is not the network
		synctest.Wait()
		assert.Len(t, h.tr.ops(OpInitiate), 4)

		h.page.set(true)
		h.e.Online()
		synctest.Wait()
		assert.Equal(t, seconds(0, 17, 26, 35, 40.5), h.tr.sendTimes(OpInitiate, h.t0), "initiate at once when back online")
		assert.Equal(t, []map[string]any{{"reason": "expired"}}, h.rec.of(EventRenew))
		assert.Equal(t, StateActive, h.e.State())
		h.stop()
	})
}

func TestAlreadyInGameRiddenOutOnStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		// A previous page's session lives until 6 s.
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpInitiate && time.Since(h.t0) < 6*time.Second {
				return codeReply(400, "ALREADY_IN_GAME")
			}
			return okReply()
		})
		h.start(t, testOptions())
		assert.Equal(t, 9250*time.Millisecond, h.since())
		// Backoff 250 ms, 500 ms, 1 s; the 2 s step would be a 5th send
		// within the cap's window (9 s + 250 ms), so it waits until 9.25 s.
		assert.Equal(t, seconds(0, 0.25, 0.75, 1.75, 9.25), h.tr.sendTimes(OpInitiate, h.t0))
		assert.Len(t, h.rec.of(EventError), 4)
		for _, e := range h.rec.of(EventError) {
			assert.Equal(t, "ALREADY_IN_GAME", e["code"])
			assert.Equal(t, false, e["fatal"])
		}
		h.stop()
	})
}

func TestAlreadyInGameRejectedAfterOneTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, n int) reply { return reply{status: 400} })
		err := h.e.Start(testToken, testOptions()) // synctest fails a Start that never settles

		synctest.Wait() // the loop delivers the fatal error event after Start is settled
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, CodeAlreadyInGame, e.Code)
		assert.Equal(t, 400, e.Status)

		times := h.tr.sendTimes(OpInitiate, h.t0)
		assert.GreaterOrEqual(t, times[len(times)-1], 10*time.Second, "tried until one TTL had passed: %v", times)
		assert.Less(t, h.since(), 11*time.Second)
		assert.LessOrEqual(t, len(times), 8)
		assert.Equal(t, StateEnded, h.e.State())
		errs := h.rec.of(EventError)
		assert.Equal(t, true, errs[len(errs)-1]["fatal"])
		assert.Empty(t, h.rec.of(EventEnd), "no session ever existed")
		time.Sleep(time.Minute)
		assert.Len(t, h.tr.ops(""), len(times))
	})
}

// After the server said NO_ACTIVE_SESSION, an ALREADY_IN_GAME on the renewal
// means the user's session is someone else's now (another device, or a tab
// that took over without Web Locks): end "takeover" at once (issue 11).
func TestAlreadyInGameAfterNoActiveSessionIsATakeover(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.start(t, testOptions())
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpHeartbeat {
				return codeReply(400, "NO_ACTIVE_SESSION")
			}
			return codeReply(400, "ALREADY_IN_GAME") // someone else took it
		})
		time.Sleep(time.Minute)

		assert.Equal(t, seconds(0, 8), h.tr.sendTimes(OpInitiate, h.t0))
		assert.Equal(t, StateEnded, h.e.State())
		assert.Equal(t, []map[string]any{{"reason": "takeover"}}, h.rec.of(EventEnd))
		errs := h.rec.of(EventError)
		require.NotEmpty(t, errs)
		assert.Equal(t, "ALREADY_IN_GAME", errs[len(errs)-1]["code"])
		assert.Equal(t, true, errs[len(errs)-1]["fatal"])
	})
}

func TestStartTransientFailuresRejectAfterOneTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(Request, int) reply { return reply{status: 502} })
		err := h.e.Start(testToken, testOptions())
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, CodeServerError, e.Code)
		assert.Equal(t, 502, e.Status)
		assert.LessOrEqual(t, len(h.tr.ops("")), 8)
		assert.Equal(t, StateEnded, h.e.State())
	})
}

func TestRenewAfterOutageStillRidesOutAlreadyInGame(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.start(t, testOptions())
		h.tr.setScript(func(req Request, n int) reply {
			at := time.Since(h.t0)
			switch {
			case req.Op == OpHeartbeat && at < 40*time.Second:
				return codeReply(400, "NO_ACTIVE_SESSION")
			case req.Op == OpHeartbeat:
				return okReply()
			case at < 40*time.Second:
				return reply{status: 504} // a long outage; one initiate got through
			case at < 45*time.Second:
				return codeReply(400, "ALREADY_IN_GAME") // ... and is the session the server holds
			}
			return okReply()
		})
		time.Sleep(time.Minute)

		assert.Equal(t, StateActive, h.e.State())
		assert.Equal(t, []map[string]any{{"reason": "expired"}}, h.rec.of(EventRenew))
		assert.Empty(t, h.rec.of(EventEnd))
		assert.NotEmpty(t, h.rec.of(EventHeartbeat))
	})
}
