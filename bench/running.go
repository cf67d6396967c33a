package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/heapprofiler"
	"github.com/chromedp/cdproto/performance"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Figure 5: cost while running. A session heartbeats at an accelerated
// interval (heartbeatIntervalMs 10, sessionTtlMs 1000, server -ttl 1s)
// for -run-beats server-observed heartbeats after a warm-up.
//
//   - Main-thread time per heartbeat: CDP Performance.getMetrics ThreadTime
//     (CPU time of the page's main thread: script, wasm, GC, fetch
//     plumbing) over the beats. CPU time, not the tasks' wall time
//     (TaskDuration, kept in the JSON), because on a busy 2-core machine a
//     task's wall time counts the time it was descheduled.
//   - Memory, sampled about five times a second without disturbing the
//     page (no forced GC): the wasm linear memory, which holds Go's heap and
//     never shrinks (the Go heap's high-water mark: the module exposes no
//     Go heap figure to the page); the JS heap (Runtime.getHeapUsage); and
//     the JS values Go holds (the size of wasm_exec.js's id table). Values
//     Go dropped leave that table, and the JS heap, only when Go's GC runs
//     their finalizers, so both are sawtooths with Go's GC cycle; a leaked
//     js.Func or js.Value never leaves, so it lifts the sawtooth's floor.
//     Each half of the run is therefore summarised by its floor: the
//     fewest values held at any sample, and the JS heap measured after a
//     forced GC right after each of Go's GC cycles (seen as the table
//     falling to under a quarter), the lowest such in the half.
//
// The naive rival runs the same schedule afterwards (a third of the beats,
// to save time), as the baseline.
//
// Budgets (module only), second half of the run against the first (the
// first lets the heaps reach their working size):
//   - JS values held by Go: the floor rises by at most a quarter of the
//     second half's heartbeats (a value leaked per beat is one per beat;
//     the floor's sampling noise is some tens of values);
//   - JS heap floor: rises by at most -heap-bound bytes per heartbeat;
//   - wasm linear memory (the Go heap's high-water mark) grows by at most
//     -wasm-bound bytes per heartbeat. The memory grows in 64 KiB pages
//     (steps of 256 KiB were seen with no leak), so the bound must let one
//     step pass: at 5 000 beats it catches a Go-side leak (a js.Func never
//     released keeps its closure and funcs-map entry) only above about
//     100 B per beat. An exact Go heap figure needs the module to expose
//     runtime.MemStats, which it does not.

const runWarmupBeats = 300

type runSample struct {
	Beats      int     `json:"beats"`
	GoRefs     float64 `json:"goHeldJSValues"`
	WasmMemory float64 `json:"wasmMemoryBytes"`
	JSHeap     float64 `json:"jsHeapUsedBytes"`
}

type halfFloor struct {
	GoRefs float64 `json:"goHeldJSValues"`
	JSHeap float64 `json:"jsHeapUsedBytes"`
}

type runResult struct {
	Beats         int          `json:"beats"`
	Seconds       float64      `json:"seconds"`
	BeatsPerSec   float64      `json:"beatsPerSecond"`
	CPUMsPerBeat  float64      `json:"mainThreadCPUMsPerBeat"`
	TaskMsPerBeat float64      `json:"taskWallMsPerBeat"`
	ScriptMsPerBt float64      `json:"scriptMsPerBeat"`
	Floors        [2]halfFloor `json:"lowestPerHalf"`
	WasmMemoryMid float64      `json:"wasmMemoryMiddleBytes"`
	WasmMemoryEnd float64      `json:"wasmMemoryEndBytes"`
	SecondHalf    int          `json:"secondHalfBeats"`
	// Growth from the first half to the second, per beat of the second.
	WasmGrowthPerBeat   float64            `json:"wasmMemoryGrowthBytesPerBeat"`
	JSHeapGrowthPerBeat float64            `json:"jsHeapFloorGrowthBytesPerBeat"`
	GoRefsGrowth        float64            `json:"goHeldJSValuesGrowth"`
	Failed              int                `json:"failedHeartbeats"`
	EndError            string             `json:"endError,omitempty"`
	NoTrough            bool               `json:"noGoGCInAHalf,omitempty"` // JS heap growth unknown: run more beats
	Samples             []runSample        `json:"samples"`
	Troughs             []runSample        `json:"troughs"` // right after Go's GC, JS heap after a forced GC
	MetricsBefore       map[string]float64 `json:"metricsBefore"`
	MetricsAfter        map[string]float64 `json:"metricsAfter"`
}

