package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/game-session/game-session/harness"
)

// Figure 3: heartbeat gaps at the real 9 s interval as the server sees them
// (arrival times from /dev/calls), while the server answers with 0–300 ms
// of random latency. The gap from the initiate to the first heartbeat
// counts too: any gap of TTL or more lets the session expire. The rival
// runs in a second tab at the same time, against the same server, as the
// baseline (its time.Ticker is fixed rate too, so the two should match:
// the figure shows the module's retry and scheduling machinery costs no
// punctuality). Budget: the module's max gap < the 10 s TTL, and no
// heartbeat of it answered NO_ACTIVE_SESSION.

const realTTL = 10 * time.Second

type punctualityResult struct {
	User     string    `json:"user"`
	GapsMs   []float64 `json:"gapsMs"`
	Gaps     dist      `json:"gaps"`
	Beats    int       `json:"beats"`
	Expired  int       `json:"expiredAnswers"` // heartbeats answered NO_ACTIVE_SESSION
	NotOK    int       `json:"notOK"`          // any answer but 200 (faults included)
	Initiate int       `json:"initiates"`
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// openSession loads page in a fresh tab and starts a session for user with
// the given options (a JS object literal, or "" for none).
func openSession(ctx context.Context, e *env, srv *devServer, page, user, options string) (context.Context, func(), error) {
	return openSessionWith(ctx, e, srv, page, user, options, nil)
}

// openSessionWith is openSession with prepare (when not nil) run on the
// tab once the page is ready, before startSession.
func openSessionWith(ctx context.Context, e *env, srv *devServer, page, user, options string, prepare func(tab context.Context) error) (context.Context, func(), error) {
	b, err := e.browser(ctx)
	if err != nil {
		return nil, nil, err
	}
	tab, closeTab, err := b.tab(true)
	if err != nil {
		return nil, nil, err
	}
	if err := navigate(tab, 30*time.Second, srv.URL+page); err != nil {
		closeTab()
		return nil, nil, err
	}
	if _, err := eval[any](tab, 30*time.Second, "window.__done"); err != nil {
		closeTab()
		return nil, nil, fmt.Errorf("%s not ready: %w", page, err)
	}
	if prepare != nil {
		if err := prepare(tab); err != nil {
			closeTab()
			return nil, nil, fmt.Errorf("%s: preparing the tab: %w", page, err)
		}
	}
	token, err := srv.token(ctx, user)
	if err != nil {
		closeTab()
		return nil, nil, err
	}
	args := jsString(token)
	if options != "" {
		args += ", " + options
	}
	if _, err := eval[any](tab, 30*time.Second, "startSession("+args+")"); err != nil {
		closeTab()
		return nil, nil, fmt.Errorf("startSession for %s: %w", user, err)
	}
	return tab, closeTab, nil
}

func runPunctuality(ctx context.Context, e *env) error {
	srv, err := e.devServer(realTTL)
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := srv.faults(ctx, harness.Faults{LatencyMs: e.cfg.latencyMs, JitterMs: e.cfg.jitterMs}); err != nil {
		return err
	}
	users := map[string]string{"module": "punctual-module", "rival": "punctual-rival"}
	pagesOf := map[string]string{"module": "/bench/module.html", "rival": "/bench/baseline.html?wasm=rival.wasm"}
	for _, who := range []string{"module", "rival"} {
		_, closeTab, err := openSession(ctx, e, srv, pagesOf[who], users[who], "")
		if err != nil {
			return fmt.Errorf("%s: %w", who, err)
		}
		defer closeTab()
	}
	want := e.cfg.beats
	logf("punctuality: waiting for %d heartbeats at 9 s (~%.0f s)", want, float64(want)*9)
	wctx, cancel := context.WithTimeout(ctx, time.Duration(want+3)*9*time.Second+30*time.Second)
	defer cancel()
	calls, err := srv.waitCalls(wctx, 0, time.Second, func(cs []call) bool {
		for _, u := range users {
			if countOps(cs, u, "heartbeat") < want {
				return false
			}
		}
		return true
	})
	if err != nil {
		return fmt.Errorf("waiting for %d heartbeats: %w (saw module %d, rival %d)", want, err,
			countOps(calls, users["module"], "heartbeat"), countOps(calls, users["rival"], "heartbeat"))
	}
	res := map[string]punctualityResult{}
	for who, u := range users {
		res[who] = gapsOf(calls, u, want)
	}
	m, r := res["module"], res["rival"]
	rep := e.rep
	fig := fmt.Sprintf("3 punctuality (%d beats, +%d–%d ms)", want, e.cfg.latencyMs, e.cfg.latencyMs+e.cfg.jitterMs)
	rep.add(fig, "gap, mean", "s", m.Gaps.Mean/1000, nil, f64(r.Gaps.Mean/1000))
	rep.add(fig, "gap, p99", "s", m.Gaps.P99/1000, nil, f64(r.Gaps.P99/1000))
	rep.add(fig, "gap, max", "s", m.Gaps.Max/1000, nil, f64(r.Gaps.Max/1000))
	rep.check("punctuality: max heartbeat gap", fmt.Sprintf("< %s TTL, no expiry", realTTL),
		fmt.Sprintf("%.3f s, %d expired answers", m.Gaps.Max/1000, m.Expired),
		m.Gaps.Max < float64(realTTL.Milliseconds()) && m.Expired == 0 && m.Initiate == 1)
	rep.detail("punctuality", map[string]any{"module": m, "rival": r,
		"method": "server arrival times (GET /dev/calls) of initiate and heartbeats; server latency per call uniform in [latencyMs, latencyMs+jitterMs]"})
	return nil
}

func countOps(cs []call, user, op string) int {
	n := 0
	for _, c := range cs {
		if c.User == user && c.Op == op {
			n++
		}
	}
	return n
}

// gapsOf returns the gaps between the first initiate and the following
// heartbeats of user, up to beats of them, in arrival (seq) order.
func gapsOf(cs []call, user string, beats int) punctualityResult {
	r := punctualityResult{User: user}
	var at []float64
	sorted := slices.Clone(cs)
	slices.SortFunc(sorted, func(a, b call) int { return int(a.Seq - b.Seq) })
	for _, c := range sorted {
		if c.User != user {
			continue
		}
		switch c.Op {
		case "initiate":
			r.Initiate++
			if len(at) == 0 {
				at = append(at, c.At)
			}
		case "heartbeat":
			if len(at) == 0 || r.Beats >= beats {
				continue
			}
			r.Beats++
			at = append(at, c.At)
			if c.Code == "NO_ACTIVE_SESSION" {
				r.Expired++
			}
			if c.Status != 200 {
				r.NotOK++
			}
		}
	}
	for i := 1; i < len(at); i++ {
		r.GapsMs = append(r.GapsMs, at[i]-at[i-1])
	}
	r.Gaps = summarize(r.GapsMs)
	return r
}
