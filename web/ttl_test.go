package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"testing/synctest"
	"time"
)

// Inside a synctest bubble time.Now is the bubble's fake clock, so the
// server's default clock (time.Now) and jwt's exp checks follow
// time.Sleep exactly. Requests go through the handler directly: a real
// listener would keep the bubble from ever advancing time.

func TestSessionExpiresAtExactlyTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const ttl = 10 * time.Second
		s := newTestServer(t, config{ttl: ttl})
		tok := mint(t, s, "ida")

		mustOp := func(op string, wantStatus int, wantCode string) {
			t.Helper()
			if status, code := serveOp(t, s, op, tok); status != wantStatus || code != wantCode {
				t.Fatalf("%s at +%v: %d %q, want %d %q", op, time.Since(bubbleEpoch), status, code, wantStatus, wantCode)
			}
		}
		mustOp("initiate", 200, "")

		// A heartbeat one nanosecond before the TTL keeps the session, and
		// each heartbeat restarts the full TTL.
		for range 5 {
			time.Sleep(ttl - time.Nanosecond)
			mustOp("heartbeat", 200, "")
		}
		// Still there one nanosecond before expiry...
		time.Sleep(ttl - time.Nanosecond)
		if got := len(s.store.list()); got != 1 {
			t.Fatalf("sessions just before the TTL: %d", got)
		}
		// ...and gone at exactly the TTL.
		time.Sleep(time.Nanosecond)
		if got := len(s.store.list()); got != 0 {
			t.Fatalf("sessions at the TTL: %d", got)
		}
		mustOp("heartbeat", 400, "NO_ACTIVE_SESSION")
		mustOp("end", 400, "NO_ACTIVE_SESSION")
		// An expired session does not block a new one.
		mustOp("initiate", 200, "")
		time.Sleep(ttl)
		mustOp("end", 400, "NO_ACTIVE_SESSION")
		time.Sleep(ttl / 2)
		mustOp("initiate", 200, "")
	})
}

// bubbleEpoch is the synctest bubble's epoch (every bubble starts at
// 2000-01-01 00:00 UTC), for messages.
var bubbleEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// An initiate refused with ALREADY_IN_GAME does not extend the session.
func TestAlreadyInGameDoesNotExtend(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newTestServer(t, config{ttl: 10 * time.Second})
		tok := mint(t, s, "jon")
		serveOp(t, s, "initiate", tok)
		time.Sleep(9 * time.Second)
		if status, code := serveOp(t, s, "initiate", tok); code != "ALREADY_IN_GAME" {
			t.Fatalf("second initiate: %d %s", status, code)
		}
		time.Sleep(time.Second)
		if status, code := serveOp(t, s, "heartbeat", tok); code != "NO_ACTIVE_SESSION" {
			t.Fatalf("heartbeat 10 s after initiate: %d %s", status, code)
		}
	})
}

// The /dev/sessions view counts down and counts beats.
func TestDevSessionsView(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newTestServer(t, config{ttl: 10 * time.Second})
		tok := mint(t, s, "kim")
		serveOp(t, s, "initiate", tok)
		time.Sleep(3 * time.Second)
		serveOp(t, s, "heartbeat", tok)
		time.Sleep(2500 * time.Millisecond)

		rec := serve(s, http.MethodGet, "/dev/sessions", "", "")
		var got struct {
			Sessions []sessionInfo `json:"sessions"`
			TTLMs    int64         `json:"ttlMs"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		want := sessionInfo{
			User:        "kim",
			StartedAt:   bubbleEpoch.UnixMilli(),
			LastBeatAt:  bubbleEpoch.Add(3 * time.Second).UnixMilli(),
			Beats:       1,
			ExpiresInMs: 7500,
		}
		if len(got.Sessions) != 1 || got.Sessions[0] != want || got.TTLMs != 10000 {
			t.Fatalf("got %+v, want [%+v] ttlMs 10000", got, want)
		}
	})
}

// Expired tokens stop working at their exp, on the server's clock.
func TestTokenExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newTestServer(t, config{ttl: time.Hour})
		tok, _, err := s.tokens.mint("lea", 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		serveOp(t, s, "initiate", tok)
		time.Sleep(30*time.Second - time.Nanosecond)
		if status, code := serveOp(t, s, "heartbeat", tok); status != 200 {
			t.Fatalf("before exp: %d %s", status, code)
		}
		time.Sleep(time.Nanosecond)
		if status, code := serveOp(t, s, "heartbeat", tok); code != "UNAUTHORIZED" {
			t.Fatalf("at exp: %d %s", status, code)
		}
	})
}

// Abandoned sessions are reclaimed, not just hidden: after a TTL the next
// write sweeps them out of the map.
func TestExpiredSessionsReclaimed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newTestServer(t, config{ttl: 10 * time.Second})
		for i := range 100 {
			serveOp(t, s, "initiate", mint(t, s, fmt.Sprint("user", i)))
		}
		if got := s.store.size(); got != 100 {
			t.Fatalf("size %d", got)
		}
		time.Sleep(10 * time.Second)
		serveOp(t, s, "initiate", mint(t, s, "late"))
		if got := s.store.size(); got != 1 {
			t.Fatalf("after a TTL without heartbeats, %d entries remain, want 1", got)
		}
	})
}
