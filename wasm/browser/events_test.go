//go:build js && wasm

package browser

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeConsoleJS records console.error calls.
const fakeConsoleJS = `const con = { errors: [] }; con.error = (...args) => con.errors.push(args); return con;`

func TestOnRejectsBadArgumentsByThrowing(t *testing.T) {
	api, _ := newFakeAPI(t, &fakeEngine{})
	for name, expr := range map[string]string{
		"unknown type":        `a.on("beat", () => {})`,
		"type in other case":  `a.on("Heartbeat", () => {})`,
		"type not a string":   `a.on(1, () => {})`,
		"no listener":         `a.on("heartbeat")`,
		"listener not a func": `a.on("heartbeat", "console.log")`,
		"listener object":     `a.on("heartbeat", {handleEvent() {}})`,
		"no arguments":        `a.on()`,
	} {
		t.Run(name, func(t *testing.T) {
			r := jsEval(t, `try { `+expr+`; return {}; } catch (e) { return {e}; }`, api)
			e := prop(r, "e")
			require.False(t, e.IsUndefined(), "did not throw")
			requireGameSessionError(t, e, session.CodeInvalidArgument, 0)
		})
	}
}

func TestDispatchCallsListenersWithDetail(t *testing.T) {
	l := NewListeners(jsEval(t, fakeConsoleJS))
	got := jsEval(t, `return {seen: [], objects: []}`)
	for range 2 {
		// Each listener records what it saw, then scribbles on the detail.
		_, err := l.On(safejs.Undefined(), []safejs.Value{
			must(safejs.ValueOf("heartbeat")),
			jsEval(t, `return (d) => { a.seen.push(d.rttMs + "@" + d.at); a.objects.push(d); d.rttMs = -1; }`, got),
		})
		require.NoError(t, err)
	}
	l.Dispatch(session.Event{Type: session.EventHeartbeat, RTT: 12500 * time.Microsecond, At: session.Instant(1.7e18)})
	l.Dispatch(session.Event{Type: session.EventRenew, Reason: "expired"})
	assert.Equal(t, []any{"12.5@1700000000000", "12.5@1700000000000"}, toGo(prop(got, "seen")),
		"both listeners, same detail, the second unaffected by the first; no renew listener")
	objs := prop(got, "objects")
	assert.False(t, must(objs.Index(0)).Equal(must(objs.Index(1))), "each listener gets its own object")
}

func TestThrowingListenerIsReportedAndOthersStillRun(t *testing.T) {
	console := jsEval(t, fakeConsoleJS)
	l := NewListeners(console)
	seen := jsEval(t, `return []`)
	on := func(src string) {
		_, err := l.On(safejs.Undefined(), []safejs.Value{must(safejs.ValueOf("error")), jsEval(t, src, seen)})
		require.NoError(t, err)
	}
	on(`return () => { a.push("first"); throw new RangeError("listener bug"); }`)
	on(`return (d) => { a.push("second " + d.code + " " + d.fatal); }`)
	l.Dispatch(session.Event{Type: session.EventError, Err: &session.Error{Code: session.CodeNetworkError, Message: "offline"}})
	assert.Equal(t, []any{"first", "second NETWORK_ERROR false"}, toGo(seen))
	errs := prop(console, "errors")
	require.Equal(t, 1, must(errs.Length()))
	args := must(errs.Index(0))
	assert.Contains(t, str(t, must(args.Index(0))), "error listener threw")
	assert.Equal(t, "listener bug", str(t, must(args.Index(1)), "message"))
}

func TestUnsubscribeStopsDeliveryAndIsIdempotent(t *testing.T) {
	l := NewListeners(jsEval(t, fakeConsoleJS))
	count := jsEval(t, `return {n: 0}`)
	unsub, err := l.On(safejs.Undefined(), []safejs.Value{
		must(safejs.ValueOf("end")), jsEval(t, `return () => { a.n++; }`, count),
	})
	require.NoError(t, err)
	ev := session.Event{Type: session.EventEnd, Reason: "user"}
	l.Dispatch(ev)
	assert.Equal(t, 1, l.Count(session.EventEnd))
	_, err = unsub.(safejs.Value).Invoke()
	require.NoError(t, err)
	_, err = unsub.(safejs.Value).Invoke()
	require.NoError(t, err)
	l.Dispatch(ev)
	assert.Equal(t, 1.0, num(t, count, "n"))
	assert.Equal(t, 0, l.Count(session.EventEnd))
}

// Each unsubscribe removes its own listener only, and is the one shared Go
// function bound to it (no Go function per subscription, nothing to leak).
func TestUnsubscribeRemovesOnlyItsListener(t *testing.T) {
	l := NewListeners(jsEval(t, fakeConsoleJS))
	seen := jsEval(t, `return {a: 0, b: 0}`)
	subscribe := func(key string) safejs.Value {
		off, err := l.On(safejs.Undefined(), []safejs.Value{
			must(safejs.ValueOf("heartbeat")), jsEval(t, `return () => { a[`+strconv.Quote(key)+`]++; }`, seen),
		})
		require.NoError(t, err)
		return off.(safejs.Value)
	}
	offA, offB := subscribe("a"), subscribe("b")
	assert.True(t, strings.HasPrefix(str(t, offA, "name"), "bound "), "a bound function, not a new Go function")

	// Stray arguments from the caller do not change what is removed.
	_, err := offA.Invoke("heartbeat", 2)
	require.NoError(t, err)
	l.Dispatch(session.Event{Type: session.EventHeartbeat, RTT: time.Millisecond})
	assert.Equal(t, 0.0, num(t, seen, "a"))
	assert.Equal(t, 1.0, num(t, seen, "b"))
	assert.Equal(t, 1, l.Count(session.EventHeartbeat))
	_, err = offB.Invoke()
	require.NoError(t, err)
	assert.Equal(t, 0, l.Count(session.EventHeartbeat))
}

// A listener that subscribes another one while being called does not get the
// new one called for the same event.
func TestSubscribingDuringDispatch(t *testing.T) {
	l := NewListeners(jsEval(t, fakeConsoleJS))
	api, err := (&API{Global: newFakeEnv(t), Engine: &fakeEngine{}, Listeners: l}).Object()
	require.NoError(t, err)
	log := jsEval(t, `
		const log = [];
		a.on("renew", () => { log.push("outer"); a.on("renew", () => log.push("inner")); });
		return log;`, api)
	l.Dispatch(session.Event{Type: session.EventRenew, Reason: "pageshow"})
	assert.Equal(t, []any{"outer"}, toGo(log))
	l.Dispatch(session.Event{Type: session.EventRenew, Reason: "pageshow"})
	assert.Equal(t, []any{"outer", "outer", "inner"}, toGo(log))
}

// End to end through the real engine: on() sees its statechange events.
func TestRealEngineEventsReachListeners(t *testing.T) {
	api, _, _ := newRealAPI(t)
	log := jsEval(t, `const log = []; a.on("statechange", (d) => log.push(d.previous + ">" + d.state)); return log;`, api)
	s := await(t, jsEval(t, `return a.startSession(b, c)`, api, goodToken, pageOrigin))
	require.False(t, s.rejected, "rejected: %s", stringProp(s.value, "message"))
	waitFor(t, func() bool { return must(log.Length()) >= 2 })
	assert.Equal(t, []any{"idle>starting", "starting>active"}, toGo(log))
}
