//go:build js && wasm

package browser

import (
	"errors"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// WorkerTransport is the page's Transport plus DoAt, which has the
// WorkerClock's Worker both wait for the send time and call fetch: a main
// thread stalled by the game (a level loading) then delays neither. Where
// the clock fell back to page timers (no Worker, a CSP without worker-src
// blob:, a failed handshake) DoAt waits on a page timer and calls Do; the
// clock's Describe says which.
//
// It embeds *Transport, so Do, Beacon and Defer are the page's; the engine
// finds DoAt with its type assertion on Config.Transport.
type WorkerTransport struct {
	*Transport
	clock *WorkerClock
}

var _ session.ScheduledTransport = (*WorkerTransport)(nil)

// NewWorkerTransport returns t with DoAt through clock's Worker.
func NewWorkerTransport(t *Transport, clock *WorkerClock) *WorkerTransport {
	return &WorkerTransport{Transport: t, clock: clock}
}

// workerRequest is one scheduled request posted to the Worker.
type workerRequest struct {
	id     int
	answer chan workerAnswer // buffered (2): the Worker's answer or failure, and a stop
	sent   session.Instant   // when the Worker called fetch; zero before
	skew   float64           // the Worker's Date.now() minus Go's clock, in ms
}

// workerAnswer is what ends DoAt's wait: the Worker's final message, its
// failure, or the session's stop.
type workerAnswer struct {
	sent     session.Instant
	resp     session.Response
	err      error
	failed   bool // the Worker failed: the page sends the request
	canceled bool // the stop fired
}

// DoAt implements session.ScheduledTransport. The Go side never waits inside
// a JS callback: the clock's one message listener looks the answer up and
// drops it into the request's buffered channel, where a stop also lands. No
// JS function is made per request, so nothing is left to release however
// DoAt returns.
func (t *WorkerTransport) DoAt(at session.Instant, timeout time.Duration, req session.Request, stop *session.Stop) (session.Instant, session.Response, error) {
	if stop.Fired() {
		return 0, session.Response{}, session.ErrCanceled
	}
	c := t.clock
	c.once.Do(c.start) // in the engine's goroutine: may wait for the handshake
	r, err := c.schedule(at, timeout, req)
	if err != nil {
		return 0, session.Response{}, err
	}
	if r == nil {
		return t.doOnPage(at, timeout, req, stop)
	}
	remove := stop.OnFire(func() { r.answer <- workerAnswer{canceled: true} })
	a := <-r.answer
	remove()
	switch {
	case a.canceled:
		return c.withdraw(r), session.Response{}, session.ErrCanceled
	case a.failed:
		// The Worker failed meanwhile. Whatever it did with the request,
		// it sends no more: the page does (a heartbeat sent twice is
		// harmless).
		return t.doOnPage(at, timeout, req, stop)
	}
	return a.sent, a.resp, a.err
}

// doOnPage is DoAt without a Worker: a page timer, then Do.
func (t *WorkerTransport) doOnPage(at session.Instant, timeout time.Duration, req session.Request, stop *session.Stop) (session.Instant, session.Response, error) {
	if d := at.Sub(session.Now()); d > 0 {
		due := make(chan bool, 2)
		wait := time.AfterFunc(d, func() { due <- true })
		remove := stop.OnFire(func() { due <- false })
		ok := <-due
		wait.Stop()
		remove()
		if !ok {
			return 0, session.Response{}, session.ErrCanceled
		}
	}
	sent := session.Now()
	resp, err := t.Do(req, timeout, stop)
	return sent, resp, err
}

// schedule posts req to the Worker for at; nil without error when the clock
// uses page timers. The host's send makes the init, the page's own rule for
// the request (the Worker adds its signal).
func (c *WorkerClock) schedule(at session.Instant, timeout time.Duration, req session.Request) (*workerRequest, error) {
	// The Worker counts in its Date.now(); Go's clock on js/wasm is
	// performance.timeOrigin + performance.now(), which can drift from it
	// (a machine that slept): measure the difference now, convert both ways.
	skew := 0.0
	if now, err := jsDate.Call("now"); err == nil {
		if ms, err := now.Float(); err == nil {
			skew = ms - epochMs(session.Now())
		}
	}
	c.mu.Lock()
	if c.fallback != "" {
		c.mu.Unlock()
		return nil, nil
	}
	c.nextID++
	r := &workerRequest{id: c.nextID, answer: make(chan workerAnswer, 2), skew: skew}
	c.requests[r.id] = r
	c.mu.Unlock()

	if err := c.post(c.send, r.id, epochMs(at)+skew, max(float64(timeout)/float64(time.Millisecond), 0),
		req.URL, req.Token, req.Credentials, req.KeepAlive); err != "" {
		c.fail(err) // which answers r: DoAt goes on from the page
	}
	return r, nil
}

// answer takes a scheduled request's news from the Worker, the host's
// onMessage(kind, id, sent, received, failure, status, type, retryAfter,
// body), in its JS callback: it never blocks. The started message only
// records the send; the answer is read here, through the same responseOf as
// the page's fetch.
func (c *WorkerClock) answer(kind string, id int, args []safejs.Value) {
	c.mu.Lock()
	r := c.requests[id]
	if r == nil { // withdrawn
		c.mu.Unlock()
		return
	}
	if kind == "started" {
		r.sent = r.fromMs(arg(args, 2))
		c.mu.Unlock()
		return
	}
	delete(c.requests, id)
	c.mu.Unlock()
	a := workerAnswer{sent: r.fromMs(arg(args, 2))}
	switch failure := stringOf(arg(args, 4)); {
	case kind == "timeout":
		a.err = session.ErrTimeout
	case failure != "":
		a.err = errors.New(failure)
	case kind != "answer":
		a.err = errors.New("the timer Worker said " + kind)
	default:
		a.resp = responseOf(arg(args, 5), stringOf(arg(args, 6)), stringOf(arg(args, 7)), arg(args, 8))
		a.resp.Received = r.fromMs(arg(args, 3)) // the Worker's, not delayed by a stalled page
	}
	r.answer <- a
}

// withdraw takes r back: a pending request is never sent, one in flight is
// aborted. It returns when r was sent (zero when it was not).
func (c *WorkerClock) withdraw(r *workerRequest) session.Instant {
	c.mu.Lock()
	_, pending := c.requests[r.id]
	delete(c.requests, r.id)
	sent, viaWorker := r.sent, c.fallback == ""
	c.mu.Unlock()
	if pending && viaWorker {
		_ = c.post(c.cancel, r.id)
	}
	return sent
}

// fromMs converts the Worker's Date.now() ms to Go's clock.
func (r *workerRequest) fromMs(v safejs.Value) session.Instant {
	ms, err := v.Float()
	if err != nil || ms <= 0 {
		return 0
	}
	return session.Instant((ms - r.skew) * float64(time.Millisecond))
}

func epochMs(t session.Instant) float64 { return float64(t) / float64(time.Millisecond) }
