package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Figure 6: the reference server's heartbeat throughput. First in process
// on one core (`go test -bench Heartbeat -cpu 1 ./web`, the server's own
// benchmark), then over loopback HTTP: wrk posts heartbeats for a set of
// users whose sessions were initiated first, against a fresh dev server,
// and the same wrk script against the floor: a bare net/http handler in
// this process that reads the body and answers {"success":true} (what any
// Go HTTP server costs on this machine, without tokens, sessions or the
// call log).

type wrkResult struct {
	Requests    int64   `json:"requests"`
	PerSecond   float64 `json:"requestsPerSecond"`
	P50Ms       float64 `json:"p50Ms"`
	P90Ms       float64 `json:"p90Ms"`
	P99Ms       float64 `json:"p99Ms"`
	Non2xx      int64   `json:"non2xx"`
	SocketError string  `json:"socketErrors,omitempty"`
	Output      string  `json:"output"`
}

func runServer(ctx context.Context, e *env) error {
	rep := e.rep
	var errs []string
	benches, err := goBenchHeartbeat(ctx, e.repo)
	if err != nil {
		errs = append(errs, err.Error())
	}
	for _, b := range benches {
		rep.add("6 server", "reference server, "+b.Name+" in process, 1 core", "/s", 1e9/b.NsPerOp, nil, nil)
	}

	wrkBin, err := needWrk()
	if err != nil {
		errs = append(errs, err.Error())
		rep.detail("server", map[string]any{"goBench": benches})
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	srv, err := e.devServer(time.Minute) // no session may expire during the load
	if err != nil {
		return err
	}
	defer srv.Close()
	script, err := heartbeatScript(ctx, e, srv)
	if err != nil {
		return err
	}
	floorURL, stopFloor, err := floorServer()
	if err != nil {
		return err
	}
	defer stopFloor()

	dev, err := runWrk(ctx, wrkBin, e.cfg, script, srv.URL)
	if err != nil {
		return err
	}
	floor, err := runWrk(ctx, wrkBin, e.cfg, script, floorURL)
	if err != nil {
		return err
	}
	wrk := fmt.Sprintf("wrk %dt %dc %s", e.cfg.wrkThreads, e.cfg.wrkConns, e.cfg.wrkDuration)
	rep.add("6 server", "reference server, heartbeats/s over loopback ("+wrk+")", "/s", dev.PerSecond, f64(floor.PerSecond), nil)
	rep.add("6 server", "latency p50 ("+wrk+")", "ms", dev.P50Ms, f64(floor.P50Ms), nil)
	rep.add("6 server", "latency p99 ("+wrk+")", "ms", dev.P99Ms, f64(floor.P99Ms), nil)
	rep.baseline("floor (server)", "a bare net/http handler in the bench process that reads the body and answers {\"success\":true}, under the same wrk script")
	if dev.Non2xx > 0 || dev.SocketError != "" {
		errs = append(errs, fmt.Sprintf("dev server under wrk: %d non-2xx answers, socket errors %q (heartbeats must all succeed)", dev.Non2xx, dev.SocketError))
	}
	rep.detail("server", map[string]any{"goBench": benches, "wrkDevServer": dev, "wrkFloor": floor, "users": e.cfg.wrkUsers})
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

type goBench struct {
	Name    string  `json:"name"`
	NsPerOp float64 `json:"nsPerOp"`
	Line    string  `json:"line"`
}

var benchLine = regexp.MustCompile(`^(Benchmark\S*?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op`)

func goBenchHeartbeat(ctx context.Context, repo string) ([]goBench, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "Heartbeat", "-cpu", "1", "-count", "1", "./web")
	cmd.Dir = repo
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go test -bench Heartbeat ./web: %v\n%s", err, out)
	}
	var res []goBench
	for line := range strings.SplitSeq(string(out), "\n") {
		if m := benchLine.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			ns, _ := strconv.ParseFloat(m[2], 64)
			res = append(res, goBench{Name: m[1], NsPerOp: ns, Line: strings.TrimSpace(line)})
		}
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("go test -bench Heartbeat ./web ran no benchmark (is BenchmarkHeartbeat in web/?):\n%s", out)
	}
	return res, nil
}

