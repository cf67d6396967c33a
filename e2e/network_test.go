package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/game-session/game-session/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The session on mobile networks (issue 10), at the spec's real 9 s / 10 s
// timing: Chromium's own network emulation at DevTools' Fast 3G and Slow 3G
// settings, applied after the module is ready, and a dev server whose
// request leg jitters by 0–1.5 s. Each case watches its session for a
// minute and asserts from the server's call log: exactly one initiate, no
// renewal, every gap between the calls that kept the session (by when the
// server acted on them) under the TTL.
//
// The cases run at once inside one test, each with its own dev server and
// tab: go test runs only GOMAXPROCS parallel tests at a time (2 here), and
// these mostly wait on 9 s timers.
//
// Chromium's emulation is set on the page's target, and a dedicated
// Worker's fetch does not go through it: with backgroundHeartbeats (the
// default) the heartbeats leave from the Worker at full speed and only the
// initiate is slowed. So each emulated network runs twice: on the page's
// fetch (backgroundHeartbeats: false), where every request is slowed and
// the test checks it was, and with the defaults. The dev server's arrival
// jitter slows both paths alike.

const (
	realInterval = 9 * time.Second
	realTTL      = 10 * time.Second
	// networkRun is how long each network case watches its session.
	networkRun = 60 * time.Second
)

// netCase is one network condition and, once run, what came of it.
type netCase struct {
	name, user string
	emulate    *harness.Conditions
	faults     *Faults
	opts       Opts

	p     *tab
	srv   *devServer
	began time.Time
	// Read after the run, on the test's goroutine.
	calls []Call
	evs   []Event
	state string
}

func TestNetworks(t *testing.T) {
	t.Parallel()
	cases := []*netCase{
		{name: "Fast3G/page", user: "fast-3g-page", emulate: &harness.Fast3G, opts: pageFetch()},
		{name: "Slow3G/page", user: "slow-3g-page", emulate: &harness.Slow3G, opts: pageFetch()},
		{name: "Fast3G/worker", user: "fast-3g", emulate: &harness.Fast3G},
		{name: "Slow3G/worker", user: "slow-3g", emulate: &harness.Slow3G},
		// Every request reaches the server 0–1.5 s after it was sent (the
		// request leg), so the server sees gaps of 9 ± 1.5 s unless the
		// module sends early.
		{name: "ArrivalJitter", user: "arrival-jitter", faults: &Faults{RequestJitterMs: 1500}},
	}
	for _, c := range cases {
		c.srv = startServer(t, "-ttl", "10s")
		c.p = readyTab(t, c.srv)
		if c.emulate != nil {
			emulate(t, c.p, *c.emulate)
		}
		if c.faults != nil {
			c.srv.SetFaults(*c.faults)
		}
		opts := Opts{} // the defaults: 9 s / 10 s
		if c.opts != nil {
			opts = c.opts
		}
		mustStart(t, c.p, c.srv, c.user, opts)
		c.began = time.Now()
	}
	// An observation window: what must not happen is a renewal or a lapse.
	observe(time.Until(cases[len(cases)-1].began.Add(networkRun)))
	for _, c := range cases {
		c.calls = c.srv.CallsOf(c.user)
		c.evs = c.p.Events()
		c.state = c.p.State()
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assertKept(t, c)
			if c.emulate != nil && c.opts != nil {
				// The emulation slowed the heartbeats too (page fetch).
				if rtts := heartbeatRTTs(c.evs); len(rtts) > 0 {
					assert.GreaterOrEqual(t, slices.Min(rtts), 0.9*c.emulate.LatencyMs, "heartbeat round trips %v", rtts)
				}
			}
		})
	}
}

