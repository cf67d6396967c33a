package session

import "time"

// RealClock is the Clock of package time.
type RealClock struct{}

func (RealClock) Now() time.Time { return time.Now() }

func (RealClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (t realTimer) C() <-chan time.Time { return t.t.C }
func (t realTimer) Stop() bool          { return t.t.Stop() }

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
