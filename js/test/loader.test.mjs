// The loader's own behaviour (js/game-session.mjs, whose core the classic script shares), run in
// Node with a fake Go runtime (fixtures/wasm_exec.js) and a real, empty WebAssembly module served
// over HTTP, so queueing, listeners, load failures and module exit are checked one by one.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { closedPortUrl, defineGoSource, jsDir, serve, tempDir } from "./helpers.mjs";

// The smallest valid module: magic and version, no imports, so any import object fits.
const EMPTY_WASM = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

let server;
let dir;
let moduleUrl;
let loads = 0;

// The page's location: the default apiBase is its origin (Node has none of its own).
const PAGE = { origin: "https://page.example.test", href: "https://page.example.test/game/index.html" };

before(async () => {
  globalThis.location = PAGE;
  dir = tempDir("loader");
  copyFileSync(path.join(jsDir, "game-session.mjs"), path.join(dir, "game-session.mjs"));
  const fake = readFileSync(path.join(jsDir, "test", "fixtures", "wasm_exec.js"), "utf8");
  writeFileSync(path.join(dir, "wasm_exec.mjs"), defineGoSource(fake, { exported: true }));
  moduleUrl = pathToFileURL(path.join(dir, "game-session.mjs")).href;
  server = await serve({
    "/ok.wasm": { type: "application/wasm", body: EMPTY_WASM },
    "/octet.wasm": { type: "application/octet-stream", body: EMPTY_WASM },
    "/charset.wasm": { type: "application/wasm; charset=utf-8", body: EMPTY_WASM },
    "/page.wasm": { type: "text/html", body: "<!doctype html><title>app</title>" },
    "/broken.wasm": { status: 500, type: "text/plain", body: "oops" },
  });
});

