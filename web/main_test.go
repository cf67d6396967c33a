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
	} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("run %q: no error", args)
		}
	}
}

func TestDisplayURL(t *testing.T) {
	cases := map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080/",
		"0.0.0.0:80":     "http://localhost:80/",
		"[::]:9000":      "http://localhost:9000/",
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
