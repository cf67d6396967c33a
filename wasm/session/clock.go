package session

import "time"

// RealClock is the Clock of package time.
type RealClock struct{}

func (RealClock) Now() Instant { return Now() }

func (RealClock) AfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

// ClockDescriber is optionally implemented by a Clock to say what drives its
// timers (a Worker, or page timers and why), for the debug log.
type ClockDescriber interface {
	Describe() string
}

// clockFor is the Clock of a session with opts: the background clock when
// there is one and backgroundHeartbeats is on. The choice is per session
// because the option is startSession's, while both clocks live as long as
// the engine.
func (e *Engine) clockFor(opts Options) Clock {
	if e.cfg.BackgroundClock != nil && opts.BackgroundHeartbeats {
		return e.cfg.BackgroundClock
	}
	return e.clock
}
