package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// The two legs of an injected network delay: the server acts on a call
// when its request leg is over, and answers when its response leg is over.

// A heartbeat with a 2 s request leg and a 3 s response leg refreshes the
// session 2 s after it was sent (that is what the TTL sees, and what the
// call log's actedAt says) and is answered 5 s after it was sent.
func TestFaultLegs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newTestServer(t, config{random: func() float64 { return 0.5 }})
		tok := mint(t, s, "lena")
		if status, _ := serveOp(t, s, "initiate", tok); status != 200 {
			t.Fatalf("initiate: %d", status)
		}
		if _, err := s.faults.set(faultConfig{
			RequestLatencyMs: 1500, RequestJitterMs: 1000, // 1.5 + 0.5 s
			ResponseLatencyMs: 2000, ResponseJitterMs: 2000, // 2 + 1 s
			Ops: []string{"heartbeat"},
		}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		sent := time.Now()
		done := make(chan int)
		go func() {
			status, _ := serveOp(t, s, "heartbeat", tok)
			done <- status
		}()

		lastBeat := func() time.Time {
			l := s.store.list()
			if len(l) != 1 {
				t.Fatalf("sessions: %+v", l)
			}
			return time.UnixMilli(l[0].LastBeatAt)
		}
		time.Sleep(2*time.Second - time.Millisecond)
		synctest.Wait()
		if lastBeat().After(sent) {
			t.Fatal("the store acted before the request leg was over")
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if got := lastBeat(); !got.Equal(sent.Add(2 * time.Second)) {
			t.Fatalf("the beat refreshed the session at +%v, want +2s", got.Sub(sent))
		}

		time.Sleep(3*time.Second - time.Nanosecond)
		synctest.Wait()
		select {
		case status := <-done:
			t.Fatalf("answered %d before the response leg was over", status)
		default:
		}
		time.Sleep(time.Nanosecond)
		if status := <-done; status != 200 {
			t.Fatalf("heartbeat: %d", status)
		}
		calls, _ := s.calls.since(1)
		if len(calls) != 1 {
			t.Fatalf("calls %+v", calls)
		}
		c := calls[0]
		if c.At != unixMs(sent) || c.ActedAt != unixMs(sent.Add(2*time.Second)) || c.Status != 200 {
			t.Fatalf("call %+v: want at = sent, actedAt = sent+2s, status 200", c)
		}
	})
}

// A client that gives up during the response leg does not undo what the
// server did: the session was refreshed and the call log keeps its 200 (a
// heartbeat that reached the server in time counts, answered or not).
func TestFaultResponseLegCanceled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newTestServer(t, config{})
		tok := mint(t, s, "milo")
		serveOp(t, s, "initiate", tok)
		s.faults.set(faultConfig{ResponseLatencyMs: 5000})
		ctx, cancel := context.WithCancel(context.Background())
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/api/games/sessions/heartbeat", strings.NewReader(tokenBody(tok)))
		req.Header.Set("Content-Type", "application/json")
		go func() {
			time.Sleep(time.Second)
			cancel()
		}()
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Body.Len() != 0 {
			t.Fatalf("abandoned call answered %d %s", rec.Code, rec.Body)
		}
		calls, _ := s.calls.since(1)
		if len(calls) != 1 || calls[0].Status != 200 || calls[0].ActedAt != calls[0].At {
			t.Fatalf("calls %+v, want the heartbeat logged 200, acted on at arrival", calls)
		}
		if l := s.store.list(); len(l) != 1 || l[0].Beats != 1 {
			t.Fatalf("sessions %+v, want one with the beat counted", l)
		}
	})
}