after(async () => {
  delete globalThis.location;
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

// fresh imports a new instance of the module (its own queue, ready and settings).
function fresh() {
  return import(`${moduleUrl}?load=${++loads}`);
}

// fakeApi stands for the Go module's side of the bridge (js/game-session.mjs, wasm/browser/host.go):
// its exports record what they are asked and settle with api.result's (code, status, message);
// emit goes through the host the hand-over returned, as Go's does.
function fakeApi() {
  const api = {
    version: "9.9.9-fake",
    calls: [],
    current: "idle",
    host: null,
    result: ["", 0, ""],
    emit(type, ...values) {
      api.host.emit(type, ...values);
    },
    setState(next) {
      const previous = api.current;
      api.current = next;
      api.emit("statechange", next, previous);
    },
    settle(settle) {
      const [code, status, message] = api.result;
      if (code !== null) setTimeout(() => settle(code, status, message), 0); // from a goroutine: later
    },
    startSession(...args) {
      const settle = args.pop(); // after the flat arguments (see readStartArgs)
      api.calls.push(["startSession", ...args]);
      api.setState("starting");
      api.settle(settle);
    },
    endSession(settle) {
      api.calls.push(["endSession"]);
      api.settle(settle);
    },
    state: () => api.current,
  };
  return api;
}

// handOver does what Go's main does: hands the exports to the hook and keeps the host.
// The exports look api's functions up at each call, so that a test may swap them later.
function handOver(api, global) {
  api.host = global.__gameSessionInit(api.version, (...args) => api.startSession(...args),
    (...args) => api.endSession(...args), () => api.state());
  return api.host;
}

// goThatRegisters makes go.run hand over api at once and then run until stopped with exit(code).
function goThatRegisters(api) {
  const control = {};
  globalThis.__fakeGoRun = (go, instance, global) => {
    handOver(api, global);
    return new Promise((resolve) => {
      control.exit = (code) => {
        go.exit(code);
        go.exited = true;
        resolve();
      };
    });
  };
  return control;
}

// flat is what the loader hands the Go module for startSession (see readStartArgs).
function flat(token, apiBase, given = {}) {
  const names = ["heartbeatIntervalMs", "sessionTtlMs", "requestTimeoutMs", "credentials", "singleTab", "takeover",
    "debug", "backgroundHeartbeats"];
  return ["startSession", token, apiBase, ...names.map((n) => given[n])];
}

test("calls made before ready wait, then run in order, with the options read at the call", async () => {
  const api = fakeApi();
  goThatRegisters(api);
  const gs = await fresh();
  gs.configure({ wasmUrl: `${server.url}/ok.wasm`, apiBase: "https://api.example.test" });
  const states = [];
  gs.on("statechange", (d) => states.push(d.state));
  assert.equal(gs.state(), "idle");
  const own = { apiBase: "https://own.example.test/v1/", debug: true };
  const calls = [
    gs.startSession("tok-1"),
    gs.endSession(),
    gs.startSession("tok-2", { debug: true }),
    gs.startSession("tok-3", own),
  ];
  own.debug = false; // read at the call: a change afterwards changes nothing
  own.apiBase = "https://late.example.test";
  // Bad arguments reject at once, before ready, and never reach the module.
  await assert.rejects(gs.startSession("tok-4", new Map()), { name: "GameSessionError", code: "INVALID_ARGUMENT" });
  await assert.rejects(gs.startSession("tok-5", { get debug() { throw new Error("getter"); } }),
    { name: "GameSessionError", code: "INVALID_ARGUMENT", message: "options.debug could not be read" });
  assert.deepEqual(api.calls, [], "nothing reaches the module before it is ready");
  await gs.ready;
  assert.deepEqual(await Promise.all(calls), calls.map(() => ({ success: true })));
  const base = "https://api.example.test";
  assert.deepEqual(api.calls, [
    flat("tok-1", base),
    ["endSession"],
    flat("tok-2", base, { debug: true }),
    flat("tok-3", "https://own.example.test/v1", { debug: true }),
  ]);
  assert.deepEqual(states, ["starting", "starting", "starting"], "a listener added before ready sees the first event");
  assert.equal(gs.state(), "starting");
  assert.equal(gs.version, "9.9.9-fake", "version comes from the module once ready");
});

test("without a default apiBase the page's origin is the module's", async () => {
  const api = fakeApi();
  goThatRegisters(api);
  const gs = await fresh();
  gs.configure({ wasmUrl: `${server.url}/ok.wasm` });
  await gs.startSession("tok");
  await gs.startSession("tok", { sessionTtlMs: 20000 });
  assert.deepEqual(api.calls, [flat("tok", PAGE.origin), flat("tok", PAGE.origin, { sessionTtlMs: 20000 })]);
});

test("a token over 8 KiB is refused by its length, before it reaches the module", async () => {
  const api = fakeApi();
  goThatRegisters(api);
  const gs = await fresh();
  gs.configure({ wasmUrl: `${server.url}/ok.wasm` });
  await gs.startSession("x".repeat(8192)); // 8192 characters are the module's to judge
  for (const token of ["a".repeat(2 ** 29 - 24), "é".repeat(2 ** 28), "x".repeat(8193)]) {
    const t0 = performance.now();
    const p = gs.startSession(token);
    const ms = performance.now() - t0;
    await assert.rejects(p, { name: "GameSessionError", code: "INVALID_ARGUMENT", message: /too long/ });
    assert.ok(ms < 200, `took ${ms} ms`);
  }
  assert.equal(api.calls.length, 1, "the module never saw the long ones");
});

test("calls after ready go straight to the module; its (code, status, message) becomes a GameSessionError", async () => {
  const api = fakeApi();
  goThatRegisters(api);
  const gs = await fresh();
  gs.configure({ wasmUrl: `${server.url}/ok.wasm` });
  await gs.startSession("tok");
  api.result = ["UNAUTHORIZED", 401, "the token is invalid"];
  const err = await gs.endSession().then(() => null, (e) => e);
  assert.ok(err instanceof gs.GameSessionError);
  assert.ok(err instanceof Error);
  assert.equal(err.name, "GameSessionError");
  assert.equal(err.code, "UNAUTHORIZED");
  assert.equal(err.status, 401);
  assert.equal(err.message, "the token is invalid");
  assert.match(err.stack, /^GameSessionError: the token is invalid/, "what the console shows");
  // Bad arguments settle before the export returns: the same.
  api.startSession = (token, options, base, settle) => settle("INVALID_ARGUMENT", 0, "authToken must be a string, got number");
  await assert.rejects(gs.startSession(42), { name: "GameSessionError", code: "INVALID_ARGUMENT", status: 0 });
  assert.equal(api.calls.length, 2, "startSession, endSession");
  const results = [await gs.endSession().catch((e) => e), await gs.endSession().catch((e) => e)];
  assert.notEqual(results[0], results[1], "a fresh error for each call");
});

test("the GameSessionError of a settle is built under a frozen, polluted Error.prototype", async () => {
  const api = fakeApi();
  goThatRegisters(api);
  const gs = await fresh();
  gs.configure({ wasmUrl: `${server.url}/ok.wasm` });
  await gs.endSession(); // boots the module (Node has no page to start it)
  // Settled inside the call, so that everything the loader builds is built while the page's
  // setters are in place (Node's own internals assign these names too: the window stays short).
  api.settle = (settle) => settle(...api.result);
  const polluted = [[Object.prototype, "success"], [Error.prototype, "code"], [Error.prototype, "status"], [Error.prototype, "name"]];
  let started, ended;
  for (const [proto, k] of polluted) {
    Object.defineProperty(proto, k, { set() { throw new Error(`polluted ${k}`); }, configurable: true });
  }
  try {
    started = gs.startSession("tok");
    api.result = ["NETWORK_ERROR", 0, "offline"];
    ended = gs.endSession();
  } finally {
    for (const [proto, k] of polluted) delete proto[k];
    Object.defineProperty(Error.prototype, "name", { value: "Error", writable: true, configurable: true });
  }
  assert.deepEqual({ ...(await started) }, { success: true });
  await assert.rejects(ended, (e) => e.code === "NETWORK_ERROR" && e.status === 0 && e.name === "GameSessionError" &&
    Object.hasOwn(e, "code") && Object.hasOwn(e, "status"));
});

test("listeners: unsubscribe before and after ready, throwing listeners are reported, not thrown into Go", async () => {
  const api = fakeApi();
  goThatRegisters(api);
  const gs = await fresh();
  gs.configure({ wasmUrl: `${server.url}/ok.wasm` });
  const early = [];
  const late = [];
  const gone = [];
  gs.on("heartbeat", (d) => early.push(d.rttMs));
  gs.on("heartbeat", (d) => gone.push(d.rttMs))();
  gs.on("heartbeat", () => { throw new Error("game bug"); });
  const reported = [];
  const saved = globalThis.reportError;
  globalThis.reportError = (e) => reported.push(e.message);
  try {
    gs.startSession("tok");
    await gs.endSession(); // boots the module (Node has no page to start it)
    const off = gs.on("heartbeat", (d) => late.push(d.rttMs));
    api.emit("heartbeat", 1, 0);
    off();
    off();
    api.emit("heartbeat", 2, 0);
  } finally {
    globalThis.reportError = saved;
  }
  assert.deepEqual(early, [1, 2]);
  assert.deepEqual(late, [1]);
  assert.deepEqual(gone, []);
  assert.deepEqual(reported, ["game bug", "game bug"]);
});

test("emit: each event type's detail, a fresh object for each listener", async () => {
  const api = fakeApi();
  goThatRegisters(api);
  const gs = await fresh();
  gs.configure({ wasmUrl: `${server.url}/ok.wasm` });
  const seen = [];
  for (const type of ["statechange", "heartbeat", "renew", "error", "end"]) {
    gs.on(type, (d) => { seen.push([type, { ...d }, d]); d.scribbled = true; });
    gs.on(type, (d) => { seen.push([type, { ...d }, d]); });
  }
  await gs.endSession(); // boots the module (Node has no page to start it)
  api.emit("statechange", "active", "starting");
  api.emit("heartbeat", 12.5, 1.7e12);
  api.emit("renew", "expired");
  api.emit("error", "NETWORK_ERROR", 0, "offline", false);
  api.emit("end", "user");
  api.emit("nonsense", 1); // ignored
  const details = seen.map(([type, d]) => [type, d]);
  const expected = [
    ["statechange", { state: "active", previous: "starting" }],
    ["heartbeat", { rttMs: 12.5, at: 1.7e12 }],
    ["renew", { reason: "expired" }],
    ["error", { code: "NETWORK_ERROR", status: 0, message: "offline", fatal: false }],
    ["end", { reason: "user" }],
  ];
  assert.deepEqual(details, expected.flatMap((e) => [e, e]), "the second listener does not see the first one's scribble");
  for (let i = 0; i < seen.length; i += 2) {
    assert.notEqual(seen[i][2], seen[i + 1][2], "each listener gets its own object");
    assert.equal(Object.getPrototypeOf(seen[i][2]), Object.prototype, "a plain object");
  }
});

test("listeners subscribed while an event is dispatched get the next one, not this one; unsubscribing during it works", async () => {
  const api = fakeApi();
  goThatRegisters(api);
  const gs = await fresh();
  gs.configure({ wasmUrl: `${server.url}/ok.wasm` });
  await gs.endSession(); // boots the module (Node has no page to start it)
  const log = [];
  let offB;
  gs.on("renew", () => {
    log.push("a");
    gs.on("renew", () => log.push("inner"));
    if (offB) offB();
  });
  offB = gs.on("renew", () => log.push("b"));
  gs.on("renew", () => log.push("c"));
  api.emit("renew", "pageshow");
  assert.deepEqual(log, ["a", "c"], "b was unsubscribed by a, before its turn; inner is new");
  log.length = 0;
  offB = null;
  api.emit("renew", "pageshow");
  assert.deepEqual(log, ["a", "c", "inner"]);
});

test("the host's fetch init and body: one call each, no prototype, JSON made by JSON.stringify", async () => {
  const api = fakeApi();
  goThatRegisters(api);
  const gs = await fresh();
  gs.configure({ wasmUrl: `${server.url}/ok.wasm` });
  await gs.endSession(); // boots the module (Node has no page to start it)
  const { host } = api;
  assert.equal(Object.getPrototypeOf(host), null);
  assert.ok(Object.isFrozen(host));
  assert.deepEqual(Object.keys(host).sort(), ["beacon", "body", "debug", "emit", "init", "later", "listen", "lock", "online", "request", "worker"]);
  const token = 'a"b\\c\u2028\u0000';
  const init = host.init(token, "include", true);
  assert.equal(Object.getPrototypeOf(init), null);
  assert.equal(Object.getPrototypeOf(init.headers), null);
  assert.deepEqual({ ...init, headers: { ...init.headers } }, {
    method: "POST", redirect: "manual", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ auth_token: token }), keepalive: true, credentials: "include",
  });
  assert.deepEqual(Object.keys(host.init("t", "", false)).sort(), ["body", "headers", "method", "redirect"]);
  assert.equal(host.body(token), JSON.stringify({ auth_token: token }));
  assert.equal(host.online(), true, "Node has no navigator.onLine: online");
});

