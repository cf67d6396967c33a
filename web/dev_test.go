package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestDevToken(t *testing.T) {
	s := newTestServer(t, config{})
	ts := startHTTP(t, s)
	c := ts.Client()

	var got struct {
		AuthToken string `json:"auth_token"`
		User      string `json:"user"`
		ExpiresAt int64  `json:"expiresAt"`
	}
	before := time.Now()
	getJSON(t, c, ts.URL+"/dev/token?user="+url.QueryEscape("Zoë 42"), &got)
	if got.User != "Zoë 42" {
		t.Errorf("user %q", got.User)
	}
	if exp := time.UnixMilli(got.ExpiresAt); exp.Before(before.Add(time.Hour-time.Second)) || exp.After(time.Now().Add(time.Hour)) {
		t.Errorf("default expiry %v, want about an hour from now", exp)
	}
	if user, err := s.tokens.user(got.AuthToken); err != nil || user != "Zoë 42" {
		t.Fatalf("minted token: %q %v", user, err)
	}
	if r := callOp(t, c, ts.URL, "initiate", got.AuthToken); r.Status != 200 {
		t.Fatalf("initiate with a dev token: %s", r.Raw)
	}

	getJSON(t, c, ts.URL+"/dev/token?user=short&ttl=5", &got)
	if exp := time.UnixMilli(got.ExpiresAt); exp.After(time.Now().Add(5 * time.Second)) {
		t.Errorf("ttl=5 expires at %v", exp)
	}
	getJSON(t, c, ts.URL+"/dev/token?user=gone&ttl=0", &got)
	if r := callOp(t, c, ts.URL, "initiate", got.AuthToken); r.Error != "UNAUTHORIZED" {
		t.Errorf("ttl=0 token: %s", r.Raw)
	}

	for _, q := range []string{"", "user=", "user=%20pad", "user=a%00b", "user=a%ffb", "user=" + strings.Repeat("x", maxUserLen+1),
		"user=x&ttl=-1", "user=x&ttl=abc", "user=x&ttl=99999999999"} {
		if status := do(t, c, http.MethodGet, ts.URL+"/dev/token?"+q, ""); status != http.StatusBadRequest {
			t.Errorf("/dev/token?%s: %d, want 400", q, status)
		}
	}
	if status := do(t, c, http.MethodPost, ts.URL+"/dev/token?user=x", ""); status != http.StatusMethodNotAllowed {
		t.Errorf("POST /dev/token: %d", status)
	}
}

func TestDevExpire(t *testing.T) {
	s := newTestServer(t, config{})
	ts := startHTTP(t, s)
	c := ts.Client()
	tok := mint(t, s, "max mustermann")
	callOp(t, c, ts.URL, "initiate", tok)

	var got struct{ Sessions []sessionInfo }
	getJSON(t, c, ts.URL+"/dev/sessions", &got)
	if len(got.Sessions) != 1 || got.Sessions[0].User != "max mustermann" {
		t.Fatalf("sessions: %+v", got)
	}
	if status := do(t, c, http.MethodPost, ts.URL+"/dev/sessions/max%20mustermann/expire", ""); status != http.StatusNoContent {
		t.Fatalf("expire: %d", status)
	}
	getJSON(t, c, ts.URL+"/dev/sessions", &got)
	if len(got.Sessions) != 0 {
		t.Fatalf("sessions after expire: %+v", got)
	}
	if r := callOp(t, c, ts.URL, "heartbeat", tok); r.Error != "NO_ACTIVE_SESSION" {
		t.Fatalf("heartbeat after expire: %s", r.Raw)
	}
	// Idempotent.
	if status := do(t, c, http.MethodPost, ts.URL+"/dev/sessions/max%20mustermann/expire", ""); status != http.StatusNoContent {
		t.Fatalf("second expire: %d", status)
	}
	// A user name with a slash is one escaped path segment.
	slashed := mint(t, s, "team/ola")
	callOp(t, c, ts.URL, "initiate", slashed)
	if status := do(t, c, http.MethodPost, ts.URL+"/dev/sessions/"+url.PathEscape("team/ola")+"/expire", ""); status != http.StatusNoContent {
		t.Fatalf("expire team/ola: %d", status)
	}
	if r := callOp(t, c, ts.URL, "heartbeat", slashed); r.Error != "NO_ACTIVE_SESSION" {
		t.Fatalf("team/ola still has a session: %s", r.Raw)
	}
}

