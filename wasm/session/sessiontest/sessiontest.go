// Package sessiontest holds the contracts of the engine's interfaces: one
// suite per interface (Transport, ScheduledTransport, DeferredSender, Clock,
// Locker), each a function that runs its cases as subtests against an
// implementation that a constructor makes.
//
// Both sides run the same suites, as hackpadfs runs one fstest suite against
// its memory and its IndexedDB file systems: the engine's own tests run them
// against the fakes they use (wasm/session/contract_test.go, in fake time
// with testing/synctest), and the browser package runs them against fetch,
// the Worker, the WorkerClock and Web Locks under Node (in real time, over
// the JS fakes of its tests). So a fake cannot promise the engine what the
// browser does not do.
//
// A suite drives the far side of an implementation (the server a transport
// talks to) through the small interfaces here: it scripts the answers and
// observes what arrived and what was aborted.
//
// The package is pure Go, imports neither syscall/js nor safejs, and is only
// ever imported by tests.
package sessiontest

import (
	"runtime"
	"testing"
	"time"

	"github.com/game-session/game-session/wasm/session"
)

// Options say how an implementation keeps time; the zero value is real
// time, exact.
type Options struct {
	// Run runs one case. Fakes on package time pass synctest.Test, so that
	// each case runs in a bubble of fake time; nil runs it as it is.
	Run func(t *testing.T, f func(t *testing.T))
	// Yield lets the implementation's pending work run before the suite
	// looks again at what it can observe: synctest.Wait in a bubble, a JS
	// task under Node. It is never a sleep.
	Yield func(t *testing.T)
	// Early and Late bound how far before or after its time, by
	// session.Now, something may happen. Zero in a bubble (exact); JS
	// timers count whole milliseconds from a cached time, and a busy event
	// loop is late.
	Early, Late time.Duration
}

// failAfter turns a hang into a failure; it never orders events.
const failAfter = 5 * time.Second

// Requests of the suites: awkward tokens, to see them arrive intact.
var (
	heartbeat = session.Request{Op: session.OpHeartbeat, URL: "https://api.example.com/api/games/sessions/heartbeat",
		Token: `t"o\k</script>🎮`, Credentials: "include"}
	end = session.Request{Op: session.OpEnd, URL: "https://api.example.com/api/games/sessions/end",
		Token: "end-token", Credentials: "same-origin"}
)

// Answer is how the server answers the next request.
type Answer struct {
	Status int
	Body   string        // the body as sent: JSON text, or anything else
	Delay  time.Duration // the answer comes that long after the request
	Fail   bool          // no response: a network failure
	Hang   bool          // no answer ever; only a timeout or a stop ends it
}

// Seen is a request as it reached the server.
type Seen struct {
	URL         string
	Token       string // auth_token of the JSON body
	Credentials string // fetch's credentials mode; "" where the way of sending has none
	KeepAlive   bool   // it outlives the page: fetch keepalive, fetchLater, sendBeacon
	At          session.Instant
	Aborted     bool // the sender gave up on it
}

// Server is the far side of a transport: the suite scripts it and looks at
// what arrived.
type Server interface {
	// Next queues the answer to the next request; a request with none
	// queued gets 200 {"success":true}.
	Next(Answer)
	// Seen lists the requests that were sent, in order.
	Seen() []Seen
}

func (o Options) run(t *testing.T, name string, f func(t *testing.T)) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		if o.Run != nil {
			o.Run(t, f)
			return
		}
		f(t)
	})
}

func (o Options) yield(t *testing.T) {
	t.Helper()
	if o.Yield != nil {
		o.Yield(t)
		return
	}
	runtime.Gosched()
}

// eventually waits, yielding, until cond holds.
func (o Options) eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; !cond(); i++ {
		if i >= 1000 {
			t.Fatalf("%s: never happened", what)
		}
		o.yield(t)
	}
}

// within checks that got is want, give or take Early and Late.
func (o Options) within(t *testing.T, what string, got, want session.Instant) {
	t.Helper()
	if d := got.Sub(want); d < -o.Early || d > o.Late {
		t.Errorf("%s %v from its time; want within [-%v, +%v]", what, d, o.Early, o.Late)
	}
}

// recv waits for ch, and fails the test after failAfter.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(failAfter):
		t.Fatalf("%s: nothing within %v", what, failAfter)
		var zero T
		return zero
	}
}

// seenN waits until n requests have arrived, and returns them.
func (o Options) seenN(t *testing.T, srv Server, n int) []Seen {
	t.Helper()
	var seen []Seen
	o.eventually(t, "the request reaches the server", func() bool { seen = srv.Seen(); return len(seen) >= n })
	if len(seen) != n {
		t.Fatalf("%d requests reached the server, want %d: %+v", len(seen), n, seen)
	}
	return seen
}
