//go:build js && wasm

package browser

import (
	"sync"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// WorkerClock is a session.Clock whose timers run in a dedicated Worker.
//
// Go's timers on js/wasm are setTimeout calls on the page, and Chrome
// throttles those in a hidden tab (to one wake-up a minute after five
// minutes): a 9 s heartbeat against a 10 s TTL would die. A dedicated
// Worker's setTimeout is not throttled that way, and its message to the page
// is a task, not a timer, so it wakes Go on time.
//
// The Worker is made from a Blob URL on first use, and used once it answered
// a first message. Where that is not allowed (no Worker at all, or a
// Content-Security-Policy without worker-src blob:, which Chromium reports
// with an error event rather than a throw) the clock uses page timers, as
// before, and Describe says why.
type WorkerClock struct {
	host *Host // makes the Worker (worker: host.go)

	once      sync.Once
	timer     safejs.Value // the host's handle: timer(id, ms), send(...), cancel(id)
	send      safejs.Value
	cancel    safejs.Value
	onMessage safejs.Func
	onError   safejs.Func

	mu       sync.Mutex
	fallback string // why page timers are used; "" while the Worker runs
	nextID   int
	timers   map[int]*workerTimer   // started and neither fired nor stopped
	requests map[int]*workerRequest // posted and neither answered nor withdrawn
}

var (
	_ session.Clock          = (*WorkerClock)(nil)
	_ session.ClockDescriber = (*WorkerClock)(nil)
)

// NewWorkerClock returns a clock whose Worker, the host's, is made on first use.
func NewWorkerClock(host *Host) *WorkerClock {
	return &WorkerClock{host: host, timers: map[int]*workerTimer{}, requests: map[int]*workerRequest{}}
}

// handshakeTimeout bounds the wait for a new Worker's first answer (2 s, as
// start's message says). A Worker that a policy blocks fails with an error
// event well within it.
const handshakeTimeout = 2 * time.Second

// Now is package time: only the timers need the Worker.
func (c *WorkerClock) Now() session.Instant { return session.Now() }

// Describe says what drives the timers, for the debug log.
func (c *WorkerClock) Describe() string {
	c.once.Do(c.start)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fallback != "" {
		return "page timers (" + c.fallback + ") and page fetch; a hidden tab may throttle them and a busy main thread delays the heartbeats"
	}
	return "a dedicated Worker that times and sends the heartbeats, so that neither a hidden tab nor a busy main thread delays the beat"
}

// AfterFunc starts a timer in the Worker, or on the page after a fallback;
// f runs in the Worker's message callback and must not block.
func (c *WorkerClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.once.Do(c.start)
	c.mu.Lock()
	if c.fallback != "" {
		c.mu.Unlock()
		return session.RealClock{}.AfterFunc(d, f)
	}
	c.nextID++
	t := &workerTimer{clock: c, id: c.nextID, f: f, due: session.Now().Add(d)}
	c.timers[t.id] = t
	c.mu.Unlock()

	ms := max(float64(d)/float64(time.Millisecond), 0)
	if err := c.post(c.timer, t.id, ms); err != "" {
		c.fail(err)
	}
	return t.stop
}

// start makes the Worker and waits for its first answer, or records why
// page timers are used. It runs in the engine's goroutine (Describe,
// NewTimer), never in a JS callback, so it may wait.
func (c *WorkerClock) start() {
	reason := c.makeWorker()
	if reason == "" {
		answered := make(chan bool, 2)
		handshake := &workerTimer{clock: c, f: func() { answered <- true }, due: session.Now()}
		c.mu.Lock()
		c.timers[0] = handshake
		c.mu.Unlock()
		if err := c.post(c.timer, 0, 0); err != "" {
			reason = err
		} else {
			wait := time.AfterFunc(handshakeTimeout, func() { answered <- false })
			ok := <-answered
			wait.Stop()
			if ok {
				return
			}
			reason = "the timer Worker did not answer within 2 s"
		}
	}
	c.fail(reason)
}

// makeWorker has the host make the Worker, or returns why there is none.
// Its messages come to message; its failure (a policy checked while loading
// its script) moves its pending timers to the page.
func (c *WorkerClock) makeWorker() (fallback string) {
	c.onMessage, _ = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		guard("timer worker message", func() { c.message(args) })
		return nil
	})
	c.onError, _ = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		guard("timer worker error", func() {
			// Chromium's event for a CSP violation carries no message.
			why := "a Content-Security-Policy without worker-src blob: may forbid it"
			if msg := stringOf(arg(args, 0)); msg != "" {
				why = msg
			}
			c.fail("the timer Worker failed: " + why)
		})
		return nil
	})
	h, err := c.host.worker.Invoke(c.onMessage, c.onError)
	if err != nil {
		return "the host made no Worker"
	}
	if typeOf(h) != safejs.TypeObject {
		return hostError(h, "the host made no Worker").Error()
	}
	c.timer, c.send, c.cancel = prop(h, "timer"), prop(h, "send"), prop(h, "cancel")
	return ""
}

// post calls one of the host's Worker functions; it returns "" or why the
// Worker could not be told.
func (c *WorkerClock) post(f safejs.Value, args ...any) string {
	v, err := f.Invoke(args...)
	if err != nil {
		return "postMessage to the timer Worker failed"
	}
	return stringOf(v)
}

// message is the host's onMessage: a fired timer, or a scheduled request's
// news (worker_transport.go). It runs in a JS callback and never blocks.
func (c *WorkerClock) message(args []safejs.Value) {
	id, err := arg(args, 1).Int()
	if err != nil {
		return
	}
	if kind := stringOf(arg(args, 0)); kind != "timer" {
		c.answer(kind, id, args)
		return
	}
	c.fire(id)
}

// fire delivers timer id, once; it never blocks (a JS callback calls it).
func (c *WorkerClock) fire(id int) {
	c.mu.Lock()
	t := c.timers[id]
	delete(c.timers, id)
	c.mu.Unlock()
	if t != nil {
		t.f() // at most once: t left c.timers above
	}
}

// fail switches to page timers for good; pending timers go on there (a
// failed handshake fires at once: start is waiting for it), and pending
// scheduled requests are told, so that DoAt sends them from the page.
func (c *WorkerClock) fail(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fallback != "" {
		return
	}
	c.fallback = reason // Describe reports it in the next session's debug log
	for id, t := range c.timers {
		t.page = time.AfterFunc(t.due.Sub(session.Now()), func() { c.fire(id) }).Stop
	}
	for id, r := range c.requests {
		delete(c.requests, id)
		r.answer <- workerAnswer{failed: true} // buffered, and sent at most once
	}
}

// workerTimer is one timer of a WorkerClock.
type workerTimer struct {
	clock *WorkerClock
	id    int
	f     func()
	due   session.Instant
	// page stops the page timer a Worker failure moved it to (nil before).
	// A func, not a *time.Timer: a Timer in a type that reaches an
	// interface links time's formatting (wasm/sizerules).
	page func() bool
}

// stop cancels the timer; false when it already fired or was stopped.
func (t *workerTimer) stop() bool {
	c := t.clock
	c.mu.Lock()
	_, pending := c.timers[t.id]
	delete(c.timers, t.id)
	viaWorker, page := c.fallback == "", t.page
	c.mu.Unlock()
	if !pending {
		return false
	}
	if page != nil {
		page()
	}
	if viaWorker {
		_ = c.post(c.timer, t.id, -1)
	}
	return true
}