func runRunning(ctx context.Context, e *env) error {
	srv, err := e.devServer(time.Second)
	if err != nil {
		return err
	}
	defer srv.Close()
	n, ivl := e.cfg.runBeats, e.cfg.runIntervalMs
	opts := fmt.Sprintf("{heartbeatIntervalMs: %d, sessionTtlMs: 1000}", ivl)
	m, err := measureRunning(ctx, e, srv, "/bench/module.html", "run-module", opts, n)
	if err != nil {
		return fmt.Errorf("module: %w", err)
	}
	rivalBeats := max(n/3, 100)
	r, err := measureRunning(ctx, e, srv, "/bench/baseline.html?wasm=rival.wasm", "run-rival", opts, rivalBeats)
	if err != nil {
		return fmt.Errorf("rival: %w", err)
	}
	if m.EndError != "" {
		return fmt.Errorf("module: endSession after the run: %s", m.EndError)
	}
	rep := e.rep
	if r.Failed > 0 || r.EndError != "" {
		rep.note("running: %d of the rival's %d heartbeats were not answered 200 and its endSession was rejected: %t (it never renews an expired session)", r.Failed, r.Beats, r.EndError != "")
	}
	fig := fmt.Sprintf("5 running (%d beats @ %d ms)", m.Beats, ivl)
	rep.add(fig, "main-thread CPU per beat", "ms", m.CPUMsPerBeat, nil, f64(r.CPUMsPerBeat))
	rep.add(fig, "beats per second reached", "/s", m.BeatsPerSec, nil, f64(r.BeatsPerSec))
	rep.add(fig, "wasm memory at end", "B", m.WasmMemoryEnd, nil, f64(r.WasmMemoryEnd))
	rep.add(fig, "JS heap floor, 2nd half", "B", m.Floors[1].JSHeap, nil, f64(r.Floors[1].JSHeap))
	rep.add(fig, "wasm memory growth, 2nd half", "B/beat", m.WasmGrowthPerBeat, nil, f64(r.WasmGrowthPerBeat))
	rep.add(fig, "JS heap floor growth, 2nd half", "B/beat", m.JSHeapGrowthPerBeat, nil, f64(r.JSHeapGrowthPerBeat))
	rep.add(fig, "JS values held by Go, floor 1st → 2nd half", "", m.GoRefsGrowth, nil, f64(r.GoRefsGrowth))
	rep.check("running: JS heap floor growth, 2nd half", fmt.Sprintf("≤ %.0f B/beat", e.cfg.heapBoundPerBt),
		fmt.Sprintf("%.1f B/beat over %d beats", m.JSHeapGrowthPerBeat, m.SecondHalf),
		m.JSHeapGrowthPerBeat <= e.cfg.heapBoundPerBt && !m.NoTrough)
	rep.check("running: wasm memory (Go heap high-water) growth, 2nd half", fmt.Sprintf("≤ %.0f B/beat", e.cfg.wasmBoundPerBt),
		fmt.Sprintf("%.1f B/beat (%s over %d beats)", m.WasmGrowthPerBeat, format(m.WasmMemoryEnd-m.WasmMemoryMid, "B"), m.SecondHalf),
		m.WasmGrowthPerBeat <= e.cfg.wasmBoundPerBt)
	if m.NoTrough {
		rep.note("running: Go's GC did not run in each half of the module's run, so the JS heap's growth is unknown: use more -run-beats")
	}
	rep.check("running: JS values held by Go", fmt.Sprintf("floor rises ≤ %d (¼ per beat)", m.SecondHalf/4),
		fmt.Sprintf("%+.0f", m.GoRefsGrowth), m.GoRefsGrowth <= float64(m.SecondHalf/4))
	if m.Failed > 0 {
		rep.note("running: %d of the module's heartbeats were not answered 200", m.Failed)
	}
	rep.note("running: %d beats for the module (-run-beats; the issue's 10 000 take ~2 min more), %d for the rival (a third, to save time)", m.Beats, r.Beats)
	rep.detail("running", map[string]any{"module": m, "rival": r, "warmupBeats": runWarmupBeats})
	return nil
}

