package harness

import (
	"context"
	"fmt"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Conditions is a network as Chromium emulates it for one tab: added
// round-trip latency and throughput caps.
type Conditions struct {
	LatencyMs float64 // added to every request (sent → response headers)
	DownBps   float64 // bytes/s, 0 = no cap
	UpBps     float64 // bytes/s, 0 = no cap
}

// DevTools' own presets, as its network panel defines them (latency
// 562.5 ms and 2000 ms, already scaled by its 0.9 / 0.8 factors).
var (
	Fast3G = Conditions{LatencyMs: 562.5, DownBps: 1.6 * 1024 * 1024 / 8 * 0.9, UpBps: 750 * 1024 / 8 * 0.9}
	Slow3G = Conditions{LatencyMs: 2000, DownBps: 500 * 1024 / 8 * 0.8, UpBps: 500 * 1024 / 8 * 0.8}
)

func (c Conditions) String() string {
	return fmt.Sprintf("+%.0f ms RTT, %.0f/%.0f kB/s", c.LatencyMs, c.DownBps/1000, c.UpBps/1000)
}

// Emulate applies c to every request of the tab behind ctx from now on
// (Network.emulateNetworkConditionsByRule with one global rule; the older
// Network.emulateNetworkConditions is deprecated and gone from cdproto). It
// does not touch navigator.onLine.
//
// It then checks from the page that the emulation took: a fetch of probe
// (a same-origin path, uncached) must take at least 90 % of the latency.
// Once in the e2e suite a fetch right after the command was not slowed, so
// the command is sent again, up to three times, before this gives up.
func Emulate(ctx context.Context, c Conditions, probe string) error {
	orNone := func(v float64) float64 {
		if v <= 0 {
			return -1 // no throttling
		}
		return v
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		return fmt.Errorf("Network.enable: %w", err)
	}
	var took float64
	for range 3 {
		_, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{
				Latency:            c.LatencyMs,
				DownloadThroughput: orNone(c.DownBps),
				UploadThroughput:   orNone(c.UpBps),
			}},
		})
		if err != nil {
			return fmt.Errorf("Network.emulateNetworkConditionsByRule: %w", err)
		}
		took, err = chromedp.Run(ctx, chromedp.Evaluate[float64](fmt.Sprintf(`(async () => {
			const t0 = performance.now();
			await (await fetch(%q, { cache: "no-store" })).arrayBuffer();
			return performance.now() - t0;
		})()`, probe), chromedp.EvalAwaitPromise))
		if err != nil {
			return fmt.Errorf("timing a fetch of %s: %w", probe, err)
		}
		if took >= 0.9*c.LatencyMs {
			return nil
		}
	}
	return fmt.Errorf("a fetch of %s under %v took %.0f ms: the emulation is not on", probe, c, took)
}
