package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// BuildDevServer compiles the repository's dev server (./web) to out. The
// suites run the built binary, not `go run`, so that a signal reaches the
// server itself.
func BuildDevServer(repo, out string) error {
	cmd := exec.Command("go", "build", "-C", repo, "-o", out, "./web")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the dev server (go build ./web): %v\n%s", err, b)
	}
	return nil
}

// DevServer is one running dev server process.
type DevServer struct {
	URL  string // "http://127.0.0.1:PORT" without the trailing slash
	Args []string

	cmd    *exec.Cmd
	exited chan struct{}
	stderr SyncBuffer
	once   sync.Once
}

// startPrefix is the one line the dev server prints on stdout once it listens.
const startPrefix = "game-session dev server: "

// StartDevServer runs bin on a free loopback port with args added (-root,
// -ttl, -cors-origin ...) and waits up to 30 s for the line with its URL.
func StartDevServer(bin string, args ...string) (*DevServer, error) {
	s := &DevServer{Args: args, exited: make(chan struct{})}
	s.cmd = exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	s.cmd.Stderr = &s.stderr
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the dev server: %w", err)
	}
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			first <- sc.Text()
		}
		_, _ = io.Copy(io.Discard, stdout)
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	select {
	case line := <-first:
		u, ok := strings.CutPrefix(line, startPrefix)
		if _, err := url.Parse(u); !ok || err != nil {
			s.Close()
			return nil, fmt.Errorf("dev server %v printed %q, want %q + URL", args, line, startPrefix)
		}
		s.URL = strings.TrimSuffix(u, "/")
		return s, nil
	case <-s.exited:
		return nil, fmt.Errorf("dev server %v exited before printing its URL; stderr:\n%s", args, Tail(s.stderr.String(), 4000))
	case <-time.After(30 * time.Second):
		s.Close()
		return nil, fmt.Errorf("dev server %v printed no URL within 30 s", args)
	}
}

// Close interrupts the server so that it can close cleanly, and kills it
// if it has not stopped after 5 s. It may be called more than once.
func (s *DevServer) Close() {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	})
}

// Stderr is what the server logged so far (one line per API call).
func (s *DevServer) Stderr() string { return s.stderr.String() }

// DevClient bounds every dev request, so a wedged server fails a step
// instead of a whole run.
var DevClient = &http.Client{Timeout: 10 * time.Second}

// Do sends one request to the server and decodes a JSON answer into out
// (when not nil). wantStatus 0 accepts any 2xx.
func (s *DevServer) Do(ctx context.Context, method, path string, body, out any, wantStatus int) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := DevClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	if (wantStatus != 0 && resp.StatusCode != wantStatus) || (wantStatus == 0 && resp.StatusCode/100 != 2) {
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, wantStatus, Tail(string(data), 500))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decoding %q: %w", method, path, Tail(string(data), 500), err)
		}
	}
	return nil
}

// Token returns a dev auth token for user, valid for ttl (0: the server's
// default, an hour). Never log it: it is a secret. Errors never include it.
func (s *DevServer) Token(ctx context.Context, user string, ttl time.Duration) (string, error) {
	path := "/dev/token?user=" + url.QueryEscape(user)
	if ttl > 0 {
		path += fmt.Sprintf("&ttl=%d", int(ttl.Seconds()))
	}
	return s.token(ctx, path)
}

// ExpiredToken returns a token for user that expired when it was made.
func (s *DevServer) ExpiredToken(ctx context.Context, user string) (string, error) {
	return s.token(ctx, "/dev/token?ttl=0&user="+url.QueryEscape(user))
}

func (s *DevServer) token(ctx context.Context, path string) (string, error) {
	var r struct {
		AuthToken string `json:"auth_token"`
	}
	if err := s.Do(ctx, "GET", path, nil, &r, http.StatusOK); err != nil {
		return "", err
	}
	if r.AuthToken == "" {
		return "", fmt.Errorf("GET /dev/token: empty auth_token")
	}
	return r.AuthToken, nil
}

// Sessions lists the live sessions.
func (s *DevServer) Sessions(ctx context.Context) ([]Session, error) {
	var r struct {
		Sessions []Session `json:"sessions"`
	}
	err := s.Do(ctx, "GET", "/dev/sessions", nil, &r, http.StatusOK)
	return r.Sessions, err
}

// Expire ends user's session on the server side, as a lost TTL would.
func (s *DevServer) Expire(ctx context.Context, user string) error {
	return s.Do(ctx, "POST", "/dev/sessions/"+url.PathEscape(user)+"/expire", nil, nil, http.StatusNoContent)
}

// SetFaults makes the API misbehave until ClearFaults.
func (s *DevServer) SetFaults(ctx context.Context, f Faults) error {
	return s.Do(ctx, "POST", "/dev/faults", f, nil, 0)
}

// ClearFaults makes the API behave again.
func (s *DevServer) ClearFaults(ctx context.Context) error {
	return s.Do(ctx, "DELETE", "/dev/faults", nil, nil, 0)
}

// Calls returns every API call the server saw after seq since, in order.
func (s *DevServer) Calls(ctx context.Context, since int64) ([]Call, error) {
	var r struct {
		Calls []Call `json:"calls"`
	}
	err := s.Do(ctx, "GET", fmt.Sprintf("/dev/calls?since=%d", since), nil, &r, http.StatusOK)
	return r.Calls, err
}

// Post calls one session API endpoint as a client would; a non-2xx answer
// is an error (with the server's error body, never the token).
func (s *DevServer) Post(ctx context.Context, op, token string) error {
	return s.Do(ctx, "POST", "/api/games/sessions/"+op, map[string]string{"auth_token": token}, nil, 0)
}

// WaitCalls polls the call log every `every` until match accepts the
// calls seen after since, or ctx ends: polling an observable condition,
// not sleeping a guess.
func (s *DevServer) WaitCalls(ctx context.Context, since int64, every time.Duration, match func([]Call) bool) ([]Call, error) {
	var seen []Call
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		got, err := s.Calls(ctx, since)
		if err != nil {
			return seen, err
		}
		for _, c := range got {
			since = max(since, c.Seq)
		}
		seen = append(seen, got...)
		if match(seen) {
			return seen, nil
		}
		select {
		case <-ctx.Done():
			return seen, ctx.Err()
		case <-tick.C:
		}
	}
}

// SyncBuffer is a bytes.Buffer safe for concurrent writes, for a child
// process's output.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Tail is the last n bytes of s, for logs in failure messages.
func Tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
