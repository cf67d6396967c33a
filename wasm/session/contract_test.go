package session_test

import (
	"encoding/json"
	"testing"
	"testing/synctest"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/game-session/game-session/wasm/session/sessiontest"
)

// The engine's fakes (fake_test.go, lock_test.go, mobile_test.go,
// deferred_test.go) pass the same contracts as the browser's implementations
// (wasm/browser/contract_test.go), in fake time: exact.
var inBubble = sessiontest.Options{
	Run:   synctest.Test,
	Yield: func(*testing.T) { synctest.Wait() },
}

// server is a FakeServer as the suites drive it.
type server struct{ *session.FakeServer }

func (s server) Next(a sessiontest.Answer) {
	var body any
	if json.Unmarshal([]byte(a.Body), &body) != nil {
		body = nil // as the browser: a body that is not JSON is nil
	}
	s.FakeServer.Next(a.Status, body, a.Fail, a.Hang, a.Delay)
}

func (s server) Seen() []sessiontest.Seen {
	var out []sessiontest.Seen
	for _, c := range s.FakeServer.Seen() {
		out = append(out, sessiontest.Seen{URL: c.URL, Token: c.Token, Credentials: c.Credentials,
			KeepAlive: c.KeepAlive, At: c.At, Aborted: c.Aborted})
	}
	return out
}

func (s server) Deferred() []sessiontest.Deferred {
	var out []sessiontest.Deferred
	for _, d := range s.FakeServer.Deferred() {
		out = append(out, sessiontest.Deferred{URL: d.URL, Token: d.Token, Withdrawn: d.Withdrawn})
	}
	return out
}

func TestFakeTransportContract(t *testing.T) {
	sessiontest.Transport(t, inBubble, func(*testing.T) (session.Transport, sessiontest.Server) {
		s := session.NewFakeServer()
		return s.Transport(), server{s}
	})
}

func TestFakeScheduledTransportContract(t *testing.T) {
	sessiontest.ScheduledTransport(t, inBubble, func(*testing.T) (session.ScheduledTransport, sessiontest.Server) {
		s := session.NewFakeServer()
		return s.Scheduled(), server{s}
	})
}

func TestFakeDeferredSenderContract(t *testing.T) {
	sessiontest.DeferredSender(t, inBubble, func(*testing.T) (session.DeferredSender, sessiontest.DeferServer) {
		s := session.NewFakeServer()
		return s.Deferring(), server{s}
	})
}

func TestClockContract(t *testing.T) {
	t.Run("RealClock", func(t *testing.T) {
		sessiontest.Clock(t, inBubble, func(*testing.T) session.Clock { return session.RealClock{} })
	})
	t.Run("fake hiddenClock", func(t *testing.T) {
		sessiontest.Clock(t, inBubble, func(*testing.T) session.Clock { return session.NewHiddenClock() })
	})
}

func TestFakeLocksContract(t *testing.T) {
	for name, delay := range map[string]time.Duration{"freed at once": 0, "freed later": 5 * time.Millisecond} {
		t.Run(name, func(t *testing.T) {
			sessiontest.Locker(t, inBubble, func(*testing.T) session.Locker { return session.NewFakeLocks(delay) })
		})
	}
}
