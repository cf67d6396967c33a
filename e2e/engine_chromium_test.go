package e2e

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// chromiumEngine runs the scenarios in the suite's shared headless Chromium
// (browser_test.go), through chromedp: each open is a new browser context.
type chromiumEngine struct{}

func (chromiumEngine) name() string { return "chromium" }

func (chromiumEngine) open(t *testing.T, n int) []pageDriver {
	t.Helper()
	var tabs []*tab
	if n == 1 {
		tabs = []*tab{newTab(t)}
	} else {
		tabs = sameContextTabs(t, n)
	}
	out := make([]pageDriver, n)
	for i, p := range tabs {
		out[i] = chromiumPage{p}
	}
	return out
}

type chromiumPage struct{ p *tab }

func (c chromiumPage) navigate(url string) error {
	ctx, cancel := context.WithTimeout(c.p.ctx, stepTimeout)
	defer cancel()
	return chromedp.Do(ctx, chromedp.Navigate(url))
}

func (c chromiumPage) evalJSON(expr string) (string, error) {
	return tryEval[string](c.p, jsonOf(expr))
}

// close is Target.closeTarget: Chromium runs pagehide, as for a user.
func (c chromiumPage) close() error {
	c.p.cancel()
	return nil
}

// consoleText is empty: the tab itself logs its console when a test fails.
func (c chromiumPage) consoleText() string { return "" }
