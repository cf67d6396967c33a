package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/game-session/game-session/harness"
)

// browser is one headless Chromium for the whole run, with the team's
// flags and a fresh profile directory.
type browser struct {
	root   context.Context // a chromedp context whose browser has started
	cancel func()
}

func startBrowser(path, profile string) (*browser, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("chromium: %w (install it: apt-get install -y chromium)", err)
	}
	if err := os.MkdirAll(profile, 0o755); err != nil {
		return nil, err
	}
	// The e2e suite's flags and launch (harness), with timer throttling off:
	// the networks figure runs its tabs side by side.
	opts := append(harness.ChromiumOptions(path, profile), harness.NoThrottling()...)
	root, cancel, err := harness.LaunchChromium(opts...)
	if err != nil {
		return nil, fmt.Errorf("start chromium: %w", err)
	}
	return &browser{root: root, cancel: cancel}, nil
}

func (b *browser) close() { b.cancel() }

// tab opens a new tab. fresh puts it in a new browser context (an empty
// profile: no HTTP cache, no compiled-wasm cache, no storage) and turns
// the cache off too, so every load in it is cold.
func (b *browser) tab(fresh bool) (context.Context, func(), error) {
	var opts []chromedp.ContextOption
	if fresh {
		opts = append(opts, chromedp.WithNewBrowserContext())
	}
	ctx, cancel := chromedp.NewContext(b.root, opts...)
	if err := chromedp.Do(ctx); err != nil { // opens the tab, bound to ctx
		cancel()
		return nil, nil, err
	}
	if fresh {
		if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
			cancel()
			return nil, nil, err
		}
	}
	return ctx, cancel, nil
}

// eval evaluates expr in the tab, awaiting it when it is a promise, with a
// deadline for this call only.
func eval[T any](ctx context.Context, timeout time.Duration, expr string) (T, error) {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return chromedp.Run(cctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// navigate loads url and waits for its load event, with a deadline.
func navigate(ctx context.Context, timeout time.Duration, url string) error {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return chromedp.Do(cctx, chromedp.Navigate(url))
}
