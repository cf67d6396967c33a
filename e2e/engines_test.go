package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// The multi-engine suite: each scenario of engines_cases_test.go is written
// once against enginePage and runs in Chromium, Firefox and WebKit, as the
// subtests TestEngine<Case>/<engine>, so a failure names its engine.
//
// The driver layer, chosen so that the suite stays one Go module with the
// dev-server helpers it already has, and each engine is driven by the
// protocol it speaks natively, with no driver download:
//
//   - chromium: chromedp (CDP), through the suite's shared browser and tabs
//     (newTab, sameContextTabs). CDP-only cases (fetchLater on a killed tab,
//     network emulation, Page.crash) stay in the Chromium-only files.
//   - firefox: WebDriver BiDi over a websocket (github.com/coder/websocket),
//     straight to firefox-esr --remote-debugging-port; Debian has no
//     geckodriver and BiDi needs none (engine_firefox_test.go).
//   - webkit: classic WebDriver over HTTP to WebKitWebDriver, which drives
//     WebKitGTK's MiniBrowser under Xvfb (engine_webkit_test.go).
//
// A driver only navigates, evaluates an awaited expression to JSON, and
// closes a page; everything else (waiting on the page, the SDK calls, the
// page's event log) is written once in enginePage.
//
// ENGINES=chromium,firefox,webkit (the default: all three) picks the
// engines; ./build.sh test runs one go test per engine, in parallel. An
// engine that cannot start here skips its subtests, except under CI=true,
// where it fails them.

// engine is one browser engine the scenarios run in.
type engine interface {
	name() string
	// open returns n pages of one fresh profile: they share cookies,
	// storage and Web Locks (as a player's tabs do) and nothing with other
	// tests' pages. They close when the test ends.
	open(t *testing.T, n int) []pageDriver
}

// pageDriver is what an engine must do for a page.
type pageDriver interface {
	// navigate loads url and waits for its load event.
	navigate(url string) error
	// evalJSON evaluates a JS expression in the page's current document,
	// awaits it if it is a promise, and returns its JSON text.
	evalJSON(expr string) (string, error)
	// close closes the page the way a user closes a tab: pagehide runs.
	close() error
	// consoleText is the page's console so far, for a failure log ("" when
	// the engine's driver cannot read it).
	consoleText() string
}

var allEngines = []engine{chromiumEngine{}, firefoxEngine{}, webkitEngine{}}

// selectedEngines are the engines named by ENGINES (default all).
func selectedEngines() []engine {
	want := os.Getenv("ENGINES")
	if want == "" {
		return allEngines
	}
	var out []engine
	for _, e := range allEngines {
		if slices.Contains(strings.Split(want, ","), e.name()) {
			out = append(out, e)
		}
	}
	return out
}

// forEngines runs body once per selected engine, as a subtest named for it.
// Engines run one after another within a process (the cases are about
// timing); ./build.sh runs one process per engine to run them side by side.
func forEngines(t *testing.T, body func(t *testing.T, e engine)) {
	t.Helper()
	for _, e := range selectedEngines() {
		t.Run(e.name(), func(t *testing.T) { body(t, e) })
	}
}