func measureRunning(ctx context.Context, e *env, srv *devServer, page, user, opts string, beats int) (runResult, error) {
	var res runResult
	seq, err := lastSeq(ctx, srv)
	if err != nil {
		return res, err
	}
	tab, closeTab, err := openSession(ctx, e, srv, page, user, opts)
	if err != nil {
		return res, err
	}
	defer closeTab()
	if _, err := chromedp.Call(tab, performance.Enable, performance.EnableParams{}); err != nil {
		return res, err
	}
	if err := findGo(tab); err != nil {
		return res, err
	}
	counter := &beatCounter{srv: srv, user: user, since: seq}
	interval := time.Duration(e.cfg.runIntervalMs) * time.Millisecond
	wait := func(target int, each func() error) error {
		wctx, cancel := context.WithTimeout(ctx, 3*time.Duration(target-counter.beats)*interval+time.Minute)
		defer cancel()
		return counter.waitFor(wctx, target, each)
	}
	if err := wait(runWarmupBeats, nil); err != nil {
		return res, err
	}
	logf("running: %s: %d heartbeats at %v", user, beats, interval)
	if res.MetricsBefore, err = metrics(tab); err != nil {
		return res, err
	}
	start, first := time.Now(), counter.beats
	sample := func() error {
		s, err := sampleMemory(tab)
		if err != nil {
			return err
		}
		s.Beats = counter.beats - first
		// Go's GC just ran the finalizers of the values it dropped (the
		// table fell to under a quarter): what the JS heap holds now,
		// after a forced GC, is what the page really keeps.
		if n := len(res.Samples); n > 0 && res.Samples[n-1].GoRefs > 1000 && s.GoRefs < res.Samples[n-1].GoRefs/4 {
			t := s
			if _, err := chromedp.Call(tab, heapprofiler.CollectGarbage, cdp.Empty{}); err != nil {
				return err
			}
			heap, err := chromedp.Call(tab, runtime.GetHeapUsage, cdp.Empty{})
			if err != nil {
				return err
			}
			t.JSHeap = heap.UsedSize
			res.Troughs = append(res.Troughs, t)
		}
		res.Samples = append(res.Samples, s)
		return nil
	}
	if err := sample(); err != nil {
		return res, err
	}
	if err := wait(first+beats, sample); err != nil {
		return res, err
	}
	if res.MetricsAfter, err = metrics(tab); err != nil {
		return res, err
	}
	res.Seconds = time.Since(start).Seconds()
	if _, err := eval[any](tab, 30*time.Second, "endSession()"); err != nil {
		// The rival cannot recover an expired session, so its end can
		// fail: recorded, not fatal.
		res.EndError = err.Error()
	}
	res.Failed = counter.failed
	res.Beats = counter.beats - first
	res.summarize()
	return res, nil
}

func (res *runResult) summarize() {
	b, a := res.MetricsBefore, res.MetricsAfter
	per := func(name string) float64 { return (a[name] - b[name]) * 1000 / float64(res.Beats) }
	res.CPUMsPerBeat, res.TaskMsPerBeat, res.ScriptMsPerBt = per("ThreadTime"), per("TaskDuration"), per("ScriptDuration")
	res.BeatsPerSec = float64(res.Beats) / res.Seconds
	mid := 0
	for mid < len(res.Samples) && res.Samples[mid].Beats < res.Beats/2 {
		mid++
	}
	half := res.Samples[mid].Beats
	for i := range res.Floors {
		f := halfFloor{GoRefs: -1, JSHeap: -1}
		for _, s := range res.Samples {
			if (s.Beats >= half) == (i == 1) && (f.GoRefs < 0 || s.GoRefs < f.GoRefs) {
				f.GoRefs = s.GoRefs
			}
		}
		for _, t := range res.Troughs {
			if (t.Beats >= half) == (i == 1) && (f.JSHeap < 0 || t.JSHeap < f.JSHeap) {
				f.JSHeap = t.JSHeap
			}
		}
		res.Floors[i] = f
	}
	last := res.Samples[len(res.Samples)-1]
	res.WasmMemoryMid, res.WasmMemoryEnd = res.Samples[mid].WasmMemory, last.WasmMemory
	res.SecondHalf = last.Beats - res.Samples[mid].Beats
	beats := float64(max(res.SecondHalf, 1))
	res.WasmGrowthPerBeat = (res.WasmMemoryEnd - res.WasmMemoryMid) / beats
	if res.Floors[0].JSHeap >= 0 && res.Floors[1].JSHeap >= 0 {
		res.JSHeapGrowthPerBeat = (res.Floors[1].JSHeap - res.Floors[0].JSHeap) / beats
	} else {
		res.NoTrough = true
	}
	res.GoRefsGrowth = res.Floors[1].GoRefs - res.Floors[0].GoRefs
	// The JSON keeps about a hundred samples: enough to see the sawtooth.
	if k := len(res.Samples)/100 + 1; k > 1 {
		var thin []runSample
		for i, s := range res.Samples {
			if i%k == 0 || i == len(res.Samples)-1 {
				thin = append(thin, s)
			}
		}
		res.Samples = thin
	}
}

