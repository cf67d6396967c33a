package sessiontest

import (
	"sync"
	"testing"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/stretchr/testify/assert"
)

// Clock runs session.Clock's contract against the clocks that setup makes.
func Clock(t *testing.T, o Options, setup func(t *testing.T) session.Clock) {
	// after starts a timer that sends its clock's Now when it fires.
	after := func(c session.Clock, d time.Duration) (<-chan session.Instant, func() bool) {
		ch := make(chan session.Instant, 1)
		return ch, c.AfterFunc(d, func() { ch <- c.Now() })
	}

	o.run(t, "NowIsTheWallClock", func(t *testing.T) {
		c := setup(t)
		o.within(t, "Now", c.Now(), session.Now())
		began := c.Now()
		fired, _ := after(c, 20*time.Millisecond)
		at := recv(t, fired, "the timer")
		assert.GreaterOrEqual(t, at.Sub(began), 20*time.Millisecond-o.Early, "Now advanced with time")
	})

	o.run(t, "FiresAfterItsTime", func(t *testing.T) {
		c := setup(t)
		began := c.Now()
		fired, cancel := after(c, 30*time.Millisecond)
		o.within(t, "fired", recv(t, fired, "the timer"), began.Add(30*time.Millisecond))
		assert.False(t, cancel(), "cancel after it fired")
		assert.False(t, cancel())
	})

	o.run(t, "ZeroOrNegativeFiresAtOnce", func(t *testing.T) {
		c := setup(t)
		for _, d := range []time.Duration{0, -time.Second} {
			began := c.Now()
			fired, _ := after(c, d)
			o.within(t, "fired", recv(t, fired, "the timer"), began)
		}
	})

	o.run(t, "FireInTheOrderOfTheirTimes", func(t *testing.T) {
		c := setup(t)
		start, _ := after(c, 0) // a clock may start (a Worker) on first use
		recv(t, start, "the first timer")
		var mu sync.Mutex
		var dues, fired []session.Instant // in the order the timers fired
		all := make(chan struct{})
		for _, d := range []time.Duration{30, 10, 20} {
			due := c.Now().Add(d * time.Millisecond)
			c.AfterFunc(d*time.Millisecond, func() {
				mu.Lock()
				defer mu.Unlock()
				dues, fired = append(dues, due), append(fired, c.Now())
				if len(fired) == 3 {
					close(all)
				}
			})
		}
		recv(t, all, "the timers")
		for i := range dues {
			o.within(t, "fired", fired[i], dues[i])
			// In fake time the order is 10, 20, 30 ms; in real time a
			// stall between the calls may reorder the due times themselves.
			if i > 0 {
				assert.False(t, dues[i].Before(dues[i-1].Add(-o.Early)), "timer %d fired before an earlier one: %v", i, dues)
			}
		}
	})

	o.run(t, "CancelBeforeItFires", func(t *testing.T) {
		c := setup(t)
		cancelled, cancel := after(c, 20*time.Millisecond)
		assert.True(t, cancel(), "it had not fired")
		assert.False(t, cancel(), "cancelled already")
		// A later timer fires; the cancelled one never does.
		later, _ := after(c, 50*time.Millisecond)
		recv(t, later, "a later timer")
		o.yield(t)
		select {
		case <-cancelled:
			t.Fatal("a cancelled timer fired")
		default:
		}
	})
}
