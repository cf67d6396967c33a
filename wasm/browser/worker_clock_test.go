//go:build js && wasm

package browser

import (
	"testing"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/assert"
)

// fakeWorkerJS is a global with Blob and URL and a Worker class that runs the
// timer protocol on this thread (Node 20 has Worker only in worker_threads):
// it records the messages it gets and answers through a "message" event.
// a.workerThrows makes the constructor throw, as under a CSP without
// worker-src blob: in some browsers; a.blockWorker makes it fire an error
// event soon after, as Chromium does for a CSP violation; a.breakWorker()
// fires that event later, as a Worker that dies does.
const fakeWorkerJS = `
const g = { Blob, URL, posted: [], workers: 0 };
g.Worker = class extends EventTarget {
  constructor(url) {
    super();
    if (g.workerThrows) throw new DOMException(g.workerThrows, "SecurityError");
    if (!String(url).startsWith("blob:")) throw new TypeError("not a blob URL: " + url);
    g.workers++;
    g.worker = this;
    this.timers = new Map();
    if (g.blockWorker) setTimeout(() => g.breakWorker(), 5);
  }
  postMessage(data) {
    if (g.blockWorker) return;
    const [id, ms] = data;
    g.posted.push([id, ms]);
    if (ms < 0) { clearTimeout(this.timers.get(id)); return; }
    this.timers.set(id, setTimeout(() => {
      const ev = new Event("message");
      ev.data = id;
      this.dispatchEvent(ev);
    }, ms));
  }
};
g.breakWorker = () => {
  for (const t of g.worker.timers.values()) clearTimeout(t);
  const ev = new Event("error");
  if (!g.silentError) ev.message = "Refused to load the script";
  g.worker.dispatchEvent(ev);
};
return g;`

func posted(t *testing.T, g safejs.Value) []any {
	t.Helper()
	v, _ := toGo(prop(g, "posted")).([]any)
	return v
}

func fired(t *testing.T, c <-chan time.Time) time.Time {
	t.Helper()
	select {
	case at := <-c:
		return at
	case <-time.After(failAfter):
		t.Fatal("the timer did not fire")
		return time.Time{}
	}
}

func TestWorkerClockTimersRunInTheWorker(t *testing.T) {
	g := jsEval(t, fakeWorkerJS)
	c := NewWorkerClock(hostOn(t, g))
	// Timing and cancelling: TestWorkerClockContract. Here, the protocol.
	fired(t, newTimer(c, 30*time.Millisecond).C())
	stopped := newTimer(c, 20*time.Millisecond)
	assert.True(t, stopped.Stop())
	fired(t, newTimer(c, 40*time.Millisecond).C())
	assert.Equal(t, []any{
		[]any{0.0, 0.0}, // the handshake
		[]any{1.0, 30.0},
		[]any{2.0, 20.0}, []any{2.0, -1.0},
		[]any{3.0, 40.0},
	}, posted(t, g))
	assert.Equal(t, 1.0, num(t, g, "workers"), "one Worker for all timers")
}

func TestWorkerClockFallsBackToPageTimers(t *testing.T) {
	for name, setup := range map[string]string{
		"no Worker":              "delete a.Worker",
		"new Worker throws":      `a.workerThrows = "Refused to create a worker from 'blob:…' (worker-src)"`,
		"no URL.createObjectURL": "a.URL = {}",
	} {
		t.Run(name, func(t *testing.T) {
			g := jsEval(t, fakeWorkerJS)
			jsEval(t, setup, g)
			c := NewWorkerClock(hostOn(t, g))
			fired(t, newTimer(c, 10*time.Millisecond).C())
			tm := newTimer(c, time.Hour)
			assert.True(t, tm.Stop())
			assert.Empty(t, posted(t, g))
		})
	}
	t.Run("the Worker fails to load", func(t *testing.T) {
		g := jsEval(t, fakeWorkerJS)
		jsEval(t, "a.blockWorker = true", g)
		c := NewWorkerClock(hostOn(t, g))
		assert.Contains(t, c.Describe(), "page timers (the timer Worker failed: Refused to load the script)")
		fired(t, newTimer(c, 10*time.Millisecond).C())
	})
	t.Run("the Worker fails to load without a message", func(t *testing.T) {
		g := jsEval(t, fakeWorkerJS)
		jsEval(t, "a.blockWorker = true; a.silentError = true", g)
		assert.Contains(t, NewWorkerClock(hostOn(t, g)).Describe(), "page timers (the timer Worker failed: a Content-Security-Policy without worker-src blob: may forbid it)")
	})
	t.Run("the CSP reason is told", func(t *testing.T) {
		g := jsEval(t, fakeWorkerJS)
		jsEval(t, `a.workerThrows = "worker-src"`, g)
		assert.Contains(t, NewWorkerClock(hostOn(t, g)).Describe(), "new Worker failed: SecurityError: worker-src")
	})
}

// A Worker that fails after it was made hands its pending timers to the page.
func TestWorkerClockWorkerErrorMovesPendingTimersToThePage(t *testing.T) {
	g := jsEval(t, fakeWorkerJS)
	c := NewWorkerClock(hostOn(t, g))
	pending := newTimer(c, 50*time.Millisecond)
	stopped := newTimer(c, 50*time.Millisecond)
	jsEval(t, "a.breakWorker()", g) // its error event reaches the clock at once
	assert.True(t, stopped.Stop())
	fired(t, pending.C())
	fired(t, newTimer(c, time.Millisecond).C())
	assert.Len(t, posted(t, g), 3, "the handshake and two timers; nothing after the failure")
	select {
	case <-stopped.C():
		t.Fatal("a stopped timer fired")
	default:
	}
}

// timer is a clock's AfterFunc as a channel, for the tests.
type timer struct {
	ch   chan time.Time
	stop func() bool
}

func newTimer(c session.Clock, d time.Duration) timer {
	ch := make(chan time.Time, 1)
	return timer{ch: ch, stop: c.AfterFunc(d, func() { ch <- time.Now() })}
}

func (t timer) C() <-chan time.Time { return t.ch }
func (t timer) Stop() bool          { return t.stop() }
