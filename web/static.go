package main

import (
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
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
//   - Dot files and directories (.git, .ci) are never served, directories
//     are not listed, and os.Root keeps every open inside -root (no ../ or
//     symlink escapes).

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
	fi, err := sf.root.Stat(rel)
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
		if fi, err = sf.root.Stat(rel); err != nil || !fi.Mode().IsRegular() {
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

	serve, serveInfo := rel, fi
	accept := r.Header.Get("Accept-Encoding")
	for _, enc := range encodings {
		sfi, err := sf.root.Stat(rel + enc.suffix)
		if err != nil || !sfi.Mode().IsRegular() || sfi.ModTime().Before(fi.ModTime()) {
			continue
		}
		// The answer depends on Accept-Encoding as soon as a variant exists.
		if !slices.Contains(h.Values("Vary"), "Accept-Encoding") {
			h.Add("Vary", "Accept-Encoding") // keep rs/cors's Vary: Origin
		}
		if serve == rel && acceptsEncoding(accept, enc.token) {
			serve, serveInfo = rel+enc.suffix, sfi
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
