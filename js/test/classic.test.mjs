// The classic script's own part (js/game-session.js): globals defined at once (and no others),
// the .wasm found beside the script, data-api-base merged, Go's runtime run on a private global.
// It runs in a separate Node context with a minimal fake document and the fake runtime spliced in
// where build.sh puts Go's; the loading core is the one loader.test.mjs checks, and the browser
// tests run the built script in Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { defineGoSource, jsDir, serve } from "./helpers.mjs";

const EMPTY_WASM = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const fakeGo = readFileSync(path.join(jsDir, "test", "fixtures", "wasm_exec.js"), "utf8");
// What build.sh does to js/game-session.js, with the fake runtime.
function built(runtime) {
  const source = readFileSync(path.join(jsDir, "game-session.js"), "utf8");
  assert.match(source, /^ *\/\* @wasm_exec \*\/$/m);
  return source.replace(/^ *\/\* @wasm_exec \*\/$/m, () => defineGoSource(runtime));
}
const classic = built(fakeGo);
let server;

before(async () => {
  server = await serve({ "/lib/game-session.wasm": { type: "application/wasm", body: EMPTY_WASM } });
});
after(() => server.close());

// page runs the classic script as <script src=src data-api-base=apiBase> would, in a context that
// stands for the page's global.
function page({ src, apiBase = null, script = classic }) {
  const warnings = [];
  const document = {
    currentScript: { src, getAttribute: (name) => (name === "data-api-base" ? apiBase : null) },
    baseURI: "http://page.example.test/",
    querySelectorAll: () => [],
  };
  const context = vm.createContext({
    document,
    fetch,
    URL,
    Response,
    TransformStream,
    AbortController,
    setTimeout,
    setInterval,
    clearInterval,
    queueMicrotask,
    console: { warn: (...args) => warnings.push(args.join(" ")) },
  });
  context.run = () => vm.runInContext(script, context);
  return { context, warnings };
}

// handOver does what the Go module's main does (wasm/browser/host.go): hands its exports to the
// hook; startSession records its arguments and settles with success.
function handOver(global, calls) {
  return global.__gameSessionInit("9.9.9-fake",
    (...args) => { const settle = args.pop(); calls.push(args); setTimeout(() => settle("", 0, ""), 0); },
    (settle) => settle("", 0, ""),
    () => "active");
}

test("defines exactly its three globals at once, loads the .wasm from beside itself, passes data-api-base to Go", async () => {
  const { context } = page({ src: `${server.url}/lib/game-session.js`, apiBase: "https://api.example.test" });
  const calls = [];
  let goGlobal;
  context.__fakeGoRun = (go, instance, global) => {
    goGlobal = global;
    handOver(global, calls);
    return new Promise(() => {});
  };
  const before = vm.runInContext("Object.getOwnPropertyNames(globalThis)", context);
  context.run();
  assert.equal(typeof context.startSession, "function");
  assert.equal(typeof context.endSession, "function");
  assert.equal(context.GameSession.startSession, context.startSession);
  assert.equal(context.GameSession.state(), "idle");
  assert.equal(context.GameSession.version, "0.0.0-dev");
  assert.equal(typeof context.GameSession.on("heartbeat", () => {}), "function");
  const started = context.startSession("tok");
  await context.GameSession.ready;
  assert.deepEqual({ ...(await started) }, { success: true }, "made in the page's realm");
  // The flat arguments (see readStartArgs): token, the resolved apiBase, then the options not
  // given (undefined: null through JSON, which takes them out of the page's realm).
  assert.deepEqual(JSON.parse(JSON.stringify(calls)), [["tok", "https://api.example.test", ...Array(8).fill(null)]]);
  assert.equal(context.GameSession.version, "9.9.9-fake");
  assert.equal(context.GameSession.state(), "active");
  const after = vm.runInContext("Object.getOwnPropertyNames(globalThis)", context);
  assert.deepEqual([...after].filter((n) => !before.includes(n)).sort(), ["GameSession", "endSession", "startSession"]);
  assert.equal(typeof goGlobal.Go, "function", "Go's runtime defined Go on its own global");
  assert.equal(goGlobal.document, context.document, "which reads through to the page's");
});

test("a second copy of the script does nothing but warn", async () => {
  const { context, warnings } = page({ src: `${server.url}/lib/game-session.js` });
  let runs = 0;
  context.__fakeGoRun = (go, instance, global) => {
    runs++;
    handOver(global, []);
    return new Promise(() => {});
  };
  context.run();
  const first = context.GameSession;
  context.run();
  assert.equal(context.GameSession, first);
  assert.match(warnings.join("\n"), /included twice/);
  await first.ready;
  assert.equal(runs, 1, "one Go module");
});

test("Go's runtime failing to start rejects ready and the queued calls", async () => {
  const { context } = page({
    src: `${server.url}/lib/game-session.js`,
    script: built('throw new Error("globalThis.crypto is not available, polyfill required");'),
  });
  context.run();
  const call = context.endSession();
  const expected = { name: "GameSessionError", code: "INVALID_STATE", status: 0, message: /could not start: globalThis\.crypto is not available/ };
  await assert.rejects(context.GameSession.ready, expected);
  await assert.rejects(call, expected);
});
