package session

import "time"

// The events of design.md, with exactly the fields it names. Numbers are
// float64 because they become JS numbers.

func stateEvent(s, prev State) Event {
	return Event{Type: EventStateChange, Detail: map[string]any{"state": string(s), "previous": string(prev)}}
}

// heartbeatEvent: at is when the heartbeat was sent (unix ms), so the gaps
// between events are the gaps the server sees.
func heartbeatEvent(rtt time.Duration, at time.Time) Event {
	return Event{Type: EventHeartbeat, Detail: map[string]any{
		"rttMs": float64(rtt) / float64(time.Millisecond),
		"at":    float64(at.UnixMilli()),
	}}
}

func renewEvent(reason string) Event {
	return Event{Type: EventRenew, Detail: map[string]any{"reason": reason}}
}

func errorEvent(err *Error, fatal bool) Event {
	return Event{Type: EventError, Detail: map[string]any{
		"code":    string(err.Code),
		"status":  float64(err.Status),
		"message": err.Message,
		"fatal":   fatal,
	}}
}

func endEvent(reason string) Event {
	return Event{Type: EventEnd, Detail: map[string]any{"reason": reason}}
}
