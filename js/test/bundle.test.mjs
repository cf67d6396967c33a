// The package works in a bundler: the packed tarball, installed and bundled by esbuild
// (test/bundle.mjs), yields a bundle with Go's runtime inside and the .wasm as a copied asset.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as esbuild from "esbuild";
import { distDir, installPackage, packDist, tempDir } from "./helpers.mjs";
import { bundle } from "./bundle.mjs";

test("esbuild bundles the installed package with its .wasm asset", async (t) => {
  const out = await bundle(tempDir("bundle-out"));
  t.after(() => rmSync(out.outdir, { recursive: true, force: true }));
  assert.ok(out.wasm, "no game-session-*.wasm in the output");
  const script = readFileSync(path.join(out.outdir, out.script), "utf8");
  assert.ok(script.includes(`"./${out.wasm}"`), `game.js does not reference ${out.wasm}`);
  assert.match(script, /function defineGo\(/, "Go's runtime was left out of the bundle");
  assert.match(script, /\.Go = class \{/, "Go's runtime was left out of the bundle");
  assert.match(script, /__gameSessionInit/, "the loader was left out of the bundle");
  assert.ok(readFileSync(path.join(out.outdir, out.wasm)).equals(readFileSync(path.join(distDir, "game-session.wasm"))),
    "the copied asset is not dist/game-session.wasm");
  assert.match(readFileSync(path.join(out.outdir, out.html), "utf8"), /<script type="module" src="\.\/game\.js">/);
});

// package.json's sideEffects: `import "game-session"` alone (it starts loading the module) must
// survive tree shaking.
test("esbuild keeps a side-effect-only import of the package", async (t) => {
  const project = tempDir("side-effects");
  t.after(() => rmSync(project, { recursive: true, force: true }));
  await installPackage(project, await packDist(project));
  writeFileSync(path.join(project, "entry.js"), 'import "game-session";\n');
  const outdir = path.join(project, "out");
  await esbuild.build({
    absWorkingDir: project,
    entryPoints: ["entry.js"],
    bundle: true,
    format: "esm",
    platform: "browser",
    loader: { ".wasm": "file" },
    outdir,
    logLevel: "error",
  });
  const script = readFileSync(path.join(outdir, "entry.js"), "utf8");
  assert.match(script, /__gameSessionInit/, "the loader was dropped");
  assert.match(script, /function defineGo\(/, "Go's runtime was dropped");
});