// The older latencyMs/jitterMs are the request leg; they and the new
// request-leg names cannot both be set; every delay is bounded.
func TestFaultConfigLegs(t *testing.T) {
	f := newFaults(func() float64 { return 0.5 })
	if _, err := f.set(faultConfig{LatencyMs: 100, JitterMs: 50, ResponseLatencyMs: 300, ResponseJitterMs: 100}); err != nil {
		t.Fatal(err)
	}
	if p := f.plan("end"); p.delay != 125*time.Millisecond || p.response != 350*time.Millisecond {
		t.Fatalf("older names: request %v response %v, want 125ms and 350ms", p.delay, p.response)
	}
	if _, err := f.set(faultConfig{RequestLatencyMs: 100, RequestJitterMs: 50}); err != nil {
		t.Fatal(err)
	}
	if p := f.plan("end"); p.delay != 125*time.Millisecond || p.response != 0 {
		t.Fatalf("new names: request %v response %v, want 125ms and 0", p.delay, p.response)
	}
	for _, bad := range []faultConfig{
		{LatencyMs: 1, RequestLatencyMs: 1},
		{JitterMs: 1, RequestJitterMs: 1},
		{ResponseLatencyMs: -1},
		{ResponseJitterMs: maxFaultDelayMs + 1},
		{RequestJitterMs: -1},
	} {
		if _, err := f.set(bad); err == nil {
			t.Errorf("set(%+v) accepted", bad)
		}
	}
}

// Over real HTTP: the answer takes both legs, and actedAt sits between
// arrival and answer, one request leg after the arrival.
func TestFaultLegsHTTP(t *testing.T) {
	s := newTestServer(t, config{})
	ts := startHTTP(t, s)
	c := ts.Client()
	tok := mint(t, s, "noor")
	callOp(t, c, ts.URL, "initiate", tok)
	if status := do(t, c, http.MethodPost, ts.URL+"/dev/faults", `{"requestLatencyMs":200,"responseLatencyMs":300,"ops":["heartbeat"]}`); status != 200 {
		t.Fatalf("set faults: %d", status)
	}
	sent := time.Now()
	if r := callOp(t, c, ts.URL, "heartbeat", tok); r.Status != 200 {
		t.Fatalf("heartbeat: %d %s", r.Status, r.Raw)
	}
	answered := time.Now()
	if d := answered.Sub(sent); d < 500*time.Millisecond {
		t.Fatalf("answered after %v, want both legs (>= 500ms)", d)
	}
	var got struct {
		Calls []call `json:"calls"`
	}
	getJSON(t, c, ts.URL+"/dev/calls?since=1", &got)
	if len(got.Calls) != 1 {
		t.Fatalf("calls %+v", got.Calls)
	}
	hb := got.Calls[0]
	if leg := hb.ActedAt - hb.At; leg < 200 || hb.ActedAt > unixMs(answered)-300 {
		t.Fatalf("arrived %v, acted %v (+%v ms), answered %v: want acted 200 ms after arrival and 300 ms before the answer",
			hb.At, hb.ActedAt, leg, unixMs(answered))
	}
}

// The response leg, like the request leg, outlasts WriteTimeout: the call
// extends its write deadline by both legs.
func TestFaultResponseLegOutlastsWriteTimeout(t *testing.T) {
	s := newTestServer(t, config{})
	tm := timeouts{readHeader: 5 * time.Second, read: 5 * time.Second, write: 300 * time.Millisecond, idle: 5 * time.Second}
	url, _ := startTimed(t, s, tm)
	c := &http.Client{Timeout: 20 * time.Second}
	if code := do(t, c, "POST", url+"/dev/faults", `{"requestLatencyMs":200,"responseLatencyMs":1200,"ops":["initiate"]}`); code != 200 {
		t.Fatalf("POST /dev/faults: %d", code)
	}
	start := time.Now()
	r := callOp(t, c, url, "initiate", mint(t, s, "olga"))
	if elapsed := time.Since(start); r.Status != 200 || elapsed < 1400*time.Millisecond {
		t.Fatalf("initiate: %d after %v: %s", r.Status, elapsed, r.Raw)
	}
}
