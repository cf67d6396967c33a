//go:build js && wasm

package browser

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/game-session/game-session/wasm/session/sessiontest"
	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/require"
)

// The browser's implementations pass the contracts the engine's fakes pass
// (wasm/session/contract_test.go), in real time under Node, over the JS
// fakes of fetch, fetchLater, sendBeacon, the Worker and navigator.locks.
var underNode = sessiontest.Options{
	Yield: tick,
	// JS timers count whole milliseconds from the event loop's cached
	// time, and Date.now (the fakes' record of a send) may stand a few ms
	// off Go's clock. Late only bounds the lateness of a loaded machine's
	// event loop (hundreds of ms seen with two CPUs busy): the exact times
	// are the native run's, in fake time.
	Early: 5 * time.Millisecond,
	Late:  time.Second,
}

// serverJS makes a fake env (fakeEnvJS, withFetchLater) the far side of the
// suites: its fetch records when each call was made (at, by Date.now) and
// answers a scripted {delay} ms late, unless aborted first.
const serverJS = `
const inner = a.fetch;
a.fetch = function (url, init) {
  const s = a.script[0];
  const delay = s && s.delay;
  const p = inner.call(this, url, init);
  a.calls[a.calls.length - 1].at = Date.now();
  if (!delay) return p;
  p.catch(() => {});
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => p.then(resolve, reject), delay);
    if (init && init.signal) init.signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new DOMException("The operation was aborted.", "AbortError"));
    });
  });
};`

// seenJS lists, as JSON, what reached the server of the envs in a: fetch
// calls, fetchLater calls sent at once (activateAfter 0), sendBeacon calls;
// and, as deferred, the fetchLater calls left for the page's end.
const seenJS = `
const token = (body) => { try { return JSON.parse(body).auth_token || ""; } catch (e) { return ""; } };
const seen = [], deferred = [];
for (const env of a) {
  for (const c of env.calls) seen.push({ URL: c.url, Token: token(c.body), Credentials: c.credentials || "",
    KeepAlive: c.keepalive, At: Math.round((c.at || 0) * 1e6), Aborted: c.aborted });
  for (const c of env.later || []) {
    if (c.activateAfter === 0) seen.push({ URL: c.url, Token: token(c.body), Credentials: c.credentials || "",
      KeepAlive: true, At: 0, Aborted: c.aborted });
    else deferred.push({ URL: c.url, Token: token(c.body), Withdrawn: c.aborted });
  }
  for (const b of env.beacons) seen.push({ URL: b.url, Token: token(b.body), KeepAlive: true, At: 0, Aborted: false });
}
return JSON.stringify({ seen, deferred });`

// jsServer is the server behind one or more fake envs (a WorkerTransport
// has the page's and the Worker's): an answer is scripted in each, and
// what reached any is seen.
type jsServer struct {
	t    *testing.T
	envs []safejs.Value
}

func newJSServer(t *testing.T, envs ...safejs.Value) *jsServer {
	for _, env := range envs {
		jsEval(t, serverJS, env)
	}
	return &jsServer{t: t, envs: envs}
}

func (s *jsServer) Next(a sessiontest.Answer) {
	ans := map[string]any{"status": a.Status, "body": a.Body, "delay": a.Delay.Milliseconds()}
	switch {
	case a.Fail:
		ans = map[string]any{"fail": "Failed to fetch"}
	case a.Hang:
		ans = map[string]any{"hang": true}
	}
	b, err := json.Marshal(ans)
	require.NoError(s.t, err)
	for _, env := range s.envs {
		jsEval(s.t, "a.script.push(JSON.parse(b))", env, string(b))
	}
}

func (s *jsServer) read() (out struct {
	Seen     []sessiontest.Seen
	Deferred []sessiontest.Deferred
}) {
	envs := make([]any, len(s.envs))
	for i, env := range s.envs {
		envs[i] = env
	}
	text, err := jsEval(s.t, "return ((a) => {"+seenJS+"})(Array.from(arguments))", envs...).String()
	require.NoError(s.t, err)
	require.NoError(s.t, json.Unmarshal([]byte(text), &out))
	return out
}

func (s *jsServer) Seen() []sessiontest.Seen         { return s.read().Seen }
func (s *jsServer) Deferred() []sessiontest.Deferred { return s.read().Deferred }

func TestTransportContract(t *testing.T) {
	for name, setup := range map[string]string{
		"beacon by keepalive fetch": "",
		"beacon by fetchLater":      "later",
		"beacon by sendBeacon":      "a.Request = function Request() {}", // no keepalive support
	} {
		t.Run(name, func(t *testing.T) {
			sessiontest.Transport(t, underNode, func(t *testing.T) (session.Transport, sessiontest.Server) {
				var env safejs.Value
				if setup == "later" {
					env = withFetchLater(t)
				} else {
					env = newFakeEnv(t)
					if setup != "" {
						jsEval(t, setup, env)
					}
				}
				return NewTransport(hostOn(t, env)), newJSServer(t, env)
			})
		})
	}
}

func TestDeferredSenderContract(t *testing.T) {
	sessiontest.DeferredSender(t, underNode, func(t *testing.T) (session.DeferredSender, sessiontest.DeferServer) {
		env := withFetchLater(t)
		return NewTransport(hostOn(t, env)), newJSServer(t, env)
	})
}

func TestWorkerTransportContract(t *testing.T) {
	t.Run("Worker", func(t *testing.T) {
		sessiontest.ScheduledTransport(t, underNode, func(t *testing.T) (session.ScheduledTransport, sessiontest.Server) {
			tr, page, worker, _ := workerSetup(t)
			return tr, newJSServer(t, page, worker)
		})
	})
	t.Run("page timers", func(t *testing.T) { // Node has no Worker
		sessiontest.ScheduledTransport(t, underNode, func(t *testing.T) (session.ScheduledTransport, sessiontest.Server) {
			page := newFakeEnv(t)
			return NewWorkerTransport(NewTransport(hostOn(t, page)), NewWorkerClock(hostOn(t, safejs.Global()))), newJSServer(t, page)
		})
	})
}

func TestWorkerClockContract(t *testing.T) {
	for name, global := range map[string]func(t *testing.T) safejs.Value{
		"Worker script":  func(t *testing.T) safejs.Value { return jsEval(t, fakeScriptWorkerJS, newFakeEnv(t)) },
		"timer protocol": func(t *testing.T) safejs.Value { return jsEval(t, fakeWorkerJS) },
		"page timers":    func(*testing.T) safejs.Value { return safejs.Global() },
		"Worker failed to load": func(t *testing.T) safejs.Value {
			g := jsEval(t, fakeWorkerJS)
			jsEval(t, "a.blockWorker = true", g)
			return g
		},
	} {
		t.Run(name, func(t *testing.T) {
			sessiontest.Clock(t, underNode, func(t *testing.T) session.Clock { return NewWorkerClock(hostOn(t, global(t))) })
		})
	}
}

func TestWebLocksContract(t *testing.T) {
	sessiontest.Locker(t, underNode, func(t *testing.T) session.Locker { return NewWebLocks(hostOn(t, jsEval(t, fakeLocksJS))) })
}
