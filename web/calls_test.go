package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
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

// countingWriter counts what is written to it (the server's log).
type countingWriter struct {
	mu sync.Mutex
	n  int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n += len(p)
	return len(p), nil
}

func (w *countingWriter) bytes() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// 300 API calls with a distinct 1 MB Origin and a 1 MB Content-Type each
// (through the handler: over the network net/http's header limit would
// refuse them first) leave call records of fixed, clipped fields: the
// ring's retained bytes, the live heap, the log and GET /dev/calls grow by a
// small bound, not by the 600 MB sent.
func TestCallRecordsBounded(t *testing.T) {
	logged := &countingWriter{}
	s := newTestServer(t, config{log: slog.New(slog.NewTextHandler(logged, nil))})
	tok := mint(t, s, "mallory")
	ringBefore, heapBefore := s.calls.retainedBytes(), heapInUse()
	const calls, huge = 300, 1 << 20
	for i := range calls {
		for _, header := range []string{"Origin", "Content-Type"} {
			req := httptest.NewRequest(http.MethodPost, "/api/games/sessions/heartbeat", strings.NewReader(tokenBody(tok)))
			value := fmt.Sprintf("https://%d.", i) + strings.Repeat("a", huge) + ".example"
			if header == "Content-Type" {
				value = "application/json; x=" + value
			}
			req.Header.Set(header, value)
			s.ServeHTTP(httptest.NewRecorder(), req)
		}
	}
	ringGrowth := s.calls.retainedBytes() - ringBefore
	heapGrowth := int64(heapInUse()) - int64(heapBefore)
	t.Logf("%d calls with 1 MB headers: ring +%d B, live heap %+d B, log %d B", 2*calls, ringGrowth, heapGrowth, logged.bytes())
	// Per call: at most three clipped fields of maxCallField bytes (Origin,
	// Content-Type, user) plus the fixed op and code.
	if limit := 2 * calls * (3*maxCallField + 64); ringGrowth > limit {
		t.Errorf("ring grew %d B for %d calls, limit %d", ringGrowth, 2*calls, limit)
	}
	if heapGrowth > 8<<20 {
		t.Errorf("live heap grew %d B: the records pin the requests' headers", heapGrowth)
	}
	if limit := 2 * calls * 1024; logged.bytes() > limit {
		t.Errorf("log is %d B for %d calls, limit %d", logged.bytes(), 2*calls, limit)
	}
	rec := serve(s, http.MethodGet, "/dev/calls", "", "")
	if limit := 2 * calls * 1024; rec.Body.Len() > limit || rec.Code != 200 {
		t.Errorf("GET /dev/calls: %d, %d B, limit %d", rec.Code, rec.Body.Len(), limit)
	}
	var got struct{ Calls []call }
	json.Unmarshal(rec.Body.Bytes(), &got)
	if len(got.Calls) != 2*calls {
		t.Fatalf("want %d calls, got %d", 2*calls, len(got.Calls))
	}
	if !strings.HasSuffix(got.Calls[0].Origin, "…") || len(got.Calls[0].Origin) > maxCallField {
		t.Errorf("origin not clipped: %.40q (%d B)", got.Calls[0].Origin, len(got.Calls[0].Origin))
	}
}

func TestClip(t *testing.T) {
	cases := []struct {
		s    string
		n    int
		want string
	}{
		{"", 4, ""},
		{"abcd", 4, "abcd"},
		{"abcde", 4, "a…"},
		{"éééé", 6, "é…"}, // é is 2 bytes, … 3: never half a rune
	}
	for _, tc := range cases {
		if got := clip(tc.s, tc.n); got != tc.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}
