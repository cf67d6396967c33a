package session

import "context"

// STUB: the signatures below are the contract wasm/browser and wasm/main.go
// compile against; the engine work replaces the bodies (and this comment).

// Config wires an Engine to its surroundings.
type Config struct {
	Transport Transport
	Clock     Clock        // nil: RealClock
	Page      Page         // nil: always online
	Emit      func(Event)  // called with no engine lock held; must not block
	Log       func(string) // debug lines, used only when Options.Debug; never the whole token
}

// Engine is one page's session keeper. All methods are safe for concurrent use.
type Engine struct{ cfg Config }

// New returns an idle Engine.
func New(cfg Config) *Engine { return &Engine{cfg: cfg} }

// Start validates token and opts, initiates a session and returns once it is
// active (nil) or failed (*Error). Allowed from idle or ended.
func (e *Engine) Start(ctx context.Context, token string, opts Options) error { return nil }

// End stops the heartbeat, aborts one in flight, sends end and returns.
func (e *Engine) End(ctx context.Context) error { return nil }

// State is the current lifecycle state.
func (e *Engine) State() State { return StateIdle }

// PageHide must be called synchronously from the pagehide handler: it sends
// end through Transport.Beacon at most once per session and stops the beat.
func (e *Engine) PageHide() {}

// PageShow is called on pageshow; persisted means a back/forward cache restore.
func (e *Engine) PageShow(persisted bool) {}

// VisibilityChange is called on visibilitychange.
func (e *Engine) VisibilityChange(visible bool) {}

// Online is called on the window's online event.
func (e *Engine) Online() {}

// ValidateToken checks an auth token before any request is sent.
func ValidateToken(token string) error { return nil }

// Validate fills defaults into o and checks ranges; errors are *Error with
// CodeInvalidArgument.
func (o Options) Validate() (Options, error) { return o, nil }
