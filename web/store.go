package main

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"time"
)

// The store answers the spec's three questions (start, keep alive, stop) for
// every user. One mutex guards one map: the work under the lock is a map
// lookup and a time comparison, so contention stays cheap even with
// thousands of users, and no goroutine or timer exists per session.
//
// Expiry is exact and lazy: a session is alive while now < lastBeatAt+ttl,
// checked on every access, so the API never answers from a stale entry no
// matter when the last sweep ran. Sweeps only reclaim memory; they run
// opportunistically inside a write at most once per ttl, which keeps the
// server free of background goroutines (and testing/synctest bubbles free
// of goroutines that never exit).

var (
	errAlreadyInGame   = errors.New("a session is already active for this user")
	errNoActiveSession = errors.New("no active session for this user")
)

// session is the server's record of one user's game session.
type session struct {
	startedAt  time.Time
	lastBeatAt time.Time // initiate counts as the first beat
	beats      int       // heartbeats accepted since initiate
}

// sessionInfo is the /dev/sessions view of a session (times in unix ms).
type sessionInfo struct {
	User        string `json:"user"`
	StartedAt   int64  `json:"startedAt"`
	LastBeatAt  int64  `json:"lastBeatAt"`
	Beats       int    `json:"beats"`
	ExpiresInMs int64  `json:"expiresInMs"`
}

type store struct {
	ttl time.Duration
	now func() time.Time

	mu        sync.Mutex
	sessions  map[string]session
	lastSweep time.Time
}

func newStore(ttl time.Duration, now func() time.Time) *store {
	return &store{ttl: ttl, now: now, sessions: make(map[string]session), lastSweep: now()}
}

// alive reports whether s is still a session at t: it expires at exactly
// lastBeatAt+ttl, so a heartbeat at ttl-ε keeps it and one at ttl does not.
func (st *store) alive(s session, t time.Time) bool {
	return t.Before(s.lastBeatAt.Add(st.ttl))
}

// lookup returns user's live session, deleting an expired one it finds.
// Callers hold st.mu.
func (st *store) lookup(user string, t time.Time) (session, bool) {
	s, ok := st.sessions[user]
	if ok && !st.alive(s, t) {
		delete(st.sessions, user)
		return session{}, false
	}
	return s, ok
}

// maybeSweep drops every expired session, at most once per ttl, so memory
// held by abandoned sessions is bounded by one ttl's worth of users.
// Callers hold st.mu.
func (st *store) maybeSweep(t time.Time) {
	if t.Sub(st.lastSweep) < st.ttl {
		return
	}
	st.lastSweep = t
	for user, s := range st.sessions {
		if !st.alive(s, t) {
			delete(st.sessions, user)
		}
	}
}

// initiate starts a session for user unless a live one exists.
func (st *store) initiate(user string) error {
	t := st.now()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.maybeSweep(t)
	if _, ok := st.lookup(user, t); ok {
		return errAlreadyInGame
	}
	st.sessions[user] = session{startedAt: t, lastBeatAt: t}
	return nil
}

// heartbeat extends user's live session by one ttl from now.
func (st *store) heartbeat(user string) error {
	t := st.now()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.maybeSweep(t)
	s, ok := st.lookup(user, t)
	if !ok {
		return errNoActiveSession
	}
	s.lastBeatAt = t
	s.beats++
	st.sessions[user] = s
	return nil
}

// end terminates user's live session.
func (st *store) end(user string) error {
	t := st.now()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.maybeSweep(t)
	if _, ok := st.lookup(user, t); !ok {
		return errNoActiveSession
	}
	delete(st.sessions, user)
	return nil
}

// expire forgets user's session at once (dev: simulate a server-side loss).
// It reports whether a live session was there.
func (st *store) expire(user string) bool {
	t := st.now()
	st.mu.Lock()
	defer st.mu.Unlock()
	_, ok := st.lookup(user, t)
	delete(st.sessions, user)
	return ok
}

// list returns the live sessions sorted by user.
func (st *store) list() []sessionInfo {
	t := st.now()
	st.mu.Lock()
	out := make([]sessionInfo, 0, len(st.sessions))
	for user, s := range st.sessions {
		if !st.alive(s, t) {
			continue
		}
		out = append(out, sessionInfo{
			User:        user,
			StartedAt:   s.startedAt.UnixMilli(),
			LastBeatAt:  s.lastBeatAt.UnixMilli(),
			Beats:       s.beats,
			ExpiresInMs: s.lastBeatAt.Add(st.ttl).Sub(t).Milliseconds(),
		})
	}
	st.mu.Unlock()
	slices.SortFunc(out, func(a, b sessionInfo) int { return strings.Compare(a.User, b.User) })
	return out
}

// size is the number of entries held, live or not yet reclaimed (tests).
func (st *store) size() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.sessions)
}
