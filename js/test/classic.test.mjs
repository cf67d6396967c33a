// The classic script's own part (js/game-session.js): globals defined at once, wasm_exec.js and
// the .wasm found beside the script, data-api-base merged, failures of the runtime script
// reported. It runs in a separate Node context with a minimal fake document; the loading core
// is the one loader.test.mjs checks, and the browser tests run the script in Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { jsDir, serve } from "./helpers.mjs";

const EMPTY_WASM = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const classic = readFileSync(path.join(jsDir, "game-session.js"), "utf8");
const fakeGo = readFileSync(path.join(jsDir, "test", "fixtures", "wasm_exec.js"), "utf8");
let server;

before(async () => {
  server = await serve({ "/lib/game-session.wasm": { type: "application/wasm", body: EMPTY_WASM } });
});
after(() => server.close());

// page runs the classic script as <script src=src data-api-base=apiBase nonce=...> would.
// goScriptFails makes the wasm_exec.js tag fire "error" instead of loading.
function page({ src, apiBase = null, goScriptFails = false }) {
  const tags = [];
  const warnings = [];
  const document = {
    currentScript: { src, nonce: "r4nd0m", crossOrigin: null, getAttribute: (name) => (name === "data-api-base" ? apiBase : null) },
    baseURI: "http://page.example.test/",
    querySelectorAll: () => [],
    createElement: (name) => ({ name }),
    head: {
      appendChild(tag) {
        tags.push(tag);
        setTimeout(() => {
          if (goScriptFails) return tag.onerror();
          vm.runInContext(fakeGo, context);
          tag.onload();
        }, 0);
      },
    },
  };
  const context = vm.createContext({
    document,
    fetch,
    URL,
    setTimeout,
    queueMicrotask,
    console: { warn: (...args) => warnings.push(args.join(" ")) },
  });
  context.run = () => vm.runInContext(classic, context);
  return { context, tags, warnings };
}

// fakeApi is the API object a Go module would hand over; it records startSession's arguments.
function fakeApi(calls) {
  return {
    version: "9.9.9-fake",
    startSession: (...args) => { calls.push(args); return Promise.resolve({ success: true }); },
    endSession: () => Promise.resolve({ success: true }),
    state: () => "active",
    on: () => () => {},
  };
}

test("defines the globals at once, loads its files from beside itself, passes data-api-base to Go", async () => {
  const { context, tags } = page({ src: `${server.url}/lib/game-session.js`, apiBase: "https://api.example.test" });
  const calls = [];
  context.__fakeGoRun = () => {
    context.__gameSessionInit(fakeApi(calls));
    return new Promise(() => {});
  };
  context.run();
  assert.equal(typeof context.startSession, "function");
  assert.equal(typeof context.endSession, "function");
  assert.equal(context.GameSession.startSession, context.startSession);
  assert.equal(context.GameSession.state(), "idle");
  assert.equal(context.GameSession.version, "0.0.0-dev");
  assert.equal(typeof context.GameSession.on("heartbeat", () => {}), "function");
  const started = context.startSession("tok");
  await context.GameSession.ready;
  assert.deepEqual(await started, { success: true });
  assert.deepEqual(JSON.parse(JSON.stringify(calls)), [["tok", null, "https://api.example.test"]]);
  assert.equal(tags.length, 1);
  assert.equal(tags[0].src, `${server.url}/lib/wasm_exec.js`);
  assert.equal(tags[0].nonce, "r4nd0m", "the CSP nonce of the loader's tag is passed on");
  assert.equal(context.GameSession.version, "9.9.9-fake");
  assert.equal(context.GameSession.state(), "active");
});

test("a second copy of the script does nothing but warn", async () => {
  const { context, tags, warnings } = page({ src: `${server.url}/lib/game-session.js` });
  context.__fakeGoRun = () => {
    context.__gameSessionInit(fakeApi([]));
    return new Promise(() => {});
  };
  context.run();
  const first = context.GameSession;
  context.run();
  assert.equal(context.GameSession, first);
  assert.equal(tags.length, 1, "only one wasm_exec.js tag");
  assert.match(warnings.join("\n"), /included twice/);
  await first.ready;
});

test("wasm_exec.js failing to load rejects ready and the queued calls", async () => {
  const { context } = page({ src: `${server.url}/lib/game-session.js`, goScriptFails: true });
  context.run();
  const call = context.endSession();
  const expected = { name: "GameSessionError", code: "NETWORK_ERROR", status: 0, message: `game-session: could not load ${server.url}/lib/wasm_exec.js` };
  await assert.rejects(context.GameSession.ready, expected);
  await assert.rejects(call, expected);
});