func TestDevFaultsConfig(t *testing.T) {
	s := newTestServer(t, config{})
	ts := startHTTP(t, s)
	c := ts.Client()

	var got faultConfig
	getJSON(t, c, ts.URL+"/dev/faults", &got)
	if got.ErrorStatus != 503 || got.Ops == nil || len(got.Ops) != 0 || got.DropRate != 0 {
		t.Fatalf("initial faults: %+v", got)
	}
	if status := do(t, c, http.MethodPost, ts.URL+"/dev/faults", `{"latencyMs":100,"jitterMs":50,"dropRate":0.25,"errorRate":0.5,"ops":["heartbeat"]}`); status != 200 {
		t.Fatalf("set: %d", status)
	}
	getJSON(t, c, ts.URL+"/dev/faults", &got)
	if got.LatencyMs != 100 || got.JitterMs != 50 || got.DropRate != 0.25 || got.ErrorRate != 0.5 || got.ErrorStatus != 503 ||
		len(got.Ops) != 1 || got.Ops[0] != "heartbeat" {
		t.Fatalf("after set: %+v", got)
	}
	for _, bad := range []string{
		`{"dropRatio":1}`, `{"dropRate":1.5}`, `{"errorRate":-0.1}`, `{"latencyMs":-1}`, `{"latencyMs":120001}`,
		`{"errorStatus":200}`, `{"ops":["pause"]}`, `not json`,
	} {
		if status := do(t, c, http.MethodPost, ts.URL+"/dev/faults", bad); status != http.StatusBadRequest {
			t.Errorf("POST /dev/faults %s: %d, want 400", bad, status)
		}
	}
	if status := do(t, c, http.MethodDelete, ts.URL+"/dev/faults", ""); status != http.StatusNoContent {
		t.Fatalf("delete: %d", status)
	}
	getJSON(t, c, ts.URL+"/dev/faults", &got)
	if got.DropRate != 0 || got.ErrorRate != 0 || got.LatencyMs != 0 || len(got.Ops) != 0 {
		t.Fatalf("after delete: %+v", got)
	}
}

// A dropped call gets no response at all, and does not reach the store.
func TestDevFaultDrop(t *testing.T) {
	s := newTestServer(t, config{})
	ts := startHTTP(t, s)
	c := ts.Client()
	tok := mint(t, s, "nina")
	if r := callOp(t, c, ts.URL, "initiate", tok); r.Status != 200 {
		t.Fatal(r.Raw)
	}
	do(t, c, http.MethodPost, ts.URL+"/dev/faults", `{"dropRate":1,"ops":["heartbeat","end"]}`)

	for _, op := range []string{"heartbeat", "end"} {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/games/sessions/"+op, strings.NewReader(tokenBody(tok)))
		req.Header.Set("Content-Type", "application/json")
		res, err := c.Do(req)
		if err == nil {
			res.Body.Close()
			t.Fatalf("dropped %s got a response: %d", op, res.StatusCode)
		}
		if !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") {
			t.Errorf("dropped %s: unexpected error %v", op, err)
		}
	}
	// initiate is not in ops: served, and the session survived the dropped end.
	if r := callOp(t, c, ts.URL, "initiate", tok); r.Error != "ALREADY_IN_GAME" {
		t.Fatalf("initiate: %s", r.Raw)
	}
	var got struct{ Sessions []sessionInfo }
	getJSON(t, c, ts.URL+"/dev/sessions", &got)
	if len(got.Sessions) != 1 || got.Sessions[0].Beats != 0 {
		t.Fatalf("sessions: %+v (the dropped heartbeat must not count)", got.Sessions)
	}

	calls, _ := s.calls.since(0)
	var faults []string
	for _, cl := range calls {
		faults = append(faults, cl.Op+":"+cl.Fault)
		if cl.Fault == "drop" && (cl.Status != 0 || cl.User != "nina") {
			t.Errorf("drop entry: %+v", cl)
		}
	}
	if got, want := strings.Join(faults, " "), "initiate: heartbeat:drop end:drop initiate:"; got != want {
		t.Fatalf("calls %q, want %q", got, want)
	}
}

