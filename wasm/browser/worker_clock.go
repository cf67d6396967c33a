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
	global safejs.Value // where Worker, Blob and URL are looked up; tests pass fakes

	once      sync.Once
	worker    safejs.Value
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

// workerJS runs in the Worker. Timers: [id, ms] starts timer id, [id, -1]
// cancels it; a fired timer posts its id back. Timer 0 is the handshake.
// Scheduled requests (worker_transport.go): {id, at, timeout, url, init}
// fetches url at the Worker's Date.now() == at with its own AbortController
// (aborted after timeout ms), posts {id, sent, started: true} as it calls
// fetch, then {id, sent, received, status, type, text, retryAfter} or {id,
// sent, received, error, timeout}; {cancel: id} withdraws a pending one or aborts one in
// flight, which then posts nothing more. The token is in init.body only.
const workerJS = `"use strict";
const timers = new Map(), requests = new Map();
const text = (e) => (e && e.name ? e.name + ": " + e.message : String(e));
const retryAfter = (h) => (typeof h === "string" && h.length <= 64 ? h : ""); // as responseHead reads it
const send = (d, r) => {
  r.abort = new AbortController();
  let timedOut = false;
  if (d.timeout > 0) r.timer = setTimeout(() => { timedOut = true; r.abort.abort(); }, d.timeout);
  const sent = Date.now();
  postMessage({ id: d.id, sent, started: true });
  const settle = (m) => {
    if (requests.get(d.id) !== r) return;
    requests.delete(d.id);
    clearTimeout(r.timer);
    m.id = d.id; m.sent = sent; m.received = Date.now();
    postMessage(m);
  };
  new Promise((ok) => ok(fetch(d.url, Object.assign({}, d.init, { signal: r.abort.signal }))))
    .then((res) => res.text().then((body) => ({ status: res.status, type: res.type, text: body,
      retryAfter: retryAfter(res.headers.get("Retry-After")) })))
    .then(settle, (e) => settle({ error: text(e), timeout: timedOut }));
};
onmessage = (e) => {
  const d = e.data;
  if (Array.isArray(d)) {
    const id = d[0], ms = d[1];
    if (ms < 0) { clearTimeout(timers.get(id)); timers.delete(id); return; }
    timers.set(id, setTimeout(() => { timers.delete(id); postMessage(id); }, ms));
    return;
  }
  if (d.cancel !== undefined) {
    const r = requests.get(d.cancel);
    if (!r) return;
    requests.delete(d.cancel);
    clearTimeout(r.timer);
    if (r.abort) r.abort.abort();
    return;
  }
  const r = {};
  requests.set(d.id, r);
  r.timer = setTimeout(() => send(d, r), d.at - Date.now());
};`

// NewWorkerClock returns a clock whose Worker is made on first use.
func NewWorkerClock(global safejs.Value) *WorkerClock {
	return &WorkerClock{global: global, timers: map[int]*workerTimer{}, requests: map[int]*workerRequest{}}
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
	if err := c.post(t.id, ms); err != nil {
		c.fail("postMessage to the timer Worker failed: " + jsErrorText(thrownValue(err)))
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
		if err := c.post(0, 0); err != nil {
			reason = "postMessage to the timer Worker failed: " + jsErrorText(thrownValue(err))
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

func (c *WorkerClock) makeWorker() (fallback string) {
	ctor := prop(c.global, "Worker")
	blobCtor, url := prop(c.global, "Blob"), prop(c.global, "URL")
	if ctor.Type() != safejs.TypeFunction || blobCtor.Type() != safejs.TypeFunction || !isFunc(url, "createObjectURL") {
		return "no Worker here"
	}
	parts := toJS([]any{workerJS})
	blobOpts := toJS(map[string]any{"type": "text/javascript"})
	blob, err := blobCtor.New(parts, blobOpts)
	if err != nil {
		return "new Blob failed: " + jsErrorText(thrownValue(err))
	}
	src, err := url.Call("createObjectURL", blob)
	if err != nil {
		return "URL.createObjectURL failed: " + jsErrorText(thrownValue(err))
	}
	// A Content-Security-Policy without worker-src blob: (or child-src,
	// script-src) makes this throw.
	worker, err := ctor.New(src)
	if err != nil {
		return "new Worker failed: " + jsErrorText(thrownValue(err))
	}
	c.onMessage, _ = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		guard("timer worker message", func() {
			data := prop(arg(args, 0), "data")
			if data.Type() != safejs.TypeNumber {
				c.answer(data) // a scheduled request's
				return
			}
			if id, err := data.Int(); err == nil {
				c.fire(id)
			}
		})
		return nil
	})
	// The Worker can also fail after construction (a policy checked while
	// loading its script): its pending timers move to the page.
	c.onError, _ = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		guard("timer worker error", func() {
			// Chromium's event for a CSP violation carries no message.
			why := "a Content-Security-Policy without worker-src blob: may forbid it"
			if msg := stringProp(arg(args, 0), "message"); msg != "" {
				why = msg
			}
			c.fail("the timer Worker failed: " + why)
		})
		return nil
	})
	if _, err := worker.Call("addEventListener", "message", c.onMessage); err != nil {
		return "the timer Worker takes no listener: " + jsErrorText(thrownValue(err))
	}
	_, _ = worker.Call("addEventListener", "error", c.onError)
	c.worker = worker
	return ""
}

func (c *WorkerClock) post(id int, ms float64) error {
	_, err := c.worker.Call("postMessage", toJS([]any{float64(id), ms}))
	return err
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
		_ = c.post(t.id, -1)
	}
	return true
}
