//go:build js && wasm

package browser

import (
	"testing"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeScriptWorkerJS is a global whose Worker runs the module's real Worker
// script on this thread (Node 20 has no web Worker): Blob and
// URL.createObjectURL keep the script's text, the Worker evaluates it with
// its own postMessage and fetch, and messages both ways are structured
// clones (so an init that a browser could not post fails here too)
// delivered as later tasks. The Worker's fetch is a's fake fetch (fakeEnvJS),
// which records each call; the Worker's copy also records when it was made.
// g.toWorker lists what the page posted; g.breakWorker() fires an error
// event, as a Worker that dies does; g.pageLate (ms) delays the Worker's
// messages to the page, as a page whose main thread is busy reads them late.
const fakeScriptWorkerJS = `
const srcs = [];
const g = { toWorker: [], workers: 0, AbortController };
g.Blob = class { constructor(parts) { this.src = parts.join(""); } };
g.URL = { createObjectURL(b) { srcs.push(b.src); return "blob:fake/" + (srcs.length - 1); } };
const fetch = (url, init) => {
  const p = a.fetch(url, init);
  a.calls[a.calls.length - 1].at = Date.now();
  return p;
};
g.Worker = class extends EventTarget {
  constructor(url) {
    super();
    g.workers++;
    g.worker = this;
    const src = srcs[Number(String(url).slice("blob:fake/".length))];
    const post = (m) => {
      const data = structuredClone(m);
      setTimeout(() => { const ev = new Event("message"); ev.data = data; this.dispatchEvent(ev); }, g.pageLate || 0);
    };
    this.onmsg = new Function("postMessage", "fetch", "let onmessage;\n" + src + "\nreturn onmessage;")(post, fetch);
  }
  postMessage(m) {
    const data = structuredClone(m);
    g.toWorker.push(data);
    setTimeout(() => this.onmsg({ data }), 0);
  }
};
g.breakWorker = () => { const ev = new Event("error"); ev.message = "the Worker died"; g.worker.dispatchEvent(ev); };
return g;`

// workerSetup is a WorkerTransport whose page fetch is page's fake and whose
// Worker fetches with worker's.
func workerSetup(t *testing.T) (tr *WorkerTransport, page, worker, g safejs.Value) {
	t.Helper()
	page, worker = newFakeEnv(t), newFakeEnv(t)
	g = jsEval(t, fakeScriptWorkerJS, worker)
	return NewWorkerTransport(NewTransport(hostOn(t, page)), NewWorkerClock(hostOn(t, g))), page, worker, g
}

var heartbeat = session.Request{Op: session.OpHeartbeat, URL: "https://api.example.com/api/games/sessions/heartbeat", Token: "secret-token", Credentials: "include"}

func TestDoAtSendsFromTheWorkerAtTheTime(t *testing.T) {
	tr, page, worker, g := workerSetup(t)
	script(t, worker, `{status: 200, body: '{"success":true,"n":1}'}`)

	at := session.Now().Add(80 * time.Millisecond)
	sent, resp, err := tr.DoAt(at, time.Second, heartbeat, nil)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.Status)
	assert.Equal(t, map[string]any{"success": true, "n": 1.0}, resp.Body)
	// JS timers count whole ms from the event loop's cached time.
	assert.GreaterOrEqual(t, sent.Sub(at), -2*time.Millisecond, "sent at its time, not before")
	assert.Less(t, sent.Sub(at), 200*time.Millisecond)
	assert.InDelta(t, epochMs(sent), num(t, call(t, worker, 0), "at"), 5, "sent is when the Worker called fetch (give or take the two clocks)")

	assert.Equal(t, 0, callCount(t, page), "the page's fetch is not used")
	require.Equal(t, 1, callCount(t, worker))
	c := call(t, worker, 0)
	assert.Equal(t, heartbeat.URL, str(t, c, "url"), "the token is not in the URL")
	assert.Equal(t, "POST", str(t, c, "method"))
	assert.Equal(t, "application/json", str(t, c, "headers", "Content-Type"))
	assert.Equal(t, "include", str(t, c, "credentials"))
	assert.False(t, boolean(t, c, "keepalive"))
	assert.Equal(t, `{"auth_token":"secret-token"}`, str(t, c, "body"))

	// The same request by Do on the page has the same init: one rule.
	_, err = tr.Do(heartbeat, 0, nil)
	require.NoError(t, err)
	assert.Equal(t,
		toGo(jsEval(t, "const {url, method, headers, body, keepalive, credentials} = a.calls[0]; return {url, method, headers, body, keepalive, credentials}", worker)),
		toGo(jsEval(t, "const {url, method, headers, body, keepalive, credentials} = a.calls[0]; return {url, method, headers, body, keepalive, credentials}", page)))

	m := toGo(jsEval(t, "return a.toWorker[1]", g)).(map[string]any)
	assert.Equal(t, 1.0, m["id"])
	assert.InDelta(t, epochMs(at), m["at"], 5)
	assert.Equal(t, 1000.0, m["timeout"])
	assert.Equal(t, 1.0, num(t, g, "workers"), "one Worker for timers and requests")
}

