//go:build js && wasm

package browser

import (
	"testing"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/require"
)

// failAfter bounds how long a test waits for a Promise or a callback: it
// turns a hang into a failure; it is never used to order events.
const failAfter = 5 * time.Second

// jsEval runs src as the body of function(a, b, c, d) with args and returns
// its result: the tests build their fakes in plain JS.
func jsEval(t *testing.T, src string, args ...any) safejs.Value {
	t.Helper()
	fn, err := jsGlobal("Function").New("a", "b", "c", "d", src)
	require.NoError(t, err)
	v, err := fn.Invoke(args...)
	require.NoError(t, err, "evaluating %s", src)
	return v
}

// settled is a Promise's outcome.
type settled struct {
	value    safejs.Value
	rejected bool
}

// await waits until p settles.
func await(t *testing.T, p safejs.Value) settled {
	t.Helper()
	require.Equal(t, safejs.TypeObject, p.Type(), "not a Promise")
	ch := make(chan settled, 1)
	onOK, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		ch <- settled{value: arg(args, 0)}
		return nil
	})
	require.NoError(t, err)
	onErr, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		ch <- settled{value: arg(args, 0), rejected: true}
		return nil
	})
	require.NoError(t, err)
	_, err = p.Call("then", onOK, onErr)
	require.NoError(t, err)
	select {
	case s := <-ch:
		// Released only once settled: after a timeout the Promise may still
		// call them.
		onOK.Release()
		onErr.Release()
		return s
	case <-time.After(failAfter):
		t.Fatal("promise did not settle")
		return settled{}
	}
}

// typed follows path from v, requires the value there to be of type want,
// and reads it with read.
func typed[T any](t *testing.T, v safejs.Value, path []string, want safejs.Type, read func(safejs.Value) (T, error)) T {
	t.Helper()
	for _, p := range path {
		v = prop(v, p)
	}
	require.Equal(t, want, v.Type(), "%v is not a %v", path, want)
	x, err := read(v)
	require.NoError(t, err)
	return x
}

func str(t *testing.T, v safejs.Value, path ...string) string {
	t.Helper()
	return typed(t, v, path, safejs.TypeString, safejs.Value.String)
}

func num(t *testing.T, v safejs.Value, path ...string) float64 {
	t.Helper()
	return typed(t, v, path, safejs.TypeNumber, safejs.Value.Float)
}

func boolean(t *testing.T, v safejs.Value, path ...string) bool {
	t.Helper()
	return typed(t, v, path, safejs.TypeBoolean, safejs.Value.Bool)
}

// fakeEnvJS builds a fake window: fetch records every call (url, method,
// headers, body, keepalive, credentials, whether its signal aborted) and
// answers from a script of responses ({status, body, headers} | {raw:
// response object} | {fail: "msg"} | {hang: true}; default 200
// {"success":true}); navigator.sendBeacon records
// too; location is https://game.example/play/index.html.
const fakeEnvJS = `
const env = {
  calls: [],
  script: [],
  beacons: [],
  AbortController,
  Request,
  location: { origin: "https://game.example", href: "https://game.example/play/index.html" },
};
env.navigator = {
  onLine: true,
  sendBeacon(url, body) { env.beacons.push({ url, body, bodyType: typeof body }); return true; },
};
env.fetch = function (url, init) {
  init = init || {};
  const call = { url, method: init.method, headers: init.headers, body: init.body,
    keepalive: init.keepalive === true, credentials: init.credentials, aborted: false };
  env.calls.push(call);
  const s = env.script.length ? env.script.shift() : { status: 200, body: '{"success":true}' };
  return new Promise((resolve, reject) => {
    if (init.signal) {
      init.signal.addEventListener("abort", () => {
        call.aborted = true;
        reject(new DOMException("The operation was aborted.", "AbortError"));
      });
    }
    if (s.hang) return;
    if (s.fail) { reject(new TypeError(s.fail)); return; }
    if (s.raw) { resolve(s.raw); return; }
    resolve(new Response(s.body, { status: s.status, headers: s.headers }));
  });
};
return env;`

func newFakeEnv(t *testing.T) safejs.Value {
	t.Helper()
	return jsEval(t, fakeEnvJS)
}

// script queues one scripted fetch answer, given as a JS expression.
func script(t *testing.T, env safejs.Value, answer string) {
	t.Helper()
	jsEval(t, "a.script.push("+answer+")", env)
}

func callCount(t *testing.T, env safejs.Value) int {
	t.Helper()
	n, err := prop(env, "calls").Length()
	require.NoError(t, err)
	return n
}

func call(t *testing.T, env safejs.Value, i int) safejs.Value {
	t.Helper()
	c, err := prop(env, "calls").Index(i)
	require.NoError(t, err)
	return c
}

// jsGlobal reads a global the tests use (Function, Error, Promise...).
func jsGlobal(name string) safejs.Value { return readGlobal(name) }

// typeName names v's JS type for a failure message.
func typeName(v safejs.Value) string {
	f, _ := jsGlobal("Function").New("a", "return typeof a")
	t, _ := f.Invoke(v)
	s, _ := t.String()
	return s
}

// stringProp reads obj[name] as a string, "" when absent or not a string.
func stringProp(obj safejs.Value, name string) string {
	return stringOf(prop(obj, name))
}
