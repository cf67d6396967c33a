package main

import (
	"context"
	"fmt"
	"time"
)

// Figure 4: end delivery. Over -navs navigations away from a page with a
// live session (one tab; each round loads the module page, starts a
// session for a new user, then navigates to another page of the same
// site), how many end requests reached the server, and the time from the
// navigation's start (taken just before the bench sends Page.navigate) to
// the end's arrival at the server (same machine, same clock). An end that
// has not arrived 3 s after the navigation is counted lost.

const endWait = 3 * time.Second

func unixMsNow() float64 { return float64(time.Now().UnixNano()) / 1e6 }

func runEndDelivery(ctx context.Context, e *env) error {
	srv, err := e.devServer(realTTL)
	if err != nil {
		return err
	}
	defer srv.Close()
	b, err := e.browser(ctx)
	if err != nil {
		return err
	}
	tab, closeTab, err := b.tab(true)
	if err != nil {
		return err
	}
	defer closeTab()

	var latencies []float64
	var lost []string
	contentTypes := map[string]int{}
	var since int64
	for i := range e.cfg.navs {
		user := fmt.Sprintf("end-%d", i)
		if err := navigate(tab, 30*time.Second, srv.URL+"/bench/module.html"); err != nil {
			return err
		}
		if _, err := eval[any](tab, 30*time.Second, "window.__done"); err != nil {
			return fmt.Errorf("round %d: module not ready: %w", i, err)
		}
		token, err := srv.token(ctx, user)
		if err != nil {
			return err
		}
		if _, err := eval[any](tab, 30*time.Second, "startSession("+jsString(token)+")"); err != nil {
			return fmt.Errorf("round %d: startSession: %w", i, err)
		}
		t0 := unixMsNow()
		if err := navigate(tab, 30*time.Second, srv.URL+"/bench/away.html"); err != nil {
			return err
		}
		wctx, cancel := context.WithDeadline(ctx, time.UnixMilli(int64(t0)).Add(endWait))
		cs, err := srv.waitCalls(wctx, since, 20*time.Millisecond, func(cs []call) bool {
			return countOps(cs, user, "end") > 0
		})
		cancel()
		for _, c := range cs {
			since = max(since, c.Seq)
		}
		found := false
		for _, c := range cs {
			if c.User == user && c.Op == "end" {
				latencies = append(latencies, c.At-t0)
				contentTypes[fmt.Sprintf("%s %d", c.ContentType, c.Status)]++
				found = true
				break
			}
		}
		if !found {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			lost = append(lost, user)
		}
	}
	d := summarize(latencies)
	n := e.cfg.navs
	rep := e.rep
	fig := fmt.Sprintf("4 end delivery (%d navigations)", n)
	rep.add(fig, "ends delivered", "%", 100*float64(len(latencies))/float64(n), nil, nil)
	if len(latencies) > 0 {
		rep.add(fig, "navigation → end, median", "ms", d.Median, nil, nil)
		rep.add(fig, "navigation → end, p99", "ms", d.P99, nil, nil)
	}
	rep.detail("endDelivery", map[string]any{"navigations": n, "delivered": len(latencies), "lost": lost,
		"latencyMs": d, "samplesMs": latencies, "endCalls": contentTypes,
		"method": "same tab: load /bench/module.html, startSession (new user), navigate to /bench/away.html; t0 just before Page.navigate; arrival from GET /dev/calls; lost after 3 s"})
	return nil
}