// Both paths fill Response through responseOf: status, Retry-After, and a
// redirect seen as fetch's opaqueredirect.
func TestDoAtAndDoReadTheResponseAlike(t *testing.T) {
	for name, answer := range map[string]string{
		"retry after": `{status: 503, body: "busy", headers: {"Retry-After": "7"}}`,
		"redirect":    `{raw: {status: 0, type: "opaqueredirect", headers: new Headers(), text: () => Promise.resolve("")}}`,
		"json":        `{status: 400, body: '{"success":false,"error":{"code":"NO_ACTIVE_SESSION"}}'}`,
	} {
		t.Run(name, func(t *testing.T) {
			tr, page, worker, _ := workerSetup(t)
			script(t, worker, answer)
			script(t, page, answer)
			_, viaWorker, err := tr.DoAt(session.Now(), time.Second, heartbeat, nil)
			require.NoError(t, err)
			onPage, err := tr.Do(heartbeat, 0, nil)
			require.NoError(t, err)
			assert.False(t, viaWorker.Received.IsZero(), "the Worker says when the answer came")
			assert.True(t, onPage.Received.IsZero(), "the page's fetch cannot tell")
			viaWorker.Received = 0
			assert.Equal(t, onPage, viaWorker)
			switch name {
			case "retry after":
				assert.Equal(t, session.Response{Status: 503, RetryAfter: 7 * time.Second}, viaWorker)
			case "redirect":
				assert.Equal(t, session.Response{Redirected: true}, viaWorker)
			}
		})
	}
}

func TestDoAtAbortsInFlightWhenStopFires(t *testing.T) {
	tr, _, worker, _ := workerSetup(t)
	script(t, worker, `{hang: true}`)
	stop := &session.Stop{}
	type out struct {
		sent session.Instant
		err  error
	}
	done := make(chan out, 1)
	go func() {
		sent, _, err := tr.DoAt(session.Now(), time.Minute, heartbeat, stop)
		done <- out{sent, err}
	}()
	waitTask(t, func() bool { return callCount(t, worker) == 1 })
	waitTask(t, func() bool { // the started message has reached the page
		tr.clock.mu.Lock()
		defer tr.clock.mu.Unlock()
		r := tr.clock.requests[1]
		return r != nil && !r.sent.IsZero()
	})
	stop.Fire()
	o := <-done
	assert.Equal(t, session.ErrCanceled, o.err)
	assert.False(t, o.sent.IsZero(), "it was sent")
	waitTask(t, func() bool { return boolean(t, call(t, worker, 0), "aborted") })
}

// A Worker that dies with a request pending hands it to the page.
func TestDoAtWorkerFailureMovesTheRequestToThePage(t *testing.T) {
	tr, page, worker, g := workerSetup(t)
	done := make(chan error, 1)
	go func() {
		_, _, err := tr.DoAt(session.Now().Add(100*time.Millisecond), time.Second, heartbeat, nil)
		done <- err
	}()
	waitTask(t, func() bool { return num(t, jsEval(t, "return {n: a.toWorker.length}", g), "n") == 2 })
	jsEval(t, "a.breakWorker()", g)
	require.NoError(t, <-done)
	assert.Equal(t, 1, callCount(t, page))
	// The Worker is not used again (the fake one lives on: it would answer).
	posted := num(t, jsEval(t, "return {n: a.toWorker.length}", g), "n")
	_, _, err := tr.DoAt(session.Now(), time.Second, heartbeat, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, callCount(t, page))
	assert.Equal(t, posted, num(t, jsEval(t, "return {n: a.toWorker.length}", g), "n"), "nothing more posted to the Worker")
	_ = worker
}

// waitTask waits for cond, letting JS run a task (not only microtasks)
// between checks: the fake Worker's messages are tasks.
func waitTask(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; !cond(); i++ {
		if i > 500 {
			t.Fatal("condition never held")
		}
		tick(t)
	}
}

// The round trip is the Worker's: an answer that the page reads late (its
// main thread busy) still says when it came.
func TestDoAtReceivedIsWhenTheWorkerGotTheAnswer(t *testing.T) {
	tr, _, _, g := workerSetup(t)
	fired(t, newTimer(tr.clock, 0).C()) // the Worker started before the page turns late
	jsEval(t, "a.pageLate = 300", g)
	sent, resp, err := tr.DoAt(session.Now(), time.Second, heartbeat, nil)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, session.Now().Sub(sent), 290*time.Millisecond, "the page read it late")
	require.False(t, resp.Received.IsZero())
	assert.Less(t, resp.Received.Sub(sent), 100*time.Millisecond, "the answer itself came at once")
	assert.False(t, resp.Received.Before(sent.Add(-2*time.Millisecond)))
}
