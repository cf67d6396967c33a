package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/game-session/game-session/harness"
)

// chromiumPath returns the browser to test with. Without one the suite skips
// on a developer machine but fails under CI=true, where nothing may be skipped.
func chromiumPath(t testing.TB) string {
	t.Helper()
	path := harness.ChromiumPath()
	if _, err := exec.LookPath(path); err != nil {
		msg := fmt.Sprintf("no Chromium at %s (set CHROMIUM, or install it: sudo apt-get install -y chromium): %v", path, err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// allocatorOptions are the shared browser's: chromiumOptions with timer
// throttling off (parallel tests share one browser in several tabs).
func allocatorOptions(path, userDataDir string) []chromedp.ExecAllocatorOption {
	return append(chromiumOptions(path, userDataDir), harness.NoThrottling()...)
}

// chromiumOptions are what every Chromium of the suite runs with (see
// harness.ChromiumOptions).
func chromiumOptions(path, userDataDir string) []chromedp.ExecAllocatorOption {
	return harness.ChromiumOptions(path, userDataDir)
}

// shared is the one browser of this test run; each test opens its own tabs
// in it (see newTab), which is much cheaper than a browser per test.
var shared struct {
	once   sync.Once
	ctx    context.Context
	cancel func()
	err    error
}

// sharedBrowser starts the shared browser on first use.
func sharedBrowser(t testing.TB) context.Context {
	t.Helper()
	path := chromiumPath(t)
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "gs-e2e-chromium-")
		if err != nil {
			shared.err = err
			return
		}
		ctx, cancel, err := launchBrowser(path, dir)
		if err != nil {
			os.RemoveAll(dir)
			shared.err = err
			return
		}
		shared.ctx = ctx
		shared.cancel = func() {
			cancel()
			os.RemoveAll(dir)
		}
	})
	if shared.err != nil {
		t.Fatalf("starting Chromium: %v", shared.err)
	}
	return shared.ctx
}

func closeSharedBrowser() {
	if shared.cancel != nil {
		shared.cancel()
	}
}

// launchBrowser starts Chromium. The returned context is bound to no
// deadline: the browser lives until cancel.
func launchBrowser(path, userDataDir string) (context.Context, func(), error) {
	return harness.LaunchChromium(allocatorOptions(path, userDataDir)...)
}

// newTab opens a tab in its own browser context (own cookies, storage, locks
// and history) of the shared browser, closed when the test ends.
func newTab(t testing.TB) *tab {
	t.Helper()
	return openTab(t, sharedBrowser(t))
}

// openTab opens a tab in a new browser context of the browser behind parent.
func openTab(t testing.TB, parent context.Context) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	return attachTab(t, ctx, cancel, "opening a tab")
}

// attachTab starts the chromedp context of a tab, records its console, and
// closes it when the test ends (showing the console if the test failed).
func attachTab(t testing.TB, ctx context.Context, cancel context.CancelFunc, what string) *tab {
	t.Helper()
	p := &tab{t: t, ctx: ctx, cancel: cancel}
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatalf("%s: %v", what, err)
	}
	p.watchConsole()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("page console:\n%s", p.consoleText())
		}
		cancel()
	})
	return p
}

// watchConsole keeps the page's console messages and uncaught exceptions
// for the failure log.
func (p *tab) watchConsole() {
	go func() {
		for m, err := range chromedp.Console(p.ctx) {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.console = append(p.console, fmt.Sprintf("[%s] %s", m.Type, m.Text))
			p.mu.Unlock()
		}
	}()
}

func (p *tab) consoleText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.console) == 0 {
		return "  (nothing)"
	}
	lines := p.console
	if len(lines) > 200 {
		lines = lines[len(lines)-200:]
	}
	return "  " + strings.Join(lines, "\n  ")
}
