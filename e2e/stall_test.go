package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stallJS makes the page's main thread busy for ms, starting 8.8 s after the
// send of the n-th heartbeat from now (by the heartbeat event's at): the
// next heartbeat falls due 0.2 s into the stall. It resolves with when the
// stall began and ended (unix ms), for the failure message.
const stallJS = `(n, ms) => new Promise((resolve) => {
  let seen = 0;
  const off = GameSession.on("heartbeat", ({ at }) => {
    if (++seen < n) return;
    off();
    setTimeout(() => {
      const began = Date.now();
      while (Date.now() - began < ms) {}
      resolve({ began, ended: Date.now() });
    }, Math.max(0, at + 8800 - Date.now()));
  });
})`

// A game's synchronous work (a level loading) stalls the page's main thread
// just before a heartbeat is due. The heartbeat is timed and sent by the
// Worker, so the server still sees it on time: at the real 9 s / 10 s timing,
// for at least 60 s with two stalls, exactly one initiate, no renew, every
// gap between accepted heartbeats under the TTL. (With page timers and page
// fetch, a 1.5 s stall made a 10.3 s gap and a renewal: issue 10.)
func TestMainThreadStallCostsNoSession(t *testing.T) {
	t.Parallel()
	for _, stall := range []time.Duration{1500 * time.Millisecond, 5 * time.Second} {
		t.Run(fmt.Sprintf("%v stall", stall), func(t *testing.T) {
			t.Parallel()
			const ttl = 10 * time.Second
			srv := startServer(t, "-ttl", ttl.String())
			p := openSession(t, srv)
			user := fmt.Sprintf("stall-%d", stall.Milliseconds())
			began := time.Now()
			mustStart(t, p, srv, user, Opts{}) // the defaults: 9 s heartbeats, 10 s TTL, background heartbeats
			// Two stalls: before the 2nd heartbeat and before the 4th.
			eval[bool](p, fmt.Sprintf(`(() => {
  const stall = %s;
  window.__stalls = [];
  stall(1, %[2]d).then((s) => { __stalls.push(s); return stall(2, %[2]d); }).then((s) => __stalls.push(s));
  return true;
})()`, stallJS, stall.Milliseconds()))
			// At least 60 s of session, and the heartbeat after the last stall.
			srv.WaitCalls(user, time.Until(began.Add(60*time.Second))+20*time.Second, "60 s of session", func(cs []Call) bool {
				return time.Since(began) >= 60*time.Second && len(ops(cs, "heartbeat")) >= 6
			})

			stalls := eval[[]map[string]float64](p, "__stalls")
			require.Len(t, stalls, 2, "both stalls ran")
			calls := srv.CallsOf(user)
			assert.Len(t, ops(calls, "initiate"), 1, "initiates")
			evs := p.Events()
			assert.Zero(t, countEvents(evs, "renew"), "renew events")
			beats := served(ops(calls, "initiate", "heartbeat"))
			require.GreaterOrEqual(t, len(beats), 7, "the initiate and 6 heartbeats")
			worst := 0.0
			for i, g := range gapsMs(beats) {
				worst = max(worst, g)
				assert.Less(t, g, ms(ttl), "gap %d between accepted calls is %.0f ms", i+1, g)
			}
			t.Logf("%d calls over %.0f s; the longest gap between accepted calls %.0f ms; stalls %v",
				len(calls), time.Since(began).Seconds(), worst, stalls)
			t.Logf("server saw:\n%s", formatCalls(calls))
			if t.Failed() {
				t.Logf("page console: %s", p.consoleText())
			}
		})
	}
}
