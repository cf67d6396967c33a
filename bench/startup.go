package main

import (
	"context"
	"fmt"
	"time"
)

// Figure 2: time from navigation start to ready, over cold loads in
// headless Chromium: game-session through its classic-script loader
// (GameSession.ready), the floor and the rival through wasm_exec.js +
// instantiateStreaming + go.run (ready when the program calls
// __benchReady). Every load is in a new browser context with the cache
// off, so nothing (HTTP cache, compiled-wasm cache) carries over; the three
// programs take turns (-loads rounds, default 30, who goes first rotating)
// so that machine noise hits them alike. One load of each is a discarded
// warm-up (it warms the OS file cache and the dev server, not the
// browser). The budget: the module's median time to ready within
// -startup-budget (default ×1.10) of the floor's. The longest main-thread
// task of each load comes from a buffered PerformanceObserver('longtask'),
// which sees only tasks of 50 ms or more: 0 means none was that long. Where
// the time goes comes from the .wasm's Resource Timing entry, which needs no
// hook in the pages: when its request started and when its last byte came,
// so that the rows split ready into "download starts", "download takes" and
// "from the last byte to ready" (compile's tail, instantiate, Go's start).

type loadSample struct {
	ReadyMs     float64 `json:"readyMs"`
	WasmStartMs float64 `json:"wasmFetchStartMs"`  // the .wasm's Resource Timing fetchStart
	WasmEndMs   float64 `json:"wasmResponseEndMs"` // and responseEnd
	LongestMs   float64 `json:"longestTaskMs"`
	LongTasks   int     `json:"longTasks"`
	ElapsedWall float64 `json:"wallMs"`
}

type program struct {
	name, path string
}

var startupPrograms = []program{
	{"module", "/bench/module.html"},
	{"floor", "/bench/baseline.html?wasm=floor.wasm"},
	{"rival", "/bench/baseline.html?wasm=rival.wasm"},
}

const readExpr = `(async () => {
  await window.__done;
  // Let the task that resolved ready end, so its long-task entry exists.
  await new Promise((r) => setTimeout(r, 0));
  for (const e of __longObserver.takeRecords()) __long.push(e.duration);
  const wasm = performance.getEntriesByType("resource").find((e) => e.name.endsWith(".wasm"));
  return { readyMs: __readyAt, longestTaskMs: Math.max(0, ...__long), longTasks: __long.length,
    wasmFetchStartMs: wasm ? wasm.fetchStart : 0, wasmResponseEndMs: wasm ? wasm.responseEnd : 0 };
})()`

func runStartup(ctx context.Context, e *env) error {
	srv, err := e.devServer(10 * time.Second)
	if err != nil {
		return err
	}
	defer srv.Close()
	b, err := e.browser(ctx)
	if err != nil {
		return err
	}
	samples := map[string][]loadSample{}
	for i := 0; i <= e.cfg.loads; i++ {
		for j := range startupPrograms {
			// Rotate who goes first, so no program always follows the same one.
			p := startupPrograms[(i+j)%len(startupPrograms)]
			s, err := coldLoad(ctx, b, srv.URL+p.path)
			if err != nil {
				return fmt.Errorf("%s load %d: %w", p.name, i, err)
			}
			if i > 0 {
				samples[p.name] = append(samples[p.name], s)
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	ready := map[string]dist{}
	longest := map[string]dist{}
	wasmStart, wasmTakes, afterWasm := map[string]dist{}, map[string]dist{}, map[string]dist{}
	for name, ss := range samples {
		var r, l, ws, wt, aw []float64
		for _, s := range ss {
			r = append(r, s.ReadyMs)
			l = append(l, s.LongestMs)
			ws = append(ws, s.WasmStartMs)
			wt = append(wt, s.WasmEndMs-s.WasmStartMs)
			aw = append(aw, s.ReadyMs-s.WasmEndMs)
		}
		ready[name], longest[name] = summarize(r), summarize(l)
		wasmStart[name], wasmTakes[name], afterWasm[name] = summarize(ws), summarize(wt), summarize(aw)
	}
	rep := e.rep
	fig := fmt.Sprintf("2 start-up (%d cold)", e.cfg.loads)
	rep.add(fig, "ready, median", "ms", ready["module"].Median, f64(ready["floor"].Median), f64(ready["rival"].Median))
	rep.add(fig, "ready, p90", "ms", ready["module"].P90, f64(ready["floor"].P90), f64(ready["rival"].P90))
	rep.add(fig, ".wasm request starts, median", "ms", wasmStart["module"].Median, f64(wasmStart["floor"].Median), f64(wasmStart["rival"].Median))
	rep.add(fig, ".wasm download takes, median", "ms", wasmTakes["module"].Median, f64(wasmTakes["floor"].Median), f64(wasmTakes["rival"].Median))
	rep.add(fig, "last byte → ready, median", "ms", afterWasm["module"].Median, f64(afterWasm["floor"].Median), f64(afterWasm["rival"].Median))
	rep.add(fig, "longest task, median", "ms", longest["module"].Median, f64(longest["floor"].Median), f64(longest["rival"].Median))
	rep.add(fig, "longest task, max", "ms", longest["module"].Max, f64(longest["floor"].Max), f64(longest["rival"].Max))
	mod, floor := ready["module"].Median, ready["floor"].Median
	rep.check("start-up: median ready vs floor", fmt.Sprintf("≤ ×%.2f", e.cfg.startupBudget),
		fmt.Sprintf("×%.3f (%.1f ms vs %.1f ms, %d cold loads each)", mod/floor, mod, floor, e.cfg.loads),
		floor > 0 && mod <= e.cfg.startupBudget*floor)
	rep.detail("startup", map[string]any{"ready": ready, "longestTask": longest, "samples": samples,
		"method": "navigation start → GameSession.ready / __benchReady, performance.now(); new browser context + cache disabled per load; .wasm served uncompressed by the dev server on loopback; long tasks ≥ 50 ms via PerformanceObserver"})
	return nil
}

func coldLoad(ctx context.Context, b *browser, url string) (loadSample, error) {
	tab, closeTab, err := b.tab(true)
	if err != nil {
		return loadSample{}, err
	}
	defer closeTab()
	t := time.Now()
	if err := navigate(tab, 30*time.Second, url); err != nil {
		return loadSample{}, err
	}
	s, err := eval[loadSample](tab, 30*time.Second, readExpr)
	s.ElapsedWall = float64(time.Since(t).Microseconds()) / 1000
	return s, err
}
