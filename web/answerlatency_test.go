package main

import (
	"net/http"
	"testing"
	"time"
)

// answerLatencyMs delays the answer of a call the store has already served,
// as a slow return leg does: the session is renewed at arrival, so a client
// that gives up waiting has still kept it alive. (latencyMs delays the call
// before the store sees it.) The e2e late-timer case is built on this.
func TestDevFaultAnswerLatency(t *testing.T) {
	s := newTestServer(t, config{})
	ts := startHTTP(t, s)
	c := ts.Client()
	tok := mint(t, s, "lena")
	if r := callOp(t, c, ts.URL, "initiate", tok); r.Status != 200 {
		t.Fatal(r.Raw)
	}
	if status := do(t, c, http.MethodPost, ts.URL+"/dev/faults", `{"answerLatencyMs":300,"ops":["heartbeat"]}`); status != 200 {
		t.Fatalf("set: %d", status)
	}
	var got faultConfig
	getJSON(t, c, ts.URL+"/dev/faults", &got)
	if got.AnswerLatencyMs != 300 {
		t.Fatalf("after set: %+v", got)
	}

	began := time.Now()
	r := callOp(t, c, ts.URL, "heartbeat", tok)
	took := time.Since(began)
	if r.Status != 200 || took < 300*time.Millisecond {
		t.Fatalf("heartbeat: %d after %v, want 200 after ≥ 300 ms", r.Status, took)
	}
	// The call is in the log, served, before its answer left.
	calls, _ := s.calls.since(0)
	if n := len(calls); n != 2 || calls[1].Status != 200 || calls[1].Fault != "" {
		t.Fatalf("calls: %+v", calls)
	}
	var live struct{ Sessions []sessionInfo }
	getJSON(t, c, ts.URL+"/dev/sessions", &live)
	if len(live.Sessions) != 1 || live.Sessions[0].Beats != 1 {
		t.Fatalf("sessions: %+v (the late-answered heartbeat must count)", live.Sessions)
	}
	for _, bad := range []string{`{"answerLatencyMs":-1}`, `{"answerLatencyMs":120001}`} {
		if status := do(t, c, http.MethodPost, ts.URL+"/dev/faults", bad); status != http.StatusBadRequest {
			t.Errorf("POST /dev/faults %s: %d, want 400", bad, status)
		}
	}
}
