package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Fault injection (DEV ONLY): lets the playground and the browser tests make
// the API slow, lossy or failing on purpose, to watch the SDK recover.
//
// A fault is decided per API call, after the request body was read and
// before the session store is touched, so a dropped or failed call has no
// effect on the session (as if it never reached the game platform):
//   - latency: wait latencyMs + a uniform random 0..jitterMs first;
//   - then one random draw r in [0,1): r < dropRate drops the call (the
//     connection is closed with no response), else r < dropRate+errorRate
//     answers errorStatus with an error body; otherwise the call is served.
//
// Rates are fractions of all matching calls; ops limits which endpoints
// are affected (empty = all three).

// faultConfig is the JSON shape of GET/POST /dev/faults.
type faultConfig struct {
	LatencyMs   int      `json:"latencyMs"`
	JitterMs    int      `json:"jitterMs"`
	DropRate    float64  `json:"dropRate"`
	ErrorRate   float64  `json:"errorRate"`
	ErrorStatus int      `json:"errorStatus"`
	ErrorCode   string   `json:"errorCode,omitempty"` // default: derived from errorStatus
	Ops         []string `json:"ops"`
	// AnswerLatencyMs holds back the answer of a call the store has
	// already served: a slow return leg, after which a client that gave
	// up still finds its session renewed.
	AnswerLatencyMs int `json:"answerLatencyMs"`
}

// maxFaultDelayMs bounds latency and jitter: long enough to outlast any SDK
// timeout, short enough that a forgotten setting cannot wedge the server.
const maxFaultDelayMs = 120_000

// apiOps are the endpoint names under /api/games/sessions/.
var apiOps = []string{"initiate", "heartbeat", "end"}

func (c *faultConfig) validate() error {
	switch {
	case c.LatencyMs < 0 || c.LatencyMs > maxFaultDelayMs:
		return fmt.Errorf("latencyMs must be 0..%d", maxFaultDelayMs)
	case c.JitterMs < 0 || c.JitterMs > maxFaultDelayMs:
		return fmt.Errorf("jitterMs must be 0..%d", maxFaultDelayMs)
	case c.AnswerLatencyMs < 0 || c.AnswerLatencyMs > maxFaultDelayMs:
		return fmt.Errorf("answerLatencyMs must be 0..%d", maxFaultDelayMs)
	case !(c.DropRate >= 0 && c.DropRate <= 1): // also rejects NaN
		return fmt.Errorf("dropRate must be 0..1")
	case !(c.ErrorRate >= 0 && c.ErrorRate <= 1):
		return fmt.Errorf("errorRate must be 0..1")
	case c.ErrorStatus != 0 && (c.ErrorStatus < 400 || c.ErrorStatus > 599):
		return fmt.Errorf("errorStatus must be 400..599")
	}
	for _, op := range c.Ops {
		if !slices.Contains(apiOps, op) {
			return fmt.Errorf("unknown op %q (want initiate, heartbeat or end)", op)
		}
	}
	return nil
}

// normalize fills defaults so GET /dev/faults shows what is in effect.
func (c *faultConfig) normalize() {
	if c.ErrorStatus == 0 {
		c.ErrorStatus = 503
	}
	if c.Ops == nil {
		c.Ops = []string{}
	}
}

// faultAction is what happens to one call once its latency has passed.
type faultAction int

const (
	faultNone faultAction = iota
	faultDrop
	faultError
)

// faultPlan is the decision for one call.
type faultPlan struct {
	delay  time.Duration
	answer time.Duration // after the store, before the answer
	action faultAction
	status int
	code   string
}

type faults struct {
	rand func() float64 // uniform in [0,1); injectable for tests

	mu  sync.Mutex
	cfg faultConfig
}

func newFaults(random func() float64) *faults {
	if random == nil {
		random = rand.Float64
	}
	f := &faults{rand: random}
	f.cfg.normalize()
	return f
}

func (f *faults) get() faultConfig {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.cfg
	c.Ops = slices.Clone(c.Ops)
	return c
}

// set replaces the whole configuration (fields left out become zero).
func (f *faults) set(c faultConfig) (faultConfig, error) {
	if err := c.validate(); err != nil {
		return faultConfig{}, err
	}
	c.normalize()
	c.Ops = slices.Clone(c.Ops)
	f.mu.Lock()
	f.cfg = c
	f.mu.Unlock()
	return f.get(), nil
}

func (f *faults) clear() {
	f.mu.Lock()
	f.cfg = faultConfig{}
	f.cfg.normalize()
	f.mu.Unlock()
}

// plan decides the fault for one call to op.
func (f *faults) plan(op string) faultPlan {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.cfg
	if len(c.Ops) > 0 && !slices.Contains(c.Ops, op) {
		return faultPlan{}
	}
	var p faultPlan
	p.delay = time.Duration(c.LatencyMs) * time.Millisecond
	if c.JitterMs > 0 {
		p.delay += time.Duration(f.rand() * float64(time.Duration(c.JitterMs)*time.Millisecond))
	}
	p.answer = time.Duration(c.AnswerLatencyMs) * time.Millisecond
	if c.DropRate == 0 && c.ErrorRate == 0 {
		return p
	}
	switch r := f.rand(); {
	case r < c.DropRate:
		p.action = faultDrop
	case r < c.DropRate+c.ErrorRate:
		p.action = faultError
		p.status = c.ErrorStatus
		p.code = c.ErrorCode
		if p.code == "" {
			p.code = defaultErrorCode(op, p.status)
		}
	}
	return p
}

// defaultErrorCode is the code an injected error carries: the one the spec
// gives for that status on that endpoint, else SERVER_ERROR (the SDK's own
// name for 5xx/429/unexpected statuses), so the SDK classifies the fault the
// same way whether it reads the body or the status.
func defaultErrorCode(op string, status int) string {
	switch {
	case status == 401:
		return codeUnauthorized
	case status == 400 && op == "initiate":
		return codeAlreadyInGame
	case status == 400:
		return codeNoActiveSession
	default:
		return "SERVER_ERROR"
	}
}
