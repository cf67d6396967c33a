// bundle.mjs OUTDIR: pack dist/ as npm would publish it, install the tarball into a throwaway
// project, and bundle test/fixtures/game.js with esbuild into OUTDIR: index.html, game.js and
// the hashed .wasm asset. It prints {"outdir","html","script","wasm"} as JSON. The browser tests
// serve OUTDIR and check that the bundled game loads the module.
//   node js/test/bundle.mjs /tmp/bundle-out
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { installPackage, jsDir, needDist, packDist, tempDir } from "./helpers.mjs";

const esbuild = await import("esbuild").catch((err) => {
  throw new Error(`esbuild is missing: run \`npm ci\` in js/ first (${err.message})`);
});

export async function bundle(outdir) {
  needDist();
  outdir = path.resolve(outdir);
  const project = tempDir("bundle");
  await installPackage(project, await packDist(project));
  copyFileSync(path.join(jsDir, "test", "fixtures", "game.js"), path.join(project, "game.js"));
  mkdirSync(outdir, { recursive: true });
  try {
    await build(project, outdir);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
  writeFileSync(path.join(outdir, "index.html"), INDEX_HTML);
  const wasm = readdirSync(outdir).find((f) => /^game-session-.*\.wasm$/.test(f));
  return { outdir, html: "index.html", script: "game.js", wasm };
}

function build(project, outdir) {
  return esbuild.build({
    absWorkingDir: project,
    entryPoints: ["game.js"],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    loader: { ".wasm": "file" },
    assetNames: "[name]-[hash]",
    outdir,
    logLevel: "warning",
  });
}

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>game-session bundled with esbuild</title></head>
<body>
<p id="status">loading</p>
<script type="module" src="./game.js"></script>
</body>
</html>
`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.length !== 3) {
    console.error("usage: node js/test/bundle.mjs OUTDIR");
    process.exit(2);
  }
  console.log(JSON.stringify(await bundle(process.argv[2])));
}
