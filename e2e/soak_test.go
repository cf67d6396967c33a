package e2e

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/heapprofiler"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// soakHeapGrowth bounds how much the page's JS heap may grow between the end
// of the first minute (warm) and the end of the soak, after a forced GC. The
// SDK keeps no history, so growth beyond noise means a leak (a listener, a
// promise or a Go→JS reference kept per heartbeat: ~300 beats here).
const soakHeapGrowth = 2 << 20 // 2 MiB

// Case 13: five minutes at heartbeatIntervalMs 900 with random faults. Only
// with SOAK=1 (./build.sh test with SOAK=1 in the environment).
func TestSoak(t *testing.T) {
	if os.Getenv("SOAK") != "1" {
		t.Skip("the five-minute soak runs with SOAK=1")
	}
	t.Parallel()
	const duration = 5 * time.Minute
	seed := uint64(time.Now().UnixNano())
	t.Logf("fault seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	srv := fastServer(t)
	p := openSession(t, srv)
	const user = "soak"
	mustStart(t, p, srv, user, fastOpts())

	var events []Event
	drain := func() { events = append(events, eval[[]Event](p, "__log.splice(0)")...) }
	var warmHeap float64
	began := time.Now()
	for time.Since(began) < duration {
		f := randomFaults(rng)
		srv.SetFaults(f)
		t.Logf("%5.0fs faults %+v", time.Since(began).Seconds(), f)
		observe(time.Duration(5+rng.IntN(15)) * time.Second)
		drain()
		if warmHeap == 0 && time.Since(began) > time.Minute {
			warmHeap = p.heapAfterGC()
			t.Logf("JS heap after the first minute: %.0f bytes", warmHeap)
		}
	}
	srv.ClearFaults()
	mark := lastCall(t, srv.CallsOf(user)).Seq
	srv.WaitCalls(user, 10*time.Second, "2 served heartbeats after the faults", func(cs []Call) bool {
		return len(served(ops(after(cs, mark), "heartbeat"))) >= 2
	})
	drain()
	endHeap := p.heapAfterGC()
	t.Logf("JS heap at the end: %.0f bytes (growth %.0f)", endHeap, endHeap-warmHeap)

	calls := srv.CallsOf(user)
	assert.Equal(t, "active", p.State())
	assert.LessOrEqual(t, maxInWindow(calls, perInterval(fastInterval)), 4, "more than 4 requests within one interval")
	expiries := expiriesOf(calls, fastTTL)
	for _, e := range expiries {
		next, ok := firstAfter(ops(calls, "initiate"), e)
		if assert.True(t, ok, "no initiate after the expiry at %s", fmtMs(e)) {
			assert.LessOrEqual(t, next.At-e, ms(fastInterval), "initiate %v came %.0f ms after the expiry at %s", next, next.At-e, fmtMs(e))
		}
	}
	assert.Zero(t, countEvents(events, "end"), "the session ended during the soak")
	for _, e := range events {
		if e.Type == "error" {
			assert.NotEqual(t, true, e.Detail["fatal"], "a fatal error: %v", e.Detail)
		}
	}
	require.NotZero(t, warmHeap)
	assert.LessOrEqual(t, endHeap-warmHeap, float64(soakHeapGrowth), "JS heap grew from %.0f to %.0f bytes", warmHeap, endHeap)
	t.Logf("%d requests (%d served), %d expiries, %d renew events, %d heartbeat events",
		len(calls), len(served(calls)), len(expiries), countEvents(events, "renew"), countEvents(events, "heartbeat"))
}

// randomFaults picks the next stretch of weather: calm, lossy, failing, slow.
func randomFaults(rng *rand.Rand) Faults {
	switch rng.IntN(5) {
	case 0:
		return Faults{}
	case 1:
		return Faults{DropRate: 0.1 + 0.3*rng.Float64()}
	case 2:
		return Faults{ErrorRate: 0.1 + 0.3*rng.Float64(), ErrorStatus: []int{500, 502, 503, 429}[rng.IntN(4)]}
	case 3:
		// Scaled like the timing (a tenth of the spec's): up to 100 ms
		// here stands for up to 1 s at 9 s / 10 s.
		return Faults{LatencyMs: rng.IntN(50), JitterMs: rng.IntN(50)}
	default:
		return thirtyPercent
	}
}

// heapAfterGC forces a garbage collection and returns
// performance.memory.usedJSHeapSize.
func (p *tab) heapAfterGC() float64 {
	p.t.Helper()
	if _, err := chromedp.Call(p.ctx, heapprofiler.CollectGarbage, cdp.Empty{}); err != nil {
		p.t.Fatalf("HeapProfiler.collectGarbage: %v", err)
	}
	v := eval[float64](p, "performance.memory.usedJSHeapSize")
	if v <= 0 {
		p.t.Fatal(fmt.Sprintf("performance.memory.usedJSHeapSize = %v", v))
	}
	return v
}
