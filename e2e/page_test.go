package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// tab is one browser tab driven by a test.
type tab struct {
	t      testing.TB
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	console []string
}

// stepTimeout bounds one browser action so that a hung page fails the test
// with a message instead of hitting the suite's deadline.
const stepTimeout = 30 * time.Second

// Navigate loads url and waits for its load event.
func (p *tab) Navigate(url string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		p.t.Fatalf("navigating to %s: %v", url, err)
	}
}

// Do runs actions with the step timeout.
func (p *tab) Do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates expr in the page (awaiting a promise it returns) and decodes
// the result into T.
func eval[T any](p *tab, expr string) T {
	p.t.Helper()
	v, err := tryEval[T](p, expr)
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", short(expr), err)
	}
	return v
}

func tryEval[T any](p *tab, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// WaitJS waits until the page expression cond is truthy. It keeps trying
// across navigations and bfcache restores, where one poll task dies with
// its document, so it also serves to wait for a page that is still loading.
func (p *tab) WaitJS(cond string, timeout time.Duration, what string) {
	p.t.Helper()
	if err := p.waitJS(cond, timeout); err != nil {
		p.t.Fatalf("waited %v for %s (%s): %v", timeout, what, short(cond), err)
	}
}

func (p *tab) waitJS(cond string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	// A throwing expression (say, a global not defined yet) counts as false.
	safe := fmt.Sprintf("(() => { try { return !!(%s); } catch (e) { return false; } })()", cond)
	var last error
	for {
		// chromedp.Poll would be cheaper, but its task runs in the execution
		// context chromedp tracked last, which is stale after a restore from
		// the back/forward cache; a plain Evaluate always reaches the page
		// on screen.
		ok, err := tryEval[bool](p, safe)
		if err == nil && ok {
			return nil
		}
		if err != nil {
			if p.ctx.Err() != nil {
				return err
			}
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

// InjectLib runs testdata/lib.js (__settle, __log) in a page that does not
// load it itself.
func (p *tab) InjectLib() {
	p.t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "lib.js"))
	if err != nil {
		p.t.Fatal(err)
	}
	if _, err := tryEval[chromedp.Void](p, string(src)); err != nil {
		p.t.Fatalf("running lib.js in the page: %v", err)
	}
}

// short trims a page expression for an error message, with any JWT in it
// (an auth token, a secret) replaced by a placeholder.
func short(expr string) string {
	expr = jwtPattern.ReplaceAllString(expr, "<token>")
	if len(expr) > 80 {
		return expr[:80] + "…"
	}
	return expr
}

var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-.]*`)

// Outcome is a settled promise of the SDK, as the page helper __settle
// reports it: ok, or the GameSessionError's fields.
type Outcome struct {
	OK      bool           `json:"ok"`
	Value   map[string]any `json:"value"`
	IsError bool           `json:"isError"`
	Name    string         `json:"name"`
	Code    string         `json:"code"`
	Status  int            `json:"status"`
	Message string         `json:"message"`
}

func (o Outcome) String() string {
	if o.OK {
		return fmt.Sprintf("resolved %v", o.Value)
	}
	return fmt.Sprintf("rejected %s{code:%s status:%d message:%q}", o.Name, o.Code, o.Status, o.Message)
}

// Opts are startSession options, marshalled to a JS object literal.
type Opts map[string]any

// fastOpts beat every 0.9 s against the 1 s TTL (see setup_test.go).
func fastOpts() Opts { return Opts{"heartbeatIntervalMs": 900, "sessionTtlMs": 1000} }

func jsValue(p *tab, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		p.t.Fatal(err)
	}
	return string(b)
}

// Start calls startSession(token, opts) in the page and waits until it
// settles. The token travels inside the evaluated expression only.
func (p *tab) Start(token string, opts Opts) Outcome {
	p.t.Helper()
	return eval[Outcome](p, fmt.Sprintf("__settle(startSession(%s, %s))", jsValue(p, token), jsValue(p, opts)))
}

// End calls endSession() and waits until it settles.
func (p *tab) End() Outcome {
	p.t.Helper()
	return eval[Outcome](p, "__settle(endSession())")
}

// State is GameSession.state().
func (p *tab) State() string {
	p.t.Helper()
	return eval[string](p, "GameSession.state()")
}

// Event is one entry of the page's log (testdata/lib.js): an SDK event or a
// page lifecycle event.
type Event struct {
	Type   string         `json:"type"`
	At     float64        `json:"at"` // unix ms, the page's clock
	Detail map[string]any `json:"detail"`
}

// Events returns the page's log.
func (p *tab) Events() []Event {
	p.t.Helper()
	return eval[[]Event](p, "__log")
}

// CountEvents counts the log entries of type typ.
func countEvents(evs []Event, typ string) int {
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}