test("the host's listen: one handler for the four page events, with what Go needs read in JS", async () => {
  const api = fakeApi();
  goThatRegisters(api);
  const gs = await fresh();
  gs.configure({ wasmUrl: `${server.url}/ok.wasm` });
  await gs.endSession(); // boots the module (Node has no page to start it)
  const got = [];
  assert.equal(api.host.listen((type, flag) => got.push([type, flag])), undefined, "Node: no page, nothing added");
  // A window: globalThis given an addEventListener for the test, and a document.
  const win = new EventTarget();
  const doc = new EventTarget();
  doc.visibilityState = "hidden";
  globalThis.addEventListener = (type, fn) => win.addEventListener(type, fn);
  globalThis.document = doc;
  try {
    api.host.listen((type, flag) => {
      got.push([type, flag]);
      if (type === "online") throw new Error("a Go panic is Go's; a throw never leaves the host");
    });
  } finally {
    delete globalThis.addEventListener;
    delete globalThis.document;
  }
  const reported = [];
  const saved = globalThis.reportError;
  globalThis.reportError = (e) => reported.push(e.message);
  try {
    win.dispatchEvent(Object.assign(new Event("pagehide"), { persisted: true }));
    win.dispatchEvent(Object.assign(new Event("pageshow"), { persisted: true }));
    win.dispatchEvent(new Event("pageshow"));
    doc.dispatchEvent(new Event("visibilitychange"));
    doc.visibilityState = "visible";
    doc.dispatchEvent(new Event("visibilitychange"));
    win.dispatchEvent(new Event("online"));
    // A page's getter that throws costs the fact, not the event.
    win.dispatchEvent(Object.defineProperty(new Event("pageshow"), "persisted", { get() { throw new Error("getter"); } }));
    Object.defineProperty(doc, "visibilityState", { get() { throw new Error("getter"); } });
    doc.dispatchEvent(new Event("visibilitychange"));
  } finally {
    globalThis.reportError = saved;
  }
  assert.deepEqual(got, [["pagehide", false], ["pageshow", true], ["pageshow", false],
    ["visibilitychange", false], ["visibilitychange", true], ["online", false],
    ["pageshow", false], ["visibilitychange", true]]);
  assert.deepEqual(reported, ["a Go panic is Go's; a throw never leaves the host"]);
});

