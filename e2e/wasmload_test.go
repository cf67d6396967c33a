package e2e

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loadServer serves dist/'s scripts under /MODE/ and the .wasm as MODE says,
// for the ways a server or a CDN gets it wrong (issue 11 item 4, issue 12
// item 3). /page/classic?dir=D and /page/esm?dir=D are pages that load the SDK
// from D and record how GameSession.ready and a call queued before it settle.
// The modes:
//
//	plain     application/wasm
//	charset   application/wasm; charset=utf-8 (streaming compile refuses it)
//	html      an HTML page, as a dev server's SPA fallback answers
//	hang      the request accepted and never answered
//	stall64k  headers and the first 64 KB, then nothing
//	trickle   application/wasm in 25 parts, 500 ms apart: over 12 s, never 10 s without data
//	nocors    application/wasm without CORS headers (a CDN that has none)
//	cors      application/wasm with Access-Control-Allow-Origin: *
//
// The scripts always carry Access-Control-Allow-Origin: * (CDNs send it;
// module scripts need it), so that only the .wasm differs.
func loadServer(t *testing.T) *httptest.Server {
	t.Helper()
	wasm, err := os.ReadFile(filepath.Join(repoRoot, "dist", "game-session.wasm"))
	require.NoError(t, err)
	stop := make(chan struct{})
	block := func(r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /page/{kind}", func(w http.ResponseWriter, r *http.Request) {
		dir := html.EscapeString(r.URL.Query().Get("dir"))
		var load, api string
		switch r.PathValue("kind") {
		case "classic":
			load, api = fmt.Sprintf(`<script src="%s/game-session.js"></script><script>`, dir), "GameSession"
		case "esm":
			load, api = fmt.Sprintf(`<script type="module">import * as gs from "%s/game-session.mjs";`, dir), "gs"
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><meta charset="utf-8"><title>e2e: loading</title>%s
  const settle = (p, name) => p.then(
    () => { window[name] = { ok: true, at: performance.now() }; },
    (e) => { window[name] = { ok: false, name: e.name, code: e.code, status: e.status, message: String(e.message), at: performance.now() }; });
  settle(%[2]s.ready, "__ready");
  settle(%[2]s.endSession(), "__call");
</script>`, load, api)
	})
	mux.HandleFunc("GET /{mode}/{file}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		file := r.PathValue("file")
		if file != "game-session.wasm" {
			if file != "game-session.js" && file != "game-session.mjs" && file != "wasm_exec.mjs" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			http.ServeFile(w, r, filepath.Join(repoRoot, "dist", file))
			return
		}
		switch mode := r.PathValue("mode"); mode {
		case "plain", "nocors", "cors", "charset":
			w.Header().Set("Content-Type", "application/wasm")
			if mode == "charset" {
				w.Header().Set("Content-Type", "application/wasm; charset=utf-8")
			}
			if mode != "nocors" {
				w.Header().Set("Access-Control-Allow-Origin", "*")
			}
			_, _ = w.Write(wasm)
		case "html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte("<!doctype html><title>My game</title><div id=app></div>"))
		case "hang":
			block(r)
		case "trickle":
			w.Header().Set("Content-Type", "application/wasm")
			w.Header().Set("Content-Length", fmt.Sprint(len(wasm)))
			part := len(wasm)/24 + 1
			for rest := wasm; len(rest) > 0; {
				n := min(part, len(rest))
				if _, err := w.Write(rest[:n]); err != nil {
					return
				}
				rest = rest[n:]
				w.(http.Flusher).Flush()
				select {
				case <-time.After(500 * time.Millisecond):
				case <-r.Context().Done():
					return
				case <-stop:
					return
				}
			}
		case "stall64k":
			w.Header().Set("Content-Type", "application/wasm")
			w.Header().Set("Content-Length", fmt.Sprint(len(wasm)))
			_, _ = w.Write(wasm[:64<<10])
			w.(http.Flusher).Flush()
			block(r)
		default:
			http.NotFound(w, r)
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(stop) }) // runs first: release the blocked handlers
	return srv
}

// loadResult is how a page's ready or queued call settled.
type loadResult struct {
	OK      bool    `json:"ok"`
	Name    string  `json:"name"`
	Code    string  `json:"code"`
	Status  int     `json:"status"`
	Message string  `json:"message"`
	At      float64 `json:"at"` // ms since navigation
}

// loadPage opens url and waits up to wait for ready and the queued call to settle.
func loadPage(t *testing.T, url string, wait time.Duration) (ready, call loadResult) {
	t.Helper()
	p := newTab(t)
	p.Navigate(url)
	p.WaitJS("window.__ready && window.__call", wait, "ready and the queued call to settle")
	return eval[loadResult](p, "window.__ready"), eval[loadResult](p, "window.__call")
}

// Issue 12 item 3: a stalled .wasm download rejects ready and every queued
// call with TIMEOUT once no byte came for 10 s (the loader's STALL_MS).
func TestStalledDownload(t *testing.T) {
	t.Parallel()
	srv := loadServer(t)
	for _, mode := range []string{"hang", "stall64k"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			ready, call := loadPage(t, srv.URL+"/page/classic?dir=/"+mode, 30*time.Second)
			t.Logf("ready rejected after %.1f s: %s", ready.At/1000, ready.Message)
			assert.False(t, ready.OK)
			assert.Equal(t, "GameSessionError", ready.Name)
			assert.Equal(t, "TIMEOUT", ready.Code)
			assert.Contains(t, ready.Message, "/"+mode+"/game-session.wasm stalled (no data for 10 s)")
			assert.Equal(t, ready.Code, call.Code, "the queued call: %+v", call)
			assert.Equal(t, ready.Message, call.Message)
			// Not before the 10 s without data; the upper bound leaves a busy
			// machine 8 s on top of the loader's 1 s check interval.
			assert.GreaterOrEqual(t, ready.At, 10000.0)
			assert.Less(t, ready.At, 19000.0)
		})
	}
}

// A slow .wasm download that never goes 10 s without data loads, however
// long it takes in all: the stall watch counts the bytes, also those that came
// before it began reading (a second in, see the loader's watch).
func TestTrickleDownloadLoads(t *testing.T) {
	t.Parallel()
	srv := loadServer(t)
	ready, call := loadPage(t, srv.URL+"/page/classic?dir=/trickle", 30*time.Second)
	t.Logf("ready after %.1f s: %+v", ready.At/1000, ready)
	assert.True(t, ready.OK, "%+v", ready)
	assert.True(t, call.OK, "the queued call: %+v", call)
	assert.Greater(t, ready.At, 10000.0, "the download took longer than the stall watch's 10 s")
}

// Issue 11 item 4: any .wasm content type loads; an HTML page instead of the
// .wasm is named as such with the way out; a .wasm on another origin without
// CORS says that it needs CORS, and loads once it has it.
func TestForgivingLoad(t *testing.T) {
	t.Parallel()
	srv := loadServer(t)
	// The page is served as localhost, the scripts and .wasm as 127.0.0.1: another origin.
	pageOrigin := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	const wait = 15 * time.Second

	t.Run("application/wasm with a charset", func(t *testing.T) {
		t.Parallel()
		for _, kind := range []string{"classic", "esm"} {
			ready, _ := loadPage(t, srv.URL+"/page/"+kind+"?dir=/charset", wait)
			assert.True(t, ready.OK, "%s: %+v", kind, ready)
		}
	})

	t.Run("HTML instead of WebAssembly", func(t *testing.T) {
		t.Parallel()
		for kind, hint := range map[string]string{
			"esm":     "configure({ wasmUrl })",
			"classic": "game-session.wasm must be served beside game-session.js",
		} {
			ready, call := loadPage(t, srv.URL+"/page/"+kind+"?dir=/html", wait)
			assert.Equal(t, "BAD_RESPONSE", ready.Code, "%s: %+v", kind, ready)
			assert.Contains(t, ready.Message, "/html/game-session.wasm is not WebAssembly: got text/html; charset=utf-8 (a web page)", kind)
			assert.Contains(t, ready.Message, hint, kind)
			assert.NotContains(t, ready.Message, "3c 21", "%s: magic bytes are no explanation", kind)
			assert.Equal(t, ready.Message, call.Message, kind)
		}
	})

	t.Run("a script tag from another origin, .wasm without CORS", func(t *testing.T) {
		t.Parallel()
		ready, call := loadPage(t, pageOrigin+"/page/classic?dir="+srv.URL+"/nocors", wait)
		assert.Equal(t, "NETWORK_ERROR", ready.Code, "%+v", ready)
		assert.Contains(t, ready.Message, srv.URL+"/nocors/game-session.wasm")
		assert.Contains(t, ready.Message, "another origin than the page ("+pageOrigin+")")
		assert.Contains(t, ready.Message, "CORS (Access-Control-Allow-Origin)")
		assert.Equal(t, ready.Message, call.Message)
	})

	t.Run("a script tag from another origin, .wasm with CORS", func(t *testing.T) {
		t.Parallel()
		ready, _ := loadPage(t, pageOrigin+"/page/classic?dir="+srv.URL+"/cors", wait)
		assert.True(t, ready.OK, "%+v", ready)
	})
}
