package main

import (
	"testing"
	"time"
)

func seqs(cs []call) []uint64 {
	out := []uint64{}
	for _, c := range cs {
		out = append(out, c.Seq)
	}
	return out
}

func equalSeqs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Calls become visible in arrival order, only once every earlier call has
// finished, so a poller never skips one.
func TestCallLogPublishesInArrivalOrder(t *testing.T) {
	l := newCallLog(8)
	at := time.Unix(1, 0)
	a := l.begin(at, "initiate", "", "")
	b := l.begin(at, "heartbeat", "", "")
	c := l.begin(at, "end", "", "")
	l.finish(b, "u", 200, "", "")
	l.finish(c, "u", 200, "", "")
	if got, last := l.since(0); len(got) != 0 || last != 0 {
		t.Fatalf("visible before the first finished: %v last %d", seqs(got), last)
	}
	l.finish(a, "u", 200, "", "")
	got, last := l.since(0)
	if !equalSeqs(seqs(got), []uint64{1, 2, 3}) || last != 3 {
		t.Fatalf("got %v last %d", seqs(got), last)
	}
	if got, _ := l.since(2); !equalSeqs(seqs(got), []uint64{3}) {
		t.Fatalf("since 2: %v", seqs(got))
	}
}

// The ring keeps the newest calls; a call still in flight when it falls
// off is lost rather than blocking publication forever.
func TestCallLogRing(t *testing.T) {
	l := newCallLog(4)
	at := time.Unix(1, 0)
	stuck := l.begin(at, "heartbeat", "", "")
	for range 5 {
		s := l.begin(at, "heartbeat", "", "")
		l.finish(s, "u", 200, "", "")
	}
	l.finish(stuck, "u", 200, "", "") // too late: overwritten
	got, last := l.since(0)
	if !equalSeqs(seqs(got), []uint64{3, 4, 5, 6}) || last != 6 {
		t.Fatalf("got %v last %d, want the newest 4", seqs(got), last)
	}
	l.clear()
	if got, _ := l.since(0); len(got) != 0 {
		t.Fatalf("after clear: %v", seqs(got))
	}
	s := l.begin(at, "end", "", "")
	l.finish(s, "u", 200, "", "")
	if got, _ := l.since(0); !equalSeqs(seqs(got), []uint64{7}) {
		t.Fatalf("after clear and one call: %v", seqs(got))
	}
}
