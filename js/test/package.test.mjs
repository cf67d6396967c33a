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
    "README.md",
    "game-session.d.ts",
    "game-session.js",
    "game-session.mjs",
    "game-session.wasm",
    "game-session.wasm.br",
    "game-session.wasm.gz",
    "package.json",
    "wasm_exec.js",
  ]);
});

test("dist/package.json: ESM with types, the classic script exported, side effects declared", () => {
  const pkg = JSON.parse(readFileSync(path.join(distDir, "package.json"), "utf8"));
  assert.equal(pkg.type, "module");
  assert.equal(pkg.types, "./game-session.d.ts");
  assert.deepEqual(Object.keys(pkg.exports["."]), ["types", "import", "default"], "types must come first");
  assert.equal(pkg.exports["."].import, "./game-session.mjs");
  assert.equal(pkg.exports["./classic"].default, "./game-session.js");
  assert.equal(pkg.exports["./game-session.wasm"], "./game-session.wasm");
  assert.deepEqual(pkg.sideEffects.sort(), ["./game-session.js", "./wasm_exec.js"]);
});

test("the version is the same everywhere once built", () => {
  const version = packageVersion();
  for (const f of ["game-session.js", "game-session.mjs"]) {
    const line = /const VERSION = "([^"]*)";/.exec(readFileSync(path.join(distDir, f), "utf8"));
    assert.ok(line, `dist/${f} has no VERSION line`);
    assert.equal(line[1], version, `dist/${f}: build.sh must replace 0.0.0-dev with the version`);
  }
});

test("the ESM imports Go's runtime and names the wasm so bundlers ship both", () => {
  const esm = readFileSync(path.join(distDir, "game-session.mjs"), "utf8");
  assert.match(esm, /^import "\.\/wasm_exec\.js";$/m);
  assert.match(esm, /new URL\("\.\/game-session\.wasm", import\.meta\.url\)/);
  // wasm_exec.js must stay a plain script that defines globalThis.Go (the import relies on it).
  const glue = readFileSync(path.join(distDir, "wasm_exec.js"), "utf8");
  assert.match(glue, /globalThis\.Go = class/);
  assert.doesNotMatch(glue, /^\s*(import|export)\s/m);
});
