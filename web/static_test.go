package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// staticRoot builds a -root with the files the dev server serves.
func staticRoot(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	built := time.Now().Add(-time.Hour).Truncate(time.Second)
	files := map[string]string{
		"index.html":                  "<!doctype html><title>playground</title>",
		"dist/game-session.wasm":      "\x00asm raw",
		"dist/game-session.wasm.br":   "BROTLI",
		"dist/game-session.wasm.gz":   "GZIP",
		"dist/game-session.js":        "// classic",
		"dist/game-session.mjs":       "export {}",
		"dist/game-session.d.ts":      "export {};",
		"dist/stale.js":               "// fresh",
		"dist/stale.js.br":            "OLD BROTLI",
		"dist/sub/index.html":         "sub index",
		".git/config":                 "[core]",
		"dist/.secret":                "hidden",
		"nolisting/file.txt":          "x",
		"dist/game-session.wasm.keep": "",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		// One build time for all, as a build followed by precompress.
		if err := os.Chtimes(p, built, built); err != nil {
			t.Fatal(err)
		}
	}
	// stale.js was rebuilt after its .br: the .br must not be served.
	old := built.Add(-time.Minute)
	if err := os.Chtimes(filepath.Join(dir, "dist/stale.js.br"), old, old); err != nil {
		t.Fatal(err)
	}
	// A symlink out of the root must not be followed.
	outside := filepath.Join(t.TempDir(), "outside.txt")
	os.WriteFile(outside, []byte("outside"), 0o644)
	if err := os.Symlink(outside, filepath.Join(dir, "escape.txt")); err != nil {
		t.Fatal(err)
	}
	return dir
}

type fetched struct {
	status int
	header http.Header
	body   string
}

func fetch(t *testing.T, c *http.Client, method, url, acceptEncoding string) fetched {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	// Setting Accept-Encoding ourselves also stops net/http from asking for
	// gzip and transparently decoding it.
	req.Header.Set("Accept-Encoding", acceptEncoding)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return fetched{res.StatusCode, res.Header, string(b)}
}

func TestStaticFiles(t *testing.T) {
	s := newTestServer(t, config{root: staticRoot(t)})
	ts := startHTTP(t, s)
	c := ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	cases := []struct {
		path, acceptEncoding string
		status               int
		contentType, body    string
		encoding, vary       string
	}{
		{"/", "", 200, "text/html; charset=utf-8", "<!doctype html><title>playground</title>", "", ""},
		{"/index.html", "", 200, "text/html; charset=utf-8", "<!doctype html><title>playground</title>", "", ""},
		{"/dist/game-session.wasm", "", 200, "application/wasm", "\x00asm raw", "", "Accept-Encoding"},
		{"/dist/game-session.wasm", "gzip, deflate, br, zstd", 200, "application/wasm", "BROTLI", "br", "Accept-Encoding"},
		{"/dist/game-session.wasm", "br", 200, "application/wasm", "BROTLI", "br", "Accept-Encoding"},
		{"/dist/game-session.wasm", "gzip", 200, "application/wasm", "GZIP", "gzip", "Accept-Encoding"},
		{"/dist/game-session.wasm", "br;q=0, gzip;q=0.5", 200, "application/wasm", "GZIP", "gzip", "Accept-Encoding"},
		{"/dist/game-session.wasm", "br;q=0.0, gzip;q=0", 200, "application/wasm", "\x00asm raw", "", "Accept-Encoding"},
		{"/dist/game-session.wasm", "identity", 200, "application/wasm", "\x00asm raw", "", "Accept-Encoding"},
		{"/dist/game-session.js", "br", 200, "text/javascript; charset=utf-8", "// classic", "", ""},
		{"/dist/game-session.mjs", "", 200, "text/javascript; charset=utf-8", "export {}", "", ""},
		{"/dist/game-session.d.ts", "", 200, "text/plain; charset=utf-8", "export {};", "", ""},
		{"/dist/stale.js", "br", 200, "text/javascript; charset=utf-8", "// fresh", "", ""},
		{"/dist/sub/", "", 200, "text/html; charset=utf-8", "sub index", "", ""},
		{"/dist/sub", "", 301, "", "", "", ""},
		{"/nolisting/", "", 404, "", "", "", ""},
		{"/.git/config", "", 404, "", "", "", ""},
		{"/dist/.secret", "", 404, "", "", "", ""},
		{"/escape.txt", "", 404, "", "", "", ""},
		{"/missing.js", "", 404, "", "", "", ""},
	}
	for _, tc := range cases {
		r := fetch(t, c, http.MethodGet, ts.URL+tc.path, tc.acceptEncoding)
		if r.status != tc.status {
			t.Errorf("%s (AE %q): status %d, want %d", tc.path, tc.acceptEncoding, r.status, tc.status)
			continue
		}
		if tc.status != 200 {
			continue
		}
		if got := r.header.Get("Content-Type"); got != tc.contentType {
			t.Errorf("%s: Content-Type %q, want %q", tc.path, got, tc.contentType)
		}
		if r.body != tc.body {
			t.Errorf("%s (AE %q): body %q, want %q", tc.path, tc.acceptEncoding, r.body, tc.body)
		}
		if got := r.header.Get("Content-Encoding"); got != tc.encoding {
			t.Errorf("%s (AE %q): Content-Encoding %q, want %q", tc.path, tc.acceptEncoding, got, tc.encoding)
		}
		if got := slices.Contains(r.header.Values("Vary"), "Accept-Encoding"); got != (tc.vary != "") {
			t.Errorf("%s (AE %q): Vary %q, want Accept-Encoding: %v", tc.path, tc.acceptEncoding, r.header.Values("Vary"), tc.vary != "")
		}
		if got := r.header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("%s: Cache-Control %q", tc.path, got)
		}
	}
	if r := fetch(t, c, http.MethodGet, ts.URL+"/dist/sub?x=1", ""); r.header.Get("Location") != "/dist/sub/?x=1" {
		t.Errorf("directory redirect to %q", r.header.Get("Location"))
	}
}

