package e2e

import (
	"bytes"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bundlerTools are the builds of js/fixtures/bundlers (prepare.sh, build.mjs): one
// game, src/game.js, bundled from the packed tarball by each tool a game uses.
var bundlerTools = []string{"vite8", "vite7", "webpack", "rollup", "esbuild"}

// Issue 11 item 5: the npm package works in every bundler a game uses, each
// exactly as the README configures it. Every build is served by the dev
// server and reaches a heartbeat; Vite 8's dev server with no configuration
// and Vite 7's with the README's one line do too, with the API on the Go dev
// server (another origin, CORS); so does Vite 7's with the README's other
// way, the .wasm imported with ?url and handed to configure({ wasmUrl }).
func TestBundlers(t *testing.T) {
	t.Parallel()
	dir := bundlerFixtures(t)
	for _, tool := range bundlerTools {
		t.Run(tool+" build", func(t *testing.T) {
			t.Parallel()
			srv := steadyServer(t, "-root", filepath.Join(dir, "out", tool))
			playBundled(t, srv.URL+"/", srv, "bundled-"+tool, false)
		})
	}
	for _, dev := range []struct{ name, pkg, config, page string }{
		{"vite8 dev", "vite", "vite.config.js", "/"},
		{"vite7 dev", "vite7", "vite7.config.js", "/"},                      // optimizeDeps.exclude
		{"vite7 dev wasm url", "vite7", "vite7-url.config.js", "/url.html"}, // ?url + configure
	} {
		t.Run(dev.name, func(t *testing.T) {
			t.Parallel()
			origin := startVite(t, dir, dev.pkg, dev.config)
			api := steadyServer(t, "-cors-origin", origin)
			playBundled(t, origin+dev.page, api, "dev-"+strings.ReplaceAll(dev.name, " ", "-"), true)
		})
	}
}

// playBundled loads a bundled game at pageURL, waits for the module to be
// ready, starts a session against api through the bundle's own module
// (window.bundledGameSession) and waits until api sees a heartbeat.
func playBundled(t *testing.T, pageURL string, api *devServer, user string, crossOrigin bool) {
	p := newTab(t)
	p.Navigate(pageURL)
	// A dev server's first load transforms and pre-bundles: give it time.
	p.WaitJS(`/^(ready|failed)/.test(document.getElementById("status").textContent)`, 60*time.Second, "the bundled game to load")
	status := eval[string](p, `document.getElementById("status").textContent`)
	require.True(t, strings.HasPrefix(status, "ready"), "the bundled game at %s did not get ready: #status says %q", pageURL, status)
	p.InjectLib() // the page is the fixture's: bring the test helpers
	opts := steadyOpts()
	if crossOrigin {
		opts["apiBase"] = api.URL
	}
	o := eval[Outcome](p, fmt.Sprintf("__settle(bundledGameSession.startSession(%s, %s))", jsValue(p, api.Token(user)), jsValue(p, opts)))
	require.True(t, o.OK, "startSession from the bundle: %v", o)
	calls := api.WaitCalls(user, 10*time.Second, "a heartbeat", count(1, "heartbeat"))
	assert.Len(t, served(ops(calls, "initiate")), 1)
	assert.NotContains(t, p.consoleText(), "[error]", "the page logged errors")
}

// bundlerFixtures returns js/fixtures/bundlers with out/ built from the
// current dist/, running prepare.sh (npm ci where needed, npm pack, the
// builds) when out/ is missing or holds another build's .wasm.
func bundlerFixtures(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(repoRoot, "js", "fixtures", "bundlers")
	fixtures.once.Do(func() {
		if fixtures.stale = staleFixtures(dir); fixtures.stale == nil {
			return
		}
		if _, err := exec.LookPath("node"); err != nil {
			fixtures.err = fmt.Errorf("node is missing (sudo apt-get install -y nodejs npm): %w", err)
			return
		}
		cmd := exec.Command("bash", filepath.Join(dir, "prepare.sh"), filepath.Join(repoRoot, "dist"))
		out, err := cmd.CombinedOutput()
		fixtures.log = string(out)
		if err != nil {
			fixtures.err = fmt.Errorf("js/fixtures/bundlers/prepare.sh: %w\n%s", err, out)
		}
		// prepare.sh rebuilt every output: what a build lacks (a .wasm
		// it did not copy) is for the browser to show.
	})
	if fixtures.stale != nil {
		t.Logf("bundler fixtures were rebuilt (%v):\n%s", fixtures.stale, fixtures.log)
	}
	if fixtures.err != nil {
		if os.Getenv("CI") != "true" && strings.HasPrefix(fixtures.err.Error(), "node is missing") {
			t.Skip(fixtures.err)
		}
		t.Fatal(fixtures.err)
	}
	return dir
}

var fixtures struct {
	once       sync.Once
	stale, err error
	log        string
}

// staleFixtures says why out/ may not hold builds of dist/: the unpacked
// package must equal dist/ file by file, and each tool's output should have
// exactly one .wasm, equal to dist/game-session.wasm.
func staleFixtures(dir string) error {
	dist := filepath.Join(repoRoot, "dist")
	installed := filepath.Join(dir, "node_modules", "game-session")
	files, err := os.ReadDir(installed)
	if err != nil {
		return fmt.Errorf("game-session is not installed: %w", err)
	}
	for _, f := range files {
		got, err1 := os.ReadFile(filepath.Join(installed, f.Name()))
		want, err2 := os.ReadFile(filepath.Join(dist, f.Name()))
		if err1 != nil || err2 != nil || !bytes.Equal(got, want) {
			return fmt.Errorf("the installed %s is not dist/'s", f.Name())
		}
	}
	want, err := os.ReadFile(filepath.Join(dist, "game-session.wasm"))
	if err != nil {
		return err
	}
	for _, tool := range bundlerTools {
		var wasm []string
		out := filepath.Join(dir, "out", tool)
		err := filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(path, ".wasm") {
				wasm = append(wasm, path)
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("no build for %s: %w", tool, err)
		}
		if len(wasm) != 1 {
			return fmt.Errorf("out/%s has %d .wasm files, want 1", tool, len(wasm))
		}
		got, err := os.ReadFile(wasm[0])
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			return fmt.Errorf("%s is not dist/game-session.wasm", wasm[0])
		}
	}
	return nil
}

// startVite runs the dev server of vite package pkg (vite or vite7, from
// the fixtures' node_modules) with config on a free port and returns its
// origin once it answers. It is stopped, with the processes it started,
// when the test ends.
func startVite(t *testing.T, dir, pkg, config string) string {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command("node", filepath.Join("node_modules", pkg, "bin", "vite.js"),
		"--config", config, "--port", fmt.Sprint(port), "--clearScreen", "false")
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its own group: the cleanup ends vite's children too
	var output syncBuffer
	cmd.Stdout, cmd.Stderr = &output, &output
	require.NoError(t, cmd.Start(), "starting %s's dev server", pkg)
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		if t.Failed() {
			t.Logf("%s dev server output:\n%s", pkg, tail(output.String(), 4000))
		}
	})

	origin := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-exited:
			t.Fatalf("%s's dev server exited:\n%s", pkg, tail(output.String(), 4000))
		default:
		}
		if res, err := http.Get(origin + "/"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return origin
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s's dev server did not answer on %s within 30 s:\n%s", pkg, origin, tail(output.String(), 4000))
		}
		time.Sleep(50 * time.Millisecond) // poll interval
	}
}

// freePort returns a port that was free a moment ago (vite takes a port
// number, not a listener).
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
