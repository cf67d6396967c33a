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
	timers    atomic.Int32
	described atomic.Int32
	desc      string
}

func (c *countingClock) Now() Instant { return Now() }

func (c *countingClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.timers.Add(1)
	return RealClock{}.AfterFunc(d, f)
}

func (c *countingClock) Describe() string {
	c.described.Add(1)
	return c.desc
}

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
				assert.Positive(t, used.described.Load(), "the debug log says what drives the timers")
				assert.Zero(t, unused.described.Load())
			})
		})
	}
}
