package main

import "testing"

func TestSummarizeNearestRank(t *testing.T) {
	var s []float64
	for i := 100; i >= 1; i-- { // unsorted on purpose
		s = append(s, float64(i))
	}
	d := summarize(s)
	if d.N != 100 || d.Min != 1 || d.Max != 100 || d.Mean != 50.5 {
		t.Fatalf("got %+v", d)
	}
	if d.Median != 50 || d.P90 != 90 || d.P99 != 99 {
		t.Fatalf("percentiles: got median %v p90 %v p99 %v, want 50 90 99", d.Median, d.P90, d.P99)
	}
	if got := summarize([]float64{7}); got.P99 != 7 || got.Median != 7 {
		t.Fatalf("one sample: %+v", got)
	}
	if got := summarize(nil); got.N != 0 {
		t.Fatalf("no samples: %+v", got)
	}
}
