package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// run prints the one start line with the real port, serves, and returns
// nil after a graceful shutdown when its context ends.
func TestRunStartsAndShutsDown(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "index.html"), []byte("hello"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"-addr", "127.0.0.1:0", "-root", root, "-ttl", "3s", "-cors-origin", "https://a.example"}, outW, io.Discard)
		outW.Close()
	}()

	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the start line: %v (run: %v)", err, <-errc)
	}
	m := regexp.MustCompile(`^game-session dev server: (http://127\.0\.0\.1:(\d+)/)\n$`).FindStringSubmatch(line)
	if m == nil || m[2] == "0" {
		t.Fatalf("start line %q", line)
	}
	go io.Copy(io.Discard, outR) // nothing else should come, but never block run

	res, err := http.Get(m[1])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != "hello" {
		t.Fatalf("GET /: %q", body)
	}
	var sessions struct {
		TTLMs int64 `json:"ttlMs"`
	}
	getJSON(t, http.DefaultClient, m[1]+"dev/sessions", &sessions)
	if sessions.TTLMs != 3000 {
		t.Fatalf("-ttl 3s gave ttlMs %d", sessions.TTLMs)
	}

	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("run after shutdown: %v", err)
		}
	case <-time.After(10 * time.Second): // a deadline, not synchronisation
		t.Fatal("run did not return after its context ended")
	}
	if _, err := net.DialTimeout("tcp", strings.TrimSuffix(strings.TrimPrefix(m[1], "http://"), "/"), time.Second); err == nil {
		t.Fatal("still listening after shutdown")
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-ttl", "0s"},
		{"-ttl", "soon"},
		{"-secret", ""},
		{"-addr", "127.0.0.1:0", "-root", filepath.Join(t.TempDir(), "missing")},
		{"stray"},
		{"-addr", "127.0.0.1:0", "-cors-origin", "null"},
		{"-addr", "127.0.0.1:0", "-cors-origin", "*,https://a.example"},
		{"-addr", "127.0.0.1:0", "-dev-origin", "*"},
		{"-addr", "127.0.0.1:0", "-allow-host", "http://evil.example/"},
	} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("run %q: no error", args)
		}
	}
}

func TestDisplayURL(t *testing.T) {
	cases := map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080/",
		"0.0.0.0:80":     "http://127.0.0.1:80/",
		"[::]:9000":      "http://127.0.0.1:9000/",
		"[::1]:9000":     "http://[::1]:9000/",
	}
	for addr, want := range cases {
		a, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := displayURL(a); got != want {
			t.Errorf("displayURL(%s) = %s, want %s", addr, got, want)
		}
	}
}

// The default -root is this repository's root even from a nested module
// (e2e/ has its own go.mod).
func TestFindRoot(t *testing.T) {
	repo := t.TempDir()
	os.WriteFile(filepath.Join(repo, "go.mod"), []byte("module "+modulePath+"\n\ngo 1.26\n"), 0o644)
	nested := filepath.Join(repo, "e2e", "deep")
	os.MkdirAll(nested, 0o755)
	os.WriteFile(filepath.Join(repo, "e2e", "go.mod"), []byte("module example.com/e2e\n"), 0o644)
	t.Chdir(nested)
	got, _ := filepath.EvalSymlinks(findRoot())
	want, _ := filepath.EvalSymlinks(repo)
	if got != want {
		t.Fatalf("findRoot() = %s, want %s", got, want)
	}
}

// Bound beyond loopback, the start-up prints a URL this machine can open,
// then the URLs other machines reach, and warns on stderr that /dev/token
// mints tokens for anyone who can reach it; bound to loopback it is quiet.
func TestRunWarnsBeyondLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr string
		warn bool
	}{{"0.0.0.0:0", true}, {"127.0.0.1:0", false}} {
		ctx, cancel := context.WithCancel(context.Background())
		outR, outW := io.Pipe()
		var stderr strings.Builder
		errc := make(chan error, 1)
		go func() {
			errc <- run(ctx, []string{"-addr", tc.addr, "-root", t.TempDir()}, outW, &stderr)
			outW.Close()
		}()
		br := bufio.NewReader(outR)
		line, err := br.ReadString('\n')
		if err != nil {
			cancel()
			t.Fatalf("%s: reading the start line: %v (run: %v)", tc.addr, err, <-errc)
		}
		m := regexp.MustCompile(`^game-session dev server: (http://127\.0\.0\.1:(\d+)/)\n$`).FindStringSubmatch(line)
		if m == nil {
			cancel()
			t.Fatalf("%s: start line %q, want a loopback URL", tc.addr, line)
		}
		restc := make(chan []byte, 1)
		go func() { b, _ := io.ReadAll(br); restc <- b }() // never block run
		var sessions struct{ Sessions []any }
		c := &http.Client{Timeout: 10 * time.Second}
		getJSON(t, c, m[1]+"dev/sessions", &sessions) // the printed URL works, /dev/ included
		cancel()
		rest := <-restc
		if err := <-errc; err != nil {
			t.Fatalf("%s: run: %v", tc.addr, err)
		}
		warning := stderr.String()
		if !tc.warn {
			if strings.Contains(warning, "WARNING") || len(rest) > 0 {
				t.Errorf("%s: warned: %q %q", tc.addr, rest, warning)
			}
			continue
		}
		for _, want := range []string{"WARNING", "port " + m[2] + ", beyond this machine", "/dev/token", "ANY user", "-addr 127.0.0.1"} {
			if !strings.Contains(warning, want) {
				t.Errorf("%s: warning lacks %q:\n%s", tc.addr, want, warning)
			}
		}
		t.Logf("%s: stdout after the start line:\n%sstderr:\n%s", tc.addr, rest, warning)
	}
}

func TestReachableURLs(t *testing.T) {
	ifaces := []net.Addr{}
	for _, cidr := range []string{"127.0.0.1/8", "::1/128", "192.0.2.2/24", "fd00::2/64", "fe80::1/64", "169.254.1.1/16"} {
		_, n, _ := net.ParseCIDR(cidr)
		ip, _, _ := net.ParseCIDR(cidr)
		ifaces = append(ifaces, &net.IPNet{IP: ip, Mask: n.Mask})
	}
	cases := map[string][]string{
		"0.0.0.0:8099":   {"http://192.0.2.2:8099/"},
		"[::]:8099":      {"http://192.0.2.2:8099/", "http://[fd00::2]:8099/"},
		"192.0.2.2:8099": {"http://192.0.2.2:8099/"},
		"[fd00::2]:8099": {"http://[fd00::2]:8099/"},
	}
	for addr, want := range cases {
		a, _ := net.ResolveTCPAddr("tcp", addr)
		if got := reachableURLs(a, ifaces); !slices.Equal(got, want) {
			t.Errorf("reachableURLs(%s) = %q, want %q", addr, got, want)
		}
		if !exposed(a) {
			t.Errorf("exposed(%s) = false", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:1", "[::1]:1", "127.0.0.2:1"} {
		if a, _ := net.ResolveTCPAddr("tcp", addr); exposed(a) {
			t.Errorf("exposed(%s) = true", addr)
		}
	}
}
