package session

import "time"

// Adaptive send time (issue: mobile networks). The server's session lives
// until a heartbeat's *arrival* + TTL, so two heartbeats sent one interval
// apart reach it (interval + the difference of their travel times) apart.
// The spec's 9 s interval leaves a slack of 1 s before the 10 s TTL; a
// network whose delay varies by more than that (jitter on 3G/4G) needs the
// beat sent earlier. The module cannot see one-way delays, only round trips,
// so it bounds the spread of arrival delays by the spread of the round trips
// of its last rttSamples answers:
//
//	slack  = TTL - interval
//	margin = min(500 ms, slack/2)
//	width  = (max - min) * (n+1)/(n-1)   the range of n samples, widened to
//	                                     the width it likely came from
//	       = max(max, prior)             while n < rttTrusted (calibrating)
//	prior  = min(1.5 s, 1.5 * slack)     the jitter of a phone network, until
//	                                     the network has shown its own
//	lead   = clamp(width + margin - slack, 0, interval/2)
//
// and each heartbeat goes lead before one interval after the previous send.
// Figures at 9 s / 10 s: while calibrating (the first 3 beats) the lead is
// 1 s, or more on a slow network (Slow 3G, 2 s round trips: 1.5 s); then a
// steady network (round trips within ~390 ms of each other, whatever their
// length) gets gaps of exactly 9 s, and a 0-1.5 s jitter about 1.2 s of
// lead, so the server sees gaps under 9.5 s; never closer than 4.5 s.
const (
	rttSamples  = 8
	rttTrusted  = 4
	maxMargin   = 500 * time.Millisecond
	phoneJitter = 1500 * time.Millisecond
)

// rttLog keeps the last rttSamples round trips of answered requests.
type rttLog struct {
	at   [rttSamples]time.Duration
	n    int // samples recorded in all
	next int
}

func (l *rttLog) record(rtt time.Duration) {
	l.at[l.next] = max(rtt, 0)
	l.next = (l.next + 1) % rttSamples
	l.n++
}

// lead is how much earlier than one interval after the last send the next
// heartbeat goes.
func (l *rttLog) lead(o Options) time.Duration {
	slack := o.SessionTTL - o.HeartbeatInterval
	margin := min(maxMargin, slack/2)
	k := min(l.n, rttSamples)
	var lo, hi time.Duration
	for i, d := range l.at[:k] {
		if i == 0 || d < lo {
			lo = d
		}
		hi = max(hi, d)
	}
	var width time.Duration
	if l.n < rttTrusted {
		width = max(hi, min(phoneJitter, slack*3/2))
	} else {
		width = (hi - lo) * time.Duration(k+1) / time.Duration(k-1)
	}
	return min(max(width+margin-slack, 0), o.HeartbeatInterval/2)
}