test("on() refuses unknown event types and non-functions", async () => {
  const gs = await fresh();
  assert.throws(() => gs.on("beat", () => {}), { name: "GameSessionError", code: "INVALID_ARGUMENT", message: /unknown event type "beat"/ });
  assert.throws(() => gs.on("end", "nope"), { name: "GameSessionError", code: "INVALID_ARGUMENT" });
  // Values JSON.stringify throws on: still a GameSessionError (issue 12).
  const cyclic = {};
  cyclic.self = cyclic;
  for (const bad of [1n, cyclic, { toJSON() { throw new Error("toJSON"); } }, Symbol("s")]) {
    assert.throws(() => gs.on(bad, () => {}), { name: "GameSessionError", code: "INVALID_ARGUMENT", message: /unknown event type of type/ });
  }
});

test("the module exiting after ready: calls, also one in flight, reject INVALID_STATE", async () => {
  const api = fakeApi();
  const go = goThatRegisters(api);
  const gs = await fresh();
  gs.configure({ wasmUrl: `${server.url}/ok.wasm` });
  await gs.startSession("tok");
  api.result = [null]; // a dead Go module never settles
  const inFlight = gs.endSession();
  go.exit(2);
  const stopped = { name: "GameSessionError", code: "INVALID_STATE", status: 0, message: /module stopped \(Go exit code 2\)/ };
  await assert.rejects(inFlight, stopped);
  await assert.rejects(gs.startSession("tok"), stopped);
  await assert.rejects(gs.endSession(), stopped);
  assert.equal(gs.state(), "ended");
  assert.equal(typeof gs.on("end", () => {}), "function");
});

