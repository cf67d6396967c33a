// startSession's argument checks, which live in the loader (readStartArgs in js/game-session.mjs):
// every rule of the token and the options, run through the public startSession with a fake Go
// module that records the flat arguments it is handed. Bad input rejects with INVALID_ARGUMENT at
// once and reaches nothing; good input reaches the module flat, already typed. The ranges, the
// credentials values and the token's content rules are the Go module's (wasm/browser, session).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import vm from "node:vm";
import { defineGoSource, jsDir, serve, tempDir } from "./helpers.mjs";

const EMPTY_WASM = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const PAGE = { origin: "https://page.example.test", href: "https://page.example.test/game/index.html" };
const TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
const NAMES = ["heartbeatIntervalMs", "sessionTtlMs", "requestTimeoutMs", "credentials", "singleTab", "takeover",
  "debug", "backgroundHeartbeats"];
const THROW_ALL = () => new Proxy({}, new Proxy({}, { get() { return () => { throw new Error("trap"); }; } }));

let server;
let dir;
let moduleUrl;
let loads = 0;
let calls = []; // what the fake module's startSession was handed, every instance's

before(async () => {
  globalThis.location = PAGE;
  dir = tempDir("options");
  copyFileSync(path.join(jsDir, "game-session.mjs"), path.join(dir, "game-session.mjs"));
  const fake = readFileSync(path.join(jsDir, "test", "fixtures", "wasm_exec.js"), "utf8");
  writeFileSync(path.join(dir, "wasm_exec.mjs"), defineGoSource(fake, { exported: true }));
  moduleUrl = pathToFileURL(path.join(dir, "game-session.mjs")).href;
  server = await serve({ "/ok.wasm": { type: "application/wasm", body: EMPTY_WASM } });
  globalThis.__fakeGoRun = (go, instance, global) => {
    // The bridge (wasm/browser/host.go): the flat arguments, then settle(code, status, message).
    global.__gameSessionInit("9.9.9-fake",
      (...args) => { const settle = args.pop(); calls.push(args); settle("", 0, ""); },
      (settle) => settle("", 0, ""),
      () => "idle");
    return new Promise(() => {});
  };
});

