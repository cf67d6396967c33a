package harness

import (
	"context"
	"os"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is the browser both suites run: $CHROMIUM, else Debian's.
func ChromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// ChromiumOptions are what every Chromium of the project's suites runs
// with: the team's flags plus a fresh profile. chromedp's
// DefaultExecAllocatorOptions are deliberately not used: the flags are
// spelled out so that a reader sees exactly what the browser runs with.
func ChromiumOptions(path, userDataDir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(userDataDir),
	}
}

// NoThrottling keeps every tab's timers at full rate, whichever tab
// Chromium thinks is in front: for a browser whose tabs run side by side
// (no case of it is about hidden-tab throttling).
func NoThrottling() []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
	}
}

// LaunchChromium starts a browser with opts. The returned context is bound
// to no deadline: the browser lives until cancel.
func LaunchChromium(opts ...chromedp.ExecAllocatorOption) (context.Context, func(), error) {
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil {
		bcancel()
		acancel()
		return nil, nil, err
	}
	return bctx, func() { bcancel(); acancel() }, nil
}
