// The package works in a bundler: the packed tarball, installed and bundled by esbuild
// (test/bundle.mjs), yields a bundle with Go's runtime inside and the .wasm as a copied asset.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { distDir, tempDir } from "./helpers.mjs";
import { bundle } from "./bundle.mjs";

test("esbuild bundles the installed package with its .wasm asset", async (t) => {
  const out = await bundle(tempDir("bundle-out"));
  t.after(() => rmSync(out.outdir, { recursive: true, force: true }));
  assert.ok(out.wasm, "no game-session-*.wasm in the output");
  const script = readFileSync(path.join(out.outdir, out.script), "utf8");
  assert.ok(script.includes(`"./${out.wasm}"`), `game.js does not reference ${out.wasm}`);
  assert.match(script, /globalThis\.Go = class/, "wasm_exec.js was left out of the bundle");
  assert.match(script, /__gameSessionInit/, "the loader was left out of the bundle");
  assert.ok(readFileSync(path.join(out.outdir, out.wasm)).equals(readFileSync(path.join(distDir, "game-session.wasm"))),
    "the copied asset is not dist/game-session.wasm");
  assert.match(readFileSync(path.join(out.outdir, out.html), "utf8"), /<script type="module" src="\.\/game\.js">/);
});
