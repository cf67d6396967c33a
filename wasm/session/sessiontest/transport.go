package sessiontest

import (
	"strings"
	"testing"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Transport runs session.Transport's contract against the transports that
// setup makes, each with the Server it talks to.
func Transport(t *testing.T, o Options, setup func(t *testing.T) (session.Transport, Server)) {
	o.run(t, "Answer", func(t *testing.T) {
		tr, srv := setup(t)
		srv.Next(Answer{Status: 200, Body: `{"success":true,"n":1.5,"list":[1,"a",null,true],"o":{"k":"v"}}`})
		resp, err := tr.Do(heartbeat, time.Second, nil)
		require.NoError(t, err)
		assert.Equal(t, 200, resp.Status)
		assert.Equal(t, map[string]any{"success": true, "n": 1.5, "list": []any{1.0, "a", nil, true}, "o": map[string]any{"k": "v"}}, resp.Body)
		assert.False(t, resp.Redirected)
		seen := o.seenN(t, srv, 1)[0]
		assert.Equal(t, heartbeat.URL, seen.URL)
		assert.Equal(t, heartbeat.Token, seen.Token)
		assert.Equal(t, heartbeat.Credentials, seen.Credentials)
		assert.False(t, seen.KeepAlive)
		assert.False(t, seen.Aborted)
	})

	o.run(t, "EveryStatusIsAnAnswer", func(t *testing.T) {
		for _, a := range []Answer{
			{Status: 400, Body: `{"success":false,"error":"NO_ACTIVE_SESSION"}`},
			{Status: 502, Body: "<html><body>Bad Gateway</body></html>"},
			{Status: 200, Body: ""},
			{Status: 200, Body: `{"success":tr`},
			{Status: 200, Body: `"just a string"`},
		} {
			tr, srv := setup(t)
			srv.Next(a)
			resp, err := tr.Do(heartbeat, time.Second, nil)
			require.NoError(t, err, "%+v", a)
			assert.Equal(t, a.Status, resp.Status)
			switch a.Body {
			case `{"success":false,"error":"NO_ACTIVE_SESSION"}`:
				assert.Equal(t, map[string]any{"success": false, "error": "NO_ACTIVE_SESSION"}, resp.Body)
			case `"just a string"`:
				assert.Equal(t, "just a string", resp.Body)
			default:
				assert.Nil(t, resp.Body, "a body that is not JSON is nil: %q", a.Body)
			}
		}
	})

	o.run(t, "KeepAlive", func(t *testing.T) {
		tr, srv := setup(t)
		req := end
		req.KeepAlive = true
		_, err := tr.Do(req, time.Second, nil)
		require.NoError(t, err)
		seen := o.seenN(t, srv, 1)[0]
		assert.True(t, seen.KeepAlive)
		assert.Equal(t, end.URL, seen.URL)
	})

	o.run(t, "NetworkFailureIsAnError", func(t *testing.T) {
		tr, srv := setup(t)
		srv.Next(Answer{Fail: true})
		_, err := tr.Do(heartbeat, time.Second, nil)
		require.Error(t, err)
		assert.NotEqual(t, session.ErrTimeout, err)
		assert.NotEqual(t, session.ErrCanceled, err)
		assert.False(t, strings.Contains(err.Error(), heartbeat.Token), "the token is not in the error")
		o.seenN(t, srv, 1)
	})

	o.run(t, "SlowAnswerWithinTheTimeout", func(t *testing.T) {
		tr, srv := setup(t)
		srv.Next(Answer{Status: 200, Body: `{"success":true}`, Delay: 40 * time.Millisecond})
		began := session.Now()
		resp, err := tr.Do(heartbeat, 2*time.Second, nil)
		require.NoError(t, err)
		assert.Equal(t, 200, resp.Status)
		o.within(t, "answered", session.Now(), began.Add(40*time.Millisecond))
		assert.False(t, o.seenN(t, srv, 1)[0].Aborted)
	})

	for name, a := range map[string]Answer{"Hang": {Hang: true}, "AnswerTooLate": {Status: 200, Delay: 2 * time.Second}} {
		o.run(t, "TimeoutAborts"+name, func(t *testing.T) {
			tr, srv := setup(t)
			srv.Next(a)
			began := session.Now()
			_, err := tr.Do(heartbeat, 30*time.Millisecond, nil)
			assert.Equal(t, session.ErrTimeout, err)
			o.within(t, "timed out", session.Now(), began.Add(30*time.Millisecond))
			o.seenN(t, srv, 1)
			o.eventually(t, "the request is aborted", func() bool { return srv.Seen()[0].Aborted })
		})
	}

	o.run(t, "StopAborts", func(t *testing.T) {
		tr, srv := setup(t)
		srv.Next(Answer{Hang: true})
		stop := &session.Stop{}
		errc := make(chan error, 1)
		go func() {
			_, err := tr.Do(heartbeat, 0, stop)
			errc <- err
		}()
		assert.False(t, o.seenN(t, srv, 1)[0].Aborted)
		stop.Fire()
		assert.Equal(t, session.ErrCanceled, recv(t, errc, "Do after its stop"))
		o.eventually(t, "the request is aborted", func() bool { return srv.Seen()[0].Aborted })
	})

	o.run(t, "FiredStopSendsNothing", func(t *testing.T) {
		tr, srv := setup(t)
		stop := &session.Stop{}
		stop.Fire()
		_, err := tr.Do(heartbeat, time.Second, stop)
		assert.Equal(t, session.ErrCanceled, err)
		o.yield(t)
		assert.Empty(t, srv.Seen())
	})

	o.run(t, "StopAfterTheAnswerAbortsNothing", func(t *testing.T) {
		tr, srv := setup(t)
		stop := &session.Stop{}
		_, err := tr.Do(heartbeat, time.Second, stop)
		require.NoError(t, err)
		stop.Fire()
		o.yield(t)
		assert.False(t, o.seenN(t, srv, 1)[0].Aborted)
	})

	o.run(t, "BeaconGoesWithoutWaiting", func(t *testing.T) {
		tr, srv := setup(t)
		srv.Next(Answer{Hang: true}) // Beacon must not wait for it
		began := session.Now()
		errc := make(chan error, 1)
		go func() { errc <- tr.Beacon(end) }()
		require.NoError(t, recv(t, errc, "Beacon"))
		o.within(t, "Beacon returned", session.Now(), began)
		seen := o.seenN(t, srv, 1)[0]
		assert.Equal(t, end.URL, seen.URL)
		assert.Equal(t, end.Token, seen.Token)
		assert.True(t, seen.KeepAlive, "it outlives the page")
		assert.False(t, seen.Aborted)
	})
}

// ScheduledTransport runs session.ScheduledTransport's contract.
func ScheduledTransport(t *testing.T, o Options, setup func(t *testing.T) (session.ScheduledTransport, Server)) {
	o.run(t, "SentAtItsTime", func(t *testing.T) {
		tr, srv := setup(t)
		srv.Next(Answer{Status: 200, Body: `{"success":true,"n":1}`})
		at := session.Now().Add(40 * time.Millisecond)
		sent, resp, err := tr.DoAt(at, time.Second, heartbeat, nil)
		require.NoError(t, err)
		assert.Equal(t, 200, resp.Status)
		assert.Equal(t, map[string]any{"success": true, "n": 1.0}, resp.Body)
		o.within(t, "sent", sent, at)
		seen := o.seenN(t, srv, 1)[0]
		o.within(t, "arrived", seen.At, at)
		assert.Equal(t, heartbeat.URL, seen.URL)
		assert.Equal(t, heartbeat.Token, seen.Token)
		assert.Equal(t, heartbeat.Credentials, seen.Credentials)
		if !resp.Received.IsZero() {
			o.within(t, "received", resp.Received, sent)
		}
	})

	o.run(t, "PastTimeSendsAtOnce", func(t *testing.T) {
		tr, srv := setup(t)
		now := session.Now()
		sent, _, err := tr.DoAt(now.Add(-time.Second), time.Second, heartbeat, nil)
		require.NoError(t, err)
		o.within(t, "sent", sent, now)
		o.seenN(t, srv, 1)
	})

	o.run(t, "WithdrawnBeforeItsTimeIsNeverSent", func(t *testing.T) {
		tr, srv := setup(t)
		stop := &session.Stop{}
		began := session.Now()
		at := began.Add(500 * time.Millisecond) // far enough for a stalled event loop
		defer time.AfterFunc(40*time.Millisecond, stop.Fire).Stop()
		sent, _, err := tr.DoAt(at, time.Second, heartbeat, stop)
		assert.Equal(t, session.ErrCanceled, err)
		assert.True(t, sent.IsZero(), "never sent")
		o.within(t, "withdrawn", session.Now(), began.Add(40*time.Millisecond))
		// Past the first one's time, a second one goes out alone.
		later := at.Add(40 * time.Millisecond)
		_, _, err = tr.DoAt(later, time.Second, end, nil)
		require.NoError(t, err)
		seen := o.seenN(t, srv, 1)[0]
		assert.Equal(t, end.URL, seen.URL)
		o.within(t, "the second arrived", seen.At, later)
	})

	o.run(t, "TimeoutCountsFromTheSend", func(t *testing.T) {
		tr, srv := setup(t)
		srv.Next(Answer{Hang: true})
		at := session.Now().Add(60 * time.Millisecond) // later than the timeout from now
		sent, _, err := tr.DoAt(at, 30*time.Millisecond, heartbeat, nil)
		assert.Equal(t, session.ErrTimeout, err)
		o.within(t, "sent", sent, at)
		o.within(t, "timed out", session.Now(), sent.Add(30*time.Millisecond))
		o.seenN(t, srv, 1)
		o.eventually(t, "the request is aborted", func() bool { return srv.Seen()[0].Aborted })
	})

	o.run(t, "StopInFlightAborts", func(t *testing.T) {
		tr, srv := setup(t)
		srv.Next(Answer{Hang: true})
		stop := &session.Stop{}
		type out struct {
			sent session.Instant
			err  error
		}
		done := make(chan out, 1)
		at := session.Now()
		go func() {
			sent, _, err := tr.DoAt(at, time.Minute, heartbeat, stop)
			done <- out{sent, err}
		}()
		o.seenN(t, srv, 1)
		stop.Fire()
		r := recv(t, done, "DoAt after its stop")
		assert.Equal(t, session.ErrCanceled, r.err)
		if !r.sent.IsZero() { // the send may not have been reported yet
			o.within(t, "sent", r.sent, at)
		}
		o.eventually(t, "the request is aborted", func() bool { return srv.Seen()[0].Aborted })
	})

	o.run(t, "NetworkFailureIsAnError", func(t *testing.T) {
		tr, srv := setup(t)
		srv.Next(Answer{Fail: true})
		now := session.Now()
		sent, _, err := tr.DoAt(now, time.Second, heartbeat, nil)
		require.Error(t, err)
		assert.NotEqual(t, session.ErrTimeout, err)
		assert.NotEqual(t, session.ErrCanceled, err)
		assert.False(t, strings.Contains(err.Error(), heartbeat.Token), "the token is not in the error")
		o.within(t, "sent", sent, now)
		o.seenN(t, srv, 1)
	})

	o.run(t, "FiredStopSendsNothing", func(t *testing.T) {
		tr, srv := setup(t)
		stop := &session.Stop{}
		stop.Fire()
		sent, _, err := tr.DoAt(session.Now(), time.Second, heartbeat, stop)
		assert.Equal(t, session.ErrCanceled, err)
		assert.True(t, sent.IsZero())
		o.yield(t)
		assert.Empty(t, srv.Seen())
	})
}

// Deferred is a request left with the server's side to be sent when the page
// is gone (fetchLater).
type Deferred struct {
	URL       string
	Token     string
	Withdrawn bool
}

// DeferServer is a Server that also sees what is deferred.
type DeferServer interface {
	Server
	Deferred() []Deferred
}

// DeferredSender runs session.DeferredSender's contract.
func DeferredSender(t *testing.T, o Options, setup func(t *testing.T) (session.DeferredSender, DeferServer)) {
	o.run(t, "DeferredNotSentWhileThePageLives", func(t *testing.T) {
		ds, srv := setup(t)
		cancel, err := ds.Defer(end)
		require.NoError(t, err)
		require.NotNil(t, cancel)
		o.yield(t)
		assert.Equal(t, []Deferred{{URL: end.URL, Token: end.Token}}, srv.Deferred())
		assert.Empty(t, srv.Seen(), "nothing sent now")
	})

	o.run(t, "CancelWithdrawsOnlyItsOwn", func(t *testing.T) {
		ds, srv := setup(t)
		first, err := ds.Defer(end)
		require.NoError(t, err)
		other := end
		other.Token = "another-token"
		_, err = ds.Defer(other)
		require.NoError(t, err)
		first()
		first() // harmless
		assert.Equal(t, []Deferred{{URL: end.URL, Token: end.Token, Withdrawn: true}, {URL: end.URL, Token: "another-token"}}, srv.Deferred())
		assert.Empty(t, srv.Seen())
	})
}
