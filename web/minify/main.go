// Command minify rewrites the classic script, dist/game-session.js, minified (esbuild) with a
// source map beside it, game-session.js.map, that holds the readable script whole:
//
//	go run ./web/minify dist/game-session.js
//
// Why: the classic script is parsed before the .wasm's request can start, and it is what a
// script-tag game downloads. Minified it is 30 KB instead of 79 KB (11 KB gzip), and the cold
// start-up to ready was ×0.91–×0.97 of the readable script's (three bench runs of 60 paired
// loads). The dev tools map it back to the readable source through the map.
//
// Only whitespace and local names change, not syntax: esbuild's syntax minification assumes
// no document.all and folds `x !== undefined && x !== null` into `x != null`, which document.all
// passes (startSession(token, document.all) then started a session instead of rejecting;
// e2e TestHostileValuesInTheBrowser). It would save 1.2 KB. Nothing is lowered (the readable
// script runs in the same browsers) and nothing is added outside the script's own function
// (esbuild's keepNames would add two globals; the page's global gains only the design's three
// names). Errors keep their name: GameSessionError's is a property of its prototype.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./web/minify FILE.js (rewrites FILE.js, writes FILE.js.map)")
		os.Exit(2)
	}
	if err := minify(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "minify:", err)
		os.Exit(1)
	}
}

// sourceName is the readable script's name in the map: not the minified file's own name, which
// the dev console would then show twice.
const sourceName = "game-session.source.js"

func minify(name string) error {
	src, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	banner, err := licenseBanner(string(src))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	r := api.Transform(string(src), api.TransformOptions{
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		Sourcemap:         api.SourceMapExternal,
		SourcesContent:    api.SourcesContentInclude,
		Sourcefile:        sourceName,
		LegalComments:     api.LegalCommentsNone, // the banner carries them
		Banner:            banner,
		Charset:           api.CharsetASCII,
	})
	if len(r.Errors) > 0 {
		msgs := api.FormatMessages(r.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
		return fmt.Errorf("%s: %s", name, strings.Join(msgs, ""))
	}
	mapName := filepath.Base(name) + ".map"
	code := append(r.Code, "//# sourceMappingURL="+mapName+"\n"...)
	if err := os.WriteFile(name+".map", r.Map, 0o644); err != nil {
		return err
	}
	return os.WriteFile(name, code, 0o644)
}

// licenseBanner is the comment the minified script starts with: what it is, its version, where
// its readable source is, and the notice of Go's wasm_exec.js inside it, which that file's BSD
// license asks to keep with every copy. A script without them is not the one this command is for.
func licenseBanner(src string) (string, error) {
	_, rest, ok := strings.Cut(src, "const VERSION = \"")
	version, _, ok2 := strings.Cut(rest, "\"")
	if !ok || !ok2 {
		return "", fmt.Errorf("has no VERSION line: is it the built classic script?")
	}
	const goNotice = "Copyright 2018 The Go Authors. All rights reserved."
	if !strings.Contains(src, goNotice) {
		return "", fmt.Errorf("holds no %q (Go's wasm_exec.js): is it the built classic script?", goNotice)
	}
	return "// game-session " + version + ", classic script, minified: the readable source is in its source map.\n" +
		"// It holds Go's wasm_exec.js: " + goNotice + " Use of that source code is governed by a BSD-style\n" +
		"// license that can be found at https://go.dev/LICENSE.", nil
}
