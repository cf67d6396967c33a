package harness

import (
	"testing"
	"time"
)

func calls(spec ...Call) []Call {
	for i := range spec {
		spec[i].Seq = int64(i + 1)
		if spec[i].Status == 0 && spec[i].Fault == "" {
			spec[i].Status = 200
		}
	}
	return spec
}

func TestHealthOf(t *testing.T) {
	ttl, ivl := 10*time.Second, 9*time.Second
	// A steady session: 9 s gaps, no expiry. The third heartbeat arrived
	// at 27 000 but the server acted on it 0.5 s later (request leg).
	h := HealthOf(calls(
		Call{Op: "initiate", At: 0},
		Call{Op: "heartbeat", At: 9000},
		Call{Op: "heartbeat", At: 18000},
		Call{Op: "heartbeat", At: 27000, ActedAt: 27500},
		Call{Op: "end", At: 30000},
	), ttl, ivl)
	want := Health{Initiates: 1, Heartbeats: 3, Accepted: 3, MaxGapMs: 9500, Requests: 5, MaxPerInterval: 2}
	if h != want {
		t.Fatalf("steady: %+v, want %+v", h, want)
	}

	// Acted 10.5 s after the last beat: expired, then renewed; a later
	// heartbeat answered NO_ACTIVE_SESSION is a second expiry.
	h = HealthOf(calls(
		Call{Op: "initiate", At: 0},
		Call{Op: "heartbeat", At: 9000, ActedAt: 10500, Status: 400, Code: "NO_ACTIVE_SESSION"},
		Call{Op: "initiate", At: 11000},
		Call{Op: "heartbeat", At: 15000, Status: 400, Code: "NO_ACTIVE_SESSION"},
		Call{Op: "heartbeat", At: 15500, Fault: "drop"},
	), ttl, ivl)
	if h.Expiries != 2 || h.Renewals != 1 || h.Initiates != 2 || h.Accepted != 0 || h.MaxPerInterval != 4 || h.MaxGapMs != 10500 {
		t.Fatalf("expired: %+v", h)
	}

	// Reordered by the request leg: the later arrival acted first; gaps are
	// by acted time, so no false expiry.
	h = HealthOf(calls(
		Call{Op: "initiate", At: 0},
		Call{Op: "heartbeat", At: 8000, ActedAt: 9900},
		Call{Op: "heartbeat", At: 9000, ActedAt: 9100},
		Call{Op: "heartbeat", At: 18000, ActedAt: 18500},
	), ttl, ivl)
	if h.Expiries != 0 || h.MaxGapMs != 9100 {
		t.Fatalf("reordered: %+v", h)
	}
}
