package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/game-session/game-session/harness"
)

// Figure 7: the session on mobile networks and busy pages (issue 10), at the
// real 9 s / 10 s timing for -networks-duration (3 minutes). Per profile, one
// dev server (-ttl 10s) and two tabs: the module and the naive rival, each
// with its own user, under the same conditions. The profiles run side by
// side (their tabs mostly wait on 9 s timers), so the figure takes one run's
// time, not five.
//
//   - steady: no fault;
//   - Fast 3G, Slow 3G: Chromium's network emulation at DevTools' presets
//     (+562.5 ms and +2 s per request, capped throughput), applied to the
//     tab after the module is ready, before startSession;
//   - jitter 1.5 s: the dev server holds every request 0–1.5 s (uniform)
//     before acting on it (the request leg);
//   - stalls: the page's main thread is blocked by synchronous work, 1.5 s
//     every 10.3 s (drifting across the 9 s beat, so some land just before
//     a heartbeat is due) and 5 s every 61 s.
//
// From the server's call log (calls that arrived within the run): renewals
// (served initiates after the first), server-side expiries (a gap of more
// than the TTL between the calls that kept the session, by when the server
// acted on them, or a heartbeat answered NO_ACTIVE_SESSION), the longest
// such gap, and the requests per interval (mean, and most within any 9 s).
// Budget (module only, never moved): 0 renewals and 0 expiries per profile.

type netProfile struct {
	name     string
	emulate  *harness.Conditions
	faults   *harness.Faults
	stallsJS string
}

// stallsJS blocks the page's main thread as a game's level load would.
const stallsJS = `(() => {
	const busy = (ms) => { const t0 = performance.now(); while (performance.now() - t0 < ms) {} };
	setInterval(() => busy(1500), 10300);
	setInterval(() => busy(5000), 61000);
	return true;
})()`

// Chromium's emulation is set on the page's target: it slows the rival's
// requests and the module's initiate, but not the heartbeats the module's
// dedicated Worker sends. So Fast 3G and Slow 3G are also measured through
// the dev server, whose two legs (half the round trip each, with DevTools'
// added latency) slow every request alike.
var netProfiles = []netProfile{
	{name: "steady"},
	{name: "Fast 3G", emulate: &harness.Fast3G},
	{name: "Slow 3G", emulate: &harness.Slow3G},
	{name: "Fast 3G, server legs", faults: &harness.Faults{RequestLatencyMs: 281, ResponseLatencyMs: 281}},
	{name: "Slow 3G, server legs", faults: &harness.Faults{RequestLatencyMs: 1000, ResponseLatencyMs: 1000}},
	{name: "jitter 1.5 s", faults: &harness.Faults{RequestJitterMs: 1500}},
	{name: "stalls", stallsJS: stallsJS},
}

const netInterval = 9 * time.Second

type netResult struct {
	Profile string         `json:"profile"`
	Module  harness.Health `json:"module"`
	Rival   harness.Health `json:"rival"`
	// Mean requests per interval over the run.
	ModulePerInterval float64 `json:"modulePerInterval"`
	RivalPerInterval  float64 `json:"rivalPerInterval"`
	Seconds           float64 `json:"seconds"`
	Err               string  `json:"error,omitempty"`
}