func TestStaticMethods(t *testing.T) {
	s := newTestServer(t, config{root: staticRoot(t)})
	ts := startHTTP(t, s)
	r := fetch(t, ts.Client(), http.MethodHead, ts.URL+"/dist/game-session.wasm", "br")
	if r.status != 200 || r.body != "" || r.header.Get("Content-Length") != "6" || r.header.Get("Content-Encoding") != "br" {
		t.Errorf("HEAD: %d len=%s enc=%s body=%q", r.status, r.header.Get("Content-Length"), r.header.Get("Content-Encoding"), r.body)
	}
	r = fetch(t, ts.Client(), http.MethodPost, ts.URL+"/index.html", "")
	if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST to a file: %d Allow=%q", r.status, r.header.Get("Allow"))
	}
}

func TestAcceptsEncoding(t *testing.T) {
	cases := []struct {
		header, coding string
		want           bool
	}{
		{"br", "br", true},
		{"gzip, deflate, br", "br", true},
		{"GZIP", "gzip", true},
		{" br ; q=0.5", "br", true},
		{"br;q=0", "br", false},
		{"br; q=0.000", "br", false},
		{"brotli", "br", false},
		{"", "br", false},
		{"*", "br", false},
	}
	for _, tc := range cases {
		if got := acceptsEncoding(tc.header, tc.coding); got != tc.want {
			t.Errorf("acceptsEncoding(%q, %q) = %v", tc.header, tc.coding, got)
		}
	}
}

// The real dist/ (when built) is served with the MIME types browsers need.
func TestStaticRealDist(t *testing.T) {
	root := findRoot()
	if _, err := os.Stat(filepath.Join(root, "dist", "game-session.wasm.br")); err != nil {
		t.Skip("dist/ not built")
	}
	s := newTestServer(t, config{root: root})
	ts := startHTTP(t, s)
	r := fetch(t, ts.Client(), http.MethodGet, ts.URL+"/dist/game-session.wasm", "gzip, br")
	if r.status != 200 || r.header.Get("Content-Type") != "application/wasm" || r.header.Get("Content-Encoding") != "br" {
		t.Fatalf("dist wasm: %d %v", r.status, r.header)
	}
}

// The dot rule holds for where symlinks point: a link in the root to a
// dot-directory, a dot-file, or out of the root is not served, by file,
// through a directory, as a directory index or as a precompressed sibling;
// links to ordinary files and directories inside the root still work.
func TestStaticSymlinksFollowTheDotRule(t *testing.T) {
	dir := staticRoot(t)
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "x.txt"), []byte("outside"), 0o644)
	os.MkdirAll(filepath.Join(dir, "pub"), 0o755)
	os.WriteFile(filepath.Join(dir, ".hidden.html"), []byte("hidden index"), 0o644)
	os.WriteFile(filepath.Join(dir, "dist/app.js"), []byte("// app"), 0o644)
	// Older than .git/config, so its linked .br would not be stale.
	old := time.Now().Add(-3 * time.Hour)
	os.Chtimes(filepath.Join(dir, "dist/app.js"), old, old)
	links := map[string]string{
		"peek":               ".git",
		"conf.txt":           ".git/config",
		"dist/s.txt":         ".secret",
		"abs.txt":            filepath.Join(dir, ".git/config"),
		"out":                outside,
		"pub/index.html":     "../.hidden.html",
		"dist/app.js.br":     "../.git/config",
		"loop":               "loop",
		"dist/deep/x":        "../../.git/config",
		"dist/link.html":     "../index.html",
		"dist/sublink":       "sub",
		"dist/dotdir-parent": "../.git/..",
	}
	for name, target := range links {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	s := newTestServer(t, config{root: dir})
	ts := startHTTP(t, s)
	refused := []string{
		"/peek/config", "/peek/", "/peek", "/conf.txt", "/dist/s.txt", "/abs.txt",
		"/out/x.txt", "/pub/", "/loop", "/dist/deep/x",
	}
	for _, p := range refused {
		if r := fetch(t, ts.Client(), "GET", ts.URL+p, ""); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d %q, want 404", p, r.status, r.body)
		}
	}
	if r := fetch(t, ts.Client(), "GET", ts.URL+"/dist/app.js", "br"); r.status != 200 || r.body != "// app" {
		t.Errorf("app.js with a .br linked to .git/config: %d %q", r.status, r.body)
	}
	served := map[string]string{
		"/dist/link.html":                "<!doctype html><title>playground</title>",
		"/dist/sublink/":                 "sub index",
		"/dist/dotdir-parent/index.html": "<!doctype html><title>playground</title>", // resolves to the root itself
	}
	for p, want := range served {
		if r := fetch(t, ts.Client(), "GET", ts.URL+p, ""); r.status != 200 || r.body != want {
			t.Errorf("GET %s: %d %q, want %q", p, r.status, r.body, want)
		}
	}
}