after(async () => {
  delete globalThis.location;
  delete globalThis.__fakeGoRun;
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

// loader imports a new instance of the module, configured with apiBase (the loader's default).
async function loader(apiBase) {
  const gs = await import(`${moduleUrl}?load=${++loads}`);
  gs.configure(apiBase === undefined ? { wasmUrl: `${server.url}/ok.wasm` } : { wasmUrl: `${server.url}/ok.wasm`, apiBase });
  return gs;
}

// flat is what the module is handed: token, apiBase, then the options in NAMES' order.
function flat(token, apiBase, given = {}) {
  return [token, apiBase, ...NAMES.map((n) => (Object.hasOwn(given, n) ? given[n] : undefined))];
}

// handed calls gs.startSession(...args) and returns the flat arguments the module got.
async function handed(gs, ...args) {
  calls = [];
  assert.deepEqual(await gs.startSession(...args), { success: true });
  assert.equal(calls.length, 1);
  return calls[0];
}

// refused asserts that gs.startSession(...args) rejects with INVALID_ARGUMENT and message, at
// once (before the module is asked anything), without throwing, and reaches nothing.
async function refused(gs, args, message) {
  calls = [];
  let p;
  assert.doesNotThrow(() => { p = gs.startSession(...args); });
  await assert.rejects(p, (err) => {
    assert.ok(err instanceof gs.GameSessionError, "a GameSessionError");
    assert.equal(err.name, "GameSessionError");
    assert.equal(err.code, "INVALID_ARGUMENT");
    assert.equal(err.status, 0);
    if (typeof message === "string") assert.equal(err.message, message);
    else assert.match(err.message, message);
    assert.ok(!err.message.includes(TOKEN), "the message must not echo the token");
    return true;
  });
  assert.deepEqual(calls, [], "the module was handed the call");
}

test("the token: a string of at most 8192 UTF-16 units without a lone surrogate", async (t) => {
  const gs = await loader();
  const cases = {
    "no arguments": [[], "authToken must be a string, got undefined"],
    "null": [[null], "authToken must be a string, got null"],
    "number": [[42], "authToken must be a string, got number"],
    "object": [[{ token: TOKEN }], "authToken must be a string, got object"],
    "array": [[[TOKEN]], "authToken must be a string, got array"],
    "String object": [[new String(TOKEN)], "authToken must be a string, got object"],
    "function": [[() => TOKEN], "authToken must be a string, got function"],
    "symbol": [[Symbol("t")], "authToken must be a string, got symbol"],
    "BigInt": [[1n], "authToken must be a string, got bigint"],
    "throw-all Proxy": [[THROW_ALL()], "authToken must be a string, got object"],
    "lone surrogate": [["ab\ud800cd"], "authToken is not valid text (it contains a lone UTF-16 surrogate)"],
    "lone low surrogate": [["\udc00" + TOKEN], /lone UTF-16 surrogate/],
    "8193 characters": [["x".repeat(8193)], "authToken is too long (8193 characters, at most 8192 bytes)"],
    "lone surrogate + long": [["\ud800" + "a".repeat(9000)], /too long/],
  };
  for (const [name, [args, message]] of Object.entries(cases)) {
    await t.test(name, () => refused(gs, args, message));
  }
  // The content rules are the module's (session.ValidateToken): these reach it.
  assert.deepEqual(await handed(gs, "x".repeat(8192)), flat("x".repeat(8192), PAGE.origin));
  assert.deepEqual(await handed(gs, ""), flat("", PAGE.origin));
  assert.deepEqual(await handed(gs, "ab\u0000cd"), flat("ab\u0000cd", PAGE.origin));
  assert.deepEqual(await handed(gs, "😀"), flat("😀", PAGE.origin), "a surrogate pair is fine");
});

test("a huge token is refused by its length at once, neither scanned nor copied", async () => {
  const gs = await loader();
  for (const token of ["a".repeat(2 ** 29 - 24), "é".repeat(2 ** 28)]) {
    const t0 = performance.now();
    const p = gs.startSession(token);
    const ms = performance.now() - t0;
    await assert.rejects(p, { name: "GameSessionError", code: "INVALID_ARGUMENT", message: /^authToken is too long/ });
    assert.ok(ms < 200, `took ${ms} ms`);
  }
});

test("the options argument: undefined, null or a plain object", async (t) => {
  const gs = await loader();
  const plainMessage = (type) => `options must be a plain object, got ${type}`;
  const cases = {
    "number": [5, plainMessage("number")],
    "string": ["https://api.example.com", plainMessage("string")],
    "boolean": [true, plainMessage("boolean")],
    "BigInt": [1n, plainMessage("bigint")],
    "symbol": [Symbol("o"), plainMessage("symbol")],
    "array": [[], plainMessage("array")],
    "function": [function () {}, plainMessage("function")],
    "Map": [new Map([["debug", true]]), plainMessage("object")],
    "Date": [new Date(), plainMessage("object")],
    "Error": [new Error("x"), plainMessage("object")],
    "boxed string": [new String("x"), plainMessage("object")],
    "class instance": [new (class O { constructor() { this.debug = true; } })(), plainMessage("object")],
    "two-link prototype": [Object.create(Object.create(Object.prototype)), plainMessage("object")],
    "throw-all Proxy": [THROW_ALL(), "options could not be read"],
    "revoked Proxy": [(() => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; })(), "options could not be read"],
    "Proxy throwing ownKeys": [new Proxy({}, { ownKeys() { throw new Error("trap"); } }), "options could not be read"],
    "Proxy throwing get": [new Proxy({ debug: true }, { get() { throw new Error("trap"); } }), "options.debug could not be read"],
    "throwing getter": [{ get debug() { throw new Error("getter"); } }, "options.debug could not be read"],
    "getter throwing a number": [{ get apiBase() { throw 1; } }, "options.apiBase could not be read"],
  };
  for (const [name, [options, message]] of Object.entries(cases)) {
    await t.test(name, () => refused(gs, [TOKEN, options], message));
  }
  // A Proxy of a plain object counts by its target.
  assert.deepEqual(await handed(gs, TOKEN, new Proxy({ debug: true }, {})), flat(TOKEN, PAGE.origin, { debug: true }));
});

test("plain objects: literals, Object.create(null), JSON.parse's, another realm's", async () => {
  const gs = await loader();
  const want = flat(TOKEN, PAGE.origin, { debug: true });
  assert.deepEqual(await handed(gs, TOKEN, undefined), flat(TOKEN, PAGE.origin));
  assert.deepEqual(await handed(gs, TOKEN, null), flat(TOKEN, PAGE.origin));
  assert.deepEqual(await handed(gs, TOKEN, {}), flat(TOKEN, PAGE.origin));
  assert.deepEqual(await handed(gs, TOKEN, { debug: true }), want);
  assert.deepEqual(await handed(gs, TOKEN, Object.assign(Object.create(null), { debug: true })), want);
  assert.deepEqual(await handed(gs, TOKEN, JSON.parse('{"debug": true}')), want);
  assert.deepEqual(await handed(gs, TOKEN, vm.runInNewContext("({ debug: true })")), want, "an iframe's object");
});

test("each option: its type, positive finite numbers, non-empty strings", async (t) => {
  const gs = await loader();
  const cases = {
    "unknown option": [{ heartbeatInterval: 9000 }, /^unknown option "heartbeatInterval" \(the options are apiBase, heartbeatIntervalMs, /],
    "unknown option (case)": [{ apibase: "https://api.example.com" }, /^unknown option "apibase"/],
    "unknown long option": [{ ["x".repeat(100)]: 1 }, new RegExp(`^unknown option "${"x".repeat(64)}…"`)],
    "interval as string": [{ heartbeatIntervalMs: "9000" }, "options.heartbeatIntervalMs must be a number, got string"],
    "interval null": [{ heartbeatIntervalMs: null }, "options.heartbeatIntervalMs must be a number, got null"],
    "interval BigInt": [{ heartbeatIntervalMs: 9000n }, "options.heartbeatIntervalMs must be a number, got bigint"],
    "negative interval": [{ heartbeatIntervalMs: -9000 }, "options.heartbeatIntervalMs must be a positive finite number of milliseconds, got -9000"],
    "zero interval": [{ heartbeatIntervalMs: 0 }, /heartbeatIntervalMs must be a positive finite number/],
    "NaN interval": [{ heartbeatIntervalMs: NaN }, /heartbeatIntervalMs must be a positive finite number.*got NaN/],
    "Infinity interval": [{ heartbeatIntervalMs: Infinity }, /heartbeatIntervalMs must be a positive finite number/],
    "zero ttl": [{ sessionTtlMs: 0 }, /sessionTtlMs must be a positive finite number/],
    "zero timeout": [{ requestTimeoutMs: 0 }, /requestTimeoutMs must be a positive finite number/],
    "timeout as object": [{ requestTimeoutMs: {} }, "options.requestTimeoutMs must be a number, got object"],
    "credentials number": [{ credentials: 1 }, "options.credentials must be a string, got number"],
    "credentials empty": [{ credentials: "" }, "options.credentials must not be empty"],
    "credentials 1 MB": [{ credentials: "a".repeat(1 << 20) }, "options.credentials is too long (at most 4096 characters)"],
    "debug as string": [{ debug: "yes" }, "options.debug must be a boolean, got string"],
    "debug BigInt": [{ debug: 1n }, "options.debug must be a boolean, got bigint"],
    "singleTab as number": [{ singleTab: 1 }, "options.singleTab must be a boolean, got number"],
    "takeover null": [{ takeover: null }, "options.takeover must be a boolean, got null"],
    "takeover symbol": [{ takeover: Symbol("x") }, "options.takeover must be a boolean, got symbol"],
    "backgroundHeartbeats string": [{ backgroundHeartbeats: "false" }, "options.backgroundHeartbeats must be a boolean, got string"],
  };
  for (const [name, [options, message]] of Object.entries(cases)) {
    await t.test(name, () => refused(gs, [TOKEN, options], message));
  }
});

test("apiBase: a string, resolved against the page, http(s) without credentials, query or fragment", async (t) => {
  const gs = await loader();
  const cases = {
    "number": [{ apiBase: 443 }, "options.apiBase must be a string, got number"],
    "BigInt": [{ apiBase: 1n }, "options.apiBase must be a string, got bigint"],
    "empty": [{ apiBase: "" }, "options.apiBase must not be empty"],
    "spaces": [{ apiBase: "   " }, "options.apiBase must not be blank"],
    "tab newline": [{ apiBase: "\t\n " }, "options.apiBase must not be blank"],
    "NBSP ideographic space": [{ apiBase: "\u00a0\u3000" }, "options.apiBase must not be blank"],
    "C0 controls": [{ apiBase: "\u0001\u001f" }, "options.apiBase must not be blank"],
    "unparsable": [{ apiBase: "http://[::1" }, "options.apiBase is not a valid URL"],
    "ftp": [{ apiBase: "ftp://api.example.com" }, 'options.apiBase must be an http: or https: URL, got "ftp:"'],
    "javascript:": [{ apiBase: "javascript:alert(1)" }, 'options.apiBase must be an http: or https: URL, got "javascript:"'],
    "credentials": [{ apiBase: "https://user:pass@api.example.com" }, "options.apiBase must not contain credentials"],
    "user only": [{ apiBase: "https://user@api.example.com" }, "options.apiBase must not contain credentials"],
    "query": [{ apiBase: "https://api.example.com/?x=1" }, "options.apiBase must not have a query or fragment"],
    "fragment": [{ apiBase: "https://api.example.com/#x" }, "options.apiBase must not have a query or fragment"],
    "1 MB": [{ apiBase: "https://x.example/" + "a".repeat(1 << 20) }, "options.apiBase is too long (at most 4096 characters)"],
  };
  for (const [name, [options, message]] of Object.entries(cases)) {
    await t.test(name, () => refused(gs, [TOKEN, options], message));
  }
  const base = async (apiBase) => (await handed(gs, TOKEN, { apiBase }))[1];
  assert.equal(await base("/platform/"), "https://page.example.test/platform", "relative: against location.href");
  assert.equal(await base("api"), "https://page.example.test/game/api");
  assert.equal(await base("https://API.example.com:443/v1//"), "https://api.example.com/v1");
  assert.equal(await base("http://api.example.com:8080"), "http://api.example.com:8080");
  assert.equal(await base("  https://api.example.com/  "), "https://api.example.com", "the URL parser trims");
  // A common slip, refused with a hint: apiBase is where /api/games/sessions/* lives.
  for (const slip of ["https://api.example.com/api/games/sessions", "https://api.example.com/x/API/games/sessions/",
    "https://api.example.com/api/games/sessions/initiate"]) {
    await refused(gs, [TOKEN, { apiBase: slip }], /^options\.apiBase is where \/api\/games\/sessions\/\* lives, without that path: use "https:\/\/api\.example\.com(\/x)?"$/);
  }
  assert.equal(await base("https://api.example.com/api/games"), "https://api.example.com/api/games", "a prefix of it is fine");
});

test("the default apiBase: data-api-base or configure, else the page's origin; the options' own wins", async () => {
  const cases = [
    ["https://api.example.com/v1/", undefined, "https://api.example.com/v1"],
    ["https://api.example.com", { debug: true }, "https://api.example.com"],
    ["https://api.example.com", { apiBase: undefined }, "https://api.example.com"],
    ["https://api.example.com", Object.assign(Object.create(null), { debug: true }), "https://api.example.com"],
    ["https://api.example.com", { apiBase: "https://own.example" }, "https://own.example"],
    ["/relative/", null, "https://page.example.test/relative"],
    ["", {}, PAGE.origin],
    [undefined, null, PAGE.origin],
  ];
  for (const [defaultBase, options, want] of cases) {
    const gs = await loader(defaultBase);
    assert.equal((await handed(gs, TOKEN, options))[1], want, `default ${defaultBase}, options ${JSON.stringify(options)}`);
  }
  await refused(await loader("   "), [TOKEN], "the default apiBase (data-api-base or configure) must not be blank");
  await refused(await loader("ftp://x.example"), [TOKEN, {}], 'the default apiBase (data-api-base or configure) must be an http: or https: URL, got "ftp:"');
  // A blank default that the options override is never used.
  assert.equal((await handed(await loader("   "), TOKEN, { apiBase: "https://own.example" }))[1], "https://own.example");
});

test("without an http(s) page origin apiBase is required; without location.href it must be absolute", async () => {
  const gs = await loader();
  try {
    globalThis.location = { origin: "null", href: "file:///game/index.html" };
    await refused(gs, [TOKEN], "options.apiBase is required: this page has no http(s) origin");
    delete globalThis.location;
    await refused(gs, [TOKEN, {}], "options.apiBase is required: this page has no http(s) origin");
    await refused(gs, [TOKEN, { apiBase: "/relative" }], "options.apiBase is not a valid URL");
    assert.equal((await handed(gs, TOKEN, { apiBase: "https://api.example.com/v1/" }))[1], "https://api.example.com/v1");
    Object.defineProperty(globalThis, "location", { configurable: true, get() { throw new Error("no"); } });
    await refused(gs, [TOKEN], "options.apiBase is required: this page has no http(s) origin");
  } finally {
    delete globalThis.location;
    globalThis.location = PAGE;
  }
});

test("all options reach the module flat, in their positions; {x: undefined} is left out", async () => {
  const gs = await loader();
  const got = await handed(gs, TOKEN, {
    apiBase: "/platform/", heartbeatIntervalMs: 2500.5, sessionTtlMs: 4000, requestTimeoutMs: undefined,
    credentials: "include", singleTab: false, takeover: true, debug: true, backgroundHeartbeats: false,
  });
  assert.deepEqual(got, [TOKEN, "https://page.example.test/platform", 2500.5, 4000, undefined, "include", false, true, true, false]);
  // Ranges and credential values are the module's (Options.Validate): passed as they are.
  assert.deepEqual(await handed(gs, TOKEN, { heartbeatIntervalMs: 1e-12, sessionTtlMs: 1e300, credentials: "always" }),
    flat(TOKEN, PAGE.origin, { heartbeatIntervalMs: 1e-12, sessionTtlMs: 1e300, credentials: "always" }));
});

test("each option is read once, at the call; only own enumerable string keys count", async () => {
  const gs = await loader();
  let reads = 0;
  const options = { get debug() { reads++; return true; } };
  const p = gs.startSession(TOKEN, options);
  Object.defineProperty(options, "debug", { value: false });
  calls = [];
  await p;
  assert.equal(reads, 1);
  assert.deepEqual(calls, [flat(TOKEN, PAGE.origin, { debug: true })]);

  // Inherited, non-enumerable and symbol keys are not options (nor unknown ones).
  Object.prototype.takeover = true;
  try {
    const own = Object.defineProperty({ [Symbol("x")]: 1 }, "debug", { value: true, enumerable: false });
    assert.deepEqual(await handed(gs, TOKEN, own), flat(TOKEN, PAGE.origin));
  } finally {
    delete Object.prototype.takeover;
  }
});

test("the checks use the intrinsics as they were when the loader ran", async () => {
  const gs = await loader();
  await handed(gs, TOKEN); // loads the module (in Node only a call does)
  const saved = { get: Reflect.get, keys: Object.keys, getPrototypeOf: Reflect.getPrototypeOf, URL: globalThis.URL,
    slice: String.prototype.slice, encode: globalThis.encodeURIComponent, isArray: Array.isArray };
  const boom = () => { throw new Error("replaced"); };
  calls = [];
  let ok, bad;
  try {
    Reflect.get = boom;
    Object.keys = boom;
    Reflect.getPrototypeOf = boom;
    globalThis.URL = boom;
    String.prototype.slice = boom;
    globalThis.encodeURIComponent = boom;
    Array.isArray = boom;
    ok = gs.startSession(TOKEN, { apiBase: "/platform/", debug: true });
    bad = gs.startSession(TOKEN, []);
  } finally {
    Reflect.get = saved.get;
    Object.keys = saved.keys;
    Reflect.getPrototypeOf = saved.getPrototypeOf;
    globalThis.URL = saved.URL;
    String.prototype.slice = saved.slice;
    globalThis.encodeURIComponent = saved.encode;
    Array.isArray = saved.isArray;
  }
  assert.deepEqual(await ok, { success: true });
  assert.deepEqual(calls, [flat(TOKEN, "https://page.example.test/platform", { debug: true })]);
  await assert.rejects(bad, { code: "INVALID_ARGUMENT", message: "options must be a plain object, got array" });
});
