package session

import (
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 10, rule 2: on Slow 3G the first initiate can arrive and make the
// session while its answer is lost; the retry's ALREADY_IN_GAME is then our
// own session, which a heartbeat confirms: no riding out.
func TestStartAlreadyInGameAfterALostInitiateIsProbed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			switch {
			case req.Op == OpInitiate && n == 0:
				return reply{hang: true} // arrived; the answer never came
			case req.Op == OpInitiate:
				return codeReply(400, "ALREADY_IN_GAME")
			}
			return okReply()
		})
		h.start(t, testOptions())

		assert.Equal(t, 5*time.Second, h.since(), "settled by the probe right after the retry")
		assert.Equal(t, seconds(0, 5), h.tr.sendTimes(OpInitiate, h.t0))
		assert.Equal(t, seconds(5), h.tr.sendTimes(OpHeartbeat, h.t0))
		assert.Equal(t, StateActive, h.e.State())
		assert.Empty(t, h.rec.of(EventRenew))
		h.stop()
	})
}

// A renewal that began from silence (a TTL without an answer) may meet its
// own session, which the server still holds: probed, back to active, no renew.
func TestRenewalFromSilenceMeetsItsOwnSession(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.start(t, testOptions())
		var mu sync.Mutex
		silent := true
		h.tr.setScript(func(req Request, n int) reply {
			mu.Lock()
			defer mu.Unlock()
			switch {
			case req.Op == OpInitiate:
				return codeReply(400, "ALREADY_IN_GAME")
			case silent:
				return reply{hang: true} // every beat arrives, no answer comes back
			}
			return okReply()
		})
		time.Sleep(20 * time.Second)
		mu.Lock()
		silent = false
		mu.Unlock()
		time.Sleep(20 * time.Second)

		assert.Equal(t, StateActive, h.e.State())
		assert.Empty(t, h.rec.of(EventRenew), "the session never died")
		assert.Empty(t, h.rec.of(EventEnd))
		states := h.rec.states()
		assert.Equal(t, []string{"starting", "active", "renewing", "active"}, states)
		assert.GreaterOrEqual(t, len(h.tr.ops(OpInitiate)), 2, "a renewal was tried")
		h.stop()
	})
}

// The probe of an ALREADY_IN_GAME that answers NO_ACTIVE_SESSION: that
// session vanished meanwhile; initiate again.
func TestProbeFindingNoSessionInitiatesAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			switch {
			case req.Op == OpInitiate && n == 0:
				return reply{err: errNetwork}
			case req.Op == OpInitiate && n == 1:
				return codeReply(400, "ALREADY_IN_GAME")
			case req.Op == OpHeartbeat && n == 0:
				return codeReply(400, "NO_ACTIVE_SESSION")
			}
			return okReply()
		})
		h.start(t, testOptions())
		assert.Len(t, h.tr.ops(OpInitiate), 3)
		assert.Equal(t, StateActive, h.e.State())
		h.stop()
	})
}

// Issue 10, rule 8: startSession inside the end listener starts a new
// session: the end event fires after the Web Lock is really free (Web
// Locks free it asynchronously).
func TestStartFromTheEndListener(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(h *harness)
		end   func(h *harness)
	}{
		{"after endSession", nil, func(h *harness) { _ = h.e.End() }},
		{"after UNAUTHORIZED, with a fresh token", func(h *harness) {
			h.tr.setScript(func(req Request, n int) reply {
				if req.Op == OpHeartbeat && req.Token == testToken {
					return codeReply(401, "UNAUTHORIZED")
				}
				return okReply()
			})
		}, func(h *harness) { time.Sleep(10 * time.Second) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				locks := newFakeLocks()
				locks.releaseDelay = 5 * time.Millisecond
				var h *harness
				restarted := make(chan error, 1)
				var once sync.Once
				h = newHarness(t, withLocker(locks), func(c *Config) {
					inner := c.Emit
					c.Emit = func(ev Event) {
						inner(ev)
						if ev.Type == EventEnd {
							// What a JS listener's startSession does: a Promise,
							// the work on its own goroutine.
							once.Do(func() {
								go func() { restarted <- h.e.Start("fresh-token-for-round-two", testOptions()) }()
							})
						}
					}
				})
				if tc.setup != nil {
					tc.setup(h)
				}
				h.start(t, testOptions())
				tc.end(h)
				err := <-restarted
				require.NoError(t, err)
				synctest.Wait()
				assert.Equal(t, StateActive, h.e.State())
				inits := h.tr.ops(OpInitiate)
				require.Len(t, inits, 2)
				assert.Equal(t, "fresh-token-for-round-two", inits[1].req.Token)
				h.stop()
			})
		})
	}
}

