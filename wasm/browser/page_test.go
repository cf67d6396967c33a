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

// fakeWindowJS is a window-like EventTarget with a document EventTarget, a
// navigator and a log the tests append to from JS and from Go handlers.
const fakeWindowJS = `
const w = new EventTarget();
w.document = new EventTarget();
w.document.visibilityState = "visible";
w.navigator = { onLine: true };
w.log = [];
w.fire = function (target, type, fields) {
  const ev = Object.assign(new Event(type), fields || {});
  target.dispatchEvent(ev);
  w.log.push("dispatched " + type);
};
return w;`

// newPage returns a Page whose host (the loader's makeHost) watches w.
func newPage(t *testing.T, w safejs.Value) *Page {
	t.Helper()
	h, _ := hostFor(t, w)
	return NewPage(h)
}

func logOf(t *testing.T, w safejs.Value) []string {
	t.Helper()
	v, ok := toGo(prop(w, "log")).([]any)
	require.True(t, ok)
	out := make([]string, len(v))
	for i, x := range v {
		out[i], _ = x.(string)
	}
	return out
}

func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(failAfter):
		t.Fatal("handler was not called")
		var zero T
		return zero
	}
}

// pagehide's handler must have run, and its keepalive fetch started, before
// dispatchEvent returned: after that the page may be gone.
func TestPageHideRunsInsideTheEvent(t *testing.T) {
	w := jsEval(t, fakeWindowJS)
	env := newFakeEnv(t)
	tr := NewTransport(hostOn(t, env))
	p := newPage(t, w)
	require.NoError(t, p.Watch(PageHandlers{PageHide: func() {
		require.NoError(t, tr.Beacon(session.Request{URL: testURL, Token: "t"}))
		jsEval(t, `a.log.push("beacon sent")`, w)
	}}))
	jsEval(t, `a.fire(a, "pagehide", {persisted: false})`, w)
	assert.Equal(t, []string{"beacon sent", "dispatched pagehide"}, logOf(t, w))
	assert.Equal(t, 1, callCount(t, env))
	assert.True(t, boolean(t, call(t, env, 0), "keepalive"))
}

func TestPageShowForwardsPersisted(t *testing.T) {
	w := jsEval(t, fakeWindowJS)
	got := make(chan bool, 2)
	p := newPage(t, w)
	require.NoError(t, p.Watch(PageHandlers{PageShow: func(persisted bool) { got <- persisted }}))
	jsEval(t, `a.fire(a, "pageshow", {persisted: true})`, w)
	assert.True(t, recv(t, got))
	jsEval(t, `a.fire(a, "pageshow", {persisted: false})`, w)
	assert.False(t, recv(t, got))
}

func TestVisibilityChangeReadsDocumentState(t *testing.T) {
	w := jsEval(t, fakeWindowJS)
	got := make(chan bool, 2)
	p := newPage(t, w)
	require.NoError(t, p.Watch(PageHandlers{VisibilityChange: func(visible bool) { got <- visible }}))
	jsEval(t, `a.document.visibilityState = "hidden"; a.fire(a.document, "visibilitychange")`, w)
	assert.False(t, recv(t, got))
	jsEval(t, `a.document.visibilityState = "visible"; a.fire(a.document, "visibilitychange")`, w)
	assert.True(t, recv(t, got))
}

func TestOnlineEventIsForwarded(t *testing.T) {
	w := jsEval(t, fakeWindowJS)
	got := make(chan struct{}, 1)
	p := newPage(t, w)
	require.NoError(t, p.Watch(PageHandlers{Online: func() { got <- struct{}{} }}))
	jsEval(t, `a.fire(a, "online")`, w)
	recv(t, got)
}

// A panicking handler is reported, not fatal, and the next event still arrives.
func TestPanickingPageHandlerDoesNotKillTheModule(t *testing.T) {
	w := jsEval(t, fakeWindowJS)
	calls := 0
	p := newPage(t, w)
	require.NoError(t, p.Watch(PageHandlers{PageHide: func() {
		calls++
		if calls == 1 {
			panic("boom")
		}
	}}))
	jsEval(t, `a.fire(a, "pagehide")`, w)
	jsEval(t, `a.fire(a, "pagehide")`, w)
	assert.Equal(t, 2, calls)
}

// Where the window is no EventTarget (Node) there is nothing to watch.
func TestWatchWithoutAnEventTarget(t *testing.T) {
	p := newPage(t, jsEval(t, `return {}`))
	require.NoError(t, p.Watch(PageHandlers{PageHide: func() {}}))
}

// A window without a document gets visibilitychange on itself.
func TestVisibilityChangeWithoutADocument(t *testing.T) {
	w := jsEval(t, `const w = new EventTarget(); w.log = []; return w;`)
	got := make(chan bool, 1)
	require.NoError(t, newPage(t, w).Watch(PageHandlers{VisibilityChange: func(visible bool) { got <- visible }}))
	jsEval(t, `a.dispatchEvent(new Event("visibilitychange"))`, w)
	assert.True(t, recv(t, got))
}

func TestOnlineReadsNavigator(t *testing.T) {
	w := jsEval(t, fakeWindowJS)
	p := newPage(t, w)
	assert.True(t, p.Online())
	jsEval(t, `a.navigator.onLine = false`, w)
	assert.False(t, p.Online())
	jsEval(t, `delete a.navigator.onLine`, w)
	assert.True(t, p.Online(), "unknown means online")
	jsEval(t, `delete a.navigator`, w)
	assert.True(t, p.Online(), "no navigator means online")
}
