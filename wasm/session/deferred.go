package session

// DeferredSender is optionally implemented by a Transport that can leave a
// request with the browser to be sent when the page is gone even if no event
// of ours ran: fetchLater, which the browser sends when the document is
// destroyed, also when a mobile browser is killed from the app switcher and
// pagehide never fires.
type DeferredSender interface {
	// Defer registers req. cancel withdraws it if it was not sent yet; it
	// is safe to call more than once and never blocks. An error means the
	// browser cannot defer it (no fetchLater, quota, insecure URL).
	Defer(req Request) (cancel func(), err error)
}

// The engine keeps one deferred end armed for exactly as long as it believes
// the server holds this page's session: armed when an initiate succeeds,
// disarmed before any other end goes out (endSession, a takeover, a pagehide
// whose beacon went) and when the session is known or presumed gone (a
// renewal begins, a fatal answer). So one session never gets two ends from
// this module, and a page killed while a session is live still ends it.

// armDeferredEnd registers r's end as the deferred end, replacing the one of
// an earlier session (withdrawn first: never two armed).
func (r *run) armDeferredEnd() {
	ds, ok := r.e.cfg.Transport.(DeferredSender)
	if !ok {
		return
	}
	var old func()
	if !r.locked(func(e *Engine) { old = e.disarmLocked() }) {
		return
	}
	old()

	cancel, err := ds.Defer(r.request(OpEnd))
	if err != nil {
		r.logf("deferred end unavailable (" + err.Error() + "): a killed tab will not end its session")
		return
	}
	armed := false
	r.locked(func(e *Engine) {
		if armed = e.deferred == nil; armed { // else armed by a newer run meanwhile
			e.deferred = cancel
		}
	})
	if !armed { // or stopped meanwhile
		cancel()
		return
	}
	r.logf("deferred end armed")
}

// disarmLocked takes the armed deferred end off the engine and returns its
// cancel (a no-op when none), to be called once e.mu is released or at once:
// cancel never blocks.
func (e *Engine) disarmLocked() func() {
	cancel := e.deferred
	e.deferred = nil
	if cancel == nil {
		return func() {}
	}
	return cancel
}

// disarmDeferredEnd withdraws the deferred end of r's session, if r is still
// the live session.
func (r *run) disarmDeferredEnd() {
	cancel := func() {}
	r.locked(func(e *Engine) { cancel = e.disarmLocked() })
	cancel()
}