// Issue 12, item 7: a 429 or 503 with Retry-After waits that long, but never
// past the session's TTL.
func TestRetryAfterHonouredWithinTheTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpInitiate && n == 0 {
				return reply{status: 429, retryAfter: 3 * time.Second}
			}
			if req.Op == OpInitiate && n == 1 {
				return reply{status: 503, retryAfter: time.Hour}
			}
			return okReply()
		})
		err := h.e.Start(testToken, testOptions())
		require.NoError(t, err)
		times := h.tr.sendTimes(OpInitiate, h.t0)
		assert.Equal(t, seconds(0, 3, 10.25), times, "3 s as asked; an hour is cut to the start's window")
		h.stop()
	})
}

// Issue 11, item 3: a 4xx that is not the spec's, or a redirect, is a wrong
// apiBase: rejected at once, naming the URL, without retries.
func TestPermanentAnswersRejectAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		rep  reply
		want string
	}{
		{"405", reply{status: 405}, "HTTP 405 from https://api.test/api/games/sessions/initiate"},
		{"404 html", reply{status: 404, body: "<html>"}, "HTTP 404 from https://api.test/api/games/sessions/initiate"},
		{"403", reply{status: 403}, "HTTP 403"},
		{"410", reply{status: 410}, "HTTP 410"},
		{"422", reply{status: 422}, "HTTP 422"},
		{"redirect", reply{status: 0, redirected: true}, "https://api.test/api/games/sessions/initiate answered with a redirect"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				h.tr.setScript(func(Request, int) reply { return tc.rep })
				err := h.e.Start(testToken, testOptions())
				var e *Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, CodeServerError, e.Code)
				assert.Contains(t, e.Message, tc.want)
				assert.Equal(t, time.Duration(0), h.since(), "at once")
				assert.Len(t, h.tr.ops(""), 1, "no retry")
			})
		})
	}
}

func TestFirstInitiateUnreachableNamesTheURLAndCORS(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(Request, int) reply { return reply{err: errNetwork} })
		err := h.e.Start(testToken, testOptions())
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, CodeNetworkError, e.Code)
		assert.Contains(t, e.Message, "https://api.test/api/games/sessions/initiate")
		assert.Contains(t, e.Message, "CORS")
	})
}

func TestServerMessagesAreScrubbedOfTheToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpHeartbeat && n == 0 {
				return reply{status: 500, body: map[string]any{"message": "bad token " + req.Token + " and a piece " + req.Token[5:20]}}
			}
			return okReply()
		})
		h.start(t, testOptions())
		time.Sleep(10 * time.Second)
		errs := h.rec.of(EventError)
		require.NotEmpty(t, errs)
		msg := errs[0]["message"].(string)
		assert.NotContains(t, msg, testToken[5:13])
		assert.Contains(t, msg, "[token]")
		h.stop()
	})
}

// endSession's rejection carries the server's message too: scrubbed alike.
func TestEndErrorsAreScrubbedOfTheToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpEnd {
				return reply{status: 401, body: map[string]any{"error": "UNAUTHORIZED", "message": "token " + req.Token + " revoked"}}
			}
			return okReply()
		})
		h.start(t, testOptions())
		err := h.e.End()
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, "token [token] revoked", e.Message)
	})
}