// needWrk finds wrk, installing Debian's package when root.
func needWrk() (string, error) {
	if p, err := exec.LookPath("wrk"); err == nil {
		return p, nil
	}
	if os.Geteuid() == 0 {
		if _, err := exec.LookPath("apt-get"); err == nil {
			logf("installing Debian's wrk")
			_ = exec.Command("apt-get", "update", "-qq").Run()
			cmd := exec.Command("apt-get", "install", "-y", "-qq", "wrk")
			cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
			if out, err := cmd.CombinedOutput(); err != nil {
				return "", fmt.Errorf("apt-get install wrk: %v\n%s", err, out)
			}
			if p, err := exec.LookPath("wrk"); err == nil {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("wrk is missing: install it with: sudo apt-get install -y wrk")
}

// heartbeatScript initiates a session for each wrk user and writes a wrk
// Lua script that posts their heartbeats round robin. The file holds
// tokens, so it is private and lives in the work directory only.
func heartbeatScript(ctx context.Context, e *env, srv *devServer) (string, error) {
	var b strings.Builder
	b.WriteString("local bodies = {\n")
	for i := range e.cfg.wrkUsers {
		tok, err := srv.token(ctx, fmt.Sprintf("wrk-%d", i))
		if err != nil {
			return "", err
		}
		if err := srv.post(ctx, "initiate", tok); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "  %q,\n", `{"auth_token":"`+tok+`"}`)
	}
	b.WriteString(`}
local n = 0
local headers = { ["Content-Type"] = "application/json" }
request = function()
  n = n % #bodies + 1
  return wrk.format("POST", "/api/games/sessions/heartbeat", headers, bodies[n])
end
`)
	path := filepath.Join(e.work, "heartbeats.lua")
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}

// floorServer serves the cheapest possible heartbeat answer.
func floorServer() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	s := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"success":true}`)
	})}
	go func() { _ = s.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = s.Close() }, nil
}

func runWrk(ctx context.Context, bin string, c config, script, url string) (wrkResult, error) {
	cmd := exec.CommandContext(ctx, bin,
		"-t", strconv.Itoa(c.wrkThreads), "-c", strconv.Itoa(c.wrkConns),
		"-d", fmt.Sprintf("%ds", int(c.wrkDuration.Seconds())), "--latency", "-s", script, url)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	return parseWrk(string(out))
}

func parseWrk(out string) (wrkResult, error) {
	r := wrkResult{Output: out}
	inDist := false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 0:
		case f[0] == "Latency" && len(f) == 2 && f[1] == "Distribution":
			inDist = true
		case inDist && len(f) == 2 && strings.HasSuffix(f[0], "%"):
			ms, err := wrkDuration(f[1])
			if err != nil {
				return r, err
			}
			switch f[0] {
			case "50%":
				r.P50Ms = ms
			case "90%":
				r.P90Ms = ms
			case "99%":
				r.P99Ms = ms
			}
		case len(f) >= 2 && f[1] == "requests":
			inDist = false
			r.Requests, _ = strconv.ParseInt(f[0], 10, 64)
		case f[0] == "Requests/sec:" && len(f) == 2:
			r.PerSecond, _ = strconv.ParseFloat(f[1], 64)
		case strings.HasPrefix(sc.Text(), "  Non-2xx or 3xx responses:"):
			r.Non2xx, _ = strconv.ParseInt(f[len(f)-1], 10, 64)
		case f[0] == "Socket" && len(f) > 1 && f[1] == "errors:":
			r.SocketError = strings.Join(f[2:], " ")
		}
	}
	if r.PerSecond == 0 || r.P99Ms == 0 {
		return r, fmt.Errorf("could not read wrk's output:\n%s", out)
	}
	return r, nil
}

// wrkDuration parses wrk's "291.00us", "1.39ms", "2.01s" into ms.
func wrkDuration(s string) (float64, error) {
	for _, u := range []struct {
		suffix string
		ms     float64
	}{{"us", 1e-3}, {"ms", 1}, {"m", 60e3}, {"s", 1e3}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(v, 64)
			return f * u.ms, err
		}
	}
	return 0, fmt.Errorf("wrk duration %q", s)
}
