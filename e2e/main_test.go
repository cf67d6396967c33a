package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/game-session/game-session/harness"
)

// Paths shared by every test, set once by TestMain.
var (
	repoRoot     string // the project root, holding dist/, web/ and index.html
	devServerBin string // the dev server, built once per run
	fixtureRoot  string // the static root of the test pages: testdata/ plus a copy of dist/
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

// runMain builds what every test needs, runs them, and tears down the shared
// browser. It is split from TestMain so that its defers run before os.Exit.
func runMain(m *testing.M) int {
	root, err := filepath.Abs("..")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	repoRoot = root
	if _, err := os.Stat(filepath.Join(root, "dist", "game-session.wasm")); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: dist/game-session.wasm is missing: run ./build.sh build first")
		return 1
	}
	tmp, err := os.MkdirTemp("", "gs-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)

	devServerBin = filepath.Join(tmp, "devserver")
	if err := harness.BuildDevServer(root, devServerBin); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	fixtureRoot = filepath.Join(tmp, "site")
	if err := makeFixtureRoot(fixtureRoot, root); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: preparing the test pages:", err)
		return 1
	}
	defer closeSharedBrowser()
	defer closeEngines() // engines_test.go
	return m.Run()
}
