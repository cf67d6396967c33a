package session

import "time"

// Adaptive send time (issue: mobile networks). The server's session lives
// until a heartbeat's *arrival* + TTL, so two heartbeats sent one interval
// apart reach it (interval + the difference of their travel times) apart.
// The spec's 9 s interval leaves 1 s of slack before the 10 s TTL; a network
// whose delay varies by more than that (jitter on 3G/4G) needs the beat sent
// earlier. The module cannot see one-way delays, only round trips, so it
// bounds the spread of arrival delays by the spread of the round trips it
// measured:
//
//	lead = clamp(spread + jitterMargin - (TTL - interval), 0, interval/2)
//	spread = max(RTT) - min(RTT) over the last rttSamples answers,
//	         or max(RTT) while fewer than rttTrusted were seen
//
// and each heartbeat goes lead before interval after the previous send.
// Figures: a steady network (spread < 500 ms) gives lead 0, gaps of exactly
// 9 s; a 1.5 s jitter gives a 1 s lead, gaps of 8 s, at most 9.5 s at the
// server; the lead never exceeds half the interval (4.5 s). Before it has
// rttTrusted samples the module takes the worst case (any round trip could
// be all request leg), so a new session on Slow 3G (RTT 2 s) starts at
// 7.5 s gaps and settles at 9 s once the network proves steady.
const (
	rttSamples   = 8
	rttTrusted   = 4
	jitterMargin = 500 * time.Millisecond
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
	if l.n == 0 {
		return 0
	}
	k := min(l.n, rttSamples)
	lo, hi := l.at[0], l.at[0]
	for _, d := range l.at[:k] {
		lo, hi = min(lo, d), max(hi, d)
	}
	spread := hi - lo
	if l.n < rttTrusted {
		spread = hi
	}
	lead := spread + jitterMargin - (o.SessionTTL - o.HeartbeatInterval)
	return min(max(lead, 0), o.HeartbeatInterval/2)
}
