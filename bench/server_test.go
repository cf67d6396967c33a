package main

import "testing"

// Output of Debian's wrk 4.1.0 with --latency, one of the runs here.
const wrkOutput = `Running 10s test @ http://127.0.0.1:41234
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.03ms    9.92ms 181.41ms   93.23%
    Req/Sec     3.76k     1.02k    6.10k    69.00%
  Latency Distribution
     50%  291.00us
     75%    3.60ms
     90%   11.04ms
     99%    1.02s
  74955 requests in 10.02s, 9.01MB read
  Non-2xx or 3xx responses: 12
Requests/sec:   7480.55
Transfer/sec:      0.90MB
`

func TestParseWrk(t *testing.T) {
	r, err := parseWrk(wrkOutput)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 74955 || r.PerSecond != 7480.55 || r.Non2xx != 12 {
		t.Fatalf("counts: %+v", r)
	}
	if r.P50Ms != 0.291 || r.P90Ms != 11.04 || r.P99Ms != 1020 {
		t.Fatalf("latencies: p50 %v p90 %v p99 %v", r.P50Ms, r.P90Ms, r.P99Ms)
	}
	if _, err := parseWrk("unable to connect to 127.0.0.1:1 Connection refused\n"); err == nil {
		t.Fatal("a failed wrk run parsed")
	}
}

func TestBenchLine(t *testing.T) {
	m := benchLine.FindStringSubmatch("BenchmarkHeartbeat          	  312842	      3842 ns/op	    1123 B/op	      17 allocs/op")
	if m == nil || m[1] != "BenchmarkHeartbeat" || m[2] != "3842" {
		t.Fatalf("got %q", m)
	}
	m = benchLine.FindStringSubmatch("BenchmarkHeartbeat/parallel-2   1000   1234.5 ns/op")
	if m == nil || m[1] != "BenchmarkHeartbeat/parallel" || m[2] != "1234.5" {
		t.Fatalf("got %q", m)
	}
}
