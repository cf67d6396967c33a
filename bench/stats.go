package main

import (
	"math"
	"slices"
)

// dist summarises samples. Percentiles use the nearest-rank method (the
// smallest sample with at least p % of the samples at or below it), so a
// p99 over 50 samples is the largest sample but one, never an
// interpolation between samples.
type dist struct {
	N      int     `json:"n"`
	Mean   float64 `json:"mean"`
	Median float64 `json:"median"`
	P90    float64 `json:"p90"`
	P99    float64 `json:"p99"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = max(rank, 1)
	return sorted[rank-1]
}

func summarize(samples []float64) dist {
	s := slices.Clone(samples)
	slices.Sort(s)
	d := dist{N: len(s)}
	if len(s) == 0 {
		return d
	}
	var sum float64
	for _, v := range s {
		sum += v
	}
	d.Mean = sum / float64(len(s))
	d.Median = percentile(s, 50)
	d.P90 = percentile(s, 90)
	d.P99 = percentile(s, 99)
	d.Min, d.Max = s[0], s[len(s)-1]
	return d
}
