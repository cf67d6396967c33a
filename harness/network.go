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
// Network.emulateNetworkConditions is deprecated and gone from cdproto).
// It does not touch navigator.onLine.
func Emulate(ctx context.Context, c Conditions) error {
	orNone := func(v float64) float64 {
		if v <= 0 {
			return -1 // no throttling
		}
		return v
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		return fmt.Errorf("Network.enable: %w", err)
	}
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
	return nil
}
