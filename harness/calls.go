package harness

import (
	"fmt"
	"strings"
	"time"
)

// Call is one API call as the dev server saw it (GET /dev/calls).
type Call struct {
	Seq int64   `json:"seq"`
	At  float64 `json:"at"` // arrival at the dev server, unix ms
	// ActedAt is when the server acted on the call, after any injected
	// request-leg delay (unix ms; 0 if it never got that far, or from a
	// server older than the field): the time the session TTL sees.
	ActedAt     float64 `json:"actedAt"`
	Op          string  `json:"op"`
	User        string  `json:"user"`
	Status      int     `json:"status"`
	Code        string  `json:"code"`
	ContentType string  `json:"contentType"`
	Origin      string  `json:"origin"`
	Fault       string  `json:"fault"`
}

// Acted is when the server acted on c: ActedAt, or the arrival when the
// call has none.
func (c Call) Acted() float64 {
	if c.ActedAt > 0 {
		return c.ActedAt
	}
	return c.At
}

// Served reports whether the server answered c 200 without an injected
// fault: a call that really touched the session.
func (c Call) Served() bool { return c.Status == 200 && c.Fault == "" }

func (c Call) String() string {
	s := fmt.Sprintf("#%d %s %s %s %d", c.Seq, time.UnixMilli(int64(c.At)).Format("15:04:05.000"), c.User, c.Op, c.Status)
	if c.ActedAt-c.At >= 100 { // an injected request leg, not the body read
		s += fmt.Sprintf(" acted+%.0fms", c.ActedAt-c.At)
	}
	if c.Code != "" {
		s += " " + c.Code
	}
	if c.Fault != "" {
		s += " fault=" + c.Fault
	}
	return s
}

// Session is one live session on the server (GET /dev/sessions).
type Session struct {
	User        string  `json:"user"`
	StartedAt   float64 `json:"startedAt"`
	LastBeatAt  float64 `json:"lastBeatAt"`
	Beats       int     `json:"beats"`
	ExpiresInMs float64 `json:"expiresInMs"`
}

// Faults is the body of POST /dev/faults. LatencyMs/JitterMs are the older
// names of the request leg; set them or RequestLatencyMs/RequestJitterMs.
type Faults struct {
	LatencyMs         int      `json:"latencyMs"`
	JitterMs          int      `json:"jitterMs"`
	RequestLatencyMs  int      `json:"requestLatencyMs,omitempty"`
	RequestJitterMs   int      `json:"requestJitterMs,omitempty"`
	ResponseLatencyMs int      `json:"responseLatencyMs,omitempty"`
	ResponseJitterMs  int      `json:"responseJitterMs,omitempty"`
	DropRate          float64  `json:"dropRate"`
	ErrorRate         float64  `json:"errorRate"`
	ErrorStatus       int      `json:"errorStatus,omitempty"`
	Ops               []string `json:"ops,omitempty"`
}

// Filter keeps the calls keep accepts.
func Filter(calls []Call, keep func(Call) bool) []Call {
	var out []Call
	for _, c := range calls {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// Of keeps the calls of user.
func Of(calls []Call, user string) []Call {
	return Filter(calls, func(c Call) bool { return c.User == user })
}

// FormatCalls is calls one per line, for failure messages.
func FormatCalls(calls []Call) string {
	if len(calls) == 0 {
		return "  (no calls)"
	}
	var b strings.Builder
	for _, c := range calls {
		b.WriteString("  ")
		b.WriteString(c.String())
		b.WriteString("\n")
	}
	return b.String()
}