// unavailable skips t (or fails it under CI=true, where nothing may be
// skipped) because an engine cannot run here.
func unavailable(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// closeEngines stops the processes the engines share within a test run.
func closeEngines() {
	closeFirefox()
	closeXvfb()
}

// enginePage is one page of an engine, with the suite's helpers.
type enginePage struct {
	t      testing.TB
	engine string
	d      pageDriver
}

// openPages opens n pages of one profile of e.
func openPages(t *testing.T, e engine, n int) []*enginePage {
	t.Helper()
	ds := e.open(t, n)
	out := make([]*enginePage, len(ds))
	for i, d := range ds {
		p := &enginePage{t: t, engine: e.name(), d: d}
		t.Cleanup(func() {
			if t.Failed() {
				if c := d.consoleText(); c != "" {
					t.Logf("%s page %d console:\n%s", e.name(), i, c)
				}
			}
		})
		out[i] = p
	}
	return out
}

// openPage opens one page of a fresh profile of e on url.
func openPage(t *testing.T, e engine, url string) *enginePage {
	t.Helper()
	p := openPages(t, e, 1)[0]
	p.Navigate(url)
	return p
}

func (p *enginePage) Navigate(url string) {
	p.t.Helper()
	if err := p.d.navigate(url); err != nil {
		p.t.Fatalf("%s: navigating to %s: %v", p.engine, url, err)
	}
}

// Close closes the page as a user closes its tab.
func (p *enginePage) Close() {
	p.t.Helper()
	if err := p.d.close(); err != nil {
		p.t.Fatalf("%s: closing the page: %v", p.engine, err)
	}
}

// jsonOf wraps expr so that every driver returns the same thing: the JSON
// text of the awaited value ("null" for undefined).
func jsonOf(expr string) string {
	return "(async () => { const v = await (" + expr + "); return v === undefined ? \"null\" : JSON.stringify(v); })()"
}

// evalIn evaluates expr in p and decodes its value into T.
func evalIn[T any](p *enginePage, expr string) T {
	p.t.Helper()
	v, err := tryEvalIn[T](p, expr)
	if err != nil {
		p.t.Fatalf("%s: evaluating %s: %v", p.engine, short(expr), err)
	}
	return v
}

func tryEvalIn[T any](p *enginePage, expr string) (T, error) {
	var v T
	text, err := p.d.evalJSON(expr)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return v, fmt.Errorf("decoding %.200q: %w", text, err)
	}
	return v, nil
}

// WaitJS waits until cond is truthy in the page. Like tab.WaitJS, it keeps
// trying across navigations and bfcache restores.
func (p *enginePage) WaitJS(cond string, timeout time.Duration, what string) {
	p.t.Helper()
	if err := p.waitJS(cond, timeout); err != nil {
		p.t.Fatalf("%s: waited %v for %s (%s): %v", p.engine, timeout, what, short(cond), err)
	}
}

func (p *enginePage) waitJS(cond string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	safe := fmt.Sprintf("(() => { try { return !!(%s); } catch (e) { return false; } })()", cond)
	var last error
	for {
		ok, err := tryEvalIn[bool](p, safe)
		if err == nil && ok {
			return nil
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			if last == nil {
				last = fmt.Errorf("still false")
			}
			return last
		}
		time.Sleep(20 * time.Millisecond) // poll interval
	}
}

// Start calls startSession(token, opts) and waits until it settles. The
// token travels inside the evaluated expression only.
func (p *enginePage) Start(token string, opts Opts) Outcome {
	p.t.Helper()
	tok, _ := json.Marshal(token)
	o, _ := json.Marshal(opts)
	return evalIn[Outcome](p, fmt.Sprintf("__settle(startSession(%s, %s))", tok, o))
}

// MustStart starts user's session and fails the test unless it is active.
func (p *enginePage) MustStart(srv *devServer, user string, opts Opts) {
	p.t.Helper()
	if o := p.Start(srv.Token(user), opts); !o.OK {
		p.t.Fatalf("%s: startSession for %s: %v", p.engine, user, o)
	}
	if s := p.State(); s != "active" {
		p.t.Fatalf("%s: state after startSession resolved = %q, want active", p.engine, s)
	}
}

func (p *enginePage) End() Outcome {
	p.t.Helper()
	return evalIn[Outcome](p, "__settle(endSession())")
}

func (p *enginePage) State() string {
	p.t.Helper()
	return evalIn[string](p, "GameSession.state()")
}

// Events is the page's log (testdata/lib.js).
func (p *enginePage) Events() []Event {
	p.t.Helper()
	return evalIn[[]Event](p, "__log")
}

// LogText is the page's log as JSON, for failure messages.
func (p *enginePage) LogText() string {
	s, err := p.d.evalJSON("__log")
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return s
}
