package session

import (
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
)

// countingClock is package time, counting the timers made through it.
type countingClock struct {
	timers atomic.Int32
	desc   string
}

func (c *countingClock) Now() time.Time { return time.Now() }

func (c *countingClock) NewTimer(d time.Duration) Timer {
	c.timers.Add(1)
	return RealClock{}.NewTimer(d)
}

func (c *countingClock) Describe() string { return c.desc }

func TestBackgroundHeartbeatsPickTheBackgroundClock(t *testing.T) {
	for _, tc := range []struct {
		name       string
		background bool
		wantWorker bool
	}{
		{"default", true, true},
		{"off", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				page, worker := &countingClock{desc: "page"}, &countingClock{desc: "a Worker"}
				h := newHarness(t, func(c *Config) { c.Clock, c.BackgroundClock = page, worker })
				opts := testOptions()
				opts.BackgroundHeartbeats = tc.background
				opts.Debug = true
				h.start(t, opts)
				time.Sleep(20 * time.Second)
				assert.Equal(t, seconds(8, 16), h.tr.sendTimes(OpHeartbeat, h.t0))
				used, unused := worker, page
				if !tc.wantWorker {
					used, unused = page, worker
				}
				assert.Positive(t, used.timers.Load())
				assert.Zero(t, unused.timers.Load())
				assert.Contains(t, h.rec.logs, "game-session: heartbeat timers: "+used.desc)
			})
		})
	}
}
