package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// offliner is a page whose driver can cut it off the network the way a lost
// connection does: navigator.onLine turns false and "offline" fires.
// Chromium (CDP Network.overrideNetworkState for navigator.onLine and the
// events, Network.emulateNetworkConditionsByRule to make requests fail:
// the first alone let every heartbeat through) and Firefox (BiDi
// emulation.setNetworkConditions) can; WebKitWebDriver has no network
// emulation, so the offline case does not run in WebKit.
type offliner interface {
	setOffline(off bool) error
}

func (c chromiumPage) setOffline(off bool) error {
	ctx, cancel := context.WithTimeout(c.p.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		return err
	}
	// overrideNetworkState sets navigator.onLine (and fires the events);
	// the rule is what makes requests fail.
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: off, DownloadThroughput: -1, UploadThroughput: -1,
	}); err != nil {
		return err
	}
	rules := []*network.Conditions{}
	if off {
		rules = append(rules, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
	}
	_, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: rules})
	return err
}

func (p *bidiPage) setOffline(off bool) error {
	var cond any // null: back to the real network
	if off {
		cond = map[string]any{"type": "offline"}
	}
	_, err := p.b.call("emulation.setNetworkConditions", map[string]any{"networkConditions": cond, "contexts": []string{p.id}})
	return err
}

// Offline past the TTL, then online: the module sends nothing it cannot,
// keeps its page (no end), and on "online" starts a new session at once
// (renew) and beats again. While offline it tries a renewal at most once an
// interval; the case goes online right after one of those tries, so that
// only the online event can explain a renewal well within the interval.
func TestEngineOfflineThenOnline(t *testing.T) {
	const interval, ttl = 2400 * time.Millisecond, steadyTTL
	forEngines(t, func(t *testing.T, e engine) {
		srv := steadyServer(t)
		p := openPages(t, e, 1)[0]
		net, ok := p.d.(offliner)
		if !ok {
			t.Logf("%s: NOT RUN: the driver cannot take a page offline", e.name())
			return
		}
		p.Navigate(srv.URL + "/session.html")
		user := "offline-" + e.name()
		// Heartbeats from the page's own fetch: Chromium's CDP emulation is
		// set per target, and a dedicated Worker's fetch (the default,
		// backgroundHeartbeats) would go on beating through it.
		p.MustStart(srv, user, Opts{"heartbeatIntervalMs": ms(interval), "sessionTtlMs": ms(ttl), "backgroundHeartbeats": false})
		srv.WaitCalls(user, 10*time.Second, "a heartbeat", count(1, "heartbeat"))

		require.NoError(t, net.setOffline(true), "%s: going offline", e.name())
		p.WaitJS("!navigator.onLine", 5*time.Second, "navigator.onLine false")
		mark := lastCall(t, srv.CallsOf(user)).Seq
		// Past the TTL the module is renewing, and its tries fail.
		p.WaitJS(`GameSession.state() === "renewing"`, ttl+2*interval, "state renewing while offline")
		const errors = `__log.filter(e => e.type === "error").length`
		n := evalIn[int](p, errors)
		p.WaitJS(fmt.Sprintf("%s > %d", errors, n), 2*interval, "a failed renewal while offline")
		assert.Empty(t, after(srv.CallsOf(user), mark), "%s: calls reached the server while offline", e.name())
		assert.Equal(t, 0, evalIn[int](p, `__log.filter(e => e.type === "end").length`), "%s: offline is no reason to end", e.name())

		onlineAt := unixMs(time.Now())
		require.NoError(t, net.setOffline(false), "%s: going online", e.name())
		calls := srv.WaitCalls(user, 10*time.Second, "a new initiate and a heartbeat after going online", func(cs []Call) bool {
			cs = after(cs, mark)
			return len(served(ops(cs, "initiate"))) >= 1 && len(served(ops(cs, "heartbeat"))) >= 1
		})
		init := served(ops(after(calls, mark), "initiate"))[0]
		assert.Less(t, init.At-onlineAt, ms(interval)/2, "%s: the new session %.0f ms after going online, want at once (the next try of its own was an interval away)", e.name(), init.At-onlineAt)
		p.WaitJS(`GameSession.state() === "active"`, 5*time.Second, "state active")
		p.WaitJS(`__log.some(e => e.type === "renew")`, 5*time.Second, "a renew event")
		if t.Failed() {
			t.Logf("%s: server saw:\n%s\npage log: %s", e.name(), formatCalls(calls), p.LogText())
		}
	})
}

// steadyTTL is steadyServer's TTL.
const steadyTTL = 3 * time.Second
