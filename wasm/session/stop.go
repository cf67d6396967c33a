package session

import (
	"sync"
	"time"
)

// Instant is a point in time in nanoseconds since the Unix epoch. The engine
// keeps time as Instants, not time.Time: a time.Time in a type that reaches
// an interface links time's formatting code into the .wasm (wasm/sizerules).
type Instant int64

// Now is the wall clock as an Instant.
func Now() Instant { return Instant(time.Now().UnixNano()) }

func (t Instant) Add(d time.Duration) Instant { return t + Instant(d) }
func (t Instant) Sub(u Instant) time.Duration { return time.Duration(t - u) }
func (t Instant) Before(u Instant) bool       { return t < u }
func (t Instant) After(u Instant) bool        { return t > u }
func (t Instant) IsZero() bool                { return t == 0 }

// UnixMilli is t in whole milliseconds since the Unix epoch.
func (t Instant) UnixMilli() float64 { return float64(int64(t) / int64(time.Millisecond)) }

// Stop is a one-shot signal that ends work: the engine fires a session's
// Stop when the session ends, and the transport, the locker and the
// engine's own waits watch it. It stands in for context.Context, which
// costs the .wasm ~25 KB (wasm/sizerules). A nil *Stop never fires.
type Stop struct {
	mu    sync.Mutex
	fired bool
	fns   []*func()
}

// Fire fires s, once. The callbacks run in a new goroutine, so Fire never
// blocks and may be called with any lock held (even inside pagehide).
func (s *Stop) Fire() {
	s.mu.Lock()
	if s.fired {
		s.mu.Unlock()
		return
	}
	s.fired = true
	fns := s.fns
	s.fns = nil
	s.mu.Unlock()
	if len(fns) > 0 {
		go func() {
			for _, g := range fns {
				s.mu.Lock()
				f := *g
				s.mu.Unlock()
				if f != nil {
					f()
				}
			}
		}()
	}
}

// Fired reports whether s has fired.
func (s *Stop) Fired() bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fired
}

// OnFire calls f once when s fires, in a goroutine of its own (at once when
// s has fired already); remove withdraws f if it has not run. f must not
// block for long.
func (s *Stop) OnFire(f func()) (remove func()) {
	if s == nil {
		return func() {}
	}
	s.mu.Lock()
	if s.fired {
		s.mu.Unlock()
		go f()
		return func() {}
	}
	// Drop withdrawn callbacks first: a session lasts hours and sends a
	// request every few seconds.
	kept := s.fns[:0]
	for _, g := range s.fns {
		if *g != nil {
			kept = append(kept, g)
		}
	}
	s.fns = kept
	g := &f
	s.fns = append(s.fns, g)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		*g = nil
		s.mu.Unlock()
	}
}
