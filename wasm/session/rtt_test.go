package session

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLeadRule(t *testing.T) {
	o := Options{HeartbeatInterval: 9 * time.Second, SessionTTL: 10 * time.Second}
	ms := func(v ...int) rttLog {
		var l rttLog
		for _, x := range v {
			l.record(time.Duration(x) * time.Millisecond)
		}
		return l
	}
	for _, tc := range []struct {
		name string
		log  rttLog
		want time.Duration
	}{
		{"no sample: calibrating, a phone's jitter assumed", ms(), time.Second},
		{"calibrating on a fast network", ms(5, 6), time.Second},
		{"steady fast", ms(20, 25, 22, 21, 20), 0},
		{"steady Slow 3G, trusted", ms(2000, 2010, 2005, 1990, 2000), 0},
		{"Slow 3G, too few samples: worst case", ms(2000), 1500 * time.Millisecond},
		{"jitter 1.5 s: the range of 5 widened by 6/4", ms(100, 1600, 700, 300, 1200), 1750 * time.Millisecond},
		{"capped at half the interval", ms(10, 9000, 20, 30, 40), 4500 * time.Millisecond},
		{"old samples age out", ms(10, 5000, 10, 10, 10, 10, 10, 10, 10, 10), 0},
	} {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, tc.log.lead(o)) })
	}
}

// On a jittery network each beat goes early enough that, whatever the
// request leg took, the server sees gaps below its TTL; once the network is
// steady again the gaps go back to the interval.
func TestJitterAdvancesTheBeatAndSteadinessRestoresIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		jitter := []time.Duration{100, 1600, 300, 1500, 200, 1400}
		h.tr.setScript(func(req Request, n int) reply {
			rep := okReply()
			if req.Op == OpHeartbeat && n < len(jitter) {
				rep.delay = jitter[n] * time.Millisecond
			} else {
				rep.delay = 50 * time.Millisecond
			}
			return rep
		})
		h.start(t, testOptions())
		time.Sleep(3 * time.Minute)

		times := h.tr.sendTimes(OpHeartbeat, h.t0)
		require.Greater(t, len(times), 15)
		for i := 1; i < len(times); i++ {
			gap := times[i] - times[i-1]
			assert.GreaterOrEqual(t, gap, 4500*time.Millisecond, "never closer than half the interval")
			assert.LessOrEqual(t, gap, 9*time.Second)
		}
		// While the 1.5 s spread is in the last 8 samples the beat is early.
		assert.Less(t, times[3]-times[2], 9*time.Second)
		// After 8 steady answers, exactly the interval again.
		assert.Equal(t, 9*time.Second, times[len(times)-1]-times[len(times)-2])
		assert.Len(t, h.tr.ops(OpInitiate), 1)
		h.stop()
	})
}
