// The package itself: generated classic script up to date, npm pack's file list exact, and a
// package.json whose entry points resolve to the files that are shipped.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { distDir, jsDir, mustRun, needDist, npmBin, packageVersion, run } from "./helpers.mjs";

before(needDist);

test("js/game-session.js is generated from the current sources (npm run gen)", async () => {
  const r = await run(process.execPath, [path.join(jsDir, "gen-classic.mjs"), "--check"]);
  assert.equal(r.code, 0, r.stderr);
});

test("npm pack dist/ holds exactly the package's files", async () => {
  const { stdout } = await mustRun(npmBin, ["pack", distDir, "--dry-run", "--json"], { cwd: jsDir });
  const [pack] = JSON.parse(stdout);
  assert.equal(pack.name, "game-session");
  assert.equal(pack.version, packageVersion());
  assert.deepEqual(pack.files.map((f) => f.path).sort(), [
    "LICENSE",
    "README.md",
    "game-session.d.ts",
    "game-session.js",
    "game-session.js.map",
    "game-session.mjs",
    "game-session.wasm",
    "game-session.wasm.br",
    "game-session.wasm.d.ts",
    "game-session.wasm.gz",
    "global.d.ts",
    "package.json",
    "wasm_exec.mjs",
  ]);
});

test("dist/package.json: MIT with its LICENSE, engines, and a README written for package users", () => {
  const pkg = JSON.parse(readFileSync(path.join(distDir, "package.json"), "utf8"));
  assert.equal(pkg.license, "MIT");
  assert.match(readFileSync(path.join(distDir, "LICENSE"), "utf8"), /^MIT License\n/);
  assert.match(pkg.engines.node, /^>=\d+$/);
  const readme = readFileSync(path.join(distDir, "README.md"), "utf8");
  assert.doesNotMatch(readme, /build\.sh/, "the package has no build.sh");
  assert.match(readme, /npm install \.\/game-session-[^ ]*\.tgz/, "the package is installed from a tarball (not on npm)");
  assert.match(readme, /reference types="game-session\/global"/);
  assert.match(readme, /Access-Control-Allow-Origin/);
});

test("dist/package.json: ESM with types, the globals' types opt-in, the .wasm typed, side effects declared", () => {
  const pkg = JSON.parse(readFileSync(path.join(distDir, "package.json"), "utf8"));
  assert.equal(pkg.type, "module");
  assert.equal(pkg.types, "./game-session.d.ts");
  assert.deepEqual(Object.keys(pkg.exports), [".", "./global", "./game-session.wasm", "./game-session.js", "./package.json"],
    "no ./classic: a classic script cannot be bundled");
  assert.deepEqual(Object.keys(pkg.exports["."]), ["types", "import", "default"], "types must come first");
  assert.equal(pkg.exports["."].import, "./game-session.mjs");
  assert.deepEqual(pkg.exports["./global"], { types: "./global.d.ts" });
  assert.deepEqual(pkg.exports["./game-session.wasm"], { types: "./game-session.wasm.d.ts", default: "./game-session.wasm" });
  // Importing the ESM starts loading the module in a page: a side effect a bundler must keep.
  assert.deepEqual(pkg.sideEffects.sort(), ["./game-session.js", "./game-session.mjs"]);
});

// The classic script's readable source, as build.sh spliced it before minifying: its source map's.
function classicSource() {
  const map = JSON.parse(readFileSync(path.join(distDir, "game-session.js.map"), "utf8"));
  assert.deepEqual(map.sources, ["game-session.source.js"]);
  return map.sourcesContent[0];
}

test("the version is the same everywhere once built", () => {
  const version = packageVersion();
  const sources = { "game-session.js": classicSource(), "game-session.mjs": readFileSync(path.join(distDir, "game-session.mjs"), "utf8") };
  for (const [f, source] of Object.entries(sources)) {
    const line = /const VERSION = "([^"]*)";/.exec(source);
    assert.ok(line, `dist/${f} has no VERSION line`);
    assert.equal(line[1], version, `dist/${f}: build.sh must replace 0.0.0-dev with the version`);
  }
  const classic = readFileSync(path.join(distDir, "game-session.js"), "utf8");
  assert.ok(classic.startsWith(`// game-session ${version}, classic script, minified`), "the minified script's first line names the version");
});

test("the classic script ships minified (web/minify), with the Go license notice and a source map of its whole source", () => {
  const classic = readFileSync(path.join(distDir, "game-session.js"), "utf8");
  const source = classicSource();
  assert.ok(source.includes("function earlyFetch(url) {"), "the map holds the readable source");
  assert.ok(classic.length < source.length / 2, `minified: ${classic.length} B, its source ${source.length} B`);
  assert.doesNotMatch(classic, /function earlyFetch\(/, "local names are minified");
  const head = classic.split("\n").slice(0, 3).join("\n");
  assert.match(head, /Go's wasm_exec\.js: Copyright 2018 The Go Authors\. All rights reserved\./);
  assert.match(head, /BSD-style\n\/\/ license that can be found at https:\/\/go\.dev\/LICENSE\./);
  assert.match(classic, /\n\(function\(\)\{"use strict";/, "one function around everything: nothing else on the page's global");
  assert.ok(classic.endsWith("\n//# sourceMappingURL=game-session.js.map\n"));
});

test("Go's runtime comes from the toolchain, wrapped so that it defines no globals", async () => {
  const { stdout } = await mustRun("go", ["env", "GOROOT"]);
  // build.sh gives the record of a JS→Go call an own `result` (a page's Object.prototype setter
  // would otherwise stop the module): the only change to the toolchain's file.
  const guard = ["const event = { id: id, this: this, args: arguments };",
    "const event = { id: id, this: this, args: arguments, result: undefined };"];
  const original = readFileSync(path.join(stdout.trim(), "lib", "wasm", "wasm_exec.js"), "utf8");
  assert.ok(original.includes(guard[0]), "the toolchain's wasm_exec.js has the guarded line");
  const toolchain = original.replace(guard[0], guard[1]);
  const esm = readFileSync(path.join(distDir, "game-session.mjs"), "utf8");
  assert.match(esm, /^import \{ defineGo \} from "\.\/wasm_exec\.mjs";$/m);
  assert.match(esm, /new URL\("\.\/game-session\.wasm", import\.meta\.url\)/, "the expression bundlers recognise");
  const runtime = readFileSync(path.join(distDir, "wasm_exec.mjs"), "utf8");
  assert.match(runtime, /^export function defineGo\(globalThis\) \{$/m);
  assert.ok(runtime.includes(toolchain), "dist/wasm_exec.mjs holds this toolchain's wasm_exec.js");
  const classic = classicSource();
  assert.ok(classic.includes(toolchain), "dist/game-session.js holds this toolchain's wasm_exec.js (its source map's source)");
  assert.doesNotMatch(classic, /@wasm_exec/, "build.sh left the marker");
  assert.match(classic, /^function defineGo\(globalThis\) \{$/m);
});
