package e2e

import (
	"testing"
	"time"
)

// The suite's two short timings, both with the SDK beating every 0.9 s:
//
//   - fast: a 1 s TTL (fastServer, fastOpts), the spec's 9 s / 10 s scaled
//     down ten times. The 100 ms margin leaves the SDK a request timeout of
//     about 100 ms, so a busy 2-core machine makes sessions expire now and
//     then. The cases about expiry and faults use it.
//   - steady: a 3 s TTL (steadyServer, steadyOpts) for the cases where an
//     expiry would only be noise (navigation, bfcache, CORS, loading).
const (
	fastInterval = 900 * time.Millisecond
	fastTTL      = time.Second
)

// fastServer is a dev server with the 1 s TTL.
func fastServer(t testing.TB, flags ...string) *devServer {
	t.Helper()
	return startServer(t, append([]string{"-ttl", "1s"}, flags...)...)
}

// steadyServer is a dev server with the 3 s TTL.
func steadyServer(t testing.TB, flags ...string) *devServer {
	t.Helper()
	return startServer(t, append([]string{"-ttl", "3s"}, flags...)...)
}

// steadyOpts beat every 0.9 s against the 3 s TTL.
func steadyOpts() Opts { return Opts{"heartbeatIntervalMs": 900, "sessionTtlMs": 3000} }

// openSession opens a tab on srv's session page (testdata/session.html).
func openSession(t testing.TB, srv *devServer) *tab {
	t.Helper()
	p := newTab(t)
	p.Navigate(srv.URL + "/session.html")
	return p
}

// mustStart starts a session for user from the page and fails the test when
// startSession rejects.
func mustStart(t testing.TB, p *tab, srv *devServer, user string, opts Opts) {
	t.Helper()
	if o := p.Start(srv.Token(user), opts); !o.OK {
		t.Fatalf("startSession for %s: %v", user, o)
	}
	if s := p.State(); s != "active" {
		t.Fatalf("state after startSession resolved = %q, want active", s)
	}
}

// withOpt returns opts with one more option.
func withOpt(opts Opts, name string, value any) Opts {
	opts[name] = value
	return opts
}