func TestScrub(t *testing.T) {
	tok := "abcdefghijklmnopqrstuvwxyz"
	assert.Equal(t, "x [token] y", scrub("x "+tok+" y", tok))
	assert.Equal(t, "x [token] y", scrub("x cdefghijkl y", tok))
	assert.Equal(t, "x cdefg y", scrub("x cdefg y", tok), "7 characters are no secret")
	assert.Equal(t, "[token][token]", scrub(tok+tok, tok))
	assert.Equal(t, "no token", scrub("no token", "short"))
	assert.Equal(t, "a [token] b", scrub("a short b", "short"))
}

// Issue 11, item 2: takeover where Web Locks do not work (a portal's
// cross-site iframe) or across devices goes through the server: end the
// user's session, then initiate. The old tab learns it from
// NO_ACTIVE_SESSION followed by ALREADY_IN_GAME and ends "takeover" at once.
//
// The server keys sessions by user, so the old tab's heartbeats cannot tell
// the new tab's session from its own: it learns of the takeover only when a
// heartbeat of its own reaches the server between the new tab's end and its
// initiate (here: the old tab is on a slow network). Otherwise both keep the
// one session alive (README, "One tab per player").
func TestTakeoverThroughTheServer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		locker func() Locker
	}{
		{"portal: Web Locks denied", func() Locker { l := newFakeLocks(); l.err = errDenied; return l }},
		{"another device: its own Web Locks", func() Locker { return newFakeLocks() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := &sharedServer{}
				a := newHarness(t, func(c *Config) { c.Locker = tc.locker() })
				b := newHarness(t, func(c *Config) { c.Locker = tc.locker() })
				a.tr.setScript(func(req Request, n int) reply {
					rep := srv.script("A")(req, n)
					rep.delay = 1500 * time.Millisecond // the phone's slow network
					return rep
				})
				b.tr.setScript(func(req Request, n int) reply {
					rep := srv.script("B")(req, n)
					if req.Op == OpEnd {
						rep.delay = time.Second
					}
					return rep
				})
				a.start(t, testOptions()) // initiate at 0, answered at 1.5 s; beats at 8 s, 16 s (1 s early: rtt.go)
				time.Sleep(14 * time.Second)

				opts := testOptions()
				opts.Takeover = true
				// 15.5 s: initiate ALREADY_IN_GAME, end (answered at 16.5 s),
				// initiate. A's beat reaches the server at 16 s, in between.
				b.start(t, opts)
				assert.Equal(t, []map[string]any{{"reason": "takeover"}}, b.rec.of(EventRenew))
				time.Sleep(10 * time.Second)

				assert.Equal(t, StateEnded, a.e.State())
				assert.Equal(t, []map[string]any{{"reason": "takeover"}}, a.rec.of(EventEnd))
				assert.Equal(t, StateActive, b.e.State())
				log := strings.Join(srv.log(), "\n")
				assert.Contains(t, log, "B initiate ALREADY_IN_GAME\nB end 200")
				assert.Contains(t, log, "A heartbeat NO_ACTIVE_SESSION\nB initiate 200\nA initiate ALREADY_IN_GAME", log)
				assert.Empty(t, b.rec.of(EventEnd))
			})
		})
	}
}

var errDenied = &Error{Code: CodeInvalidState, Message: "SecurityError: The request was denied."}

// Heartbeats of sessions with backgroundHeartbeats go through a
// ScheduledTransport (the Worker), timed there.
func TestHeartbeatsGoThroughTheScheduledTransport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &fakeScheduled{fakeTransport: &fakeTransport{}}
		h := newHarness(t, func(c *Config) { c.Transport = st })
		h.tr = st.fakeTransport
		h.start(t, testOptions())
		time.Sleep(30 * time.Second)
		assert.Equal(t, seconds(8, 16, 24), h.tr.sendTimes(OpHeartbeat, h.t0))
		assert.Equal(t, 4, st.scheduledCount(), "the 33 s beat is already with the Worker")

		opts := testOptions()
		opts.BackgroundHeartbeats = false
		h.stop()
		h.start(t, opts)
		time.Sleep(20 * time.Second)
		assert.Equal(t, 4, st.scheduledCount(), "backgroundHeartbeats: false uses page timers")
		assert.Len(t, h.tr.ops(OpHeartbeat), 5)
		h.stop()
	})
}

