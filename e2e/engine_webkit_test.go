package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// webkitEngine runs the scenarios in WebKitGTK's MiniBrowser through
// WebKitWebDriver (classic WebDriver over HTTP). MiniBrowser has no
// headless mode, so it runs under one Xvfb per test process. A
// WebKitWebDriver serves one session at a time: each open starts its own
// driver (and so its own MiniBrowser, a fresh profile).
type webkitEngine struct{}

func (webkitEngine) name() string { return "webkit" }

// webkitDriverPath is WEBKIT_DRIVER, else Debian's (webkit2gtk-driver).
func webkitDriverPath() string {
	if p := os.Getenv("WEBKIT_DRIVER"); p != "" {
		return p
	}
	return "/usr/bin/WebKitWebDriver"
}

// miniBrowser is MINIBROWSER, else Debian's (under the multiarch lib dir).
func miniBrowser() string {
	if p := os.Getenv("MINIBROWSER"); p != "" {
		return p
	}
	if m, _ := filepath.Glob("/usr/lib/*/webkit2gtk-4.1/MiniBrowser"); len(m) > 0 {
		return m[0]
	}
	return "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"
}

var sharedXvfb struct {
	once    sync.Once
	cmd     *exec.Cmd
	display string
	err     error
}

// xvfbDisplay starts the process's Xvfb on first use and returns its
// DISPLAY. Xvfb picks a free display number itself (-displayfd).
func xvfbDisplay(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("Xvfb"); err != nil {
		unavailable(t, "no Xvfb for WebKit's MiniBrowser (sudo apt-get install -y xvfb): "+err.Error())
	}
	sharedXvfb.once.Do(func() {
		r, w, err := os.Pipe()
		if err != nil {
			sharedXvfb.err = err
			return
		}
		defer r.Close()
		cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
		cmd.ExtraFiles = []*os.File{w}
		if err := cmd.Start(); err != nil {
			w.Close()
			sharedXvfb.err = err
			return
		}
		w.Close()
		line := make(chan string, 1)
		go func() {
			s, _ := bufio.NewReader(r).ReadString('\n')
			line <- strings.TrimSpace(s)
		}()
		select {
		case n := <-line:
			if n == "" {
				sharedXvfb.err = errors.New("Xvfb reported no display")
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				return
			}
			sharedXvfb.cmd, sharedXvfb.display = cmd, ":"+n
		case <-time.After(20 * time.Second):
			sharedXvfb.err = errors.New("Xvfb reported no display within 20 s")
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	if sharedXvfb.err != nil {
		t.Fatalf("starting Xvfb: %v", sharedXvfb.err)
	}
	return sharedXvfb.display
}

func closeXvfb() {
	if sharedXvfb.cmd != nil {
		_ = sharedXvfb.cmd.Process.Kill()
		_ = sharedXvfb.cmd.Wait()
	}
}

// wdSession is one WebDriver session (one MiniBrowser). WebDriver commands
// act on the session's current window, so each command switches to its
// page's window first, under mu.
type wdSession struct {
	base    string // http://127.0.0.1:PORT/session/ID
	client  *http.Client
	mu      sync.Mutex
	current string
}

type wdError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// do sends one WebDriver command and decodes its value into out.
func (s *wdSession) do(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return fmt.Errorf("%s %s: %d %.200q", method, path, resp.StatusCode, data)
	}
	if resp.StatusCode != http.StatusOK {
		var e wdError
		_ = json.Unmarshal(env.Value, &e)
		return fmt.Errorf("%s %s: %s: %s", method, path, e.Error, e.Message)
	}
	if out != nil {
		return json.Unmarshal(env.Value, out)
	}
	return nil
}

// in runs f with handle as the current window.
func (s *wdSession) in(handle string, f func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current != handle {
		if err := s.do("POST", "/window", map[string]any{"handle": handle}, nil); err != nil {
			return err
		}
		s.current = handle
	}
	return f()
}

func (webkitEngine) open(t *testing.T, n int) []pageDriver {
	t.Helper()
	path := webkitDriverPath()
	if _, err := exec.LookPath(path); err != nil {
		unavailable(t, fmt.Sprintf("no WebKitWebDriver at %s (sudo apt-get install -y webkit2gtk-driver): %v", path, err))
	}
	display := xvfbDisplay(t)
	port := freePort(t) // bundlers_test.go
	var logs syncBuffer
	cmd := exec.Command(path, fmt.Sprintf("--port=%d", port), "--host=127.0.0.1")
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("webkit: starting WebKitWebDriver: %v", err)
	}
	root := fmt.Sprintf("http://127.0.0.1:%d", port)
	s := &wdSession{client: &http.Client{Timeout: 2 * stepTimeout}}
	t.Cleanup(func() {
		if s.base != "" {
			_ = s.do("DELETE", "", nil, nil)
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("WebKitWebDriver output:\n%s", tail(logs.String(), 4000))
		}
	})
	// The driver is up when it answers /status.
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(root + "/status")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("webkit: WebKitWebDriver did not answer on %s: %v", root, err)
		}
		time.Sleep(50 * time.Millisecond) // poll interval
	}
	// Without a display the new-session request hangs instead of failing:
	// the client's timeout bounds it.
	newSession := &wdSession{base: root + "/session", client: s.client}
	var created struct {
		SessionID string `json:"sessionId"`
	}
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "MiniBrowser",
		"webkitgtk:browserOptions": map[string]any{
			"binary": miniBrowser(),
			"args":   []string{"--automation"},
		},
	}}}
	if err := newSession.do("POST", "", caps, &created); err != nil {
		t.Fatalf("webkit: new session: %v", err)
	}
	s.base = root + "/session/" + created.SessionID
	// The session's first window stays open on about:blank, so that closing
	// a test's page (the last window would end the session) is like closing
	// one tab of several.
	if err := s.do("GET", "/window", nil, &s.current); err != nil {
		t.Fatalf("webkit: first window: %v", err)
	}
	out := make([]pageDriver, n)
	for i := range out {
		var w struct {
			Handle string `json:"handle"`
		}
		if err := s.do("POST", "/window/new", map[string]any{"type": "window"}, &w); err != nil {
			t.Fatalf("webkit: opening page %d: %v", i, err)
		}
		out[i] = &wdPage{s: s, handle: w.Handle}
	}
	return out
}

// wdPage is one window of a WebDriver session.
type wdPage struct {
	s      *wdSession
	handle string
}

func (p *wdPage) navigate(url string) error {
	return p.s.in(p.handle, func() error {
		return p.s.do("POST", "/url", map[string]any{"url": url}, nil)
	})
}

// evalJSON uses Execute Script, which awaits a returned promise.
func (p *wdPage) evalJSON(expr string) (string, error) {
	var v string
	err := p.s.in(p.handle, func() error {
		return p.s.do("POST", "/execute/sync", map[string]any{"script": "return " + jsonOf(expr), "args": []any{}}, &v)
	})
	return v, err
}

// close is Close Window on the page's window: pagehide runs.
func (p *wdPage) close() error {
	return p.s.in(p.handle, func() error {
		err := p.s.do("DELETE", "/window", nil, nil)
		p.s.current = ""
		return err
	})
}

func (p *wdPage) consoleText() string { return "" }

// minimize minimises the page's window (WebKit then reports it hidden).
func (p *wdPage) minimize() error {
	return p.s.in(p.handle, func() error {
		return p.s.do("POST", "/window/minimize", map[string]any{}, nil)
	})
}
