package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 12 in a real browser: an API that redirects, a page that polluted
// its prototypes, and values Go cannot read (document.all exists only here).

// recorder is an httptest handler's log of what reached it.
type recorder struct {
	mu   sync.Mutex
	reqs []string // "METHOD /path body"
}

func (r *recorder) add(req *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(req.Body, 64<<10))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req.Method+" "+req.URL.Path+" "+string(body))
}

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.reqs...)
}

// allowCORS lets any page call the handler with a JSON POST (a redirect
// target sees Origin "null" once a cross-origin redirect tainted it).
func allowCORS(w http.ResponseWriter, req *http.Request) (preflight bool) {
	h := w.Header()
	origin := req.Header.Get("Origin")
	if origin == "" {
		origin = "*"
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Headers", "content-type")
	h.Set("Access-Control-Allow-Methods", "POST")
	if req.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	return false
}

// The API answers 307/308/302 towards another server that would accept
// anything. The module must not follow: the target receives nothing (no
// preflight, no token) and startSession rejects.
// redirectingAPI is an API that answers every call with a redirect (status)
// to a target that would accept it; both record what reached them.
func redirectingAPI(t *testing.T, status int) (api *httptest.Server, apiCalls, targetCalls *recorder) {
	t.Helper()
	var target, calls recorder
	tsrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		target.add(req)
		if allowCORS(w, req) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"success":true}`)
	}))
	t.Cleanup(tsrv.Close)
	asrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		calls.add(req)
		if allowCORS(w, req) {
			return
		}
		w.Header().Set("Location", tsrv.URL+req.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"success":true}`) // a lie the module must not read
	}))
	t.Cleanup(asrv.Close)
	return asrv, &calls, &target
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	pages := steadyServer(t)
	for _, status := range []int{307, 308, 302} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			asrv, api, target := redirectingAPI(t, status)

			p := openSession(t, pages)
			token := pages.Token("redirected")
			opts := steadyOpts()
			opts["apiBase"] = asrv.URL
			start := time.Now()
			o := p.Start(token, opts)
			took := time.Since(start)
			require.False(t, o.OK, "startSession resolved: the redirect was followed")
			assert.Equal(t, "GameSessionError", o.Name)
			assert.NotContains(t, o.Message, token)
			assert.Empty(t, target.list(), "the redirect target received requests")
			var posts int
			for _, r := range api.list() {
				if strings.HasPrefix(r, "POST ") {
					posts++
				}
			}
			// A redirect is a wrong apiBase: rejected at once, never retried.
			assert.Equal(t, 1, posts, "one initiate, no retry")
			assert.Equal(t, "SERVER_ERROR", o.Code)
			assert.Contains(t, o.Message, "redirect")
			assert.Contains(t, o.Message, asrv.URL)
			assert.NotEqual(t, "active", p.State())
			t.Logf("%d: rejected after %v, %d POSTs to the API: %v", status, took.Round(time.Millisecond), posts, o)
		})
	}
}

// pollutionJS puts a throwing setter on Object.prototype for every property
// the module sets on an object it makes, an inherited getter that would turn
// fetch's redirect mode back to "follow", and throwing setters on
// Error.prototype.code/status. It runs once the module is ready (the
// loader's own assignments are another matter, js/game-session.mjs).
const pollutionJS = `(() => {
  const names = ["auth_token", "method", "headers", "body", "keepalive", "credentials", "signal",
    "Content-Type", "steal", "ifAvailable", "state", "previous", "reason", "rttMs", "at", "success",
    "v", "t", "e", "code", "status", "message", "fatal", "name",
    // wasm_exec.js's record of a JS→Go call (build.sh gives it an own result)
    "result"];
  for (const k of names) {
    Object.defineProperty(Object.prototype, k, { set() { throw new Error("polluted " + k); }, configurable: true });
  }
  Object.defineProperty(Object.prototype, "redirect", { get() { return "follow"; }, set() { throw 1; }, configurable: true });
  for (const k of ["code", "status"]) {
    Object.defineProperty(Error.prototype, k, { set() { throw new Error("polluted Error " + k); }, configurable: true });
  }
  return names.length + 1 + 2;
})()`

