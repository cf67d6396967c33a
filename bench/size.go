package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// Figure 1: bytes of dist/game-session.wasm, raw, gzip -9 and brotli
// (quality 11, as web/precompress writes the .br a server sends), next to
// the floor and the naive rival built in this run with the module's flags
// (buildFlagsFile). The budget: brotli within -size-budget (default ×1.12)
// of the floor, i.e. session logic and its JS bridge may add at most 12 % to
// what any Go program with safejs and time costs. For information, no
// budget: the floor with syscall/js in place of safejs, so that what each
// dependency costs stays visible. To say what costs the bytes, the module
// and the floor are built again without -s -w and their code is summed by
// Go package.

type sizes struct {
	Raw    int `json:"raw"`
	Gzip   int `json:"gzip9"`
	Brotli int `json:"brotli11"`
}

func compressedSizes(raw []byte) (sizes, error) {
	s := sizes{Raw: len(raw)}
	var wg sync.WaitGroup
	var gzErr, brErr error
	wg.Go(func() {
		var b bytes.Buffer
		w, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
		if err != nil {
			gzErr = err
			return
		}
		if _, gzErr = w.Write(raw); gzErr == nil {
			gzErr = w.Close()
		}
		s.Gzip = b.Len()
	})
	wg.Go(func() {
		var b bytes.Buffer
		w := brotli.NewWriterLevel(&b, brotli.BestCompression)
		if _, brErr = w.Write(raw); brErr == nil {
			brErr = w.Close()
		}
		s.Brotli = b.Len()
	})
	wg.Wait()
	if gzErr != nil {
		return s, gzErr
	}
	return s, brErr
}

// signed renders a byte difference with its sign and digit groups.
func signed(n int) string {
	if n < 0 {
		return groupDigits(int64(n))
	}
	return "+" + groupDigits(int64(n))
}

