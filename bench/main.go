// Command bench measures game-session next to baselines built in the same
// run: its size next to a floor program and a naive rival, its start-up in
// headless Chromium, the punctuality of its heartbeats and the delivery of
// its end request as the reference server sees them, its cost while
// running, the reference server's throughput, and how its session fares on
// mobile networks and busy pages (networks). It prints one table,
// writes it as JSON under -out, and exits non-zero when a budget is broken.
//
//	./build.sh build && cd bench && go run . -out results
//	go run . -only size,startup     # a subset while developing
//	go run . -markdown results/2026-11-28.json   # the README table of a run
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// figure is one measurement. It adds rows, budgets and details to the
// report; an error means the figure could not be measured at all.
type figure struct {
	name string
	run  func(ctx context.Context, e *env) error
}

var figures = []figure{
	{"size", runSize},
	{"startup", runStartup},
	{"punctuality", runPunctuality},
	{"enddelivery", runEndDelivery},
	{"running", runRunning},
	{"server", runServer},
	{"networks", runNetworks},
}

type config struct {
	out, only, repo, chromium, wasm string
	keep                            bool

	sizeBudget     float64
	loads          int
	startupBudget  float64
	beats          int
	navs           int
	runBeats       int
	runIntervalMs  int
	heapBoundPerBt float64
	wasmBoundPerBt float64
	wrkDuration    time.Duration
	wrkThreads     int
	wrkConns       int
	wrkUsers       int
	latencyMs      int
	jitterMs       int
	netDuration    time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.out, "out", "results", "directory for the JSON report (\"\" to skip)")
	flag.StringVar(&c.only, "only", "", "comma-separated figures to run: "+figureNames())
	flag.StringVar(&c.repo, "repo", "..", "repository root (holds dist/, web/, wasm/)")
	flag.StringVar(&c.wasm, "wasm", "", "the module under test (default REPO/dist/game-session.wasm)")
	flag.StringVar(&c.chromium, "chromium", envOr("CHROMIUM", "/usr/bin/chromium"), "Chromium binary")
	flag.BoolVar(&c.keep, "keep", false, "keep the work directory (built baselines, pages, logs)")
	flag.Float64Var(&c.sizeBudget, "size-budget", 1.12, "max brotli size of the module as a multiple of the floor's (both built with the module's flags)")
	flag.IntVar(&c.loads, "loads", 30, "cold loads per program for the start-up figure (the programs take turns)")
	flag.Float64Var(&c.startupBudget, "startup-budget", 1.10, "max median time to ready of the module as a multiple of the floor's")
	flag.IntVar(&c.beats, "beats", 10, "heartbeats at the real 9 s interval for the punctuality figure")
	flag.IntVar(&c.navs, "navs", 50, "navigations away from a live session for the end-delivery figure")
	flag.IntVar(&c.runBeats, "run-beats", 5000, "heartbeats at the accelerated interval for the running-cost figure")
	flag.IntVar(&c.runIntervalMs, "run-interval-ms", 10, "accelerated heartbeat interval for the running-cost figure")
	flag.Float64Var(&c.heapBoundPerBt, "heap-bound", 16, "running-cost figure: max rise of the JS heap's floor, bytes per heartbeat")
	flag.Float64Var(&c.wasmBoundPerBt, "wasm-bound", 128, "running-cost figure: max growth of the wasm linear memory (Go heap high-water), bytes per heartbeat")
	flag.DurationVar(&c.wrkDuration, "wrk-duration", 10*time.Second, "wrk load duration for the server figure")
	flag.IntVar(&c.wrkThreads, "wrk-threads", 2, "wrk threads")
	flag.IntVar(&c.wrkConns, "wrk-conns", 50, "wrk connections")
	flag.IntVar(&c.wrkUsers, "wrk-users", 200, "users with a live session whose heartbeats wrk posts")
	flag.IntVar(&c.latencyMs, "latency-ms", 0, "server latency for the punctuality figure")
	flag.IntVar(&c.jitterMs, "jitter-ms", 300, "server latency jitter for the punctuality figure")
	flag.DurationVar(&c.netDuration, "networks-duration", 3*time.Minute, "how long each profile of the networks figure runs at the real timing")
	markdown := flag.String("markdown", "", "print the README table of a report JSON file and exit (no run)")
	flag.Parse()

	if *markdown != "" {
		r, err := readReport(*markdown)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(2)
		}
		r.markdown(os.Stdout)
		return
	}

	selected, err := selectFigures(c.only)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	code := run(ctx, c, selected)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, c config, selected []figure) int {
	repo, err := filepath.Abs(c.repo)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	work, err := os.MkdirTemp("", "gs-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	if c.wasm == "" {
		c.wasm = filepath.Join(repo, "dist", "game-session.wasm")
	}
	flags, err := readBuildFlags(filepath.Join(repo, buildFlagsFile))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	e := &env{cfg: c, repo: repo, work: work, flags: flags}
	defer e.close()
	start := time.Now()
	r := &report{
		Date:      start.UTC().Format("2006-01-02"),
		StartedAt: start.UTC(),
		Machine:   describeMachine(repo, c.chromium),
		Baselines: map[string]string{},
		Details:   map[string]any{},
	}
	e.rep = r
	runOne := func(f figure) {
		logf("== %s", f.name)
		t := time.Now()
		if err := f.run(ctx, e); err != nil {
			r.fail(fmt.Sprintf("%s: %v", f.name, err))
			logf("%s failed: %v", f.name, err)
		}
		logf("%s took %.0f s", f.name, time.Since(t).Seconds())
	}
	// One figure at a time: a figure that ran beside the CPU-heavy ones
	// (brotli, wasm compiles, wrk) measured the machine's load, not the
	// module (punctuality did: 1.7 s late timers on 2 busy cores).
	for _, f := range selected {
		if ctx.Err() != nil {
			break
		}
		r.Figures = append(r.Figures, f.name)
		runOne(f)
	}
	r.Seconds = time.Since(start).Seconds()
	r.Pass = len(r.Errors) == 0
	for _, b := range r.Budgets {
		r.Pass = r.Pass && b.Pass
	}
	r.print(os.Stdout)
	if c.out != "" {
		name := r.Date + ".json"
		if len(selected) != len(figures) {
			// A partial run is for development: its name ends in .tmp,
			// which .gitignore keeps out of the repository.
			name = r.Date + "-" + strings.Join(r.Figures, "+") + ".json.tmp"
		}
		path, err := r.write(c.out, name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: write report:", err)
			return 2
		}
		fmt.Println("report:", path)
	}
	if c.keep {
		fmt.Println("work directory kept:", work)
	}
	switch {
	case len(r.Errors) > 0:
		return 2
	case !r.Pass:
		return 1
	}
	return 0
}