// While drops are on, every answer closes its connection: Chromium silently
// re-sends a request whose reused connection closed unanswered, which would
// turn one drop into several calls. Clearing the faults allows reuse again.
func TestDevFaultDropClosesEveryConnection(t *testing.T) {
	s := newTestServer(t, config{})
	ts := httptest.NewUnstartedServer(s)
	s.keepAlives = ts.Config.SetKeepAlivesEnabled
	ts.Start()
	t.Cleanup(ts.Close)
	c := ts.Client()
	tok := mint(t, s, "pia")
	initiate := func() *http.Response {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/games/sessions/initiate", strings.NewReader(tokenBody(tok)))
		req.Header.Set("Content-Type", "application/json")
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	if res := initiate(); res.Close {
		t.Fatal("no faults: the connection must stay open for reuse")
	}
	do(t, c, http.MethodPost, ts.URL+"/dev/faults", `{"dropRate":0.5,"ops":["heartbeat"]}`)
	if res := initiate(); !res.Close || res.StatusCode != http.StatusBadRequest {
		t.Fatalf("drops on: status %d, Connection: close %v; want the served answer with Connection: close", res.StatusCode, res.Close)
	}
	do(t, c, http.MethodDelete, ts.URL+"/dev/faults", "")
	if res := initiate(); res.Close {
		t.Fatal("faults cleared: the connection must stay open for reuse again")
	}
}

func TestDevFaultError(t *testing.T) {
	s := newTestServer(t, config{})
	ts := startHTTP(t, s)
	c := ts.Client()
	tok := mint(t, s, "omar")

	cases := []struct {
		config, op string
		status     int
		code       string
	}{
		{`{"errorRate":1}`, "initiate", 503, "SERVER_ERROR"},
		{`{"errorRate":1,"errorStatus":429}`, "heartbeat", 429, "SERVER_ERROR"},
		{`{"errorRate":1,"errorStatus":400}`, "initiate", 400, "ALREADY_IN_GAME"},
		{`{"errorRate":1,"errorStatus":400}`, "end", 400, "NO_ACTIVE_SESSION"},
		{`{"errorRate":1,"errorStatus":401}`, "heartbeat", 401, "UNAUTHORIZED"},
		{`{"errorRate":1,"errorStatus":502,"errorCode":"BAD_GATEWAY"}`, "end", 502, "BAD_GATEWAY"},
	}
	for _, tc := range cases {
		if status := do(t, c, http.MethodPost, ts.URL+"/dev/faults", tc.config); status != 200 {
			t.Fatalf("set %s: %d", tc.config, status)
		}
		r := callOp(t, c, ts.URL, tc.op, tok)
		if r.Status != tc.status || r.Error != tc.code || r.Success {
			t.Errorf("%s %s: %d %s, want %d %s", tc.config, tc.op, r.Status, r.Raw, tc.status, tc.code)
		}
	}
	// None of the injected errors touched the store.
	if n := s.store.size(); n != 0 {
		t.Fatalf("%d sessions after injected errors only", n)
	}
	calls, _ := s.calls.since(0)
	for _, cl := range calls {
		if cl.Fault != "error" {
			t.Errorf("call not marked as an injected error: %+v", cl)
		}
	}
}

// Rates draw from the injected source: with draws below, between and above
// the thresholds, each call gets drop, error, or nothing.
func TestFaultPlanRates(t *testing.T) {
	draws := []float64{0.05, 0.2, 0.5, 0.99}
	i := 0
	f := newFaults(func() float64 { d := draws[i%len(draws)]; i++; return d })
	if _, err := f.set(faultConfig{DropRate: 0.1, ErrorRate: 0.3}); err != nil {
		t.Fatal(err)
	}
	var got []faultAction
	for range draws {
		got = append(got, f.plan("heartbeat").action)
	}
	want := []faultAction{faultDrop, faultError, faultNone, faultNone}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for k := range want {
		if got[k] != want[k] {
			t.Fatalf("actions %v, want %v", got, want)
		}
	}
}

// Latency holds a call for latencyMs + jitter, then serves it.
func TestDevFaultLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newTestServer(t, config{random: func() float64 { return 0.5 }})
		tok := mint(t, s, "pia")
		if _, err := s.faults.set(faultConfig{LatencyMs: 3000, JitterMs: 1000, Ops: []string{"initiate"}}); err != nil {
			t.Fatal(err)
		}
		done := make(chan int)
		go func() {
			status, _ := serveOp(t, s, "initiate", tok)
			done <- status
		}()
		synctest.Wait()
		// The held call also holds back later calls in the call log.
		serveOp(t, s, "heartbeat", tok) // not delayed: ops is initiate only
		if calls, _ := s.calls.since(0); len(calls) != 0 {
			t.Fatalf("calls visible while the first is in flight: %+v", calls)
		}
		time.Sleep(3500*time.Millisecond - time.Nanosecond)
		synctest.Wait()
		select {
		case status := <-done:
			t.Fatalf("answered %d before latency+jitter passed", status)
		default:
		}
		time.Sleep(time.Nanosecond)
		if status := <-done; status != 200 {
			t.Fatalf("after latency: %d", status)
		}
		calls, _ := s.calls.since(0)
		if len(calls) != 2 || calls[0].Op != "initiate" || calls[1].Op != "heartbeat" || calls[1].Code != "NO_ACTIVE_SESSION" {
			t.Fatalf("calls %+v, want initiate then heartbeat, in arrival order", calls)
		}
	})
}