func lastSeq(ctx context.Context, srv *devServer) (int64, error) {
	cs, err := srv.calls(ctx, 0)
	var last int64
	for _, c := range cs {
		last = max(last, c.Seq)
	}
	return last, err
}

// beatCounter counts a user's heartbeats as the server logs them.
type beatCounter struct {
	srv    *devServer
	user   string
	since  int64
	beats  int
	failed int
}

// waitFor polls the server's call log until target heartbeats, calling
// each (if not nil) at every poll, about five times a second.
func (b *beatCounter) waitFor(ctx context.Context, target int, each func() error) error {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		cs, err := b.srv.calls(ctx, b.since)
		if err != nil {
			return err
		}
		for _, c := range cs {
			b.since = max(b.since, c.Seq)
			if c.User == b.user && c.Op == "heartbeat" {
				b.beats++
				if c.Status != 200 {
					b.failed++
				}
			}
		}
		if each != nil {
			if err := each(); err != nil {
				return err
			}
		}
		if b.beats >= target {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %d of %d heartbeats: %w", b.user, b.beats, target, ctx.Err())
		case <-tick.C:
		}
	}
}

func metrics(tab context.Context) (map[string]float64, error) {
	res, err := chromedp.Call(tab, performance.GetMetrics, cdp.Empty{})
	if err != nil {
		return nil, err
	}
	m := map[string]float64{}
	for _, x := range res.Metrics {
		m[x.Name] = x.Value
	}
	return m, nil
}

// findGo finds the page's one Go instance (the loader keeps it private)
// with Runtime.queryObjects and keeps it as globalThis.__benchGo, so that
// samples are a cheap property read.
func findGo(tab context.Context) error {
	const group = "bench-find-go"
	defer chromedp.Call(tab, runtime.ReleaseObjectGroup, runtime.ReleaseObjectGroupParams{ObjectGroup: group})
	p, err := chromedp.Run(tab, chromedp.Evaluate[*runtime.RemoteObject]("Go.prototype", chromedp.EvalObjectGroup(group)))
	if err != nil {
		return err
	}
	if p == nil || p.ObjectID == "" {
		return fmt.Errorf("no Go class in the page")
	}
	objs, err := chromedp.Call(tab, runtime.QueryObjects, runtime.QueryObjectsParams{PrototypeObjectID: p.ObjectID, ObjectGroup: group})
	if err != nil {
		return err
	}
	r, err := chromedp.Call(tab, runtime.CallFunctionOn, runtime.CallFunctionOnParams{
		FunctionDeclaration: "function () { globalThis.__benchGo = this[0]; return this.length; }",
		ObjectID:            objs.Objects.ObjectID, ReturnByValue: new(true),
	})
	if err != nil {
		return err
	}
	var n int
	if r.ExceptionDetails != nil || json.Unmarshal([]byte(r.Result.Value), &n) != nil || n != 1 {
		return fmt.Errorf("want one Go instance in the page, found %s", r.Result.Value)
	}
	return nil
}

func sampleMemory(tab context.Context) (runSample, error) {
	var s runSample
	v, err := eval[[2]float64](tab, 10*time.Second, "[__benchGo._ids.size, __benchGo._inst.exports.mem.buffer.byteLength]")
	if err != nil {
		return s, err
	}
	s.GoRefs, s.WasmMemory = v[0], v[1]
	heap, err := chromedp.Call(tab, runtime.GetHeapUsage, cdp.Empty{})
	s.JSHeap = heap.UsedSize
	return s, err
}