// assertKept checks that c's session was kept a minute without a renewal.
func assertKept(t *testing.T, c *netCase) {
	h := harness.HealthOf(c.calls, realTTL, realInterval)
	t.Logf("%s: %+v", c.user, h)
	assert.Equal(t, 1, h.Initiates, "exactly one initiate:\n%s", formatCalls(c.calls))
	assert.Zero(t, countEvents(c.evs, "renew"), "renew events: %v", c.evs)
	assert.Zero(t, h.Expiries, "the session lapsed on the server:\n%s", formatCalls(c.calls))
	assert.Less(t, h.MaxGapMs, ms(realTTL), "longest gap between accepted calls:\n%s", formatCalls(c.calls))
	// A minute at 9 s is 6 heartbeats; fewer means the session was not
	// really kept, whatever the gaps say.
	assert.GreaterOrEqual(t, h.Accepted, 6, "accepted heartbeats:\n%s", formatCalls(c.calls))
	assert.Equal(t, "active", c.state)
}

// readyTab opens the session page and waits for the module to be ready.
func readyTab(t *testing.T, srv *devServer) *tab {
	t.Helper()
	p := openSession(t, srv)
	eval[bool](p, "GameSession.ready.then(() => true)")
	return p
}

// emulate applies Chromium's network emulation to p (checked from the page).
func emulate(t *testing.T, p *tab, c harness.Conditions) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	require.NoError(t, harness.Emulate(ctx, c, "/lib.js"))
}

