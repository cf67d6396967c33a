package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/game-session/game-session/harness"
)

// The dev server, its call record and the Chromium launch are shared with
// the bench (../harness); this file adapts them to tests: every helper
// fails the test instead of returning an error.

// Call, Session and Faults are the dev server's records (see harness).
type (
	Call    = harness.Call
	Session = harness.Session
	Faults  = harness.Faults
	// syncBuffer collects a child process's output.
	syncBuffer = harness.SyncBuffer
)

// devClient is the client of the dev requests (10 s per request).
var devClient = harness.DevClient

// devServer is one running dev server, owned by one test.
type devServer struct {
	t   testing.TB
	h   *harness.DevServer
	URL string // "http://127.0.0.1:PORT" without the trailing slash
}

// startServer runs the dev server on a free port with the test pages as its
// static root; flags add to or override that (-ttl, -cors-origin, -root). The
// server stops when the test ends.
func startServer(t testing.TB, flags ...string) *devServer {
	t.Helper()
	h, err := harness.StartDevServer(devServerBin, append([]string{"-root", fixtureRoot}, flags...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		h.Close()
		if t.Failed() {
			t.Logf("dev server %v stderr:\n%s", flags, tail(h.Stderr(), 4000))
		}
	})
	return &devServer{t: t, h: h, URL: h.URL}
}

func tail(s string, n int) string { return harness.Tail(s, n) }

// must fails the test on err.
func (s *devServer) must(err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatal(err)
	}
}

// do sends one dev request and decodes a JSON answer into out (when not nil).
func (s *devServer) do(method, path string, body, out any, wantStatus int) {
	s.t.Helper()
	s.must(s.h.Do(context.Background(), method, path, body, out, wantStatus))
}

// Token returns a dev auth token for user. Never log it: it is a secret.
func (s *devServer) Token(user string) string {
	s.t.Helper()
	tok, err := s.h.Token(context.Background(), user, 0)
	s.must(err)
	return tok
}

// ExpiredToken returns a token for user that expired when it was made.
func (s *devServer) ExpiredToken(user string) string {
	s.t.Helper()
	tok, err := s.h.ExpiredToken(context.Background(), user)
	s.must(err)
	return tok
}

// Sessions lists the live sessions.
func (s *devServer) Sessions() []Session {
	s.t.Helper()
	l, err := s.h.Sessions(context.Background())
	s.must(err)
	return l
}

// Session returns user's live session, if any.
func (s *devServer) Session(user string) (Session, bool) {
	s.t.Helper()
	for _, x := range s.Sessions() {
		if x.User == user {
			return x, true
		}
	}
	return Session{}, false
}

// Expire ends user's session on the server side, as a lost TTL would.
func (s *devServer) Expire(user string) {
	s.t.Helper()
	s.must(s.h.Expire(context.Background(), user))
}

// SetFaults makes the API misbehave until ClearFaults.
func (s *devServer) SetFaults(f Faults) {
	s.t.Helper()
	s.must(s.h.SetFaults(context.Background(), f))
}

// ClearFaults makes the API behave again.
func (s *devServer) ClearFaults() {
	s.t.Helper()
	s.must(s.h.ClearFaults(context.Background()))
}

// Calls returns every API call the server saw after seq since, in order.
func (s *devServer) Calls(since int64) []Call {
	s.t.Helper()
	calls, err := s.h.Calls(context.Background(), since)
	s.must(err)
	return calls
}

// CallsOf returns the calls of user (all seqs).
func (s *devServer) CallsOf(user string) []Call {
	s.t.Helper()
	return harness.Of(s.Calls(0), user)
}

// WaitCalls polls the server's call log until ok accepts the calls of user,
// and returns them. It is the way to wait for "the server saw X".
func (s *devServer) WaitCalls(user string, timeout time.Duration, what string, ok func([]Call) bool) []Call {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		calls := s.CallsOf(user)
		if ok(calls) {
			return calls
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waited %v for the server to see %s (user %q); it saw:\n%s", timeout, what, user, formatCalls(calls))
		}
		time.Sleep(25 * time.Millisecond) // poll interval, not synchronisation
	}
}

func filterCalls(calls []Call, keep func(Call) bool) []Call { return harness.Filter(calls, keep) }

func formatCalls(calls []Call) string { return harness.FormatCalls(calls) }
