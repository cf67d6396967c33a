package session

import (
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// Test doubles: a scripted transport that records what it was asked and
// when (fake time under synctest), an event recorder, a page whose online
// flag the test sets, and a clock whose timers a "hidden page" delays.

const testToken = "eyJhbGciOiJIUzI1NiJ9.test-token-payload.signature"

func testOptions() Options {
	o := DefaultOptions()
	o.APIBase = "https://api.test"
	return o
}

// reply is one scripted answer.
type reply struct {
	status int
	body   any
	err    error         // no response: a network failure
	delay  time.Duration // simulated round trip (overrides fakeTransport.rtt)
	hang   bool          // never answers; only a timeout or a stop ends it

	redirected bool          // Response.Redirected
	retryAfter time.Duration // Response.RetryAfter
}

func okReply() reply { return reply{status: 200, body: map[string]any{"success": true}} }

func codeReply(status int, code string) reply {
	return reply{status: status, body: map[string]any{"success": false, "error": code, "message": "server says " + code}}
}

var errNetwork = errors.New("Failed to fetch")

type call struct {
	req     Request
	at      time.Time // sent
	done    time.Time // answered or aborted
	aborted bool
}

type fakeTransport struct {
	mu        sync.Mutex
	rtt       time.Duration
	script    func(req Request, n int) reply // n: index of this call among calls of its op
	calls     []*call
	beacons   []Request
	inFlight  int
	maxFlight int
}

func (f *fakeTransport) Do(req Request, timeout time.Duration, stop *Stop) (Response, error) {
	if stop.Fired() { // nothing is sent
		return Response{}, ErrCanceled
	}
	f.mu.Lock()
	n := 0
	for _, c := range f.calls {
		if c.req.Op == req.Op {
			n++
		}
	}
	c := &call{req: req, at: time.Now()}
	f.calls = append(f.calls, c)
	f.inFlight++
	f.maxFlight = max(f.maxFlight, f.inFlight)
	script, rtt := f.script, f.rtt
	f.mu.Unlock()

	rep := okReply()
	if script != nil {
		rep = script(req, n)
	}
	if rep.delay > 0 {
		rtt = rep.delay
	}
	// The answer, the timeout or the stop, whichever comes first.
	outcome := make(chan error, 3)
	if !rep.hang {
		if rtt > 0 {
			defer time.AfterFunc(rtt, func() { outcome <- nil }).Stop()
		} else {
			outcome <- nil
		}
	}
	if timeout > 0 {
		defer time.AfterFunc(timeout, func() { outcome <- ErrTimeout }).Stop()
	}
	defer stop.OnFire(func() { outcome <- ErrCanceled })()
	aborted := <-outcome

	f.mu.Lock()
	f.inFlight--
	c.done = time.Now()
	c.aborted = aborted != nil
	f.mu.Unlock()
	if aborted != nil {
		return Response{}, aborted
	}
	if rep.err != nil {
		return Response{}, rep.err
	}
	return Response{Status: rep.status, Body: rep.body, Redirected: rep.redirected, RetryAfter: rep.retryAfter}, nil
}

func (f *fakeTransport) Beacon(req Request) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.beacons = append(f.beacons, req)
	return nil
}

func (f *fakeTransport) setScript(s func(req Request, n int) reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = s
}

// ops returns the recorded calls of op (all calls when op is "").
func (f *fakeTransport) ops(op Op) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if op == "" || c.req.Op == op {
			out = append(out, *c)
		}
	}
	return out
}

// sendTimes returns when each call of op was sent, relative to t0.
func (f *fakeTransport) sendTimes(op Op, t0 time.Time) []time.Duration {
	var out []time.Duration
	for _, c := range f.ops(op) {
		out = append(out, c.at.Sub(t0))
	}
	return out
}

func (f *fakeTransport) maxInFlight() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.maxFlight
}

func (f *fakeTransport) beaconCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.beacons)
}

type recorder struct {
	mu     sync.Mutex
	events []Event
	logs   []string
}

func (r *recorder) emit(ev Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

func (r *recorder) log(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, s)
}

// of returns the details of the events of type t, as the game sees them.
func (r *recorder) of(t EventType) []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, ev := range r.events {
		if ev.Type == t {
			out = append(out, detail(ev))
		}
	}
	return out
}

// detail is ev's detail object as design.md names its fields (the browser
// builds the same one in JS).
func detail(ev Event) map[string]any {
	switch ev.Type {
	case EventStateChange:
		return map[string]any{"state": string(ev.State), "previous": string(ev.Previous)}
	case EventHeartbeat:
		return map[string]any{"rttMs": float64(ev.RTT) / float64(time.Millisecond), "at": ev.At.UnixMilli()}
	case EventError:
		return map[string]any{"code": string(ev.Err.Code), "status": float64(ev.Err.Status), "message": ev.Err.Message, "fatal": ev.Fatal}
	}
	return map[string]any{"reason": ev.Reason}
}

// states is the sequence of states entered, from statechange events.
func (r *recorder) states() []string {
	var out []string
	for _, d := range r.of(EventStateChange) {
		out = append(out, d["state"].(string))
	}
	return out
}

func (r *recorder) types() []EventType {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []EventType
	for _, ev := range r.events {
		out = append(out, ev.Type)
	}
	return out
}

type fakePage struct {
	mu     sync.Mutex
	online bool
}

func (p *fakePage) Online() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.online
}

