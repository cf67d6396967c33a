package session

import "time"

// The events of design.md, with exactly the fields it names.

func stateEvent(s, prev State) Event {
	return Event{Type: EventStateChange, State: s, Previous: prev}
}

// heartbeatEvent: at is when the heartbeat was sent, so the gaps between
// events are the gaps the server sees.
func heartbeatEvent(rtt time.Duration, at Instant) Event {
	return Event{Type: EventHeartbeat, RTT: rtt, At: at}
}

func renewEvent(reason string) Event { return Event{Type: EventRenew, Reason: reason} }

func errorEvent(err *Error, fatal bool) Event { return Event{Type: EventError, Err: err, Fatal: fatal} }

func endEvent(reason string) Event { return Event{Type: EventEnd, Reason: reason} }