func runSize(ctx context.Context, e *env) error {
	if err := e.baselines(); err != nil {
		return err
	}
	paths := map[string]string{
		"module":          e.cfg.wasm,
		"floor":           e.floorWasm,
		"floor-syscalljs": e.floorJSWasm,
		"rival":           e.rivalWasm,
	}
	got := map[string]sizes{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, len(paths))
	for name, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("%s: %w (run ./build.sh build first)", name, err)
		}
		wg.Go(func() {
			s, err := compressedSizes(raw)
			if err != nil {
				errs <- fmt.Errorf("%s: %w", name, err)
				return
			}
			mu.Lock()
			got[name] = s
			mu.Unlock()
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	m, f, fj, r := got["module"], got["floor"], got["floor-syscalljs"], got["rival"]
	rep := e.rep
	flags := strings.Join(e.flags, " ")
	rep.baseline("floor", "bench/floor: a Go program with the module's unavoidable imports (safejs, time) exporting two functions; built with the module's flags: "+flags)
	rep.baseline("naive rival", "bench/rival: the same job done naively with net/http + encoding/json (startSession/endSession, time.Ticker heartbeats, http.Post JSON); same build flags")
	rep.baseline("floor with syscall/js (size only)", "bench/floor-syscalljs: bench/floor with syscall/js in place of safejs; same build flags")
	rep.add("1 size", "raw", "B", float64(m.Raw), f64(float64(f.Raw)), f64(float64(r.Raw)))
	rep.add("1 size", "gzip -9", "B", float64(m.Gzip), f64(float64(f.Gzip)), f64(float64(r.Gzip)))
	rep.add("1 size", "brotli -q 11", "B", float64(m.Brotli), f64(float64(f.Brotli)), f64(float64(r.Brotli)))
	ratio := float64(m.Brotli) / float64(f.Brotli)
	rep.check("size: brotli vs floor", fmt.Sprintf("≤ ×%.2f", e.cfg.sizeBudget),
		fmt.Sprintf("×%.3f (%s B, %s B over the floor; the budget allows %s B over it)", ratio,
			groupDigits(int64(m.Brotli)), groupDigits(int64(m.Brotli-f.Brotli)),
			groupDigits(int64(math.Floor((e.cfg.sizeBudget-1)*float64(f.Brotli))))),
		float64(m.Brotli) <= e.cfg.sizeBudget*float64(f.Brotli))
	rep.note("shipped: game-session.wasm is %s B raw, %s B gzip -9, %s B brotli -q 11",
		groupDigits(int64(m.Raw)), groupDigits(int64(m.Gzip)), groupDigits(int64(m.Brotli)))
	rep.note("what each layer costs (brotli -q 11): Go runtime + time + syscall/js %s B (floor with syscall/js; gzip %s B, raw %s B); safejs, with the fmt it imports, %s B → floor %s B; game-session's own code and imports %s B → module %s B",
		groupDigits(int64(fj.Brotli)), groupDigits(int64(fj.Gzip)), groupDigits(int64(fj.Raw)),
		signed(f.Brotli-fj.Brotli), groupDigits(int64(f.Brotli)), signed(m.Brotli-f.Brotli), groupDigits(int64(m.Brotli)))

	detail := map[string]any{"module": m, "floor": f, "floorSyscallJS": fj, "rival": r, "buildFlags": e.flags}
	if br, err := os.ReadFile(paths["module"] + ".br"); err == nil && len(br) != m.Brotli {
		rep.note("dist/game-session.wasm.br is %d B, this run's brotli of the .wasm is %d B (stale .br?)", len(br), m.Brotli)
	}
	attr, err := attribute(e)
	if err != nil {
		rep.note("size attribution failed: %v", err)
	} else {
		detail["attribution"] = attr
		rep.note("what the module adds to the floor (code bytes by package, non-stripped build): %s", attr.summary())
	}
	rep.detail("size", detail)
	return nil
}

type attribution struct {
	ModuleSections map[string]int `json:"moduleSections"` // stripped module, bytes per section
	FloorSections  map[string]int `json:"floorSections"`
	ModuleTop      []pkgSize      `json:"moduleTopPackages"` // code bytes by package
	Added          []pkgSize      `json:"addedOverFloor"`    // code bytes the module has beyond the floor, by package
}

func (a attribution) summary() string {
	var b bytes.Buffer
	total := 0
	for _, p := range a.Added {
		total += p.Bytes
	}
	fmt.Fprintf(&b, "%d B of code in all;", total)
	for i, p := range a.Added {
		if i == 8 {
			break
		}
		fmt.Fprintf(&b, " %s %d", p.Package, p.Bytes)
	}
	fmt.Fprintf(&b, "; data section %+d B", a.ModuleSections["data"]-a.FloorSections["data"])
	return b.String()
}

// attribute rebuilds the module and the floor with symbols and compares
// their code by package.
func attribute(e *env) (attribution, error) {
	var a attribution
	dir := filepath.Join(e.work, "build")
	modSyms := filepath.Join(dir, "module-syms.wasm")
	floorSyms := filepath.Join(dir, "floor-syms.wasm")
	if err := goWasmBuild(e.repo, "./wasm", modSyms, unstripped(e.flags)); err != nil {
		return a, err
	}
	if err := goWasmBuild(filepath.Join(e.repo, "bench"), "./floor", floorSyms, unstripped(e.flags)); err != nil {
		return a, err
	}
	layouts := map[string]*wasmLayout{}
	for name, path := range map[string]string{
		"module": modSyms, "floor": floorSyms,
		"moduleStripped": e.cfg.wasm, "floorStripped": e.floorWasm,
	} {
		b, err := os.ReadFile(path)
		if err != nil {
			return a, err
		}
		l, err := parseWasm(b)
		if err != nil {
			return a, fmt.Errorf("%s: %w", name, err)
		}
		layouts[name] = l
	}
	a.ModuleSections = layouts["moduleStripped"].Sections
	a.FloorSections = layouts["floorStripped"].Sections
	pkgs := map[string]string{}
	for dir, pkg := range map[string]string{e.repo: "./wasm", filepath.Join(e.repo, "bench"): "./floor"} {
		cmd := exec.Command("go", "list", "-deps", pkg)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		out, err := cmd.Output()
		if err != nil {
			return a, fmt.Errorf("go list -deps %s: %w", pkg, err)
		}
		for p := range strings.FieldsSeq(string(out)) {
			pkgs[mangle(p)] = p
		}
	}
	mod := byPackage(layouts["module"].Funcs, pkgs)
	floor := map[string]int{}
	for _, p := range byPackage(layouts["floor"].Funcs, pkgs) {
		floor[p.Package] = p.Bytes
	}
	a.ModuleTop = mod[:min(len(mod), 20)]
	for _, p := range mod {
		if d := p.Bytes - floor[p.Package]; d > 0 {
			a.Added = append(a.Added, pkgSize{p.Package, d})
		}
	}
	sortPkgs(a.Added)
	return a, nil
}
