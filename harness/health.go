package harness

import (
	"slices"
	"time"
)

// Health is what one session's calls say about how it fared, read from the
// server's side: the e2e network cases assert on it and the networks bench
// prints it.
type Health struct {
	Initiates  int `json:"initiates"` // initiate calls, whatever their answer
	Renewals   int `json:"renewals"`  // served initiates after the first: the session was started again
	Expiries   int `json:"expiries"`  // times the server lost the session (see HealthOf)
	Heartbeats int `json:"heartbeats"`
	Accepted   int `json:"accepted"` // heartbeats served 200
	// MaxGapMs is the longest time from a call that kept the session (a
	// served initiate or heartbeat) to the next heartbeat that kept it or
	// found it gone, by when the server acted on them.
	MaxGapMs float64 `json:"maxGapMs"`
	Requests int     `json:"requests"` // every call, ends included
	// MaxPerInterval is the most calls that arrived within any one interval.
	MaxPerInterval int `json:"maxPerInterval"`
}

// HealthOf reads the calls of one session's user (from the first) against
// the server's ttl and the module's heartbeat interval. An expiry is a gap
// of more than ttl between two calls that kept the session alive, or a
// heartbeat answered NO_ACTIVE_SESSION while the session was believed
// alive (killed on the server); an end ends the session without one.
func HealthOf(calls []Call, ttl, interval time.Duration) Health {
	var h Health
	servedInits := 0
	for _, c := range calls {
		h.Requests++
		switch c.Op {
		case "initiate":
			h.Initiates++
			if c.Served() {
				servedInits++
			}
		case "heartbeat":
			h.Heartbeats++
			if c.Served() {
				h.Accepted++
			}
		}
	}
	h.Renewals = max(servedInits-1, 0)

	// Walk the session's life in the order the server acted on the calls
	// (a request leg with jitter can reorder arrivals).
	events := slices.Clone(calls)
	slices.SortStableFunc(events, func(a, b Call) int { return cmpFloat(a.Acted(), b.Acted()) })
	ttlMs := float64(ttl) / float64(time.Millisecond)
	alive, last := false, 0.0
	for _, c := range events {
		keeps := (c.Op == "initiate" || c.Op == "heartbeat") && c.Served()
		lost := c.Op == "heartbeat" && c.Code == "NO_ACTIVE_SESSION"
		if alive && (keeps || lost) {
			h.MaxGapMs = max(h.MaxGapMs, c.Acted()-last)
		}
		if alive && c.Acted()-last > ttlMs {
			h.Expiries++
			alive = false
		}
		switch {
		case lost:
			if alive {
				h.Expiries++
				alive = false
			}
		case keeps:
			alive, last = true, c.Acted()
		case c.Op == "end" && c.Served():
			alive = false
		}
	}
	h.MaxPerInterval = MaxInWindow(calls, interval)
	return h
}

// MaxInWindow is the largest number of calls that arrived within any
// window of length w (each window starts at a call and is half-open).
func MaxInWindow(calls []Call, w time.Duration) int {
	at := make([]float64, len(calls))
	for i, c := range calls {
		at[i] = c.At
	}
	slices.Sort(at)
	ms := float64(w) / float64(time.Millisecond)
	best, j := 0, 0
	for i := range at {
		for j < len(at) && at[j]-at[i] < ms {
			j++
		}
		best = max(best, j-i)
	}
	return best
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