// fakeScheduled is a ScheduledTransport over the fake transport: it waits
// until at (the Worker's timer), then sends as Do does.
type fakeScheduled struct {
	*fakeTransport
	mu        sync.Mutex
	scheduled int
}

func (f *fakeScheduled) DoAt(at Instant, timeout time.Duration, req Request, stop *Stop) (Instant, Response, error) {
	if stop.Fired() {
		return 0, Response{}, ErrCanceled
	}
	f.mu.Lock()
	f.scheduled++
	f.mu.Unlock()
	due := make(chan bool, 2)
	defer time.AfterFunc(at.Sub(Now()), func() { due <- true }).Stop()
	defer stop.OnFire(func() { due <- false })()
	if !<-due {
		return 0, Response{}, ErrCanceled
	}
	sent := Now()
	resp, err := f.Do(req, timeout, stop)
	return sent, resp, err
}

func (f *fakeScheduled) scheduledCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.scheduled
}

// A main thread stalled after the Worker got the answer must not count as
// round trip (it would widen the spread and send every beat early): the
// transport's Received time is the answer's.
func TestStalledPageDoesNotStretchTheRoundTrip(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &stallingScheduled{fakeScheduled: fakeScheduled{fakeTransport: &fakeTransport{rtt: 50 * time.Millisecond}}, stall: 4 * time.Second}
		h := newHarness(t, func(c *Config) { c.Transport = st })
		h.tr = st.fakeTransport
		h.start(t, testOptions())
		time.Sleep(90 * time.Second)

		times := h.tr.sendTimes(OpHeartbeat, h.t0)
		require.Greater(t, len(times), 6)
		for i := 4; i < len(times); i++ {
			assert.Equal(t, 9*time.Second, times[i]-times[i-1], "beat %d: the stall is not network jitter", i)
		}
		h.stop()
	})
}

// stallingScheduled answers like fakeScheduled, but hands the answer to the
// engine only after stall (a busy main thread), with Received the time the
// Worker had it.
type stallingScheduled struct {
	fakeScheduled
	stall time.Duration
	n     int
}

func (f *stallingScheduled) DoAt(at Instant, timeout time.Duration, req Request, stop *Stop) (Instant, Response, error) {
	sent, resp, err := f.fakeScheduled.DoAt(at, timeout, req, stop)
	if err != nil {
		return sent, resp, err
	}
	resp.Received = Now()
	f.n++
	if f.n%2 == 0 { // every other answer waits for the page
		woken := make(chan struct{}, 2)
		defer time.AfterFunc(f.stall, func() { woken <- struct{}{} }).Stop()
		defer stop.OnFire(func() { woken <- struct{}{} })()
		<-woken
	}
	return sent, resp, err
}

// Late timers do not add up: each beat is timed from when the previous one
// was due, so a timer that always fires 100 ms late (as Firefox's page
// timers may, issue 14) keeps the interval between beats instead of
// stretching every one.
func TestLateTimersDoNotAccumulate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		late := &hiddenClock{hidden: true, lag: 100 * time.Millisecond}
		h := newHarness(t, func(c *Config) { c.Clock = late })
		opts := testOptions()
		opts.BackgroundHeartbeats = false
		h.start(t, opts)
		time.Sleep(45 * time.Second)

		// Calibrating: due at 8, 16, 24 (rtt.go), then every 9 s; each sent
		// 100 ms late, none later than that.
		assert.Equal(t, seconds(8.1, 16.1, 24.1, 33.1, 42.1), h.tr.sendTimes(OpHeartbeat, h.t0))
		h.stop()
	})
}