func (p *fakePage) set(online bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.online = online
}

// hiddenClock is package time, except that while hidden every new timer is
// late by lag, as a hidden tab's throttled timers are.
type hiddenClock struct {
	mu     sync.Mutex
	hidden bool
	lag    time.Duration
}

func (c *hiddenClock) Now() Instant { return Now() }

func (c *hiddenClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	if c.hidden {
		d += c.lag
	}
	c.mu.Unlock()
	return RealClock{}.AfterFunc(d, f)
}

func (c *hiddenClock) setHidden(h bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hidden = h
}

type harness struct {
	e    *Engine
	tr   *fakeTransport
	rec  *recorder
	page *fakePage
	t0   time.Time
}

// newHarness makes an engine on a fake transport; call inside synctest.Test.
func newHarness(t *testing.T, configure ...func(*Config)) *harness {
	h := &harness{tr: &fakeTransport{}, rec: &recorder{}, page: &fakePage{online: true}, t0: time.Now()}
	cfg := Config{Transport: h.tr, Page: h.page, Emit: h.rec.emit, Log: h.rec.log}
	for _, f := range configure {
		f(&cfg)
	}
	h.e = New(cfg)
	t.Cleanup(h.stop) // even when a require fails, so the bubble's goroutines exit
	return h
}

// start starts a session with testToken and fails the test if it fails.
func (h *harness) start(t *testing.T, opts Options) {
	t.Helper()
	require.NoError(t, h.e.Start(testToken, opts))
	// Start returns once the session is settled; the events queued with it
	// are delivered by the loop goroutine right after. Let it finish.
	synctest.Wait()
}

// stop ends whatever is left, so the bubble's goroutines exit.
func (h *harness) stop() {
	_ = h.e.End()
	synctest.Wait()
}

// since is the fake time elapsed since the harness was made.
func (h *harness) since() time.Duration { return time.Since(h.t0) }

func seconds(s ...float64) []time.Duration {
	var out []time.Duration
	for _, x := range s {
		out = append(out, time.Duration(x*float64(time.Second)))
	}
	return out
}

// The contract suites (package sessiontest) run against the fakes above
// through the exported hooks below, from contract_test.go (package
// session_test, which may import sessiontest): the engine's tests and the
// browser's implementations then meet the same rules.

// FakeServer is the far side of the fake transports: a queue of scripted
// answers and the requests that arrived.
type FakeServer struct {
	tr *fakeTransport
	dt *deferringTransport

	mu   sync.Mutex
	next []reply
}

// FakeSeen is a request that reached a FakeServer.
type FakeSeen struct {
	Request
	At      Instant // zero for a beacon
	Aborted bool
}

// FakeDeferred is a request deferred with the fake.
type FakeDeferred struct {
	Request
	Withdrawn bool
}

// NewFakeServer makes the fake transports over one FakeServer.
func NewFakeServer() *FakeServer {
	s := &FakeServer{tr: &fakeTransport{}}
	s.dt = &deferringTransport{fakeTransport: s.tr}
	s.tr.script = func(Request, int) reply {
		s.mu.Lock()
		defer s.mu.Unlock()
		if len(s.next) == 0 {
			return okReply()
		}
		r := s.next[0]
		s.next = s.next[1:]
		return r
	}
	return s
}

// Transport is the engine tests' fake transport.
func (s *FakeServer) Transport() Transport { return s.tr }

// Scheduled is the engine tests' fake ScheduledTransport.
func (s *FakeServer) Scheduled() ScheduledTransport { return &fakeScheduled{fakeTransport: s.tr} }

// Deferring is the engine tests' fake fetchLater.
func (s *FakeServer) Deferring() DeferredSender { return s.dt }

// Next queues an answer: status and body, or a network failure (fail), or
// none ever (hang), after delay.
func (s *FakeServer) Next(status int, body any, fail, hang bool, delay time.Duration) {
	r := reply{status: status, body: body, hang: hang, delay: delay}
	if fail {
		r.err = errNetwork
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next = append(s.next, r)
}

// Seen lists the requests sent, then the beacons.
func (s *FakeServer) Seen() []FakeSeen {
	var out []FakeSeen
	for _, c := range s.tr.ops("") {
		out = append(out, FakeSeen{Request: c.req, At: Instant(c.at.UnixNano()), Aborted: c.aborted})
	}
	s.tr.mu.Lock()
	defer s.tr.mu.Unlock()
	for _, b := range s.tr.beacons {
		b.KeepAlive = true // sent so as to outlive the page
		out = append(out, FakeSeen{Request: b})
	}
	return out
}

// Deferred lists the requests deferred.
func (s *FakeServer) Deferred() []FakeDeferred {
	s.dt.mu.Lock()
	defer s.dt.mu.Unlock()
	var out []FakeDeferred
	for _, d := range s.dt.armed {
		out = append(out, FakeDeferred{Request: d.req, Withdrawn: d.cancelled})
	}
	return out
}

// NewFakeLocks is the engine tests' fake Web Locks; releaseDelay frees a
// released lock that much later, as browsers do.
func NewFakeLocks(releaseDelay time.Duration) Locker {
	l := newFakeLocks()
	l.releaseDelay = releaseDelay
	return l
}

// NewHiddenClock is the engine tests' clock of a page that may be hidden
// (here visible).
func NewHiddenClock() Clock { return &hiddenClock{} }