func figureNames() string {
	names := make([]string, len(figures))
	for i, f := range figures {
		names[i] = f.name
	}
	return strings.Join(names, ",")
}

func selectFigures(only string) ([]figure, error) {
	if only == "" {
		return figures, nil
	}
	want := strings.Split(only, ",")
	var out []figure
	for _, f := range figures {
		if slices.Contains(want, f.name) {
			out = append(out, f)
		}
	}
	for _, w := range want {
		if !slices.ContainsFunc(figures, func(f figure) bool { return f.name == w }) {
			return nil, fmt.Errorf("unknown figure %q (have %s)", w, figureNames())
		}
	}
	return out, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// logf reports progress on stderr, so stdout holds only the table.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s bench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

type machine struct {
	Cores    int    `json:"cores"`
	CPU      string `json:"cpu"`
	Kernel   string `json:"kernel"`
	OS       string `json:"os"`
	Go       string `json:"go"`
	Chromium string `json:"chromium"`
	Wrk      string `json:"wrk,omitempty"`
}

func describeMachine(repo, chromium string) machine {
	m := machine{Cores: runtime.NumCPU(), CPU: "unknown CPU", Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
				m.OS = strings.Trim(v, `"`)
			}
		}
	}
	// The toolchain that builds dist/ and the baselines is the go on PATH,
	// run in the repository (a toolchain line in go.mod would show here).
	cmd := exec.Command("go", "version")
	cmd.Dir = repo
	if out, err := cmd.Output(); err == nil {
		m.Go = strings.TrimSpace(strings.TrimPrefix(string(out), "go version "))
	}
	if out, err := exec.Command(chromium, "--version").Output(); err == nil {
		m.Chromium, _, _ = strings.Cut(strings.TrimSpace(string(out)), " built on ")
	}
	if out, err := exec.Command("wrk", "--version").CombinedOutput(); err == nil || len(out) > 0 {
		if line, _, _ := strings.Cut(string(out), "\n"); strings.HasPrefix(line, "wrk") {
			m.Wrk = strings.Fields(line)[0] + " " + strings.Fields(line)[1]
		}
	}
	return m
}