test("a runtime that throws instead of answering (just exited) gives INVALID_STATE, state ended", async () => {
  const api = fakeApi();
  goThatRegisters(api);
  const gs = await fresh();
  gs.configure({ wasmUrl: `${server.url}/ok.wasm` });
  await gs.startSession("tok");
  const gone = () => { throw new Error("Go program has already exited"); };
  api.endSession = gone;
  api.state = gone;
  const err = await gs.endSession().then(() => null, (e) => e);
  assert.equal(err.name, "GameSessionError");
  assert.equal(err.code, "INVALID_STATE");
  assert.match(err.message, /module stopped/);
  assert.doesNotMatch(err.message, /Go program/);
  assert.match(err.stack, /^GameSessionError: game-session: the module stopped/, "what the console shows");
  assert.equal(gs.state(), "ended");
});

test("the module exiting before it registered rejects ready and the queued calls", async () => {
  globalThis.__fakeGoRun = (go) => {
    go.exit(1);
    go.exited = true;
    return Promise.resolve();
  };
  const gs = await fresh();
  gs.configure({ wasmUrl: `${server.url}/ok.wasm` });
  const call = gs.startSession("tok");
  const stopped = { name: "GameSessionError", code: "INVALID_STATE", message: /module stopped \(Go exit code 1\)/ };
  await assert.rejects(gs.ready, stopped);
  await assert.rejects(call, stopped);
  assert.equal(gs.state(), "idle");
});

test("a module that never registers its API is refused, not waited for", async () => {
  globalThis.__fakeGoRun = () => new Promise(() => {});
  const gs = await fresh();
  gs.configure({ wasmUrl: `${server.url}/ok.wasm` });
  const call = gs.startSession("tok");
  const refused = { name: "GameSessionError", code: "INVALID_STATE", message: /did not register its API/ };
  await assert.rejects(gs.ready, refused);
  await assert.rejects(call, refused);
  assert.equal("__gameSessionInit" in globalThis, false, "the hook is never a global");
});

test("load failures reject ready and pending calls with a clear GameSessionError", async (t) => {
  goThatRegisters(fakeApi());
  const refused = await closedPortUrl();
  const cases = [
    { file: "missing.wasm", code: "NETWORK_ERROR", status: 404, message: /\/missing\.wasm: HTTP 404/ },
    { file: "broken.wasm", code: "NETWORK_ERROR", status: 500, message: /\/broken\.wasm: HTTP 500/ },
    { file: "page.wasm", code: "BAD_RESPONSE", status: 200,
      message: /\/page\.wasm is not WebAssembly: got text\/html \(a web page\); point the loader at game-session\.wasm with configure\(\{ wasmUrl \}\)/ },
    { base: refused, file: "any.wasm", code: "NETWORK_ERROR", status: 0, message: /could not fetch http:\/\/127\.0\.0\.1:\d+\/any\.wasm/ },
  ];
  for (const c of cases) {
    await t.test(c.file, async () => {
      const gs = await fresh();
      gs.configure({ wasmUrl: `${c.base || server.url}/${c.file}` });
      const call = gs.endSession();
      const expected = { name: "GameSessionError", code: c.code, status: c.status, message: c.message };
      await assert.rejects(gs.ready, expected);
      await assert.rejects(call, expected);
      await assert.rejects(gs.startSession("tok"), expected);
    });
  }
});

