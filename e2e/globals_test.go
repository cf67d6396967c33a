package e2e

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 11 item 1: after a session ran, the page's global scope has exactly
// what the README lists: GameSession, startSession and endSession for the
// script tag, nothing for the ES module. Go's wasm_exec.js (fs, process,
// path, Go) and the hand-over hook (__gameSessionInit) stay on the loader's
// private global, and the page's own globals of those names are untouched.
func TestNoLeakedGlobals(t *testing.T) {
	t.Parallel()
	srv := steadyServer(t)

	// addedGlobals lists the global names the page did not have in its
	// __before snapshot, less the test's own.
	addedGlobals := func(p *tab) []string {
		added := eval[[]string](p, `Object.getOwnPropertyNames(globalThis)
			.filter((n) => !__before.includes(n) && !["__before", "__gs"].includes(n))`)
		sort.Strings(added)
		return added
	}

	for _, c := range []struct {
		page, api string
		want      []string
	}{
		{"globals-classic.html", "GameSession", []string{"GameSession", "endSession", "startSession"}},
		{"globals-esm.html", "__gs", []string{}},
	} {
		t.Run(c.page, func(t *testing.T) {
			t.Parallel()
			user := "globals-" + c.page
			p := newTab(t)
			p.Navigate(srv.URL + "/" + c.page)
			p.WaitJS("window."+c.api, 10*time.Second, "the SDK to load")
			o := eval[Outcome](p, fmt.Sprintf("__settle(%s.startSession(%s, %s))", c.api, jsValue(p, srv.Token(user)), jsValue(p, steadyOpts())))
			require.True(t, o.OK, "startSession: %v", o)
			srv.WaitCalls(user, 5*time.Second, "a heartbeat", count(1, "heartbeat"))
			assert.Equal(t, c.want, addedGlobals(p), "globals the SDK added")
		})
	}

	t.Run("the page's own process, fs, path and Go", func(t *testing.T) {
		t.Parallel()
		const user = "globals-own"
		p := newTab(t)
		p.Navigate(srv.URL + "/globals-own.html")
		mustStart(t, p, srv, user, steadyOpts())
		srv.WaitCalls(user, 5*time.Second, "a heartbeat", count(1, "heartbeat"))
		same := eval[map[string]bool](p, `({
			process: process === __own.process, fs: fs === __own.fs, path: path === __own.path, Go: Go === __own.Go,
			nodeEnv: typeof process !== "undefined" && process.env.NODE_ENV === "production",
		})`)
		assert.Equal(t, map[string]bool{"process": true, "fs": true, "path": true, "Go": true, "nodeEnv": true}, same)
		assert.Equal(t, []string{"GameSession", "endSession", "startSession"}, addedGlobals(p))
	})
}

// Issue 12 item 2 (the loader's part): a page that froze the intrinsics
// before loading the SDK, and put a throwing setter for GameSession on
// Object.prototype, still gets GameSession, and a session runs.
func TestFrozenIntrinsics(t *testing.T) {
	t.Parallel()
	srv := steadyServer(t)
	const user = "frozen"
	p := newTab(t)
	p.Navigate(srv.URL + "/frozen.html")
	require.Equal(t, "object", eval[string](p, "window.__defined"), "typeof GameSession after the script tag ran; console:\n%s", p.consoleText())
	frozen := eval[bool](p, "[Object.prototype, Function.prototype, Promise.prototype, Error.prototype].every(Object.isFrozen)")
	require.True(t, frozen, "the page froze the intrinsics")

	// An error the loader makes itself carries its fields.
	e := eval[map[string]any](p, `(() => { try { GameSession.on("beat", () => {}); } catch (e) {
		return { name: e.name, code: e.code, status: e.status, instance: e instanceof Error }; } })()`)
	assert.Equal(t, map[string]any{"name": "GameSessionError", "code": "INVALID_ARGUMENT", "status": float64(0), "instance": true}, e)

	// So does one the Go module makes (it names its errors by assignment,
	// which the frozen Error.prototype refuses: the loader names them).
	o := p.Start("", steadyOpts())
	assert.Equal(t, Outcome{Name: "GameSessionError", Code: "INVALID_ARGUMENT", IsError: true, Message: o.Message}, o)
	assert.True(t, eval[bool](p, `startSession(42).catch((e) => e instanceof Error && e.name === "GameSessionError")`))

	mustStart(t, p, srv, user, steadyOpts())
	srv.WaitCalls(user, 5*time.Second, "a heartbeat", count(1, "heartbeat"))
	p.WaitJS(`__log.some((e) => e.type === "heartbeat")`, 5*time.Second, "a heartbeat event")
	assert.True(t, p.End().OK, "endSession")
}
