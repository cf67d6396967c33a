package session

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStartInitiatesAndGoesActive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		opts := testOptions()
		opts.APIBase = "https://api.test/v1/"
		opts.Credentials = "include"
		h.start(t, opts)
		synctest.Wait()

		assert.Equal(t, StateActive, h.e.State())
		assert.Equal(t, []string{"starting", "active"}, h.rec.states())
		assert.Equal(t, map[string]any{"state": "active", "previous": "starting"}, h.rec.of(EventStateChange)[1])
		calls := h.tr.ops("")
		require.Len(t, calls, 1)
		assert.Equal(t, Request{Op: OpInitiate, URL: "https://api.test/v1/api/games/sessions/initiate", Token: testToken, Credentials: "include"}, calls[0].req)
		h.stop()
	})
}

func TestStartRejectsBadInputWithoutRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		for _, tc := range []struct {
			token string
			opts  Options
		}{
			{"", testOptions()},
			{"  \t", testOptions()},
			{"a\x00b", testOptions()},
			{testToken, DefaultOptions()},
			{testToken, func() Options { o := testOptions(); o.Credentials = "all"; return o }()},
		} {
			err := h.e.Start(tc.token, tc.opts)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, CodeInvalidArgument, e.Code)
			assert.Equal(t, 0, e.Status)
			assert.NotEmpty(t, e.Message)
		}
		assert.Empty(t, h.tr.ops(""))
		assert.Equal(t, StateIdle, h.e.State())
		assert.Empty(t, h.rec.types())
	})
}

func TestSecondStartSameTokenWhileStartingSharesOutcome(t *testing.T) {
	for _, tc := range []struct {
		name string
		rep  reply
		code Code
	}{
		{"success", reply{status: 200, body: map[string]any{"success": true}, delay: time.Second}, ""},
		{"unauthorized", reply{status: 401, delay: time.Second}, CodeUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				h.tr.setScript(func(Request, int) reply { return tc.rep })
				errs := make([]error, 2)
				var wg sync.WaitGroup
				for i := range errs {
					wg.Go(func() { errs[i] = h.e.Start(testToken, testOptions()) })
					synctest.Wait() // the first one is starting before the second comes
				}
				wg.Wait()
				assert.Len(t, h.tr.ops(OpInitiate), 1, "one initiate for both")
				for _, err := range errs {
					if tc.code == "" {
						assert.NoError(t, err)
					} else {
						var e *Error
						require.ErrorAs(t, err, &e)
						assert.Equal(t, tc.code, e.Code)
					}
				}
				h.stop()
			})
		})
	}
}

func TestSecondStartWhileActive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.start(t, testOptions())

		assert.NoError(t, h.e.Start(testToken, testOptions()), "same token: already active")
		err := h.e.Start("another-token", testOptions())
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, CodeInvalidState, e.Code)
		assert.Len(t, h.tr.ops(OpInitiate), 1, "no new initiate")
		assert.Equal(t, StateActive, h.e.State())
		h.stop()
	})
}

func TestStartAgainAfterEndIsANewRound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.start(t, testOptions())
		require.NoError(t, h.e.End())
		require.Equal(t, StateEnded, h.e.State())

		require.NoError(t, h.e.Start("second-round-token", testOptions()))
		synctest.Wait()
		assert.Equal(t, StateActive, h.e.State())
		inits := h.tr.ops(OpInitiate)
		require.Len(t, inits, 2)
		assert.Equal(t, "second-round-token", inits[1].req.Token)
		assert.Equal(t, []string{"starting", "active", "ending", "ended", "starting", "active"}, h.rec.states())
		h.stop()
	})
}

func TestUnauthorizedOnStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(Request, int) reply { return reply{status: 401} })
		err := h.e.Start(testToken, testOptions())
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, CodeUnauthorized, e.Code)
		assert.Equal(t, 401, e.Status)
		synctest.Wait()

		assert.Equal(t, StateEnded, h.e.State())
		assert.Equal(t, []string{"starting", "ended"}, h.rec.states())
		errs := h.rec.of(EventError)
		require.Len(t, errs, 1)
		assert.Equal(t, map[string]any{"code": "UNAUTHORIZED", "status": 401.0, "message": e.Message, "fatal": true}, errs[0])
		assert.Equal(t, []map[string]any{{"reason": "unauthorized"}}, h.rec.of(EventEnd))

		time.Sleep(time.Minute)
		assert.Len(t, h.tr.ops(""), 1, "nothing after a 401")
	})
}

