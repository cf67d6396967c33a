// Shared by the tests: paths, a small static server, running commands, packing dist/.
import http from "node:http";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const jsDir = fileURLToPath(new URL("..", import.meta.url));
// GAME_SESSION_DIST points the tests at another build of the package (default: ../dist).
export const distDir = process.env.GAME_SESSION_DIST ? path.resolve(process.env.GAME_SESSION_DIST) : path.join(jsDir, "..", "dist");
export const npmBin = process.platform === "win32" ? "npm.cmd" : "npm";

export function needDist() {
  for (const f of ["game-session.wasm", "game-session.mjs", "package.json"]) {
    if (!existsSync(path.join(distDir, f))) throw new Error(`dist/${f} is missing: run ./build.sh build first`);
  }
}

// defineGoSource wraps a wasm_exec.js text as build.sh does (js/wasm_exec.wrapper.js), giving
// the source of function defineGo(globalThis); exported adds the ESM export.
export function defineGoSource(wasmExec, { exported = false } = {}) {
  const wrapper = readFileSync(path.join(jsDir, "wasm_exec.wrapper.js"), "utf8");
  const lines = wrapper.split("\n").map((line) => (line.includes("/* @wasm_exec.js */") ? wasmExec : line));
  const source = lines.join("\n");
  return exported ? source.replace(/^function defineGo\(/m, "export function defineGo(") : source;
}

export function packageVersion() {
  return JSON.parse(readFileSync(path.join(jsDir, "package.json"), "utf8")).version;
}

export function tempDir(prefix) {
  return mkdtempSync(path.join(tmpdir(), `game-session-${prefix}-`));
}

// run resolves with {code, stdout, stderr}; it never rejects on a non-zero exit.
export function run(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 64 << 20, ...options }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") return reject(err);
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

export async function mustRun(cmd, args, options) {
  const r = await run(cmd, args, options);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

// packDist packs dist/ into dir and returns the tarball's path.
export async function packDist(dir) {
  const { stdout } = await mustRun(npmBin, ["pack", distDir, "--json", "--pack-destination", dir], { cwd: jsDir });
  return path.join(dir, JSON.parse(stdout)[0].filename);
}

// installPackage makes a throwaway npm project in dir with the tarball installed (no network:
// the package has no dependencies).
export async function installPackage(dir, tarball) {
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "game", private: true, type: "module" }));
  await mustRun(npmBin, ["install", tarball, "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"], { cwd: dir });
}

// serve answers each request with routes[pathname] = {status, type, body}; it resolves with
// the base URL and a close function.
export function serve(routes) {
  const server = http.createServer((req, res) => {
    const route = routes[new URL(req.url, "http://x").pathname];
    if (!route) {
      res.writeHead(404, { "Content-Type": "text/plain" });
      return res.end("not found");
    }
    res.writeHead(route.status || 200, { "Content-Type": route.type });
    res.end(route.body);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(done); }),
      });
    });
  });
}

// closedPortUrl is a URL where nothing listens, for connection-refused errors.
export async function closedPortUrl() {
  const s = await serve({});
  await s.close();
  return s.url;
}
