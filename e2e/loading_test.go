package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Case 11: the ways a game loads and calls the SDK.
func TestLoading(t *testing.T) {
	t.Parallel()
	srv := steadyServer(t)

	// A startSession made in the same task as the script tag waits for the
	// wasm and reaches the server.
	t.Run("call before ready", func(t *testing.T) {
		const user = "early-call"
		p := newTab(t)
		p.Navigate(srv.URL + "/early.html#" + user)
		o := eval[Outcome](p, "__startResult")
		require.True(t, o.OK, "early startSession: %v", o)
		early := eval[map[string]any](p, "__early")
		assert.Equal(t, "function", early["typeofStart"], "startSession defined by the script tag")
		assert.Equal(t, "idle", early["stateBefore"])
		assert.Equal(t, "idle", early["stateAtCall"], "the module was ready when startSession was called")
		calls := srv.WaitCalls(user, 5*time.Second, "a heartbeat", count(1, "heartbeat"))
		assert.Len(t, served(ops(calls, "initiate")), 1)
	})

	// The ES module entry, imported from dist/ without a bundler.
	t.Run("ESM import", func(t *testing.T) {
		const user = "esm-import"
		p := newTab(t)
		p.Navigate(srv.URL + "/esm.html")
		p.WaitJS("window.__gs", 10*time.Second, "the module to load")
		o := eval[Outcome](p, fmt.Sprintf("__settle(__gs.startSession(%s, %s))", jsValue(p, srv.Token(user)), jsValue(p, steadyOpts())))
		require.True(t, o.OK, "startSession from the ES module: %v", o)
		assert.Equal(t, "active", eval[string](p, "__gs.state()"))
		calls := srv.WaitCalls(user, 5*time.Second, "a heartbeat", count(1, "heartbeat"))
		assert.Len(t, served(ops(calls, "initiate")), 1)
		p.WaitJS(`__log.some(e => e.type === "heartbeat")`, 5*time.Second, "a heartbeat event through the module's on()")
	})

	// The npm package as a bundled game uses it: dist/ packed, installed
	// from the tarball and bundled with esbuild by the JS side's script.
	t.Run("ESM bundled with esbuild", func(t *testing.T) {
		out := bundleExample(t)
		bsrv := steadyServer(t, "-root", out)
		const user = "esm-bundled"
		p := newTab(t)
		p.Navigate(bsrv.URL + "/index.html")
		p.WaitJS("window.bundledGameSession", 10*time.Second, "the bundle to load")
		p.InjectLib() // the page is the JS side's: bring the test helpers
		o := eval[Outcome](p, fmt.Sprintf("__settle(bundledGameSession.startSession(%s, %s))", jsValue(p, bsrv.Token(user)), jsValue(p, steadyOpts())))
		require.True(t, o.OK, "startSession from the bundle: %v", o)
		assert.Equal(t, "active", eval[string](p, "bundledGameSession.state()"))
		calls := bsrv.WaitCalls(user, 5*time.Second, "a heartbeat", count(1, "heartbeat"))
		assert.Len(t, served(ops(calls, "initiate")), 1)
	})

	// A Content Security Policy without 'wasm-unsafe-eval' cannot run the
	// module; the error must say what to add.
	t.Run("CSP forbids wasm", func(t *testing.T) {
		const user = "csp"
		p := newTab(t)
		p.Navigate(srv.URL + "/csp.html")
		o := p.Start(srv.Token(user), steadyOpts())
		require.False(t, o.OK, "startSession under a CSP without wasm resolved")
		assert.Equal(t, "GameSessionError", o.Name)
		assert.Contains(t, o.Message, "'wasm-unsafe-eval'", "startSession's error: %v", o)
		ready := eval[Outcome](p, "__ready")
		assert.False(t, ready.OK, "GameSession.ready resolved under the CSP")
		assert.Contains(t, ready.Message, "'wasm-unsafe-eval'", "ready's error: %v", ready)
		assert.Empty(t, srv.CallsOf(user), "requests went out")
	})

	// What a developer types in the DevTools console works, and a mistake
	// gives an error that reads well there.
	t.Run("console", func(t *testing.T) {
		const user = "console"
		p := newTab(t)
		p.Navigate(srv.URL + "/session.html")

		_, err := consoleEval[any](p, "startSession(42)")
		var exc *chromedp.ExceptionError
		require.True(t, errors.As(err, &exc), "startSession(42) in the console: want a rejection, got %v", err)
		desc := ""
		if exc.Exception != nil {
			desc = exc.Exception.Description
		}
		t.Logf("the console shows: %s", firstLine(desc))
		assert.Contains(t, firstLine(desc), "GameSessionError", "the console's text for the rejection")
		e, err := consoleEval[map[string]any](p, "startSession(42).catch(e => ({name: e.name, code: e.code, status: e.status, message: e.message}))")
		require.NoError(t, err)
		assert.Equal(t, "GameSessionError", e["name"])
		assert.Equal(t, "INVALID_ARGUMENT", e["code"])
		assert.EqualValues(t, 0, e["status"])
		assert.NotEmpty(t, e["message"])

		v, err := consoleEval[map[string]any](p, fmt.Sprintf("startSession(%s, %s)", jsValue(p, srv.Token(user)), jsValue(p, steadyOpts())))
		require.NoError(t, err, "startSession typed in the console")
		assert.Equal(t, true, v["success"])
		srv.WaitCalls(user, 5*time.Second, "a heartbeat", count(1, "heartbeat"))
		assert.Empty(t, filterCalls(srv.Calls(0), func(c Call) bool { return c.User == "" }), "a call for startSession(42) reached the server")
	})
}

// consoleEval evaluates expr as the DevTools console does (command-line API
// on, promise awaited).
func consoleEval[T any](p *tab, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	return chromedp.Run(ctx, chromedp.EvaluateAsDevTools[T](expr, chromedp.EvalAwaitPromise))
}

// bundleExample runs the JS side's js/test/bundle.mjs (npm pack of dist/,
// install of the tarball, esbuild) and returns the directory it wrote:
// index.html, game.js and the hashed .wasm. The page exposes the module as
// window.bundledGameSession.
func bundleExample(t *testing.T) string {
	t.Helper()
	script := filepath.Join(repoRoot, "js", "test", "bundle.mjs")
	if _, err := os.Stat(script); err != nil {
		t.Fatalf("the bundling script is missing: %v", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		msg := "node is missing (sudo apt-get install -y nodejs npm)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	out := t.TempDir()
	cmd := exec.Command(node, script, out)
	cmd.Dir = repoRoot
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node js/test/bundle.mjs: %v\n%s", err, stderr.String())
	}
	var res struct {
		HTML string `json:"html"`
	}
	if err := json.Unmarshal(stdout, &res); err != nil || res.HTML != "index.html" {
		t.Fatalf("node js/test/bundle.mjs printed %q: %v", stdout, err)
	}
	return out
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
