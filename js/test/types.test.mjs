// The published types: installed from the packed dist/ into a throwaway project, the examples in
// test/types must compile with --strict, and bad.ts must fail exactly where it says it will.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { installPackage, jsDir, needDist, packDist, run, tempDir } from "./helpers.mjs";

const tsc = path.join(jsDir, "node_modules", ".bin", "tsc");
const common = ["--noEmit", "--strict", "--pretty", "false", "--target", "es2022", "--lib", "es2022,dom"];
const bundler = [...common, "--module", "esnext", "--moduleResolution", "bundler"];
const nodenext = [...common, "--module", "nodenext", "--moduleResolution", "nodenext"];
let project;

before(async () => {
  needDist();
  project = tempDir("types");
  await installPackage(project, await packDist(project));
  for (const f of readdirSync(path.join(jsDir, "test", "types"))) {
    copyFileSync(path.join(jsDir, "test", "types", f), path.join(project, f));
  }
});

after(() => rmSync(project, { recursive: true, force: true }));

async function typecheck(flags, file) {
  return run(tsc, [...flags, file], { cwd: project });
}

for (const [name, flags] of [["bundler", bundler], ["nodenext", nodenext]]) {
  test(`ok.ts type-checks against the package (moduleResolution ${name})`, async () => {
    const r = await typecheck(flags, "ok.ts");
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });
}

test("globals-ok.ts type-checks: the classic script's globals", async () => {
  const r = await typecheck(bundler, "globals-ok.ts");
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

// expectErrors checks that tsc failed with exactly the errors file marks "// expect TSnnnn".
function expectErrors(r, file) {
  assert.notEqual(r.code, 0, `tsc accepted ${file}`);
  const expected = readFileSync(path.join(project, file), "utf8").split("\n").flatMap((line, i) => {
    const m = /\/\/ expect (TS\d+)$/.exec(line);
    return m ? [`${file}(${i + 1}) ${m[1]}`] : [];
  });
  assert.ok(expected.length >= 3, `${file} lost its markers`);
  const got = [...r.stdout.matchAll(/^([\w-]+\.ts)\((\d+),\d+\): error (TS\d+):/gm)].map((m) => `${m[1]}(${m[2]}) ${m[3]}`);
  assert.deepEqual(got, expected, r.stdout);
}

test("bad.ts fails, with exactly the marked errors", async () => {
  expectErrors(await typecheck(bundler, "bad.ts"), "bad.ts");
});

test("the ES module's types declare no globals: a script using them without opting in fails", async () => {
  expectErrors(await run(tsc, [...bundler, "ok.ts", "script-without-import.ts"], { cwd: project }), "script-without-import.ts");
});