func runNetworks(ctx context.Context, e *env) error {
	d := e.cfg.netDuration
	logf("networks: %d profiles side by side for %v", len(netProfiles), d)
	results := make([]netResult, len(netProfiles))
	var wg sync.WaitGroup
	for i, p := range netProfiles {
		wg.Go(func() {
			r, err := runProfile(ctx, e, p, d)
			if err != nil {
				r.Err = err.Error()
			}
			results[i] = r
		})
	}
	wg.Wait()

	rep := e.rep
	fig := fmt.Sprintf("7 networks (%.0f min, 9 s / 10 s)", d.Minutes())
	var failed []string
	for _, r := range results {
		if r.Err != "" {
			failed = append(failed, r.Profile+": "+r.Err)
			continue
		}
		m, v := r.Module, r.Rival
		rep.add(fig, r.Profile+": renewals", "", float64(m.Renewals), nil, f64(float64(v.Renewals)))
		rep.add(fig, r.Profile+": server expiries", "", float64(m.Expiries), nil, f64(float64(v.Expiries)))
		rep.add(fig, r.Profile+": longest gap", "s", m.MaxGapMs/1000, nil, f64(v.MaxGapMs/1000))
		rep.add(fig, r.Profile+": requests per interval, mean", "", round2(r.ModulePerInterval), nil, f64(round2(r.RivalPerInterval)))
		rep.add(fig, r.Profile+": requests per interval, max", "", float64(m.MaxPerInterval), nil, f64(float64(v.MaxPerInterval)))
		rep.check("networks: "+r.Profile, "0 renewals, 0 server expiries",
			fmt.Sprintf("%d renewals, %d expiries (longest gap %.1f s)", m.Renewals, m.Expiries, m.MaxGapMs/1000),
			m.Renewals == 0 && m.Expiries == 0)
	}
	rep.detail("networks", map[string]any{"profiles": results,
		"method": "per profile one dev server (-ttl 10s) and two tabs (module, rival) at 9 s / 10 s; health from GET /dev/calls of the calls that arrived within the run; gaps by actedAt"})
	if len(failed) > 0 {
		return fmt.Errorf("%v", failed)
	}
	return nil
}

func round2(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }

// runProfile runs the module and the rival side by side under p for d.
func runProfile(ctx context.Context, e *env, p netProfile, d time.Duration) (netResult, error) {
	r := netResult{Profile: p.name}
	srv, err := e.devServer(realTTL)
	if err != nil {
		return r, err
	}
	defer srv.Close()
	if p.faults != nil {
		if err := srv.faults(ctx, *p.faults); err != nil {
			return r, err
		}
	}
	prepare := func(tab context.Context) error {
		if p.emulate != nil {
			if err := harness.Emulate(tab, *p.emulate, "/dist/game-session.js"); err != nil {
				return err
			}
		}
		if p.stallsJS != "" {
			if _, err := eval[bool](tab, 10*time.Second, p.stallsJS); err != nil {
				return err
			}
		}
		return nil
	}
	users := map[string]string{"module": "net-module", "rival": "net-rival"}
	pagesOf := map[string]string{"module": "/bench/module.html", "rival": "/bench/baseline.html?wasm=rival.wasm"}
	for _, who := range []string{"module", "rival"} {
		_, closeTab, err := openSessionWith(ctx, e, srv, pagesOf[who], users[who], "", prepare)
		if err != nil {
			return r, fmt.Errorf("%s: %w", who, err)
		}
		defer closeTab()
	}
	start := time.Now() // both sessions are up
	select {
	case <-ctx.Done():
		return r, ctx.Err()
	case <-time.After(d):
	}
	cutoff := unixMs(start.Add(d))
	calls, err := srv.calls(ctx, 0)
	if err != nil {
		return r, err
	}
	within := harness.Filter(calls, func(c call) bool { return c.At <= cutoff })
	intervals := d.Seconds() / netInterval.Seconds()
	mc, rc := harness.Of(within, users["module"]), harness.Of(within, users["rival"])
	r.Module = harness.HealthOf(mc, realTTL, netInterval)
	r.Rival = harness.HealthOf(rc, realTTL, netInterval)
	r.ModulePerInterval = float64(len(mc)) / intervals
	r.RivalPerInterval = float64(len(rc)) / intervals
	r.Seconds = time.Since(start).Seconds()
	if r.Module.Renewals > 0 || r.Module.Expiries > 0 {
		logf("networks %s: the module's calls:\n%s", p.name, harness.FormatCalls(mc))
	}
	return r, nil
}

func unixMs(t time.Time) float64 { return float64(t.UnixNano()) / 1e6 }
