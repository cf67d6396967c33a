//go:build js && wasm

package browser

import (
	"context"
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
	answer chan safejs.Value // buffered, written at most once: the Worker's answer, or undefined when the Worker failed
	sent   time.Time         // when the Worker called fetch; zero before
	skew   float64           // the Worker's Date.now() minus Go's clock, in ms
	token  string            // for ResponseOf, which scrubs it out of the answer
}

// DoAt implements session.ScheduledTransport. The Go side never waits inside
// a JS callback: the clock's one message listener looks the answer up and
// drops it into the request's buffered channel. No JS function is made per
// request, so nothing is left to release however DoAt returns.
func (t *WorkerTransport) DoAt(ctx context.Context, at time.Time, timeout time.Duration, req session.Request) (time.Time, session.Response, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, session.Response{}, err
	}
	c := t.clock
	c.once.Do(c.start) // in the engine's goroutine: may wait for the handshake
	r, err := c.schedule(at, timeout, req)
	if err != nil {
		return time.Time{}, session.Response{}, err
	}
	if r == nil {
		return t.doOnPage(ctx, at, timeout, req)
	}
	select {
	case data := <-r.answer:
		if data.IsUndefined() {
			// The Worker failed meanwhile. Whatever it did with the
			// request, it sends no more: the page does (a heartbeat sent
			// twice is harmless).
			return t.doOnPage(ctx, at, timeout, req)
		}
		return r.result(data)
	case <-ctx.Done():
		return c.withdraw(r), session.Response{}, ctx.Err()
	}
}

// doOnPage is DoAt without a Worker: a page timer, then Do.
func (t *WorkerTransport) doOnPage(ctx context.Context, at time.Time, timeout time.Duration, req session.Request) (time.Time, session.Response, error) {
	if d := time.Until(at); d > 0 {
		wait := time.NewTimer(d)
		select {
		case <-wait.C:
		case <-ctx.Done():
			wait.Stop()
			return time.Time{}, session.Response{}, ctx.Err()
		}
	}
	sent := time.Now()
	rctx, cancel := ctx, context.CancelFunc(func() {})
	if timeout > 0 {
		rctx, cancel = context.WithTimeout(ctx, timeout)
	}
	defer cancel()
	resp, err := t.Do(rctx, req)
	if err != nil && ctx.Err() == nil && rctx.Err() != nil {
		err = session.ErrTimeout
	}
	return sent, resp, err
}

// schedule posts req to the Worker for at; nil without error when the clock
// uses page timers. The init object is fetchInit's, the page's own rule for
// the request, which holds only cloneable values (the Worker adds its signal).
func (c *WorkerClock) schedule(at time.Time, timeout time.Duration, req session.Request) (*workerRequest, error) {
	init, err := fetchInit(req)
	if err != nil {
		return nil, err
	}
	// The Worker counts in its Date.now(); Go's clock on js/wasm is
	// performance.timeOrigin + performance.now(), which can drift from it
	// (a machine that slept): measure the difference now, convert both ways.
	skew := 0.0
	if now, err := jsGlobal("Date").Call("now"); err == nil {
		if ms, err := now.Float(); err == nil {
			skew = ms - epochMs(time.Now())
		}
	}
	c.mu.Lock()
	if c.fallback != "" {
		c.mu.Unlock()
		return nil, nil
	}
	c.nextID++
	r := &workerRequest{id: c.nextID, answer: make(chan safejs.Value, 1), skew: skew, token: req.Token}
	c.requests[r.id] = r
	c.mu.Unlock()

	// A dict has no prototype: a page's setters on Object.prototype do not
	// run (and cannot read the init) while it is filled.
	msg, err := dict([]string{"id", "at", "timeout", "url", "init"},
		[]any{r.id, epochMs(at) + skew, max(float64(timeout)/float64(time.Millisecond), 0), req.URL, init})
	if err == nil {
		_, err = c.worker.Call("postMessage", msg)
	}
	if err != nil {
		// fail answers r with undefined: DoAt goes on from the page.
		c.fail("postMessage to the timer Worker failed: " + jsErrorText(thrownValue(err)))
	}
	return r, nil
}

// answer takes a scheduled request's message from the Worker (in its JS
// callback: it never blocks). The started message only records the send.
func (c *WorkerClock) answer(data safejs.Value) {
	id, err := prop(data, "id").Int()
	if err != nil {
		return
	}
	c.mu.Lock()
	r := c.requests[id]
	if r == nil { // withdrawn
		c.mu.Unlock()
		return
	}
	if started, _ := prop(data, "started").Bool(); started {
		r.sent = r.fromMs(prop(data, "sent"))
		c.mu.Unlock()
		return
	}
	delete(c.requests, id)
	c.mu.Unlock()
	r.answer <- data
}

// withdraw takes r back: a pending request is never sent, one in flight is
// aborted. It returns when r was sent (zero when it was not).
func (c *WorkerClock) withdraw(r *workerRequest) time.Time {
	c.mu.Lock()
	_, pending := c.requests[r.id]
	delete(c.requests, r.id)
	sent, viaWorker := r.sent, c.fallback == ""
	c.mu.Unlock()
	if pending && viaWorker {
		if msg, err := dict([]string{"cancel"}, []any{r.id}); err == nil {
			_, _ = c.worker.Call("postMessage", msg)
		}
	}
	return sent
}

// result reads the Worker's final message for r: the response through the
// same ResponseOf as the page's fetch, or why none came.
func (r *workerRequest) result(data safejs.Value) (time.Time, session.Response, error) {
	sent := r.fromMs(prop(data, "sent"))
	if msg := prop(data, "error"); !msg.IsUndefined() {
		if timedOut, _ := prop(data, "timeout").Bool(); timedOut {
			return sent, session.Response{}, session.ErrTimeout
		}
		return sent, session.Response{}, errors.New("fetch failed: " + describeValue(msg))
	}
	status, _ := prop(data, "status").Int()
	resp := ResponseOf(status, stringProp(data, "type"), stringProp(data, "retryAfter"), prop(data, "text"), r.token)
	resp.Received = r.fromMs(prop(data, "received")) // the Worker's, not delayed by a stalled page
	return sent, resp, nil
}

// fromMs converts the Worker's Date.now() ms to Go's clock.
func (r *workerRequest) fromMs(v safejs.Value) time.Time {
	ms, err := v.Float()
	if err != nil || ms <= 0 {
		return time.Time{}
	}
	ms -= r.skew
	return time.UnixMilli(0).Add(time.Duration(ms * float64(time.Millisecond)))
}

func epochMs(t time.Time) float64 { return float64(t.UnixNano()) / float64(time.Millisecond) }
