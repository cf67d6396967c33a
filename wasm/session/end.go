package session

import "time"

// sendEnd sends end for r (whose loop is already stopped). NO_ACTIVE_SESSION
// is success: the session is gone either way. Transient failures get a few
// brief retries while the session may still be alive (deadline, or one TTL
// from now when it never had a success); then the last error is returned.
func (r *run) sendEnd(deadline Instant) *Error {
	clock := r.clock
	endBy := deadline
	if endBy.IsZero() {
		endBy = clock.Now().Add(r.opts.SessionTTL)
	}
	req := r.request(OpEnd)
	req.KeepAlive = true
	for attempt := 1; ; attempt++ {
		if !r.beginEndAttempt() {
			return nil // pagehide beaconed the end meanwhile: it is the one
		}
		// A try near or past expiry still gets a floor: the answer says
		// whether the end arrived.
		timeout := min(r.opts.RequestTimeout, max(endBy.Sub(clock.Now()), minEndTimeout))
		err := callOnce(r.e.cfg.Transport, req, timeout)
		r.e.mu.Lock()
		r.endInFlight = false
		r.e.mu.Unlock()
		if err == nil || err.Code == CodeNoActiveSession {
			return nil
		}
		r.logf("end failed: " + err.Error())
		if !transient(err) || attempt >= maxEndAttempts {
			return err
		}
		wait := backoff(attempt, r.opts.HeartbeatInterval)
		if !clock.Now().Add(wait).Before(endBy) {
			return err
		}
		sleep(clock, wait)
	}
}

// sleep waits d on clock.
func sleep(clock Clock, d time.Duration) {
	done := make(chan struct{}, 1)
	clock.AfterFunc(d, func() { done <- struct{}{} })
	<-done
}

// beginEndAttempt marks an end attempt as in flight, unless pagehide has
// already beaconed the end while this one waited to retry: one end per
// session.
func (r *run) beginEndAttempt() bool {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	if r.beaconSent {
		return false
	}
	r.endInFlight = true
	return true
}
