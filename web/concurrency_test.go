package main

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// 200 users start, beat and end at once over real HTTP, each racing two
// initiates: exactly one wins per user, no session is lost or duplicated,
// and -race sees the store's single mutex do its job.
func TestConcurrentUsers(t *testing.T) {
	const users, beats = 200, 3
	s := newTestServer(t, config{})
	ts := startHTTP(t, s)
	tr := ts.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	c := &http.Client{Transport: tr}
	t.Cleanup(tr.CloseIdleConnections)

	toks := make([]string, users)
	for i := range toks {
		toks[i] = mint(t, s, fmt.Sprint("player-", i))
	}

	// Phase 1: two initiates per user, all at once: one wins.
	if won, refused := twoPerUser(t, c, ts.URL, "initiate", "ALREADY_IN_GAME", toks); won != users || refused != users {
		t.Fatalf("initiates: %d won, %d refused; want %d each", won, refused, users)
	}

	// Phase 2: heartbeats, concurrent within and across users.
	var wg sync.WaitGroup
	for _, tok := range toks {
		for range beats {
			wg.Go(func() {
				if r := callOp(t, c, ts.URL, "heartbeat", tok); r.Status != 200 {
					t.Errorf("heartbeat: %d %s", r.Status, r.Raw)
				}
			})
		}
	}
	wg.Wait()
	list := s.store.list()
	if len(list) != users {
		t.Fatalf("%d sessions, want %d", len(list), users)
	}
	for _, si := range list {
		if si.Beats != beats {
			t.Errorf("%s: %d beats, want %d", si.User, si.Beats, beats)
		}
	}

	// Phase 3: two ends per user: exactly one succeeds.
	if ended, missing := twoPerUser(t, c, ts.URL, "end", "NO_ACTIVE_SESSION", toks); ended != users || missing != users {
		t.Fatalf("ends: %d ok, %d NO_ACTIVE_SESSION; want %d each", ended, missing, users)
	}
	if n := s.store.size(); n != 0 {
		t.Fatalf("%d sessions left", n)
	}

	// Every call is in the call log, once.
	calls, _ := s.calls.since(0)
	if want := users * (2 + beats + 2); len(calls) != want {
		t.Fatalf("call log has %d calls, want %d", len(calls), want)
	}
	for i, cl := range calls {
		if cl.Seq != uint64(i+1) {
			t.Fatalf("call %d has seq %d", i, cl.Seq)
		}
	}
}

// Many initiates for the same user land at once, round after round, straight
// on the store (where an operation takes nanoseconds, so racers collide
// inside it): each round exactly one wins. Under -race this also catches any
// access outside the store's mutex.
func TestStoreInitiateRace(t *testing.T) {
	const racers, rounds = 16, 2000
	st := newStore(time.Minute, time.Now)
	for round := range rounds {
		var wins atomic.Int64
		startLine := make(chan struct{})
		var wg sync.WaitGroup
		for range racers {
			wg.Go(func() {
				<-startLine
				if st.initiate("u") == nil {
					wins.Add(1)
				}
			})
		}
		close(startLine)
		wg.Wait()
		if n := wins.Load(); n != 1 {
			t.Fatalf("round %d: %d initiates won, want exactly 1", round, n)
		}
		if err := st.end("u"); err != nil {
			t.Fatalf("round %d: end: %v", round, err)
		}
	}
}

// twoPerUser sends op twice at once for every token and counts the answers:
// ok (200) and lost (the error code the loser of each pair must get). Any
// other answer fails the test.
func twoPerUser(t *testing.T, c *http.Client, base, op, loserCode string, toks []string) (ok, lost int64) {
	var okN, lostN atomic.Int64
	var wg sync.WaitGroup
	for _, tok := range toks {
		for range 2 {
			wg.Go(func() {
				switch r := callOp(t, c, base, op, tok); {
				case r.Status == 200:
					okN.Add(1)
				case r.Error == loserCode:
					lostN.Add(1)
				default:
					t.Errorf("%s: %d %s", op, r.Status, r.Raw)
				}
			})
		}
	}
	wg.Wait()
	return okN.Load(), lostN.Load()
}