test("a Content Security Policy without 'wasm-unsafe-eval' is named as the cause", async () => {
  goThatRegisters(fakeApi());
  // Chromium 156's exact error for WebAssembly.instantiate under script-src 'self' (the loader
  // instantiates from the bytes when the .wasm is not served as application/wasm).
  const chromium = "WebAssembly.instantiate(): Compiling or instantiating WebAssembly module violates the following " +
    "Content Security policy directive because 'unsafe-eval' is not an allowed source of script in the " +
    "following Content Security Policy directive: \"script-src 'self'\".";
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = async () => { throw new WebAssembly.CompileError(chromium); };
  try {
    const gs = await fresh();
    gs.configure({ wasmUrl: `${server.url}/octet.wasm` });
    await assert.rejects(gs.startSession("tok"), {
      name: "GameSessionError", code: "INVALID_STATE", status: 0, message: /add 'wasm-unsafe-eval' to its script-src/,
    });
  } finally {
    WebAssembly.instantiate = instantiate;
  }
});

test("configure: checked, and refused once loading began", async () => {
  goThatRegisters(fakeApi());
  const gs = await fresh();
  assert.throws(() => gs.configure({ wasmURL: "x" }), { code: "INVALID_ARGUMENT", message: /no option "wasmURL"/ });
  assert.throws(() => gs.configure({ wasmUrl: 42 }), { code: "INVALID_ARGUMENT" });
  assert.throws(() => gs.configure({ apiBase: 42 }), { code: "INVALID_ARGUMENT" });
  assert.throws(() => gs.configure(null), { code: "INVALID_ARGUMENT" });
  gs.configure({ wasmUrl: new URL(`${server.url}/ok.wasm`) });
  await gs.startSession("tok");
  assert.throws(() => gs.configure({ apiBase: "https://late.example.test" }), { code: "INVALID_STATE", message: /after the module started loading/ });
});

test("in a page the module starts loading by itself, after the importing task", async () => {
  goThatRegisters(fakeApi());
  globalThis.window = globalThis;
  globalThis.document = {};
  let gs;
  try {
    gs = await fresh();
  } finally {
    delete globalThis.window;
    delete globalThis.document;
  }
  gs.configure({ wasmUrl: `${server.url}/ok.wasm` }); // same task as the import: still in time
  await gs.ready;
  assert.equal(gs.version, "9.9.9-fake");
});

test("GameSessionError is exported; instanceof accepts its errors and another copy's", async () => {
  const gs = await fresh();
  const loaderError = (() => {
    try {
      gs.on("beat", () => {});
    } catch (e) {
      return e;
    }
  })();
  assert.ok(loaderError instanceof gs.GameSessionError);
  assert.ok(loaderError instanceof Error);
  assert.deepEqual(Object.getOwnPropertyNames(loaderError).sort(), ["code", "message", "stack", "status"]);
  // Another copy of the loader (a classic script beside a bundle) has its own class: the name counts.
  const other = Object.assign(new Error("nope"), { name: "GameSessionError", code: "UNAUTHORIZED", status: 401 });
  assert.ok(other instanceof gs.GameSessionError);
  assert.equal(new Error("other") instanceof gs.GameSessionError, false);
  assert.equal(null instanceof gs.GameSessionError, false);
  assert.equal({ name: "GameSessionError" } instanceof gs.GameSessionError, false);
});

test("the Go runtime gets a private global: its definitions and the hook never reach globalThis", async () => {
  const before = Object.getOwnPropertyNames(globalThis);
  let seen;
  globalThis.__fakeGoRun = (go, instance, global) => {
    seen = { Go: global.Go, fs: global.fs, hook: typeof global.__gameSessionInit, url: global.URL, page: global.globalThis };
    handOver(fakeApi(), global);
    return new Promise(() => {});
  };
  const gs = await fresh();
  gs.configure({ wasmUrl: `${server.url}/ok.wasm` });
  gs.startSession("x");
  await gs.ready;
  assert.equal(typeof seen.Go, "function", "wasm_exec.js's Go is on the private global");
  assert.equal(seen.fs, undefined, "a page's fs is hidden from Go");
  assert.equal(seen.hook, "function");
  assert.equal(seen.url, URL, "everything else reads through to the page's global");
  assert.equal(seen.page, globalThis, "the page's global is its globalThis (wasm/main.go)");
  delete globalThis.__fakeGoRun;
  assert.deepEqual(Object.getOwnPropertyNames(globalThis).filter((n) => !before.includes(n)), []);
});
