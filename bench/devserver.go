package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// devServer is one running reference server (go run ./web), built once per
// bench run and started fresh for each figure so that no figure sees another
// figure's sessions, faults or call log.
type devServer struct {
	URL  string // http://127.0.0.1:PORT (no trailing slash)
	cmd  *exec.Cmd
	done chan struct{}
	log  bytes.Buffer
}

// call is one entry of GET /dev/calls.
type call struct {
	Seq         int64   `json:"seq"`
	At          float64 `json:"at"` // unix ms
	Op          string  `json:"op"`
	User        string  `json:"user"`
	Status      int     `json:"status"`
	Code        string  `json:"code"`
	Fault       string  `json:"fault"`
	ContentType string  `json:"contentType"`
}

// buildDevServer compiles the repo's web/ command into dir.
func buildDevServer(repo, dir string) (string, error) {
	bin := filepath.Join(dir, "gs-devserver")
	cmd := exec.Command("go", "build", "-o", bin, "./web")
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build dev server: %v\n%s", err, out)
	}
	return bin, nil
}

// startDevServer starts bin on a free loopback port and waits for the one
// line it prints with its address.
func startDevServer(bin, root string, ttl time.Duration) (*devServer, error) {
	s := &devServer{done: make(chan struct{})}
	s.cmd = exec.Command(bin, "-addr", "127.0.0.1:0", "-ttl", ttl.String(), "-root", root)
	s.cmd.Stderr = &s.log
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	const prefix = "game-session dev server: "
	select {
	case line := <-lines:
		if !strings.HasPrefix(line, prefix) {
			s.Close()
			return nil, fmt.Errorf("dev server said %q, want %q...", line, prefix)
		}
		s.URL = strings.TrimSuffix(strings.TrimPrefix(line, prefix), "/")
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("dev server exited: %s", s.log.String())
	case <-time.After(30 * time.Second):
		s.Close()
		return nil, fmt.Errorf("dev server printed no address in 30 s")
	}
}

// Close stops the server process this bench started.
func (s *devServer) Close() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
	}
	<-s.done
}

func (s *devServer) do(ctx context.Context, method, path string, body any, out any) error {
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
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(data))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// token asks the server for a dev token for user.
func (s *devServer) token(ctx context.Context, user string) (string, error) {
	var t struct {
		AuthToken string `json:"auth_token"`
	}
	if err := s.do(ctx, "GET", "/dev/token?user="+url.QueryEscape(user)+"&ttl=3600", nil, &t); err != nil {
		return "", err
	}
	if t.AuthToken == "" {
		return "", fmt.Errorf("dev token for %s: empty", user)
	}
	return t.AuthToken, nil
}

// calls returns every call the server saw after seq.
func (s *devServer) calls(ctx context.Context, since int64) ([]call, error) {
	var c struct {
		Calls []call `json:"calls"`
	}
	err := s.do(ctx, "GET", fmt.Sprintf("/dev/calls?since=%d", since), nil, &c)
	return c.Calls, err
}

// faults sets the server's fault injection.
func (s *devServer) faults(ctx context.Context, f map[string]any) error {
	return s.do(ctx, "POST", "/dev/faults", f, nil)
}

// post calls one session API endpoint as a client would.
func (s *devServer) post(ctx context.Context, op, token string) error {
	return s.do(ctx, "POST", "/api/games/sessions/"+op, map[string]string{"auth_token": token}, nil)
}

// waitCalls polls /dev/calls until match returns true for the calls seen so
// far, or ctx ends. Polling an observable condition, not sleeping a guess.
func (s *devServer) waitCalls(ctx context.Context, since int64, every time.Duration, match func([]call) bool) ([]call, error) {
	var seen []call
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		got, err := s.calls(ctx, since)
		if err != nil {
			return seen, err
		}
		for _, c := range got {
			if c.Seq > since {
				since = c.Seq
			}
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