func TestUnauthorizedOnHeartbeat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpHeartbeat && n == 1 {
				return codeReply(401, "UNAUTHORIZED")
			}
			return okReply()
		})
		h.start(t, testOptions())
		time.Sleep(time.Minute)

		assert.Equal(t, StateEnded, h.e.State())
		assert.Equal(t, seconds(8, 16), h.tr.sendTimes(OpHeartbeat, h.t0), "no beat after the 401")
		assert.Len(t, h.tr.ops(""), 3)
		errs := h.rec.of(EventError)
		require.Len(t, errs, 1)
		assert.Equal(t, true, errs[0]["fatal"])
		assert.Equal(t, "server says UNAUTHORIZED", errs[0]["message"])
		assert.Equal(t, []map[string]any{{"reason": "unauthorized"}}, h.rec.of(EventEnd))
		h.stop()
	})
}

func TestEndSendsEndAndStopsBeat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.start(t, testOptions())
		time.Sleep(20 * time.Second)
		require.NoError(t, h.e.End())

		assert.Equal(t, StateEnded, h.e.State())
		assert.Equal(t, []string{"starting", "active", "ending", "ended"}, h.rec.states())
		assert.Equal(t, []map[string]any{{"reason": "user"}}, h.rec.of(EventEnd))
		ends := h.tr.ops(OpEnd)
		require.Len(t, ends, 1)
		assert.Equal(t, "https://api.test/api/games/sessions/end", ends[0].req.URL)
		assert.Equal(t, testToken, ends[0].req.Token)

		time.Sleep(time.Minute)
		assert.Len(t, h.tr.ops(OpHeartbeat), 2, "beats at 9 s and 18 s, none after End")
		assert.NoError(t, h.e.End(), "ended: nothing to do")
		assert.Len(t, h.tr.ops(OpEnd), 1)
	})
}

func TestEndAbortsHeartbeatInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpHeartbeat {
				return reply{status: 200, body: map[string]any{"success": true}, delay: 3 * time.Second}
			}
			return okReply()
		})
		opts := testOptions()
		opts.SessionTTL = 30 * time.Second // so the beat's timeout is the full 5 s
		h.start(t, opts)
		time.Sleep(10 * time.Second) // the heartbeat sent at 9 s is out until 12 s
		require.NoError(t, h.e.End())
		synctest.Wait()

		beats := h.tr.ops(OpHeartbeat)
		require.Len(t, beats, 1)
		assert.True(t, beats[0].aborted, "End aborts the heartbeat in flight")
		assert.Equal(t, 10*time.Second, beats[0].done.Sub(h.t0))
		assert.Equal(t, seconds(10), h.tr.sendTimes(OpEnd, h.t0))
		assert.Empty(t, h.rec.of(EventHeartbeat))
		assert.Empty(t, h.rec.of(EventError), "an aborted heartbeat is no error")
	})
}

func TestEndWhenIdleSendsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		assert.NoError(t, h.e.End())
		assert.Empty(t, h.tr.ops(""))
		assert.Equal(t, StateIdle, h.e.State())
		assert.Empty(t, h.rec.types())
	})
}

func TestEndAnswers(t *testing.T) {
	for _, tc := range []struct {
		name     string
		rep      reply
		code     Code // "" for success
		attempts int
		endEvent string
	}{
		{"ok", okReply(), "", 1, "user"},
		{"no active session is success", codeReply(400, "NO_ACTIVE_SESSION"), "", 1, "user"},
		{"bare 400 is success", reply{status: 400}, "", 1, "user"},
		{"network failure: brief retries then error", reply{err: errNetwork}, CodeNetworkError, 4, "user"},
		{"server error: brief retries then error", reply{status: 503}, CodeServerError, 4, "user"},
		{"unauthorized", reply{status: 401}, CodeUnauthorized, 1, "unauthorized"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				h.tr.setScript(func(req Request, n int) reply {
					if req.Op == OpEnd {
						return tc.rep
					}
					return okReply()
				})
				h.start(t, testOptions())
				time.Sleep(5 * time.Second) // deadline at 10 s
				err := h.e.End()
				if tc.code == "" {
					require.NoError(t, err)
				} else {
					var e *Error
					require.ErrorAs(t, err, &e)
					assert.Equal(t, tc.code, e.Code)
				}
				assert.Equal(t, StateEnded, h.e.State())
				assert.Len(t, h.tr.ops(OpEnd), tc.attempts)
				for _, c := range h.tr.ops(OpEnd) {
					assert.Less(t, c.at.Sub(h.t0), 10*time.Second, "retries only while the session may live")
				}
				assert.Equal(t, []map[string]any{{"reason": tc.endEvent}}, h.rec.of(EventEnd))
			})
		})
	}
}

func TestEndDuringStartingCancelsStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpInitiate {
				return reply{status: 200, body: map[string]any{"success": true}, delay: 2 * time.Second}
			}
			return okReply()
		})
		var startErr error
		done := make(chan struct{})
		go func() {
			defer close(done)
			startErr = h.e.Start(testToken, testOptions())
		}()
		time.Sleep(time.Second)
		require.Equal(t, StateStarting, h.e.State())
		require.NoError(t, h.e.End())
		<-done
		synctest.Wait()

		var e *Error
		require.ErrorAs(t, startErr, &e)
		assert.Equal(t, CodeInvalidState, e.Code)
		assert.Contains(t, e.Message, "ended by endSession")
		assert.Len(t, h.tr.ops(OpEnd), 1, "end is still sent")
		assert.True(t, h.tr.ops(OpInitiate)[0].aborted)
		assert.Equal(t, StateEnded, h.e.State())
		time.Sleep(time.Minute)
		assert.Len(t, h.tr.ops(""), 2)
	})
}

func TestStartWhileEndingIsInvalidState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.tr.setScript(func(req Request, n int) reply {
			if req.Op == OpEnd {
				return reply{status: 200, body: map[string]any{"success": true}, delay: time.Second}
			}
			return okReply()
		})
		h.start(t, testOptions())
		go func() { _ = h.e.End() }()
		synctest.Wait()
		require.Equal(t, StateEnding, h.e.State())
		err := h.e.Start(testToken, testOptions())
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, CodeInvalidState, e.Code)
		assert.NoError(t, h.e.End(), "a second End waits for the first")
		assert.Equal(t, StateEnded, h.e.State())
		assert.Len(t, h.tr.ops(OpEnd), 1)
	})
}

func TestEmitMayCallBackIntoEngine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var e *Engine
		var seen []State
		var mu sync.Mutex
		tr := &fakeTransport{}
		e = New(Config{Transport: tr, Emit: func(ev Event) {
			st := e.State()
			mu.Lock()
			seen = append(seen, st)
			mu.Unlock()
			if ev.Type == EventHeartbeat {
				_ = e.End() // a listener that ends the game on the first beat
			}
		}})
		require.NoError(t, e.Start(testToken, testOptions()))
		time.Sleep(time.Minute)
		assert.Equal(t, StateEnded, e.State())
		assert.Len(t, tr.ops(OpHeartbeat), 1)
		assert.Len(t, tr.ops(OpEnd), 1)
	})
}

func TestPanickingListenerDoesNotStopEngine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := &fakeTransport{}
		e := New(Config{Transport: tr, Emit: func(Event) { panic("listener bug") }})
		require.NoError(t, e.Start(testToken, testOptions()))
		time.Sleep(30 * time.Second)
		assert.Equal(t, StateActive, e.State())
		assert.Len(t, tr.ops(OpHeartbeat), 3)
		require.NoError(t, e.End())
	})
}

func TestNilAndEmptyEngineDoNotPanic(t *testing.T) {
	var nilEngine *Engine
	assert.NotPanics(t, func() {
		assert.Error(t, nilEngine.Start(testToken, testOptions()))
		assert.NoError(t, nilEngine.End())
		assert.Equal(t, StateIdle, nilEngine.State())
		nilEngine.PageHide()
		nilEngine.PageShow(true)
		nilEngine.VisibilityChange(true)
		nilEngine.Online()
	})
	e := New(Config{})
	assert.NotPanics(t, func() {
		err := e.Start(testToken, testOptions())
		var se *Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, CodeInvalidState, se.Code)
		e.PageHide()
		e.PageShow(true)
		e.VisibilityChange(true)
		e.Online()
		assert.NoError(t, e.End())
	})
}

func TestDebugLogsNeverTheWholeToken(t *testing.T) {
	for _, debug := range []bool{true, false} {
		synctest.Test(t, func(t *testing.T) {
			h := newHarness(t)
			opts := testOptions()
			opts.Debug = debug
			h.start(t, opts)
			time.Sleep(20 * time.Second)
			h.e.PageHide()
			h.stop()
			h.rec.mu.Lock()
			defer h.rec.mu.Unlock()
			if !debug {
				assert.Empty(t, h.rec.logs)
				return
			}
			require.NotEmpty(t, h.rec.logs)
			joined := ""
			for _, l := range h.rec.logs {
				joined += l + "\n"
			}
			assert.NotContains(t, joined, testToken[:10])
		})
	}
}
