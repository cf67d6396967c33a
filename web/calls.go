package main

import (
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"
)

// The call log (DEV ONLY) records every POST to the three API endpoints so
// tests can assert what the server saw (how many heartbeats, how far apart,
// whether the end arrived after pagehide, with which Content-Type and
// Origin) instead of guessing from the browser side.
//
// Sequence numbers are given on arrival, so the log is in arrival order.
// A call becomes visible when it and every earlier call have finished: a
// client polling GET /dev/calls?since=LAST therefore never skips an entry
// that finishes late (a call held by injected latency briefly holds back
// the ones behind it). The log is a bounded ring; the oldest entries fall
// off, and a call still in flight when it falls off is lost.
//
// Every entry has the fixed fields below, each string clipped to
// maxCallField bytes and copied (never the request's headers or a slice of
// them), so the ring holds at most capacity × (128 B of slot + 6 × 256 B),
// 17 MB at the default 10 000, whatever the clients send (in practice
// under 1 KB an entry: only Origin, Content-Type and the token's user come
// from the client); the log line of a call is clipped the same way.

// maxCallField bounds every string of a call record (an Origin is at most
// scheme, a 253-byte host name and a port).
const maxCallField = 256

// call is one API call as GET /dev/calls shows it.
type call struct {
	Seq uint64  `json:"seq"`
	At  float64 `json:"at"` // arrival, unix ms with fractions
	// ActedAt is when the server acted on the call, after any injected
	// request-leg delay: the time the session TTL sees (unix ms; 0 when the
	// call never got that far: canceled during the delay).
	ActedAt     float64 `json:"actedAt"`
	Op          string  `json:"op"`
	User        string  `json:"user"` // "" when the token was missing or bad
	Status      int     `json:"status"`
	Code        string  `json:"code"`
	ContentType string  `json:"contentType"`
	Origin      string  `json:"origin"`
	Fault       string  `json:"fault"` // "", "drop" or "error"
}

type slot struct {
	call
	done bool
}

type callLog struct {
	mu        sync.Mutex
	ring      []slot // ring[seq%len(ring)]
	next      uint64 // seq the next call gets; seqs start at 1
	published uint64 // every seq <= published has finished (or was lost)
	floor     uint64 // seqs <= floor were cleared by DELETE /dev/calls
}

func newCallLog(capacity int) *callLog {
	return &callLog{ring: make([]slot, capacity), next: 1}
}

// unixMs is t as fractional unix milliseconds.
func unixMs(t time.Time) float64 {
	return float64(t.UnixNano()) / 1e6
}

// begin records the arrival of a call and returns its seq.
func (l *callLog) begin(at time.Time, op, contentType, origin string) uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	seq := l.next
	l.next++
	// The slot we take held seq-len(ring); if that call is still unfinished
	// it is lost, and publication must not wait for it.
	if n := uint64(len(l.ring)); seq > n && l.published < seq-n {
		l.published = seq - n
		l.advance()
	}
	l.ring[seq%uint64(len(l.ring))] = slot{call: call{
		Seq: seq, At: unixMs(at), Op: clip(op, maxCallField),
		ContentType: clip(contentType, maxCallField), Origin: clip(origin, maxCallField),
	}}
	return seq
}

// acted records when the server acted on call seq.
func (l *callLog) acted(seq uint64, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := &l.ring[seq%uint64(len(l.ring))]; s.Seq == seq {
		s.ActedAt = unixMs(at)
	}
}

// finish completes call seq with its outcome.
func (l *callLog) finish(seq uint64, user string, status int, code, fault string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := &l.ring[seq%uint64(len(l.ring))]
	if s.Seq != seq {
		return // fell off the ring while in flight
	}
	s.User, s.Status, s.Code, s.Fault, s.done = clip(user, maxCallField), status, clip(code, maxCallField), clip(fault, maxCallField), true
	l.advance()
}

// advance moves published over finished calls. Callers hold l.mu.
func (l *callLog) advance() {
	for l.published+1 < l.next {
		s := &l.ring[(l.published+1)%uint64(len(l.ring))]
		if s.Seq != l.published+1 || !s.done {
			return
		}
		l.published++
	}
}

// since returns the visible calls with seq > after, oldest first, and the
// highest visible seq (to pass as the next after).
func (l *callLog) since(after uint64) ([]call, uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lo := max(after, l.floor)
	if n := uint64(len(l.ring)); l.next-1 > n {
		lo = max(lo, l.next-1-n) // older seqs were overwritten
	}
	out := make([]call, 0, l.published-min(lo, l.published))
	for seq := lo + 1; seq <= l.published; seq++ {
		s := l.ring[seq%uint64(len(l.ring))]
		if s.Seq == seq && s.done {
			out = append(out, s.call)
		}
	}
	return out, l.published
}

// clear hides every call that arrived so far; seqs keep counting up so
// pollers holding a seq stay correct.
func (l *callLog) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.floor = l.next - 1
}

// retainedBytes is what the ring holds: its slots plus the bytes of their
// strings (each a private copy, see clip).
func (l *callLog) retainedBytes() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.ring) * int(unsafe.Sizeof(slot{}))
	for _, s := range l.ring {
		n += len(s.Op) + len(s.User) + len(s.Code) + len(s.ContentType) + len(s.Origin) + len(s.Fault)
	}
	return n
}

// clip returns s cut to at most n bytes (n >= 3; on a rune boundary, ending in
// "…" when cut), as a fresh copy: a header value kept in the call log must
// neither be whole (a 1 MB Origin) nor pin the request's memory.
func clip(s string, n int) string {
	if len(s) <= n {
		return strings.Clone(s)
	}
	const mark = "…"
	i := max(n-len(mark), 0)
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + mark // the concatenation copies
}
