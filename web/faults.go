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
// A fault is decided per API call, after the request body was read. The
// delays model the two legs of a real network, each with its own base and
// uniform jitter, so that a call can reach the platform in time and still
// be answered late (what a phone on 3G sees):
//   - request leg: wait requestLatencyMs + uniform 0..requestJitterMs
//     before the server acts on the call. The call log's actedAt is the
//     end of this leg: the moment the session TTL sees.
//   - then one random draw r in [0,1): r < dropRate drops the call (the
//     connection is closed with no response), else r < dropRate+errorRate
//     answers errorStatus with an error body; otherwise the call is served.
//     A dropped or failed call has no effect on the session (as if it never
//     reached the game platform).
//   - response leg: wait responseLatencyMs + uniform 0..responseJitterMs
//     after the server acted, before the answer goes out (for every
//     answer, injected errors included; a drop has no answer to delay). A
//     client that gives up meanwhile changes nothing: the store already
//     acted, and the call log keeps the status the server decided.
//
// latencyMs and jitterMs, the older names, are the request leg (where the
// only delay used to be, before the store is touched); a configuration sets
// either them or requestLatencyMs/requestJitterMs, not both.
//
// Rates are fractions of all matching calls; ops limits which endpoints
// are affected (empty = all three).

// faultConfig is the JSON shape of GET/POST /dev/faults.
type faultConfig struct {
	LatencyMs         int      `json:"latencyMs"` // = requestLatencyMs (older name)
	JitterMs          int      `json:"jitterMs"`  // = requestJitterMs (older name)
	RequestLatencyMs  int      `json:"requestLatencyMs"`
	RequestJitterMs   int      `json:"requestJitterMs"`
	ResponseLatencyMs int      `json:"responseLatencyMs"`
	ResponseJitterMs  int      `json:"responseJitterMs"`
	DropRate          float64  `json:"dropRate"`
	ErrorRate         float64  `json:"errorRate"`
	ErrorStatus       int      `json:"errorStatus"`
	ErrorCode         string   `json:"errorCode,omitempty"` // default: derived from errorStatus
	Ops               []string `json:"ops"`
}

// maxFaultDelayMs bounds latency and jitter: long enough to outlast any SDK
// timeout, short enough that a forgotten setting cannot wedge the server.
const maxFaultDelayMs = 120_000

// apiOps are the endpoint names under /api/games/sessions/.
var apiOps = []string{"initiate", "heartbeat", "end"}

func (c *faultConfig) validate() error {
	for _, d := range []struct {
		name string
		ms   int
	}{
		{"latencyMs", c.LatencyMs}, {"jitterMs", c.JitterMs},
		{"requestLatencyMs", c.RequestLatencyMs}, {"requestJitterMs", c.RequestJitterMs},
		{"responseLatencyMs", c.ResponseLatencyMs}, {"responseJitterMs", c.ResponseJitterMs},
	} {
		if d.ms < 0 || d.ms > maxFaultDelayMs {
			return fmt.Errorf("%s must be 0..%d", d.name, maxFaultDelayMs)
		}
	}
	if (c.LatencyMs != 0 || c.JitterMs != 0) && (c.RequestLatencyMs != 0 || c.RequestJitterMs != 0) {
		return fmt.Errorf("latencyMs/jitterMs are the older names of requestLatencyMs/requestJitterMs: set one pair")
	}
	switch {
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
	delay    time.Duration // request leg: before the server acts
	response time.Duration // response leg: after it acted, before the answer
	action   faultAction
	status   int
	code     string
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
	p.delay = f.leg(c.LatencyMs+c.RequestLatencyMs, c.JitterMs+c.RequestJitterMs) // one pair is 0
	p.response = f.leg(c.ResponseLatencyMs, c.ResponseJitterMs)
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

// leg is one leg's delay: baseMs plus a uniform draw in 0..jitterMs. Callers
// hold f.mu.
func (f *faults) leg(baseMs, jitterMs int) time.Duration {
	d := time.Duration(baseMs) * time.Millisecond
	if jitterMs > 0 {
		d += time.Duration(f.rand() * float64(time.Duration(jitterMs)*time.Millisecond))
	}
	return d
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