// heartbeatRTTs are the rttMs of the page's heartbeat events.
func heartbeatRTTs(evs []Event) []float64 {
	var out []float64
	for _, e := range evs {
		if e.Type == "heartbeat" {
			if v, ok := e.Detail["rttMs"].(float64); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// setOnLine makes navigator.onLine report v in the page (the network itself
// is untouched, as behind some VPNs) and fires the matching window event.
func setOnLine(p *tab, v bool) {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(() => {
		window.__onLine = %t;
		if (!window.__onLineHooked) {
			Object.defineProperty(Navigator.prototype, "onLine", { configurable: true, get: () => window.__onLine });
			window.__onLineHooked = true;
		}
		dispatchEvent(new Event(window.__onLine ? "online" : "offline"));
		return navigator.onLine === %t;
	})()`, v, v))
}

// navigator.onLine says false while the network works, and the server drops
// the session: the module keeps probing (at most one request per interval)
// and renews. Then, dropped again with every initiate failing and onLine
// still false, it tries to renew once an interval, and an online event makes
// it try again at once.
func TestNetworkOnLineFalseStillRenews(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "-ttl", "10s")
	p := readyTab(t, srv)
	const user = "online-false"
	mustStart(t, p, srv, user, Opts{})
	mark := lastCall(t, srv.CallsOf(user)).Seq

	setOnLine(p, false)
	srv.Expire(user)
	calls := srv.WaitCalls(user, 3*realInterval+5*time.Second, "a new session while onLine is false", func(cs []Call) bool {
		return len(served(ops(after(cs, mark), "initiate"))) >= 1
	})
	p.WaitJS(`GameSession.state() === "active"`, 5*time.Second, "state active after the renewal")
	renewal := served(ops(after(calls, mark), "initiate"))[0]

	probing := filterCalls(after(calls, mark), func(c Call) bool { return c.Seq <= renewal.Seq })
	assert.LessOrEqual(t, maxInWindow(probing, perInterval(realInterval)), 1,
		"more than one request within an interval while onLine was false and the session gone:\n%s", formatCalls(probing))

	// Dropped again, and now every initiate fails: the module, still
	// "offline", tries to renew once an interval.
	srv.SetFaults(Faults{ErrorRate: 1, ErrorStatus: 503, Ops: []string{"initiate"}})
	srv.Expire(user)
	failed := func(cs []Call) []Call {
		return filterCalls(after(cs, renewal.Seq), func(c Call) bool { return c.Fault == "error" })
	}
	calls = srv.WaitCalls(user, 4*realInterval+5*time.Second, "two failed renewals while onLine is false", func(cs []Call) bool {
		return len(failed(cs)) >= 2
	})
	probes := failed(calls)
	probe := probes[len(probes)-1]
	assert.GreaterOrEqual(t, probe.At-probes[len(probes)-2].At, ms(perInterval(realInterval)),
		"renewals tried closer than an interval while onLine was false:\n%s", formatCalls(after(calls, renewal.Seq)))

	// online: a request at once, well before the next slow probe.
	srv.ClearFaults()
	onlineAt := unixMs(time.Now())
	setOnLine(p, true)
	calls = srv.WaitCalls(user, realInterval, "a request after the online event", func(cs []Call) bool {
		return len(after(cs, probe.Seq)) >= 1
	})
	next := after(calls, probe.Seq)[0]
	assert.Less(t, next.At-onlineAt, 2000.0, "the first request came %.0f ms after online:\n%s", next.At-onlineAt, formatCalls(after(calls, mark)))
	srv.WaitCalls(user, realInterval, "a new session after online", func(cs []Call) bool {
		return len(served(ops(after(cs, probe.Seq), "initiate"))) >= 1
	})
	p.WaitJS(`GameSession.state() === "active"`, 5*time.Second, "state active after online")
}

// startFromEnd arms an end listener that calls startSession with a fresh
// token (kept in the page; never logged) when the session ends with reason.
func startFromEnd(p *tab, token, reason string, opts Opts) {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(() => {
		const token = %s, opts = %s;
		const off = GameSession.on("end", (d) => {
			if (d.reason !== %q) return;
			off();
			window.__restart = __settle(startSession(token, opts));
		});
		return true;
	})()`, jsValue(p, token), jsValue(p, opts), reason))
}

// endSession(), then startSession(token) from the end listener: a new
// session, in one tab, with no other tab involved.
func TestStartFromEndListenerAfterEndSession(t *testing.T) {
	t.Parallel()
	srv := steadyServer(t)
	p := readyTab(t, srv)
	const user = "restart-after-end"
	mustStart(t, p, srv, user, steadyOpts())
	startFromEnd(p, srv.Token(user), "user", steadyOpts())
	require.True(t, p.End().OK, "endSession")
	p.WaitJS("window.__restart", stepTimeout, "the listener's startSession")
	o := eval[Outcome](p, "window.__restart")
	require.True(t, o.OK, "startSession from the end listener: %v", o)
	ends := ops(srv.CallsOf(user), "end")
	require.Len(t, ends, 1)
	srv.WaitCalls(user, 5*time.Second, "a new session and its heartbeats", func(cs []Call) bool {
		return len(served(ops(after(cs, ends[0].Seq), "initiate"))) == 1 && len(served(ops(after(cs, ends[0].Seq), "heartbeat"))) >= 2
	})
	assert.Equal(t, "active", p.State())
}

// The token expires mid-session (a heartbeat answered UNAUTHORIZED ends the
// session); the end listener starts again with a fresh token.
func TestStartFromEndListenerAfterUnauthorized(t *testing.T) {
	t.Parallel()
	srv := steadyServer(t)
	p := readyTab(t, srv)
	const user = "restart-after-401"
	short, err := srv.h.Token(context.Background(), user, 3*time.Second)
	require.NoError(t, err)
	startFromEnd(p, srv.Token(user), "unauthorized", steadyOpts())
	require.True(t, p.Start(short, steadyOpts()).OK, "startSession with the short-lived token")
	p.WaitJS("window.__restart", 10*time.Second, "the end (unauthorized) and the listener's startSession")
	o := eval[Outcome](p, "window.__restart")
	require.True(t, o.OK, "startSession from the end listener: %v", o)
	calls := srv.Calls(0) // a refused call names no user: its token was not valid
	refused := filterCalls(calls, func(c Call) bool { return c.Status == 401 })
	require.NotEmpty(t, refused, "a call refused UNAUTHORIZED:\n%s", formatCalls(calls))
	srv.WaitCalls(user, 5*time.Second, "a new session and its heartbeats", func(cs []Call) bool {
		return len(served(ops(after(cs, refused[0].Seq), "initiate"))) == 1 && len(served(ops(after(cs, refused[0].Seq), "heartbeat"))) >= 2
	})
	assert.Equal(t, "active", p.State())
}

// pageFetch is the defaults with heartbeats sent by the page's own fetch,
// which Chromium's network emulation reaches.
func pageFetch() Opts { return Opts{"backgroundHeartbeats": false} }
