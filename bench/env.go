package main

import (
	"context"
	"embed"
	"fmt"
	"github.com/game-session/game-session/wasm/sizerules"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/game-session/game-session/harness"
)

//go:embed pages/*.html
var pages embed.FS

// env is what the figures share in one run: the built baselines, the site
// the browser loads, the dev server binary and the browser. Each is made
// on first use, so a subset run (-only) builds only what it needs.
type env struct {
	cfg  config
	repo string
	work string
	rep  *report

	flags []string // the module's build flags (buildFlagsFile)

	buildOnce   sync.Once
	buildErr    error
	floorWasm   string // stripped, as measured and served
	floorJSWasm string // the floor with syscall/js: size information only
	rivalWasm   string

	siteOnce sync.Once
	siteErr  error
	site     string

	devOnce sync.Once
	devErr  error
	devBin  string

	browserOnce sync.Once
	browserErr  error
	br          *browser
}

func (e *env) close() {
	if e.br != nil {
		e.br.close()
	}
	if !e.cfg.keep {
		_ = os.RemoveAll(e.work)
	}
}

// buildFlagsFile holds the go build flags of dist/game-session.wasm, one
// argument a line: build.sh builds the module with them (adding -X
// main.version), and the bench builds every baseline with them, so that
// sizes compare like with like (the same file drives the size-rules check).
const buildFlagsFile = "wasm/sizerules/buildflags.txt"

// readBuildFlags reads the flags file with the size-rules check's own
// reader (one argument a line, # comments) and insists on an -ldflags line,
// which the bench's unstripped builds rewrite.
func readBuildFlags(path string) ([]string, error) {
	flags, err := sizerules.ReadFlags(path)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(flags, func(f string) bool { return strings.HasPrefix(f, "-ldflags=") }) {
		return nil, fmt.Errorf("%s: no -ldflags line", path)
	}
	return flags, nil
}

// unstripped is flags with -s and -w taken out of -ldflags: the same code,
// with the name section that says which function is which.
func unstripped(flags []string) []string {
	out := slices.Clone(flags)
	for i, f := range out {
		if v, ok := strings.CutPrefix(f, "-ldflags="); ok {
			kept := slices.DeleteFunc(strings.Fields(v), func(x string) bool { return x == "-s" || x == "-w" })
			out[i] = "-ldflags=" + strings.Join(kept, " ")
		}
	}
	return out
}

// goWasmBuild builds pkg (run in dir) for js/wasm into out with flags.
func goWasmBuild(dir, pkg, out string, flags []string) error {
	args := append(append([]string{"build"}, flags...), "-o", out, pkg)
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// baselines builds the floor, the syscall/js floor and the rival with the
// module's flags.
func (e *env) baselines() error {
	e.buildOnce.Do(func() {
		dir := filepath.Join(e.work, "build")
		if e.buildErr = os.MkdirAll(dir, 0o755); e.buildErr != nil {
			return
		}
		e.floorWasm = filepath.Join(dir, "floor.wasm")
		e.floorJSWasm = filepath.Join(dir, "floor-syscalljs.wasm")
		e.rivalWasm = filepath.Join(dir, "rival.wasm")
		bench := filepath.Join(e.repo, "bench")
		for pkg, out := range map[string]string{"./floor": e.floorWasm, "./floor-syscalljs": e.floorJSWasm, "./rival": e.rivalWasm} {
			if e.buildErr = goWasmBuild(bench, pkg, out, e.flags); e.buildErr != nil {
				return
			}
		}
	})
	return e.buildErr
}

// siteRoot lays out the directory the dev server serves (its -root):
// dist/ with the files under test, and bench/ with the bench pages and the
// two baselines. Every .wasm is served the same way (uncompressed, no
// precompressed siblings), so start-up compares compile and run, not
// transfer.
func (e *env) siteRoot() (string, error) {
	e.siteOnce.Do(func() {
		if e.siteErr = e.baselines(); e.siteErr != nil {
			return
		}
		site := filepath.Join(e.work, "site")
		for _, d := range []string{"dist", "bench"} {
			if e.siteErr = os.MkdirAll(filepath.Join(site, d), 0o755); e.siteErr != nil {
				return
			}
		}
		for _, f := range []string{"game-session.wasm", "wasm_exec.js", "game-session.js"} {
			src := filepath.Join(e.repo, "dist", f)
			if f == "game-session.wasm" {
				src = e.cfg.wasm
			}
			if e.siteErr = copyFile(src, filepath.Join(site, "dist", f)); e.siteErr != nil {
				e.siteErr = fmt.Errorf("%w (run ./build.sh build first)", e.siteErr)
				return
			}
		}
		for src, dst := range map[string]string{e.floorWasm: "floor.wasm", e.rivalWasm: "rival.wasm"} {
			if e.siteErr = copyFile(src, filepath.Join(site, "bench", dst)); e.siteErr != nil {
				return
			}
		}
		entries, _ := pages.ReadDir("pages")
		for _, ent := range entries {
			data, _ := pages.ReadFile("pages/" + ent.Name())
			if e.siteErr = os.WriteFile(filepath.Join(site, "bench", ent.Name()), data, 0o644); e.siteErr != nil {
				return
			}
		}
		e.site = site
	})
	return e.site, e.siteErr
}

// devServer starts a fresh reference server on the bench site.
func (e *env) devServer(ttl time.Duration) (*devServer, error) {
	site, err := e.siteRoot()
	if err != nil {
		return nil, err
	}
	e.devOnce.Do(func() { e.devBin, e.devErr = buildDevServer(e.repo, e.work) })
	if e.devErr != nil {
		return nil, e.devErr
	}
	return startDevServer(e.devBin, site, ttl)
}

func (e *env) browser(ctx context.Context) (*browser, error) {
	e.browserOnce.Do(func() {
		e.br, e.browserErr = startBrowser(e.cfg.chromium, filepath.Join(e.work, "profile"))
	})
	return e.br, e.browserErr
}

func copyFile(src, dst string) error { return harness.CopyFile(src, dst) }
