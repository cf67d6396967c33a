// The built package for real: dist/game-session.mjs with dist/wasm_exec.js and the Go module,
// in Node against a small stand-in of the session API. Node has no window, so singleTab (Web
// Locks) and backgroundHeartbeats (Worker) are off; the browser tests cover those.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { distDir, needDist, packageVersion } from "./helpers.mjs";

let server;
let base;
const requests = [];

before(async () => {
  needDist();
  const wasm = readFileSync(path.join(distDir, "game-session.wasm"));
  server = http.createServer((req, res) => {
    if (req.url === "/game-session.wasm") {
      res.writeHead(200, { "Content-Type": "application/wasm" });
      return res.end(wasm);
    }
    let body = "";
    req.on("data", (chunk) => { body += chunk; });
    req.on("end", () => {
      requests.push({ path: req.url, type: req.headers["content-type"], body: JSON.parse(body) });
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end('{"success":true}');
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => server.close());

test("dist/game-session.mjs loads the Go module and runs a session, adding nothing to globalThis", async () => {
  const globals = Object.getOwnPropertyNames(globalThis);
  const gs = await import(pathToFileURL(path.join(distDir, "game-session.mjs")).href);
  assert.equal(gs.version, packageVersion(), "version before ready");
  gs.configure({ wasmUrl: `${base}/game-session.wasm`, apiBase: base });
  const states = [];
  gs.on("statechange", ({ state }) => states.push(state));
  assert.equal(gs.state(), "idle");
  const started = gs.startSession("header.payload.signature", { singleTab: false, backgroundHeartbeats: false });
  await gs.ready;
  assert.equal(gs.version, packageVersion(), "the module's version (-X main.version) matches the package");
  assert.deepEqual(await started, { success: true });
  assert.equal(gs.state(), "active");
  await assert.rejects(gs.startSession("", {}), { name: "GameSessionError", code: "INVALID_ARGUMENT" });
  await assert.rejects(gs.startSession("t", { heartbeatIntervalMs: "9000" }), { name: "GameSessionError", code: "INVALID_ARGUMENT" });
  assert.deepEqual(await gs.endSession(), { success: true });
  assert.equal(gs.state(), "ended");
  assert.deepEqual(states, ["starting", "active", "ending", "ended"]);
  // Go's runtime (fs, process, path, Go) and the hand-over hook stay on the loader's private global.
  assert.deepEqual(Object.getOwnPropertyNames(globalThis).filter((n) => !globals.includes(n)), [], "globals added by the import");
  assert.deepEqual(requests, [
    { path: "/api/games/sessions/initiate", type: "application/json", body: { auth_token: "header.payload.signature" } },
    { path: "/api/games/sessions/end", type: "application/json", body: { auth_token: "header.payload.signature" } },
  ]);
});
