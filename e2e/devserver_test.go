package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// devServer is one running dev server (go run ./web), owned by one test.
type devServer struct {
	t   testing.TB
	URL string // "http://127.0.0.1:PORT" without the trailing slash
}

// syncBuffer collects the server's stderr for the failure log.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer runs the dev server on a free port with the test pages as its
// static root; flags add to or override that (-ttl, -cors-origin, -root). The
// server stops when the test ends.
func startServer(t testing.TB, flags ...string) *devServer {
	t.Helper()
	args := append([]string{"-addr", "127.0.0.1:0", "-root", fixtureRoot}, flags...)
	cmd := exec.Command(devServerBin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the dev server: %v", err)
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		// Interrupt first so that the server can close cleanly; kill it if it
		// does not stop in time.
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("dev server %v stderr:\n%s", flags, tail(stderr.String(), 4000))
		}
	})

	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		first := true
		for sc.Scan() {
			if first {
				lines <- sc.Text()
				first = false
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		_ = cmd.Wait()
		close(exited)
	}()

	const prefix = "game-session dev server: "
	select {
	case line := <-lines:
		u, ok := strings.CutPrefix(line, prefix)
		if !ok {
			t.Fatalf("dev server printed %q, want %q + URL", line, prefix)
		}
		if _, err := url.Parse(u); err != nil {
			t.Fatalf("dev server URL %q: %v", u, err)
		}
		return &devServer{t: t, URL: strings.TrimSuffix(u, "/")}
	case <-exited:
		t.Fatalf("dev server %v exited before printing its URL; stderr:\n%s", flags, tail(stderr.String(), 4000))
	case <-time.After(30 * time.Second):
		t.Fatalf("dev server %v printed no URL within 30 s", flags)
	}
	return nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// Call is one API call as the server saw it (GET /dev/calls).
type Call struct {
	Seq         int64   `json:"seq"`
	At          float64 `json:"at"` // unix ms
	Op          string  `json:"op"`
	User        string  `json:"user"`
	Status      int     `json:"status"`
	Code        string  `json:"code"`
	ContentType string  `json:"contentType"`
	Origin      string  `json:"origin"`
	Fault       string  `json:"fault"`
}

func (c Call) String() string {
	s := fmt.Sprintf("#%d %s %s %s %d", c.Seq, time.UnixMilli(int64(c.At)).Format("15:04:05.000"), c.User, c.Op, c.Status)
	if c.Code != "" {
		s += " " + c.Code
	}
	if c.Fault != "" {
		s += " fault=" + c.Fault
	}
	return s
}

// Session is one live session on the server (GET /dev/sessions).
type Session struct {
	User        string  `json:"user"`
	StartedAt   float64 `json:"startedAt"`
	LastBeatAt  float64 `json:"lastBeatAt"`
	Beats       int     `json:"beats"`
	ExpiresInMs float64 `json:"expiresInMs"`
}

// Faults is the body of POST /dev/faults.
type Faults struct {
	LatencyMs   int      `json:"latencyMs"`
	JitterMs    int      `json:"jitterMs"`
	DropRate    float64  `json:"dropRate"`
	ErrorRate   float64  `json:"errorRate"`
	ErrorStatus int      `json:"errorStatus,omitempty"`
	Ops         []string `json:"ops,omitempty"`
}

var devClient = &http.Client{Timeout: 10 * time.Second}

// do sends one dev request and decodes a JSON answer into out (when not nil).
func (s *devServer) do(method, path string, body, out any, wantStatus int) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := devClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	// wantStatus 0: the contract names no status, so any 2xx will do.
	if (wantStatus != 0 && resp.StatusCode != wantStatus) || (wantStatus == 0 && resp.StatusCode/100 != 2) {
		s.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, wantStatus, tail(string(data), 500))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			s.t.Fatalf("%s %s: decoding %q: %v", method, path, tail(string(data), 500), err)
		}
	}
}

// Token returns a dev auth token for user. Never log it: it is a secret.
func (s *devServer) Token(user string) string {
	s.t.Helper()
	return s.token("/dev/token?user=" + url.QueryEscape(user))
}

// ExpiredToken returns a token for user that expired when it was made.
func (s *devServer) ExpiredToken(user string) string {
	s.t.Helper()
	return s.token("/dev/token?ttl=0&user=" + url.QueryEscape(user))
}

func (s *devServer) token(path string) string {
	s.t.Helper()
	var r struct {
		AuthToken string `json:"auth_token"`
	}
	s.do("GET", path, nil, &r, http.StatusOK)
	if r.AuthToken == "" {
		s.t.Fatalf("GET /dev/token: empty auth_token")
	}
	return r.AuthToken
}

// Sessions lists the live sessions.
func (s *devServer) Sessions() []Session {
	s.t.Helper()
	var r struct {
		Sessions []Session `json:"sessions"`
	}
	s.do("GET", "/dev/sessions", nil, &r, http.StatusOK)
	return r.Sessions
}

// Session returns user's live session, if any.
func (s *devServer) Session(user string) (Session, bool) {
	s.t.Helper()
	for _, x := range s.Sessions() {
		if x.User == user {
			return x, true
		}
	}
	return Session{}, false
}

// Expire ends user's session on the server side, as a lost TTL would.
func (s *devServer) Expire(user string) {
	s.t.Helper()
	s.do("POST", "/dev/sessions/"+url.PathEscape(user)+"/expire", nil, nil, http.StatusNoContent)
}

// SetFaults makes the API misbehave until ClearFaults.
func (s *devServer) SetFaults(f Faults) {
	s.t.Helper()
	s.do("POST", "/dev/faults", f, nil, 0)
}

// ClearFaults makes the API behave again.
func (s *devServer) ClearFaults() {
	s.t.Helper()
	s.do("DELETE", "/dev/faults", nil, nil, 0)
}

// Calls returns every API call the server saw after seq since, in order.
func (s *devServer) Calls(since int64) []Call {
	s.t.Helper()
	var r struct {
		Calls []Call `json:"calls"`
	}
	s.do("GET", fmt.Sprintf("/dev/calls?since=%d", since), nil, &r, http.StatusOK)
	return r.Calls
}

// CallsOf returns the calls of user (all seqs).
func (s *devServer) CallsOf(user string) []Call {
	s.t.Helper()
	return filterCalls(s.Calls(0), func(c Call) bool { return c.User == user })
}

// WaitCalls polls the server's call log until ok accepts the calls of user,
// and returns them. It is the way to wait for "the server saw X".
func (s *devServer) WaitCalls(user string, timeout time.Duration, what string, ok func([]Call) bool) []Call {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		calls := s.CallsOf(user)
		if ok(calls) {
			return calls
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waited %v for the server to see %s (user %q); it saw:\n%s", timeout, what, user, formatCalls(calls))
		}
		time.Sleep(25 * time.Millisecond) // poll interval, not synchronisation
	}
}

func filterCalls(calls []Call, keep func(Call) bool) []Call {
	var out []Call
	for _, c := range calls {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

func formatCalls(calls []Call) string {
	if len(calls) == 0 {
		return "  (no calls)"
	}
	var b strings.Builder
	for _, c := range calls {
		b.WriteString("  ")
		b.WriteString(c.String())
		b.WriteString("\n")
	}
	return b.String()
}
