package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// firefoxEngine runs the scenarios in headless Firefox ESR, driven by
// WebDriver BiDi straight over its websocket: one Firefox per test process,
// and per open a new user context (own cookies, storage, locks).
type firefoxEngine struct{}

func (firefoxEngine) name() string { return "firefox" }

// firefoxPath is FIREFOX, else Debian's firefox-esr.
func firefoxPath() string {
	if p := os.Getenv("FIREFOX"); p != "" {
		return p
	}
	return "/usr/bin/firefox-esr"
}

// firefoxPrefs go into the fresh profile's user.js: no first-run pages or
// default-browser prompt, nothing phoning home, and BiDi as the only
// remote protocol. Firefox applies its own recommended automation prefs on
// top (remote.prefs.recommended).
const firefoxPrefs = `user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("browser.tabs.closeWindowWithLastTab", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.disabledForTesting", true);
user_pref("remote.active-protocols", 1);
`

var sharedFirefox struct {
	once sync.Once
	b    *bidiBrowser
	err  error
}

// firefox starts the process's Firefox on first use.
func firefox(t testing.TB) *bidiBrowser {
	t.Helper()
	path := firefoxPath()
	if _, err := exec.LookPath(path); err != nil {
		unavailable(t, fmt.Sprintf("no Firefox at %s (set FIREFOX, or: sudo apt-get install -y firefox-esr): %v", path, err))
	}
	sharedFirefox.once.Do(func() {
		sharedFirefox.b, sharedFirefox.err = launchFirefox(path)
	})
	if sharedFirefox.err != nil {
		t.Fatalf("starting Firefox: %v", sharedFirefox.err)
	}
	return sharedFirefox.b
}

func closeFirefox() {
	if sharedFirefox.b != nil {
		sharedFirefox.b.shutdown()
	}
}

// bidiBrowser is one Firefox and its BiDi session.
type bidiBrowser struct {
	cmd     *exec.Cmd
	dir     string
	conn    *websocket.Conn
	stop    context.CancelFunc
	writeMu sync.Mutex

	mu      sync.Mutex
	nextID  int64
	waiting map[int64]chan bidiReply
	console map[string][]string // by browsing context id
	dead    error
}

