package main

import "testing"

func TestGapsOf(t *testing.T) {
	calls := []call{ // out of order on purpose: seq decides
		{Seq: 3, At: 19_000, Op: "heartbeat", User: "a", Status: 200},
		{Seq: 1, At: 1_000, Op: "initiate", User: "a", Status: 200},
		{Seq: 2, At: 10_000, Op: "heartbeat", User: "a", Status: 200},
		{Seq: 4, At: 19_500, Op: "heartbeat", User: "b", Status: 200},
		{Seq: 5, At: 29_500, Op: "heartbeat", User: "a", Status: 400, Code: "NO_ACTIVE_SESSION"},
		{Seq: 6, At: 30_000, Op: "initiate", User: "a", Status: 200},
		{Seq: 7, At: 39_000, Op: "heartbeat", User: "a", Status: 200},
	}
	r := gapsOf(calls, "a", 3)
	want := []float64{9000, 9000, 10500}
	if len(r.GapsMs) != len(want) {
		t.Fatalf("gaps %v, want %v", r.GapsMs, want)
	}
	for i := range want {
		if r.GapsMs[i] != want[i] {
			t.Fatalf("gaps %v, want %v", r.GapsMs, want)
		}
	}
	if r.Gaps.Max != 10500 || r.Expired != 1 || r.NotOK != 1 || r.Initiate != 2 || r.Beats != 3 {
		t.Fatalf("got %+v", r)
	}
}
