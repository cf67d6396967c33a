package main

import (
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Static files: the playground (index.html) and dist/ from the -root
// directory. Choices:
//   - MIME types come from a fixed table for what this project serves, not
//     from the host's mime database: WebAssembly.instantiateStreaming needs
//     exactly application/wasm, and some hosts map .ts to video/mp2t.
//   - FILE.br / FILE.gz siblings written by web/precompress are served in
//     place of FILE when the client accepts that encoding (brotli first),
//     with Content-Encoding, FILE's Content-Type and Vary: Accept-Encoding.
//     A sibling older than FILE is stale (FILE was rebuilt since) and ignored.
//   - Cache-Control: no-cache on everything: this is a dev server whose
//     files change on every build, so browsers always revalidate (cheap:
//     Last-Modified makes it a 304).
//   - Dot files and directories (.git, .ci) are never served, neither by
//     name nor through a symlink that points at one; directories are not
//     listed; and os.Root keeps every open inside -root (no ../ or symlink
//     escapes).

var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".wasm": "application/wasm",
	".json": "application/json",
	".map":  "application/json",
	".css":  "text/css; charset=utf-8",
	".ts":   "text/plain; charset=utf-8", // the .d.ts types
	".md":   "text/markdown; charset=utf-8",
	".txt":  "text/plain; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".ico":  "image/x-icon",
	".br":   "application/octet-stream",
	".gz":   "application/gzip",
}

func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if ct, ok := contentTypes[ext]; ok {
		return ct
	}
	if ct := mime.TypeByExtension(ext); ct != "" {
		return ct
	}
	return "application/octet-stream"
}

// encodings are the precompressed siblings tried, in order of preference.
var encodings = []struct{ token, suffix string }{
	{"br", ".br"},
	{"gzip", ".gz"},
}

type staticFiles struct {
	root *os.Root
	dir  string // the root's real path (symlinks resolved), for resolve
}

// newStaticFiles serves dir.
func newStaticFiles(dir string) (*staticFiles, error) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, err
	}
	if real, err = filepath.Abs(real); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(real)
	if err != nil {
		return nil, err
	}
	return &staticFiles{root: root, dir: real}, nil
}

// resolve returns the root-relative, slash-separated path rel really
// names, its symlinks followed, and whether it may be served: it must stay
// inside the root and have no dot-file or dot-directory segment, so the dot
// rule holds for where a symlink points, not only for the URL. (os.Root
// alone keeps opens inside the root but would follow "peek" -> ".git".)
// What resolve checked is what is then opened: the resolved path, through
// the root.
func (sf *staticFiles) resolve(rel string) (string, bool) {
	real, err := filepath.EvalSymlinks(filepath.Join(sf.dir, filepath.FromSlash(rel)))
	if err != nil {
		return "", false
	}
	r, err := filepath.Rel(sf.dir, real)
	if err != nil || !filepath.IsLocal(r) { // IsLocal(".") is true
		return "", false
	}
	r = filepath.ToSlash(r)
	if r == "." {
		return r, true
	}
	for seg := range strings.SplitSeq(r, "/") {
		if strings.HasPrefix(seg, ".") {
			return "", false
		}
	}
	return r, true
}

// stat is root.Stat of the resolved rel, and the resolved path.
func (sf *staticFiles) stat(rel string) (string, fs.FileInfo, error) {
	r, ok := sf.resolve(rel)
	if !ok {
		return "", nil, fs.ErrNotExist
	}
	fi, err := sf.root.Stat(r)
	return r, fi, err
}

func (sf *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := path.Clean("/" + r.URL.Path)
	for _, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, ".") {
			http.NotFound(w, r)
			return
		}
	}
	rel := strings.TrimPrefix(name, "/")
	if rel == "" {
		rel = "."
	}
	real, fi, err := sf.stat(rel)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if fi.IsDir() {
		if !strings.HasSuffix(r.URL.Path, "/") {
			// Relative URLs in an index.html resolve against the directory.
			target := r.URL.Path + "/"
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return
		}
		rel = path.Join(rel, "index.html")
		if real, fi, err = sf.stat(rel); err != nil || !fi.Mode().IsRegular() {
			http.NotFound(w, r) // no directory listings
			return
		}
	}
	if !fi.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}

	h := w.Header()
	h.Set("Content-Type", contentType(rel))
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")

	serve, serveInfo := real, fi
	accept := r.Header.Get("Accept-Encoding")
	for _, enc := range encodings {
		sreal, sfi, err := sf.stat(rel + enc.suffix)
		if err != nil || !sfi.Mode().IsRegular() || sfi.ModTime().Before(fi.ModTime()) {
			continue
		}
		// The answer depends on Accept-Encoding as soon as a variant exists.
		if !slices.Contains(h.Values("Vary"), "Accept-Encoding") {
			h.Add("Vary", "Accept-Encoding") // keep rs/cors's Vary: Origin
		}
		if serve == real && acceptsEncoding(accept, enc.token) {
			serve, serveInfo = sreal, sfi
			h.Set("Content-Encoding", enc.token)
			// ServeContent leaves Content-Length out when Content-Encoding
			// is set (it guards against on-the-fly compressors); these bytes
			// are exactly the file's, so loaders can show progress.
			h.Set("Content-Length", strconv.FormatInt(sfi.Size(), 10))
		}
	}

	f, err := sf.root.Open(serve)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			http.NotFound(w, r)
		} else {
			http.Error(w, "500 could not open file", http.StatusInternalServerError)
		}
		return
	}
	defer f.Close()
	http.ServeContent(w, r, rel, serveInfo.ModTime(), f)
}

// acceptsEncoding reports whether an Accept-Encoding header value accepts
// coding (a listed coding with q=0 is refused; "*" is not honoured, as no
// browser relies on it).
func acceptsEncoding(header, coding string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(name), coding) {
			continue
		}
		for p := range strings.SplitSeq(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				if q, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && q <= 0 {
					return false
				}
			}
		}
		return true
	}
	return false
}