func TestPollutedPrototypesStillStart(t *testing.T) {
	t.Parallel()
	srv := steadyServer(t)
	p := openSession(t, srv)
	require.True(t, eval[bool](p, "GameSession.ready.then(() => true)"), "the module is ready")
	n := eval[int](p, pollutionJS)

	const user = "polluted"
	mustStart(t, p, srv, user, steadyOpts())
	calls := srv.WaitCalls(user, 10*time.Second, "2 heartbeats", count(2, "heartbeat"))
	for _, c := range calls {
		assert.Equal(t, 200, c.Status, "%v", c)
	}
	evs := p.Events()
	assert.GreaterOrEqual(t, countEvents(evs, "heartbeat"), 1, "heartbeat events: %v", evs)
	for _, e := range evs {
		if e.Type == "statechange" && e.Detail["state"] == "active" {
			assert.Equal(t, "starting", e.Detail["previous"])
		}
	}

	// A rejection built under Error.prototype setters: no synchronous throw.
	bad := eval[Outcome](p, `(() => { try { return __settle(startSession(42)); }
		catch (e) { return { ok: false, name: "sync throw", message: String(e) }; } })()`)
	assert.Equal(t, "INVALID_ARGUMENT", bad.Code, "%v", bad)
	assert.Equal(t, "GameSessionError", bad.Name)

	require.True(t, p.End().OK)
	srv.WaitCalls(user, 5*time.Second, "the end", count(1, "end"))
	t.Logf("polluted properties: %d; session started, beat, ended", n)
}

// Values syscall/js cannot read (BigInt, document.all) and huge tokens:
// INVALID_ARGUMENT at once, nothing sent.
func TestHostileValuesInTheBrowser(t *testing.T) {
	t.Parallel()
	srv := steadyServer(t)
	p := openSession(t, srv)
	require.True(t, eval[bool](p, "GameSession.ready.then(() => true)"), "the module is ready")
	token := srv.Token("hostile")
	cases := map[string]string{
		"document.all token":    `startSession(document.all)`,
		"document.all options":  `startSession(TOKEN, document.all)`,
		"document.all option":   `startSession(TOKEN, {debug: document.all})`,
		"document.all apiBase":  `startSession(TOKEN, {apiBase: document.all})`,
		"BigInt token":          `startSession(1n)`,
		"BigInt option":         `startSession(TOKEN, {debug: 1n})`,
		"Symbol token":          `startSession(Symbol())`,
		"throw-all Proxy token": `startSession(new Proxy({}, new Proxy({}, { get() { return () => { throw 1; }; } })))`,
		"throw-all Proxy opts":  `startSession(TOKEN, new Proxy({}, new Proxy({}, { get() { return () => { throw 1; }; } })))`,
		"throwing getter":       `startSession(TOKEN, {get debug() { throw new Error("g"); }})`,
		"class instance opts":   `startSession(TOKEN, new (class { constructor() { this.debug = true; } })())`,
		"blank apiBase":         `startSession(TOKEN, {apiBase: "   "})`,
		"a × (2^29-24) token":   `startSession("a".repeat(2 ** 29 - 24))`,
		"é × 2^28 token":        `startSession("é".repeat(2 ** 28))`,
	}
	for name, expr := range cases {
		expr = strings.ReplaceAll(expr, "TOKEN", jsValue(p, token))
		// Timed in the page, around the call only: building the string is not the module's.
		got := eval[struct {
			Outcome
			Ms float64 `json:"ms"`
		}](p, `(async () => {
			let p;
			const t0 = performance.now();
			try { p = `+expr+`; } catch (e) { return { ok: false, name: "sync throw", message: String(e) }; }
			const ms = performance.now() - t0;
			return Object.assign(await __settle(p), { ms });
		})()`)
		assert.Equal(t, "INVALID_ARGUMENT", got.Code, "%s: %v", name, got.Outcome)
		assert.Equal(t, "GameSessionError", got.Name, "%s", name)
		assert.NotContains(t, got.Message, "internal error", "%s", name)
		assert.NotContains(t, got.Message, token, "%s", name)
		assert.Less(t, got.Ms, 1000.0, "%s took %.0f ms", name, got.Ms)
		t.Logf("%s: %.1f ms: %s", name, got.Ms, got.Message)
	}
	assert.Empty(t, srv.Calls(0), "a request was sent")
	assert.Equal(t, "idle", p.State())
	t.Logf("hostile values in Chromium: %d, each INVALID_ARGUMENT", len(cases))
}
