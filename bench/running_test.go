package main

import "testing"

func TestRunSummarize(t *testing.T) {
	r := runResult{
		Beats:         1000,
		Seconds:       10,
		MetricsBefore: map[string]float64{"ThreadTime": 1, "TaskDuration": 2, "ScriptDuration": 0.5},
		MetricsAfter:  map[string]float64{"ThreadTime": 3, "TaskDuration": 6, "ScriptDuration": 1.5},
	}
	// A sawtooth of values held by Go whose floor rises by 100 from the
	// first half to the second, and linear memory that grows by one page.
	for b := 0; b <= 1000; b += 50 {
		refs := float64(1000 + (b%250)*10)
		if b >= 500 {
			refs += 100
		}
		mem := 10 << 20
		if b >= 900 {
			mem += 64 << 10
		}
		r.Samples = append(r.Samples, runSample{Beats: b, GoRefs: refs, WasmMemory: float64(mem), JSHeap: 5e6})
	}
	r.Troughs = []runSample{{Beats: 250, JSHeap: 1_000_000}, {Beats: 750, JSHeap: 1_005_000}}
	r.summarize()
	if r.CPUMsPerBeat != 2 || r.TaskMsPerBeat != 4 || r.ScriptMsPerBt != 1 || r.BeatsPerSec != 100 {
		t.Fatalf("per beat: %+v", r)
	}
	if r.Floors[0].GoRefs != 1000 || r.Floors[1].GoRefs != 1100 || r.GoRefsGrowth != 100 {
		t.Fatalf("floors: %+v, growth %v", r.Floors, r.GoRefsGrowth)
	}
	if r.SecondHalf != 500 || r.JSHeapGrowthPerBeat != 10 || r.WasmGrowthPerBeat != 65536.0/500 {
		t.Fatalf("growth: half %d, js %v, wasm %v", r.SecondHalf, r.JSHeapGrowthPerBeat, r.WasmGrowthPerBeat)
	}
	if r.NoTrough {
		t.Fatal("troughs in both halves, yet NoTrough")
	}
	r.Troughs = r.Troughs[:1]
	r.summarize()
	if !r.NoTrough {
		t.Fatal("no trough in the second half, yet the JS heap growth was computed")
	}
}