type bidiReply struct {
	Type    string          `json:"type"` // success, error, event
	ID      int64           `json:"id"`
	Result  json.RawMessage `json:"result"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
}

// launchFirefox starts Firefox on a fresh profile, reads the BiDi address
// it prints, and opens a session.
func launchFirefox(path string) (*bidiBrowser, error) {
	dir, err := os.MkdirTemp("", "gs-e2e-firefox-")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "user.js"), []byte(firefoxPrefs), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(path, "--headless", "--no-remote", "--remote-debugging-port=0", "--profile", dir, "about:blank")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	b := &bidiBrowser{cmd: cmd, dir: dir, waiting: map[int64]chan bidiReply{}, console: map[string][]string{}}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "WebDriver BiDi listening on "); ok {
				select {
				case addr <- u:
				default:
				}
			}
		}
	}()
	var ws string
	select {
	case ws = <-addr:
	case <-time.After(60 * time.Second):
		b.shutdown()
		return nil, errors.New("Firefox printed no BiDi address within 60 s")
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.stop = cancel
	dctx, dcancel := context.WithTimeout(ctx, 30*time.Second)
	defer dcancel()
	conn, _, err := websocket.Dial(dctx, ws+"/session", nil)
	if err != nil {
		b.shutdown()
		return nil, fmt.Errorf("connecting to %s: %w", ws, err)
	}
	conn.SetReadLimit(64 << 20)
	b.conn = conn
	go b.read(ctx)
	if _, err := b.call("session.new", map[string]any{"capabilities": map[string]any{}}); err != nil {
		b.shutdown()
		return nil, err
	}
	// The console of every page, for the failure logs.
	if _, err := b.call("session.subscribe", map[string]any{"events": []string{"log.entryAdded"}}); err != nil {
		b.shutdown()
		return nil, err
	}
	return b, nil
}

func (b *bidiBrowser) shutdown() {
	if b.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, _ = b.callCtx(ctx, "browser.close", map[string]any{})
		cancel()
		b.conn.Close(websocket.StatusNormalClosure, "")
	}
	if b.stop != nil {
		b.stop()
	}
	done := make(chan struct{})
	go func() { _ = b.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = b.cmd.Process.Kill()
		<-done
	}
	os.RemoveAll(b.dir)
}

// read dispatches answers to their callers and keeps console entries.
func (b *bidiBrowser) read(ctx context.Context) {
	for {
		_, data, err := b.conn.Read(ctx)
		if err != nil {
			b.mu.Lock()
			b.dead = err
			for id, ch := range b.waiting {
				close(ch)
				delete(b.waiting, id)
			}
			b.mu.Unlock()
			return
		}
		var r bidiReply
		if json.Unmarshal(data, &r) != nil {
			continue
		}
		if r.Type == "event" {
			b.event(r)
			continue
		}
		b.mu.Lock()
		ch := b.waiting[r.ID]
		delete(b.waiting, r.ID)
		b.mu.Unlock()
		if ch != nil {
			ch <- r
		}
	}
}

func (b *bidiBrowser) event(r bidiReply) {
	if r.Method != "log.entryAdded" {
		return
	}
	var e struct {
		Level  string `json:"level"`
		Text   string `json:"text"`
		Source struct {
			Context string `json:"context"`
		} `json:"source"`
	}
	if json.Unmarshal(r.Params, &e) != nil {
		return
	}
	b.mu.Lock()
	b.console[e.Source.Context] = append(b.console[e.Source.Context], fmt.Sprintf("[%s] %s", e.Level, e.Text))
	b.mu.Unlock()
}

// call sends one BiDi command and waits for its answer (stepTimeout).
func (b *bidiBrowser) call(method string, params any) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	return b.callCtx(ctx, method, params)
}

func (b *bidiBrowser) callCtx(ctx context.Context, method string, params any) (json.RawMessage, error) {
	ch := make(chan bidiReply, 1)
	b.mu.Lock()
	if b.dead != nil {
		b.mu.Unlock()
		return nil, fmt.Errorf("BiDi connection lost: %w", b.dead)
	}
	b.nextID++
	id := b.nextID
	b.waiting[id] = ch
	b.mu.Unlock()
	msg, err := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	if err != nil {
		return nil, err
	}
	b.writeMu.Lock()
	err = b.conn.Write(ctx, websocket.MessageText, msg)
	b.writeMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	select {
	case r, ok := <-ch:
		if !ok {
			return nil, fmt.Errorf("%s: BiDi connection lost", method)
		}
		if r.Type != "success" {
			return nil, fmt.Errorf("%s: %s: %s", method, r.Error, r.Message)
		}
		return r.Result, nil
	case <-ctx.Done():
		b.mu.Lock()
		delete(b.waiting, id)
		b.mu.Unlock()
		return nil, fmt.Errorf("%s: no answer: %w", method, ctx.Err())
	}
}

func (firefoxEngine) open(t *testing.T, n int) []pageDriver {
	t.Helper()
	b := firefox(t)
	res, err := b.call("browser.createUserContext", map[string]any{})
	if err != nil {
		t.Fatalf("firefox: new user context: %v", err)
	}
	var uc struct {
		UserContext string `json:"userContext"`
	}
	if err := json.Unmarshal(res, &uc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Closes its pages too (pagehide runs, like closing the windows).
		_, _ = b.call("browser.removeUserContext", map[string]any{"userContext": uc.UserContext})
	})
	out := make([]pageDriver, n)
	for i := range out {
		// A window each, not a tab: a background tab is hidden in Firefox
		// and its timers are throttled; a window's one tab is in front.
		p, err := b.newContext(map[string]any{"type": "window", "userContext": uc.UserContext})
		if err != nil {
			t.Fatalf("firefox: opening page %d: %v", i, err)
		}
		out[i] = p
	}
	return out
}

// newContext creates a browsing context (a tab or window).
func (b *bidiBrowser) newContext(params map[string]any) (*bidiPage, error) {
	res, err := b.call("browsingContext.create", params)
	if err != nil {
		return nil, err
	}
	var c struct {
		Context string `json:"context"`
	}
	if err := json.Unmarshal(res, &c); err != nil {
		return nil, err
	}
	return &bidiPage{b: b, id: c.Context}, nil
}

// bidiPage is one top-level browsing context.
type bidiPage struct {
	b  *bidiBrowser
	id string
}

func (p *bidiPage) navigate(url string) error {
	_, err := p.b.call("browsingContext.navigate", map[string]any{"context": p.id, "url": url, "wait": "complete"})
	return err
}

func (p *bidiPage) evalJSON(expr string) (string, error) {
	res, err := p.b.call("script.evaluate", map[string]any{
		"expression":      jsonOf(expr),
		"target":          map[string]any{"context": p.id},
		"awaitPromise":    true,
		"resultOwnership": "none",
	})
	if err != nil {
		return "", err
	}
	var r struct {
		Type   string `json:"type"`
		Result struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		} `json:"result"`
		ExceptionDetails struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return "", err
	}
	if r.Type == "exception" {
		return "", fmt.Errorf("exception: %s", r.ExceptionDetails.Text)
	}
	if r.Result.Type != "string" {
		return "", fmt.Errorf("result of type %s, want string", r.Result.Type)
	}
	return r.Result.Value, nil
}

// close: browsingContext.close runs the page's unload steps (pagehide).
func (p *bidiPage) close() error {
	_, err := p.b.call("browsingContext.close", map[string]any{"context": p.id, "promptUnload": false})
	return err
}

func (p *bidiPage) consoleText() string {
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	lines := p.b.console[p.id]
	if len(lines) > 200 {
		lines = lines[len(lines)-200:]
	}
	if len(lines) == 0 {
		return ""
	}
	return "  " + strings.Join(lines, "\n  ")
}