// A client that gives up during injected latency is logged as canceled
// and never reaches the store.
func TestDevFaultLatencyCanceled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newTestServer(t, config{})
		tok := mint(t, s, "quinn")
		s.faults.set(faultConfig{LatencyMs: 5000})
		ctx, cancel := context.WithCancel(context.Background())
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/api/games/sessions/initiate", strings.NewReader(tokenBody(tok)))
		go func() {
			time.Sleep(time.Second)
			cancel()
		}()
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Body.Len() != 0 {
			t.Fatalf("canceled call answered %d %s", rec.Code, rec.Body)
		}
		calls, _ := s.calls.since(0)
		if len(calls) != 1 || calls[0].Status != 0 || calls[0].Code != "CANCELED" {
			t.Fatalf("calls %+v", calls)
		}
		if n := s.store.size(); n != 0 {
			t.Fatalf("canceled initiate created a session")
		}
	})
}

func TestDevCalls(t *testing.T) {
	s := newTestServer(t, config{})
	ts := startHTTP(t, s)
	c := ts.Client()
	tok := mint(t, s, "rosa")

	post(t, c, ts.URL, "initiate", "text/plain;charset=UTF-8", tokenBody(tok))
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/games/sessions/heartbeat", strings.NewReader(tokenBody(tok)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://game.example")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	callOp(t, c, ts.URL, "end", "garbage")

	type callsReply struct {
		Calls []call `json:"calls"`
		Last  uint64 `json:"last"`
	}
	var got callsReply
	getJSON(t, c, ts.URL+"/dev/calls", &got)
	if len(got.Calls) != 3 || got.Last != 3 {
		t.Fatalf("calls: %+v", got)
	}
	want := []call{
		{Seq: 1, Op: "initiate", User: "rosa", Status: 200, ContentType: "text/plain;charset=UTF-8"},
		{Seq: 2, Op: "heartbeat", User: "rosa", Status: 200, ContentType: "application/json", Origin: "https://game.example"},
		{Seq: 3, Op: "end", User: "", Status: 401, Code: "UNAUTHORIZED", ContentType: "application/json"},
	}
	now := unixMs(time.Now())
	for i, w := range want {
		g := got.Calls[i]
		if g.At <= 0 || g.At > now || (i > 0 && g.At < got.Calls[i-1].At) {
			t.Errorf("call %d at %v", i, g.At)
		}
		if g.ActedAt < g.At || g.ActedAt > now {
			t.Errorf("call %d acted on at %v, arrived at %v", i, g.ActedAt, g.At)
		}
		g.At, g.ActedAt = 0, 0
		if g != w {
			t.Errorf("call %d: %+v, want %+v", i, g, w)
		}
	}

	getJSON(t, c, ts.URL+"/dev/calls?since=2", &got)
	if len(got.Calls) != 1 || got.Calls[0].Seq != 3 {
		t.Fatalf("since=2: %+v", got)
	}
	if status := do(t, c, http.MethodDelete, ts.URL+"/dev/calls", ""); status != http.StatusNoContent {
		t.Fatalf("delete: %d", status)
	}
	getJSON(t, c, ts.URL+"/dev/calls", &got)
	if len(got.Calls) != 0 {
		t.Fatalf("after delete: %+v", got)
	}
	callOp(t, c, ts.URL, "heartbeat", tok)
	getJSON(t, c, ts.URL+"/dev/calls?since=3", &got)
	if len(got.Calls) != 1 || got.Calls[0].Seq != 4 {
		t.Fatalf("seq after delete: %+v", got)
	}
	if status := do(t, c, http.MethodGet, ts.URL+"/dev/calls?since=-1", ""); status != http.StatusBadRequest {
		t.Errorf("since=-1: %d", status)
	}
	// Non-POSTs are not API calls.
	do(t, c, http.MethodGet, ts.URL+"/api/games/sessions/heartbeat", "")
	getJSON(t, c, ts.URL+"/dev/calls?since=4", &got)
	if len(got.Calls) != 0 {
		t.Fatalf("a GET was logged: %+v", got)
	}
}
