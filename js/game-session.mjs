// game-session ES module: import { startSession, endSession, ready, state, on } from "game-session".
//
// This file is also the source of the classic script: js/gen-classic.mjs copies the region
// between the "core" markers below into js/classic.template.js to make js/game-session.js,
// so the loading and queueing logic exists once. Edit the core here, then `npm run gen` in js/.

// wasm_exec.mjs is Go's runtime glue (the toolchain's wasm_exec.js) that build.sh wraps in
// defineGo(global): what it would define on the page's global (Go, fs, process, path) lands on
// the private global the loader passes in (goGlobal below), so importing this adds no globals.
import { defineGo } from "./wasm_exec.mjs";

// #region core
// Replaced with the package version by build.sh; the Go module's own version wins once it is ready.
const VERSION = "0.0.0-dev";

const MAX_TOKEN_CHARS = 8192; // session.MaxTokenBytes: a longer string has more bytes, too

// The intrinsics the loader calls after it loaded, taken at module evaluation: a page that later
// replaces Reflect.apply, JSON.stringify or EventTarget.prototype.addEventListener, or freezes the
// built-ins, changes nothing here. Page scripts may also have put setters on Object.prototype:
// the loader defines every property it sets on an object that has a prototype (object literals
// define; descriptors and records inherit nothing), never assigns it.
const { apply, get: reflectGet, getPrototypeOf, has: reflectHas } = Reflect;
const { defineProperty, freeze, keys: objectKeys } = Object;
const stringify = JSON.stringify;
const jsonParse = JSON.parse;
const isArray = Array.isArray;
const PromiseCtor = Promise;
const promiseThen = Promise.prototype.then;
const stringSlice = String.prototype.slice;
const stringIndexOf = String.prototype.indexOf;
const stringToLowerCase = String.prototype.toLowerCase;
const URLConstructor = typeof URL === "function" ? URL : undefined;
const encodeURIComponentFn = encodeURIComponent;
const pageGlobal = globalThis;
const addListener = typeof EventTarget === "function" ? EventTarget.prototype.addEventListener : null;

function define(obj, key, value, enumerable) {
  defineProperty(obj, key, { __proto__: null, value, writable: true, enumerable: !!enumerable, configurable: true });
  return obj;
}

// The bridge between this loader and the Go module (wasm/browser/host.go says the same):
//   Hand-over: Go's main calls __gameSessionInit(version, startSession, endSession, state) on the
//     private global it runs with (goGlobal), once, before it blocks; the call returns the host.
//   Go's exports are plain functions that never throw into JS and never block:
//     startSession(token, options, defaultBase, settle) and endSession(settle) call
//       settle(code, status, message) exactly once: later, from a goroutine, or before they return
//       (bad arguments); code "" is success, any other a GameSessionError's code;
//     state() returns the state's name.
//   The host is a frozen null-prototype record of functions made here (makeHost), each one call
//   that does what would be many Go→JS calls, and none of them throws into Go:
//     emit(type, a, b, c, d): an event for on()'s listeners, its detail built from the positional
//       values: statechange (state, previous), heartbeat (rttMs, at), renew (reason),
//       error (code, status, message, fatal), end (reason);
//     init(token, credentials, keepalive): fetch's init for a session API request ("" credentials:
//       fetch's default); body(token): its JSON body;
//     listen(handler): adds the page lifecycle listeners (Go calls it at the first startSession);
//       handler(type, flag) with pagehide, pageshow (flag: persisted), visibilitychange (flag:
//       visible), online;
//     online(): navigator.onLine, true when unknown;
//     debug(line): console.debug(line);
//   and the mechanics of the browser implementations (wasm/browser: Transport, WebLocks,
//   WorkerClock), each a few calls where Go made dozens; what to send, when, and what an outcome
//   means stay Go's. Texts are for Go's errors and the debug log; none holds the token.
//     request(url, token, credentials, keepalive, done) → abort(), or an error text when fetch is
//       missing or threw: POSTs init()'s init with an AbortController's signal; done(failure,
//       status, type, retryAfter, body) once: failure "" and the response's status, type,
//       Retry-After (a string of at most 64 characters, else "") and body (JSON.parse of its text
//       when that is at most MAX_BODY_CHARS long, else null; a redirect's, type "opaqueredirect"
//       or a 3xx, is not read), or failure a text when no response came (aborted too);
//     beacon(url, token, credentials) → "" or an error text: a request that outlives the page, by
//       the first that works of fetchLater (activateAfter 0), a keepalive fetch where
//       Request.prototype has keepalive, navigator.sendBeacon with the JSON as a string, a
//       keepalive fetch where sendBeacon is missing; nobody waits for the answer;
//     later(url, token, credentials) → cancel() (aborts it, once), undefined without fetchLater,
//       or an error text (fetchLater threw): fetchLater with a signal, never activateAfter;
//     lock(name, mode, callback) → release(), or "missing" (no navigator.locks.request) or
//       "cross-origin" (a frame of another origin): navigator.locks.request with ifAvailable
//       (mode "ifAvailable"), steal ("steal") or an AbortSignal ("wait"); callback(event, name,
//       text) with "held" (granted null: held elsewhere), "granted" (callback returns true to
//       hold the lock, until release()), then once "settled" (request's Promise fulfilled: the
//       lock is free) or "rejected" (with the error's name and text; a synchronous throw of
//       request is one too); release() gives a held lock back, or withdraws a waiting request;
//     worker(onMessage, onError) → a handle {timer(id, ms), send(id, at, timeout, url, token,
//       credentials, keepalive), cancel(id)}, each returning "" or an error text, or a string,
//       why there is no Worker: the timer and send Worker (WORKER_SOURCE) from a Blob URL.
//       timer(id, ms) starts timer id (ms < 0 cancels it), onMessage("timer", id) when it fired;
//       send posts a request the Worker fetches at its Date.now() == at (aborted after timeout
//       ms), onMessage("started", id, sent) as it calls fetch, then onMessage("answer", id, sent,
//       received, failure, status, type, retryAfter, body) as request's done, or
//       onMessage("timeout", id, sent, received); cancel(id) withdraws or aborts it, which then
//       says nothing more. onError(message) when the Worker fails ("" without a message).
// Go does not know on(): listeners, their argument checks and their exceptions are the
// registry's (listeners below).

const EVENT_TYPES = "statechange, heartbeat, renew, error, end";

// detail is the object a listener gets: fresh for each listener, own data properties only.
function detail(type, a, b, c, d) {
  switch (type) {
    case "statechange": return { state: a, previous: b };
    case "heartbeat": return { rttMs: a, at: b };
    case "error": return { code: a, status: b, message: c, fatal: d };
    default: return { reason: a }; // renew, end
  }
}

// report hands a listener's exception to the page the way an uncaught one would go: reportError
// where it exists, else thrown from a timer. Never into Go.
function report(err) {
  try {
    const reportError = reflectGet(globalThis, "reportError");
    if (typeof reportError === "function") {
      apply(reportError, globalThis, [err]);
      return;
    }
  } catch {
    // a page's reportError that throws: the timer below
  }
  setTimeout(() => { throw err; }, 0);
}

// listeners is the registry behind on(): per event type a list of subscriptions in order. A
// dispatch calls the listeners that were subscribed when it began and are still subscribed, so a
// listener may subscribe or unsubscribe while it runs. Linked nodes without a prototype, not
// arrays: nothing here calls a method a page could have replaced.
function listeners() {
  const list = () => ({ __proto__: null, first: null, last: null });
  const lists = { __proto__: null, statechange: list(), heartbeat: list(), renew: list(), error: list(), end: list() };
  let seq = 0;

  function on(type, listener) {
    const list = typeof type === "string" ? lists[type] : undefined;
    if (list === undefined) {
      // Described without JSON.stringify, which throws on a BigInt, a cyclic object or a throwing toJSON.
      const what = typeof type === "string" ? `"${apply(stringSlice, type, [0, 32])}"` : `of type ${typeof type}`;
      throw gameSessionError("INVALID_ARGUMENT", `game-session: unknown event type ${what}; use one of ${EVENT_TYPES}`);
    }
    if (typeof listener !== "function") {
      throw gameSessionError("INVALID_ARGUMENT", "game-session: the listener must be a function");
    }
    const node = { __proto__: null, listener, seq: ++seq, prev: list.last, next: null, gone: false };
    if (list.last) list.last.next = node;
    else list.first = node;
    list.last = node;
    return function off() {
      if (node.gone) return;
      node.gone = true;
      if (node.prev) node.prev.next = node.next;
      else list.first = node.next;
      if (node.next) node.next.prev = node.prev;
      else list.last = node.prev;
      // node.next stays: a dispatch standing on this node goes on from it.
    };
  }

  function emit(type, a, b, c, d) {
    const list = typeof type === "string" ? lists[type] : undefined;
    if (list === undefined) return;
    const last = seq;
    for (let node = list.first; node !== null && node.seq <= last; node = node.next) {
      if (node.gone) continue;
      try {
        const listener = node.listener;
        listener(detail(type, a, b, c, d));
      } catch (err) {
        report(err);
      }
    }
  }

  return { __proto__: null, on, emit };
}

// MAX_BODY_CHARS bounds an answer body handed to Go (request's, the Worker's): the session API's
// answers are a few dozen bytes; a longer body is not the API's, and Go gets none.
const MAX_BODY_CHARS = 65536;

// WORKER_SOURCE runs in the host's Worker (worker below), made from a Blob URL. Timers: [id, ms]
// starts timer id, [id, -1] cancels it; a fired timer posts its id back. Requests: {id, at,
// timeout, url, init} fetches url at the Worker's Date.now() == at with its own AbortController
// (aborted after timeout ms), posts ["started", id, sent] as it calls fetch, then ["answer", id,
// sent, received, "", status, type, retryAfter, text], ["answer", id, sent, received, failure]
// or ["timeout", id, sent, received]; {cancel: id} withdraws a pending one or aborts one in
// flight, which then posts nothing more. The token is in init.body only. Arrays, so that the
// page reads own elements only (a page's getters on Object.prototype see nothing).
// Both wait with wait, not one setTimeout: Firefox lets a timer fire up to an eighth of its delay
// late, to serve it in one wake-up with a later timer of the process (its TimerThread's firing
// delay tolerance), so a 900 ms wait came ~100 ms late whenever another timer fell due in that
// eighth, and a 9 s beat may come 1.1 s late. A timer of eight ninths of the time left comes by
// the due time at the latest, so wait takes a few timers, each shorter than the last. now is the
// clock t is in; h.timer is the current timer, for clearTimeout.
const WORKER_SOURCE = `"use strict";
const timers = new Map(), requests = new Map();
const wait = (h, now, t, f) => {
  const left = t - now();
  h.timer = setTimeout(() => (now() < t ? wait(h, now, t, f) : f()), left > 0 ? Math.max(left * 8 / 9, 1) : 0);
};
const perf = () => performance.now();
const text = (e) => (e && e.name ? e.name + ": " + e.message : String(e));
const retryAfter = (h) => (typeof h === "string" && h.length <= 64 ? h : ""); // as the host's request reads it
const send = (d, r) => {
  r.abort = new AbortController();
  let timedOut = false;
  if (d.timeout > 0) r.timer = setTimeout(() => { timedOut = true; r.abort.abort(); }, d.timeout);
  const sent = Date.now();
  postMessage(["started", d.id, sent]);
  const settle = (m) => {
    if (requests.get(d.id) !== r) return;
    requests.delete(d.id);
    clearTimeout(r.timer);
    m[1] = d.id; m[2] = sent; m[3] = Date.now();
    postMessage(m);
  };
  new Promise((ok) => ok(fetch(d.url, Object.assign({}, d.init, { signal: r.abort.signal }))))
    .then((res) => res.text().then((body) => ["answer", 0, 0, 0, "", res.status, res.type,
      retryAfter(res.headers.get("Retry-After")), body]))
    .then(settle, (e) => settle(timedOut ? ["timeout", 0, 0, 0] : ["answer", 0, 0, 0, "fetch failed: " + text(e)]));
};
onmessage = (e) => {
  const d = e.data;
  if (Array.isArray(d)) {
    const id = d[0], ms = d[1];
    let h = timers.get(id);
    if (ms < 0) { if (h) clearTimeout(h.timer); timers.delete(id); return; }
    h = {};
    timers.set(id, h);
    wait(h, perf, perf() + ms, () => { timers.delete(id); postMessage(id); });
    return;
  }
  if (d.cancel !== undefined) {
    const r = requests.get(d.cancel);
    if (!r) return;
    requests.delete(d.cancel);
    clearTimeout(r.timer);
    if (r.abort) r.abort.abort();
    return;
  }
  const r = {};
  requests.set(d.id, r);
  wait(r, Date.now, d.at, () => send(d, r));
};`;

// makeHost returns the host for a Go module running in the page win (globalThis; tests pass a
// fake), whose events go to emit.
function makeHost(win, emit) {
  function body(token) {
    return stringify({ __proto__: null, auth_token: token });
  }

  // The init and its headers have no prototype: a page's setters or getters on Object.prototype
  // ("method", "redirect", "mode"...) neither throw here nor change what fetch reads, and
  // assigning to them runs no setter. redirect "manual": a redirect from the API is never
  // followed, so the token goes to apiBase only.
  function init(token, credentials, keepalive) {
    try {
      const init = { __proto__: null, method: "POST", redirect: "manual",
        headers: { __proto__: null, "Content-Type": "application/json" }, body: body(token) };
      if (keepalive === true) init.keepalive = true;
      if (typeof credentials === "string" && credentials !== "") init.credentials = credentials;
      return init;
    } catch {
      return null; // Go reports it; a string always stringifies
    }
  }

  function addTo(target, type, listener) {
    if (addListener) {
      try {
        apply(addListener, target, [type, listener]);
        return;
      } catch {
        // not an EventTarget of this realm: its own method, below
      }
    }
    target.addEventListener(type, listener);
  }

  function listen(handler) {
    // flag(event) reads the one fact Go needs from the event, here: a page's getter that throws
    // on it costs the fact (unknown is otherwise), not the event.
    const page = (type, flag, otherwise) => (event) => {
      let value = otherwise;
      try {
        value = flag(event);
      } catch {
        // the default
      }
      try {
        handler(type, value);
      } catch (err) {
        report(err);
      }
    };
    try {
      if (typeof reflectGet(win, "addEventListener") !== "function") return; // Node: no page life
      let doc = reflectGet(win, "document");
      if (doc === null || typeof doc !== "object" || typeof reflectGet(doc, "addEventListener") !== "function") doc = win;
      addTo(win, "pagehide", page("pagehide", () => false, false));
      addTo(win, "pageshow", page("pageshow", (event) => reflectGet(event, "persisted") === true, false));
      addTo(doc, "visibilitychange", page("visibilitychange", () => reflectGet(doc, "visibilityState") !== "hidden", true));
      addTo(win, "online", page("online", () => false, false));
    } catch (err) {
      report(err);
    }
  }

  function online() {
    try {
      const nav = reflectGet(win, "navigator");
      const value = nav !== null && typeof nav === "object" ? reflectGet(nav, "onLine") : undefined;
      return typeof value === "boolean" ? value : true;
    } catch {
      return true;
    }
  }

  function debug(line) {
    try {
      globalThis.console.debug(line);
    } catch {
      // no console: nothing to say it with
    }
  }

  // read is reflectGet for a value the page made: undefined for a non-object and for a getter or
  // Proxy trap that throws.
  function read(obj, key) {
    if (obj === null || (typeof obj !== "object" && typeof obj !== "function")) return undefined;
    try {
      return reflectGet(obj, key);
    } catch {
      return undefined;
    }
  }

  // errorText describes what a call threw or a Promise rejected with ("TypeError: Failed to
  // fetch"), with its cause: names and messages only, and it never throws.
  function errorText(err) {
    const one = (v) => {
      if (typeof v === "string") return v;
      if (v === null || typeof v !== "object") return v === null ? "null" : typeof v;
      const name = read(v, "name");
      const message = read(v, "message");
      const n = typeof name === "string" ? name : "";
      const m = typeof message === "string" ? message : "";
      return n && m ? `${n}: ${m}` : n || m || "object";
    };
    const cause = read(err, "cause");
    return cause === undefined ? one(err) : `${one(err)}: ${one(cause)}`;
  }

  // settled calls ok(value) or fail(reason) once value (a Promise, another thenable or a plain
  // value) settles, through the Promise intrinsics taken at start-up; neither throws.
  function settled(value, ok, fail) {
    apply(promiseThen, new PromiseCtor((resolve) => resolve(value)), [ok, fail]);
  }

  const noop = () => {};

  // controller returns the signal and the abort() of a new AbortController of win, or null.
  function controller() {
    try {
      const AbortController = reflectGet(win, "AbortController");
      if (typeof AbortController !== "function") return null;
      const c = new AbortController();
      const abort = reflectGet(c, "abort");
      const signal = reflectGet(c, "signal");
      return { __proto__: null, signal, abort: () => {
        try {
          apply(abort, c, []);
        } catch {
          // nothing to abort with
        }
      } };
    } catch {
      return null;
    }
  }

  // parse is a response body as Go gets it: JSON.parse of text, or null.
  function parse(text) {
    if (typeof text !== "string" || text.length > MAX_BODY_CHARS) return null;
    try {
      return jsonParse(text);
    } catch {
      return null;
    }
  }

  function request(url, token, credentials, keepalive, done) {
    let answered = false;
    const answer = (failure, status, type, retryAfter, body) => {
      if (answered) return;
      answered = true;
      try {
        done(failure, status, type, retryAfter, body);
      } catch {
        // the module is gone
      }
    };
    const failed = (err) => answer(`fetch failed: ${errorText(err)}`);
    let abort = noop;
    try {
      const fetch = reflectGet(win, "fetch");
      if (typeof fetch !== "function") return "fetch failed: there is no fetch";
      const options = init(token, credentials, keepalive);
      const c = controller();
      if (c) {
        options.signal = c.signal;
        abort = c.abort;
      }
      settled(apply(fetch, win, [url, options]), (response) => {
        const status = read(response, "status");
        const type = read(response, "type");
        const s = typeof status === "number" ? status : 0;
        const t = typeof type === "string" ? type : "";
        let retryAfter = "";
        try {
          const headers = read(response, "headers");
          const value = apply(reflectGet(headers, "get"), headers, ["Retry-After"]);
          if (typeof value === "string" && value.length <= 64) retryAfter = value;
        } catch {
          // no headers to read
        }
        if (t === "opaqueredirect" || (s >= 300 && s < 400)) {
          answer("", s, t, retryAfter, null); // a redirect's body is not read
          return;
        }
        let text;
        try {
          text = apply(reflectGet(response, "text"), response, []);
        } catch {
          answer("", s, t, retryAfter, null); // no readable body
          return;
        }
        settled(text, (value) => answer("", s, t, retryAfter, parse(value)), failed);
      }, failed);
    } catch (err) {
      answered = true; // Go takes this text for the answer: done is never called
      return `fetch failed: ${errorText(err)}`;
    }
    return abort;
  }

  // keepaliveFetch reports whether fetch honours keepalive: Request.prototype has a keepalive
  // property (browsers that ignore the option, like Firefox before 133, lack it). Without a
  // Request constructor to ask, a fetch is trusted.
  function keepaliveFetch() {
    try {
      const Request = reflectGet(win, "Request");
      return typeof Request !== "function" || reflectHas(reflectGet(Request, "prototype"), "keepalive");
    } catch {
      return false;
    }
  }

  // sendKeepalive starts a keepalive fetch and does not wait for it.
  function sendKeepalive(fetch, url, token, credentials) {
    try {
      // Nobody awaits the answer; a rejection must not be an unhandled one in the page.
      settled(apply(fetch, win, [url, init(token, credentials, true)]), noop, noop);
      return "";
    } catch (err) {
      return `beacon: fetch failed: ${errorText(err)}`;
    }
  }

  // beacon's first choice, fetchLater sent at once, comes from the deferred-fetch quota, which
  // the game's own keepalive requests and beacons cannot use up (they share the page's 64 KiB
  // keepalive quota: a large one in the game's pagehide handler, run before ours, makes a
  // keepalive fetch of ours fail after beacon returned).
  function beacon(url, token, credentials) {
    try {
      const fetchLater = reflectGet(win, "fetchLater");
      if (typeof fetchLater === "function") {
        const options = init(token, credentials, false); // fetchLater's are keepalive by nature
        options.activateAfter = 0;
        apply(fetchLater, win, [url, options]);
        return "";
      }
    } catch {
      // an insecure URL, its own quota, a detached document: a keepalive fetch
    }
    const fetch = read(win, "fetch");
    if (typeof fetch === "function" && keepaliveFetch() && sendKeepalive(fetch, url, token, credentials) === "") return "";
    const nav = read(win, "navigator");
    const sendBeacon = read(nav, "sendBeacon");
    if (typeof sendBeacon !== "function") {
      if (typeof fetch === "function") return sendKeepalive(fetch, url, token, credentials);
      return "beacon: neither fetch nor navigator.sendBeacon is available";
    }
    try {
      // A string body is sent as text/plain: no CORS preflight.
      if (apply(sendBeacon, nav, [url, body(token)]) !== true) return "beacon: sendBeacon refused the request";
    } catch (err) {
      return `beacon: sendBeacon failed: ${errorText(err)}`;
    }
    return "";
  }

  function later(url, token, credentials) {
    try {
      const fetchLater = reflectGet(win, "fetchLater");
      if (typeof fetchLater !== "function") return undefined;
      const c = controller();
      if (!c) return "fetchLater: no AbortController to withdraw it with";
      const options = init(token, credentials, false);
      options.signal = c.signal;
      apply(fetchLater, win, [url, options]);
      let canceled = false;
      return () => {
        if (canceled) return;
        canceled = true;
        c.abort();
      };
    } catch (err) {
      return `fetchLater: ${errorText(err)}`;
    }
  }

  // crossOriginFrame reports whether win is framed by a document of another origin: window.top is
  // another window whose location.origin cannot be read (the browser throws SecurityError). A
  // same-origin parent shares our locks; no window.top (Node, a Worker) is not framed.
  function crossOriginFrame() {
    const top = read(win, "top");
    if (top === null || typeof top !== "object" || top === win) return false;
    return typeof read(read(top, "location"), "origin") !== "string";
  }

  function lock(name, mode, callback) {
    let over = false; // told settled or rejected: callback is not called again
    const tell = (event, a, b) => {
      if (over) return undefined;
      if (event === "settled" || event === "rejected") over = true;
      try {
        return callback(event, a, b);
      } catch {
        return undefined; // the module is gone
      }
    };
    const locks = read(read(win, "navigator"), "locks");
    const request = read(locks, "request");
    if (typeof request !== "function") return "missing";
    if (crossOriginFrame()) return "cross-origin";
    const options = { __proto__: null };
    let c = null;
    if (mode === "steal") options.steal = true;
    else if (mode === "wait") {
      c = controller();
      if (c) options.signal = c.signal;
    } else options.ifAvailable = true;
    let released = false;
    let free = null;
    const grant = (held) => {
      if (held === null || held === undefined) {
        tell("held");
        return undefined; // ends the request at once
      }
      if (released || tell("granted") !== true || released) return undefined; // given back at once
      return new PromiseCtor((resolve) => { free = resolve; }); // pending: the lock is held
    };
    let pending;
    try {
      pending = apply(request, locks, [name, options, grant]);
    } catch (err) {
      pending = new PromiseCtor((_, reject) => reject(err)); // told as a rejection, not here
    }
    try {
      settled(pending, () => tell("settled"), (err) => {
        const errName = read(err, "name");
        tell("rejected", typeof errName === "string" ? errName : "", errorText(err));
      });
    } catch (err) {
      tell("rejected", "", errorText(err));
    }
    return () => {
      released = true;
      if (free) free();
      else if (c) c.abort(); // a request still queued is withdrawn
    };
  }

  function worker(onMessage, onError) {
    let instance;
    let post;
    try {
      const Worker = reflectGet(win, "Worker");
      const Blob = reflectGet(win, "Blob");
      const URL = reflectGet(win, "URL");
      const createObjectURL = read(URL, "createObjectURL");
      if (typeof Worker !== "function" || typeof Blob !== "function" || typeof createObjectURL !== "function") {
        return "no Worker here";
      }
      let blob;
      let src;
      try {
        blob = new Blob([WORKER_SOURCE], { __proto__: null, type: "text/javascript" });
      } catch (err) {
        return `new Blob failed: ${errorText(err)}`;
      }
      try {
        src = apply(createObjectURL, URL, [blob]);
      } catch (err) {
        return `URL.createObjectURL failed: ${errorText(err)}`;
      }
      // A Content-Security-Policy without worker-src blob: (or child-src, script-src) makes this
      // throw in some browsers; Chromium fires an error event instead (onError).
      try {
        instance = new Worker(src);
        post = reflectGet(instance, "postMessage");
      } catch (err) {
        return `new Worker failed: ${errorText(err)}`;
      }
      try {
        addTo(instance, "message", (event) => {
          try {
            const data = read(event, "data");
            if (typeof data === "number") {
              onMessage("timer", data);
              return;
            }
            if (!isArray(data)) return;
            const at = (i) => (i < data.length ? data[i] : undefined); // own elements only
            onMessage(at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7), at(0) === "answer" ? parse(at(8)) : null);
          } catch {
            // the module is gone
          }
        });
      } catch (err) {
        return `the timer Worker takes no listener: ${errorText(err)}`;
      }
      try {
        addTo(instance, "error", (event) => {
          const message = read(event, "message");
          try {
            onError(typeof message === "string" ? message : "");
          } catch {
            // the module is gone
          }
        });
      } catch {
        // a Worker that cannot tell its failure: its timers still run
      }
    } catch (err) {
      return `no Worker here: ${errorText(err)}`;
    }
    const send = (message) => {
      try {
        apply(post, instance, [message]);
        return "";
      } catch (err) {
        return `postMessage to the timer Worker failed: ${errorText(err)}`;
      }
    };
    // The messages have no prototype (a page's setters are not run) and hold only cloneable
    // values: the init is init()'s, the page's own rule for the request.
    return freeze({
      __proto__: null,
      timer: (id, ms) => send([id, ms]),
      send: (id, at, timeout, url, token, credentials, keepalive) => {
        const options = init(token, credentials, keepalive);
        return send({ __proto__: null, id, at, timeout, url, init: options });
      },
      cancel: (id) => send({ __proto__: null, cancel: id }),
    });
  }

  return freeze({ __proto__: null, emit, init, body, listen, online, debug, request, beacon, later, lock, worker });
}

// GameSessionError is the kind of Error every rejection is; the loader makes them all, from the Go
// module's (code, status, message) too. The name sits on the prototype before construction so
// that the stack, which the console shows, starts with it. Two copies of the loader (a classic
// script and a bundle) have a class each, so instanceof asks for the name, not the class.
class GameSessionError extends Error {
  static [Symbol.hasInstance](value) {
    return value instanceof Error && value.name === "GameSessionError";
  }
}
define(GameSessionError.prototype, "name", "GameSessionError");

function gameSessionError(code, message, status, cause) {
  const err = cause === undefined ? new GameSessionError(message) : new GameSessionError(message, { __proto__: null, cause });
  define(err, "code", code, true);
  define(err, "status", status || 0, true);
  return err;
}

function describe(err) {
  return err && err.message ? err.message : String(err);
}

// The .wasm download may stall (a server or proxy that accepts and never answers, or stops
// mid-body): with no byte for STALL_MS, or not complete after LOAD_MS, the load fails with TIMEOUT
// rather than leaving ready and every call pending. 10 s without a byte is far beyond a slow but
// live connection's gaps; 120 s bounds a trickle and still lets the 3.4 MB module through
// uncompressed at 250 kbit/s (it is 0.7 MB with brotli).
const STALL_MS = 10000;
const LOAD_MS = 120000;

// earlyFetch starts the .wasm download and its streaming compile and instantiation before
// anything else (the classic script calls it first thing; boot does for the ES module), as a
// page's own instantiateStreaming(fetch(url), imports) would. Compiling keeps pace with the
// bytes, so it must hold them from the first one: begun only once the loader had looked at the
// response, it started ~10 ms later and ended ~15 ms later, and a separate instantiate after it
// cost ~3 ms more (bench start-up figure, with marks). instantiateStreaming rejects a response
// that is not ok or not exactly application/wasm before reading its body, so instantiateWasm can
// still read that one itself and explain it. The returned load is also what instantiateWasm's
// stall watch reads; undefined where fetch throws. Nothing here throws.
function earlyFetch(url) {
  try {
    const abort = typeof AbortController === "function" ? new AbortController() : null;
    const load = {
      __proto__: null,
      url,
      abort,
      response: undefined, // Promise<Response>
      imports: { __proto__: null }, // the import object: instantiateWasm fills it (see below)
      instantiated: undefined, // Promise of instantiateStreaming's {module, instance}, where it exists
      watcher: undefined, // watch()'s, once the response is in
      last: Date.now(), // ms: when the last sign of data came (the request, the response, a chunk)
      done: false, // the whole body is in (or failed)
    };
    load.response = fetch(url, abort ? { __proto__: null, signal: abort.signal } : undefined).then((response) => {
      load.last = Date.now();
      load.watcher = watch(response, () => { load.last = Date.now(); }, () => { load.done = true; });
      return response;
    });
    load.response.catch(() => {}); // instantiateWasm awaits it; a failure before that is not unhandled
    if (typeof WebAssembly === "object" && WebAssembly !== null && typeof WebAssembly.instantiateStreaming === "function") {
      // The import object is Go's, which does not exist yet: instantiateStreaming reads its
      // properties only once the module compiled (the WebAssembly JS API's "instantiate a promise
      // of a module"), and instantiateWasm fills it in the same task as this call.
      load.instantiated = WebAssembly.instantiateStreaming(load.response, load.imports);
      load.instantiated.catch(() => {}); // awaited only for an application/wasm response
    }
    return load;
  } catch {
    return undefined;
  }
}

// instantiateWasm fetches, compiles and instantiates the module with importObject, and returns
// the instance: through earlyFetch's instantiateStreaming when the server says exactly
// application/wasm (it refuses anything else, even with a charset), from the bytes otherwise.
// early is earlyFetch's for url; hint says how to point the loader at the right file.
async function instantiateWasm(url, hint, early, importObject) {
  if (early !== undefined) Object.assign(early.imports, importObject);
  const load = early !== undefined ? early : { __proto__: null, abort: null, watcher: undefined, last: Date.now(), done: false };
  const started = Date.now();
  let timedOut;
  const watchdog = new Promise((_, reject) => { timedOut = reject; });
  const timer = setInterval(() => {
    if (load.done) return clearInterval(timer); // what is left is compiling
    if (load.watcher) load.watcher.read(); // from the first check on: see watch
    const now = Date.now();
    let why;
    if (now - load.last >= STALL_MS) why = `no data for ${STALL_MS / 1000} s`;
    else if (now - started >= LOAD_MS) why = `not complete after ${LOAD_MS / 1000} s`;
    else return;
    clearInterval(timer);
    timedOut(gameSessionError("TIMEOUT", `game-session: loading ${url} stalled (${why})`, 0));
    if (load.abort) load.abort.abort();
  }, 1000);
  try {
    return await Promise.race([download(), watchdog]);
  } finally {
    clearInterval(timer);
    if (load.watcher) load.watcher.close();
  }

  async function download() {
    let response;
    try {
      // No early request: fetch threw at once (or is missing); calling it here reports why.
      response = await (early !== undefined ? early.response : fetch(url));
    } catch (err) {
      throw fetchFailure(err, url);
    }
    if (!response.ok) {
      throw gameSessionError("NETWORK_ERROR", `game-session: could not load ${url}: HTTP ${response.status}`, response.status);
    }
    const type = (response.headers.get("Content-Type") || "").trim();
    let bytes;
    try {
      // bodyUsed: a browser whose instantiateStreaming took a type this check does not.
      if (early !== undefined && early.instantiated !== undefined && (type.toLowerCase() === "application/wasm" || response.bodyUsed)) {
        return (await early.instantiated).instance;
      }
      bytes = await response.arrayBuffer();
    } catch (err) {
      throw compileFailure(err, url, response.status, hint);
    }
    const head = new Uint8Array(bytes, 0, Math.min(4, bytes.byteLength));
    if (head.length < 4 || head[0] !== 0 || head[1] !== 0x61 || head[2] !== 0x73 || head[3] !== 0x6d) {
      const what = /html/i.test(type) || head[0] === 0x3c ? `got ${type || "no Content-Type"} (a web page)` : `got ${type || "no Content-Type"}`;
      throw gameSessionError("BAD_RESPONSE", `game-session: ${url} is not WebAssembly: ${what}; ${hint}`, response.status);
    }
    try {
      return (await WebAssembly.instantiate(bytes, importObject)).instance;
    } catch (err) {
      throw compileFailure(err, url, response.status, hint);
    }
  }
}

// watch returns a watcher of response's body (undefined where it cannot clone it): from its first
// read() on it calls progress for every chunk, and complete at the end or on a failure; close()
// lets the body go. It reads a clone, so the compiler still streams the original natively (a
// TransformStream put every chunk through the main thread: ~10 ms). The clone is read only from
// instantiateWasm's first stall check, a second in: a load done by then never reads it, and
// reading it from the start slowed the compiler's feed by ~3 ms more (bench start-up figure). The
// browser keeps what the clone was sent meanwhile, so nothing is lost to the count. The clone
// itself still costs the compiler a few ms on a fast load (100 cold loads: ×1.112 of the floor
// with it, ×1.069 without): the price of noticing a body that stops.
function watch(response, progress, complete) {
  let clone;
  try {
    clone = response.clone();
  } catch {
    return undefined;
  }
  let reader = null;
  const pump = () => reader.read().then((chunk) => {
    if (chunk.done) return complete();
    progress();
    return pump();
  }, complete);
  return {
    __proto__: null,
    read() {
      if (reader) return;
      try {
        reader = clone.body.getReader();
      } catch {
        return; // no streams: nothing to watch, the stall check counts from the response
      }
      pump();
    },
    close() {
      try {
        (reader ? reader.cancel() : clone.body.cancel()).catch(() => {});
      } catch {
        // nothing to let go
      }
    },
  };
}

// fetchFailure explains a fetch that got no response. Across origins that is most often a
// missing CORS header on the .wasm (a CDN's script tag, an assets host), which the browser
// reports only as "Failed to fetch".
function fetchFailure(err, url) {
  let message = `game-session: could not fetch ${url}: ${describe(err)}`;
  try {
    const page = globalThis.location && globalThis.location.origin;
    const origin = new URL(url).origin;
    if (page && page !== "null" && origin !== page) {
      message += `; it is on another origin than the page (${page}), so its server must allow the page with ` +
        "CORS (Access-Control-Allow-Origin)";
    }
  } catch {
    // no page origin (Node) or an unparsable URL: the plain message
  }
  return gameSessionError("NETWORK_ERROR", message, 0, err);
}

// compileFailure tells a Content Security Policy block, a module built for another Go runtime
// (its imports do not link) and a file that is not WebAssembly (an HTML fallback page, say) from a
// body that broke off while it streamed.
function compileFailure(err, url, status, hint) {
  const text = describe(err);
  if (/Content.Security.Policy|\bCSP\b|unsafe-eval/i.test(text)) {
    return gameSessionError("INVALID_STATE", "game-session: the page's Content Security Policy forbids WebAssembly; " +
      `add 'wasm-unsafe-eval' to its script-src (${text})`, 0, err);
  }
  if (err instanceof WebAssembly.LinkError) {
    return gameSessionError("BAD_RESPONSE", `game-session: ${url} does not fit this loader's Go runtime ` +
      `(built by another Go version?): ${text}`, 0, err);
  }
  if (err instanceof WebAssembly.CompileError) {
    return gameSessionError("BAD_RESPONSE", `game-session: ${url} is not a WebAssembly module: ${text}; ${hint}`, status, err);
  }
  return gameSessionError("NETWORK_ERROR", `game-session: could not load ${url}: ${text}`, 0, err);
}

// goGlobal is the global object Go's runtime and the Go module see: the page's global for every
// read, but what wasm_exec.js defines (Go, fs, process, path) and the loader's hand-over hook are
// its own, so the page's global gains nothing and a page's own process or fs is neither used nor
// replaced. The Go module reaches the page's global as its globalThis property (wasm/main.go).
function goGlobal(hook) {
  const real = globalThis;
  const own = { __proto__: null, Go: undefined, fs: undefined, process: undefined, path: undefined, __gameSessionInit: hook };
  return new Proxy(own, {
    __proto__: null,
    get: (target, key) => (key in target ? target[key] : reflectGet(real, key)),
    has: (target, key) => key in target || key in real,
  });
}

// startSession's arguments are checked here, in the loader, and handed to the Go module flat and
// already typed (the Go side reads them in wasm/browser/options.go, StartArgs):
//
//   api.startSession(token, apiBase, heartbeatIntervalMs, sessionTtlMs, requestTimeoutMs,
//                    credentials, singleTab, takeover, debug, backgroundHeartbeats)
//
// token and apiBase are strings (apiBase resolved: origin + path, no trailing slash); the others
// are numbers (ms), strings or booleans as given, or undefined for an option the game left out,
// which Go then takes from session.DefaultOptions. Arguments the bridge adds come after these ten.
// The ranges (and the credentials values, and the token's content rules) are Go's to check:
// session.Options.Validate and session.ValidateToken.
//
// The checks use the intrinsics as they were when this script ran (see the top: a page may
// replace them later) and read each option once, at call time: a caller changing the object afterwards
// changes nothing. A read that throws (a getter, a Proxy trap) is INVALID_ARGUMENT, never an
// exception out of startSession.
const MAX_OPTION_CHARS = 4096; // bounds an apiBase or credentials string
// Each option's position in the flat arguments, and the type it must have.
const OPTION_SLOTS = {
  __proto__: null,
  apiBase: [1, "string"],
  heartbeatIntervalMs: [2, "number"],
  sessionTtlMs: [3, "number"],
  requestTimeoutMs: [4, "number"],
  credentials: [5, "string"],
  singleTab: [6, "boolean"],
  takeover: [7, "boolean"],
  debug: [8, "boolean"],
  backgroundHeartbeats: [9, "boolean"],
};
const OPTION_NAMES = "apiBase, heartbeatIntervalMs, sessionTtlMs, requestTimeoutMs, credentials, singleTab, takeover, debug, backgroundHeartbeats";
// White space beyond the C0 range that would make an apiBase blank (JS's \s and Go's unicode.IsSpace).
const WIDE_SPACE = {
  __proto__: null, "\u0085": 1, "\u00a0": 1, "\u1680": 1, "\u2000": 1, "\u2001": 1, "\u2002": 1, "\u2003": 1,
  "\u2004": 1, "\u2005": 1, "\u2006": 1, "\u2007": 1, "\u2008": 1, "\u2009": 1, "\u200a": 1, "\u2028": 1,
  "\u2029": 1, "\u202f": 1, "\u205f": 1, "\u3000": 1, "\ufeff": 1,
};

function invalidArgument(message) {
  return gameSessionError("INVALID_ARGUMENT", message);
}

// typeName names a value's type for an error message, never its content (it may be a token).
function typeName(value) {
  if (value === null) return "null";
  const type = typeof value;
  if (type === "object") {
    try {
      return isArray(value) ? "array" : "object";
    } catch {
      return "object"; // a revoked Proxy
    }
  }
  if (type === "number" && !(value - value === 0)) return "non-finite number";
  if (type === "undefined" && value !== undefined) return "unsupported value"; // document.all
  return type;
}

// prefix is s's first n UTF-16 units (String.prototype.slice as it was when this script ran).
function prefix(s, n) {
  return apply(stringSlice, s, [0, n]);
}

// clip bounds text quoted in an error message.
function clip(s) {
  return s.length > 64 ? prefix(s, 64) + "…" : s;
}

// isPlainObject is the one rule for "a plain object": typeof "object", not null, and its
// prototype is null or an object that itself has no prototype: an object literal,
// Object.create(null), JSON.parse's objects and those of another realm (an iframe's
// Object.prototype). Class instances, arrays, Dates, Maps, boxed primitives and functions are
// not. A Proxy counts by what its getPrototypeOf trap answers; a trap that throws throws here.
function isPlainObject(value) {
  if (value === null || typeof value !== "object") return false;
  const proto = getPrototypeOf(value);
  return proto === null || getPrototypeOf(proto) === null;
}

// blank: only white space or control characters, what the URL parser strips: such an apiBase
// would resolve to the page itself.
function blank(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c > " " && WIDE_SPACE[c] !== 1) return false;
  }
  return true;
}

// readStartArgs checks startSession's arguments and returns the flat arguments for the Go module
// (see above), or throws an INVALID_ARGUMENT GameSessionError. defaultBase is the loader's
// default apiBase (data-api-base or configure); without one, the page's origin.
// page is the window whose location gives that origin (globalThis unless a test gives another).
function readStartArgs(token, options, defaultBase, page) {
  if (typeof token !== "string") throw invalidArgument(`authToken must be a string, got ${typeName(token)}`);
  // By its length first: a huge string is neither scanned nor copied (wasm_exec.js hashes every
  // string handed to Go, which flattens it: ~1 s for "a".repeat(2 ** 29 - 24) in Chromium).
  if (token.length > MAX_TOKEN_CHARS) {
    throw invalidArgument(`authToken is too long (${token.length} characters, at most ${MAX_TOKEN_CHARS} bytes)`);
  }
  try {
    encodeURIComponentFn(token); // throws URIError on exactly the lone surrogates
  } catch {
    // Go would receive U+FFFD in place of the lone surrogate and send another token than the game gave.
    throw invalidArgument("authToken is not valid text (it contains a lone UTF-16 surrogate)");
  }
  const args = [token, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined];
  if (options !== undefined && options !== null) {
    let keys;
    try {
      if (!isPlainObject(options)) throw invalidArgument(`options must be a plain object, got ${typeName(options)}`);
      keys = objectKeys(options); // own enumerable string keys: nothing inherited counts
    } catch (err) {
      throw err instanceof GameSessionError ? err : invalidArgument("options could not be read");
    }
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const slot = OPTION_SLOTS[key];
      if (slot === undefined) throw invalidArgument(`unknown option "${clip(key)}" (the options are ${OPTION_NAMES})`);
      let value;
      try {
        value = reflectGet(options, key);
      } catch {
        throw invalidArgument(`options.${key} could not be read`);
      }
      if (value === undefined) continue; // {x: undefined} is the same as leaving x out
      const want = slot[1];
      if (typeof value !== want) throw invalidArgument(`options.${key} must be a ${want}, got ${typeName(value)}`);
      if (want === "number" && !(value > 0 && value < Infinity)) {
        throw invalidArgument(`options.${key} must be a positive finite number of milliseconds, got ${value}`);
      }
      if (want === "string") {
        if (value.length > MAX_OPTION_CHARS) throw invalidArgument(`options.${key} is too long (at most ${MAX_OPTION_CHARS} characters)`);
        if (value === "") throw invalidArgument(`options.${key} must not be empty`);
      }
      args[slot[0]] = value;
    }
  }
  args[1] = apiBaseArg(args[1], defaultBase, page);
  return args;
}

// apiBaseArg resolves the apiBase to use: the options' own, else the loader's default, else the
// page's origin. A base is resolved with new URL(base, location.href) to its origin and path
// without a trailing slash (Go appends /api/games/sessions/...); it must be http(s), without
// credentials, query or fragment.
function apiBaseArg(own, defaultBase, page) {
  let base = own;
  let what = "options.apiBase";
  if (base === undefined && defaultBase !== undefined && defaultBase !== null && defaultBase !== "") {
    base = defaultBase;
    what = "the default apiBase (data-api-base or configure)";
    if (typeof base !== "string") throw invalidArgument(`${what} must be a string, got ${typeName(base)}`);
    if (base.length > MAX_OPTION_CHARS) throw invalidArgument(`${what} is too long (at most ${MAX_OPTION_CHARS} characters)`);
  }
  let origin, href;
  try {
    const location = reflectGet(page === undefined ? pageGlobal : page, "location");
    if (location !== null && typeof location === "object") {
      origin = location.origin;
      href = location.href;
    }
  } catch {
    // no readable location: as if there were none
  }
  if (base === undefined) {
    if (typeof origin !== "string" || !(prefix(origin, 7) === "http://" || prefix(origin, 8) === "https://")) {
      throw invalidArgument("options.apiBase is required: this page has no http(s) origin");
    }
    return origin;
  }
  if (blank(base)) throw invalidArgument(`${what} must not be blank`);
  let url, protocol, resolved, path;
  try {
    url = typeof href === "string" && href !== "" ? new URLConstructor(base, href) : new URLConstructor(base);
    protocol = url.protocol;
    if (protocol === "http:" || protocol === "https:") {
      if (url.username !== "" || url.password !== "") throw invalidArgument(`${what} must not contain credentials`);
      if (url.search !== "" || url.hash !== "") throw invalidArgument(`${what} must not have a query or fragment`);
      resolved = url.origin;
      path = url.pathname;
    }
  } catch (err) {
    throw err instanceof GameSessionError ? err : invalidArgument(`${what} is not a valid URL`);
  }
  if (path === undefined) throw invalidArgument(`${what} must be an http: or https: URL, got "${typeof protocol === "string" ? clip(protocol) : ""}"`);
  let end = path.length;
  while (end > 0 && path[end - 1] === "/") end--;
  // A common slip: apiBase is where /api/games/sessions/* lives, not that path itself.
  const at = apply(stringIndexOf, apply(stringToLowerCase, path, []), ["/api/games/sessions"]);
  if (at >= 0) {
    throw invalidArgument(`${what} is where /api/games/sessions/* lives, without that path: use "${clip(resolved + prefix(path, at))}"`);
  }
  return resolved + prefix(path, end);
}

// createGameSession returns the public API at once; boot() loads the module behind it.
// settings.apiBase is the loader's default apiBase (the script tag's data-api-base, or configure());
// settings.wasmHint ends an error about a wrong .wasm with how to point the loader at the right one.
function createGameSession(settings) {
  let go = null; // the Go module's exports once it handed them over (see the bridge above)
  let stopped = null; // the error every call gets once the module can no longer answer
  let queue = []; // calls made before ready, run in order once it is; null afterwards
  const registry = listeners(); // on()'s listeners, before ready too: Go emits into it
  let resolveReady, rejectReady, rejectStop;
  const ready = new Promise((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  // A call already inside the Go module never settles if the module dies: race it against this.
  const stop = new Promise((_, reject) => { rejectStop = reject; });
  stop.catch(() => {});

  function fail(err) {
    if (stopped) return;
    stopped = err;
    rejectStop(err);
    rejectReady(err);
    if (queue) {
      for (const call of queue) call.reject(err);
      queue = null;
    }
  }

  // invoke runs send(settle), a call of one of Go's exports, and returns the Promise settle
  // decides. Go never throws (bad arguments are a settle too); a throw means its runtime is gone
  // (exited a moment ago, before run()'s promise told us).
  function invoke(send) {
    if (stopped) return Promise.reject(stopped);
    const settled = new Promise((resolve, reject) => {
      const settle = (code, status, message) => {
        if (code === "") resolve({ success: true });
        else reject(gameSessionError(code, message, status));
      };
      try {
        send(settle);
      } catch (err) {
        reject(unreachable(err));
      }
    });
    return Promise.race([settled, stop]);
  }

  function unreachable(err) {
    return gameSessionError("INVALID_STATE", "game-session: the module stopped and cannot answer; " +
      "reload the page to start a new session", 0, err);
  }

  function call(send) {
    if (!queue) return invoke(send);
    return new Promise((resolve, reject) => queue.push({ send, resolve, reject }));
  }

  // connect is the hand-over hook's work (see the bridge above): it keeps Go's exports, answers
  // with the host, and registers on a fresh stack, after Go's main blocked: then the queued calls
  // run in order.
  function connect(version, startSession, endSession, state) {
    const host = makeHost(globalThis, registry.emit);
    queueMicrotask(() => {
      if (stopped) return;
      go = { __proto__: null, version, startSession, endSession, state };
      const calls = queue;
      queue = null;
      for (const c of calls) c.resolve(invoke(c.send));
      resolveReady();
    });
    return host;
  }

  // The arguments are checked and read now, at the call, also before ready (readStartArgs): bad
  // ones reject at once and nothing reaches the module; the module gets them flat, then settle.
  function startSession(token, options) {
    let args;
    try {
      args = readStartArgs(token, options, settings.apiBase, settings.page);
    } catch (err) {
      return Promise.reject(err);
    }
    return call((settle) => go.startSession(...args, settle));
  }

  function endSession() {
    return call((settle) => go.endSession(settle));
  }

  function state() {
    if (!go) return "idle";
    if (stopped) return "ended";
    try {
      const name = go.state();
      return typeof name === "string" ? name : "ended";
    } catch {
      return "ended"; // the runtime is gone (see invoke)
    }
  }

  // on checks its arguments and throws a GameSessionError for bad ones; a listener that throws is
  // the game's bug, reported like an uncaught error, never into Go (see listeners).
  function on(type, listener) {
    return registry.on(type, listener);
  }

  // boot runs Go's runtime (defineGo, see wasm_exec.mjs) with a private global, loads the module
  // and runs it. Every failure rejects ready and the queued calls; nothing is left waiting.
  async function boot(defineGo, wasmUrl, early) {
    try {
      if (typeof WebAssembly !== "object" || WebAssembly === null) {
        throw gameSessionError("INVALID_STATE", "game-session: this browser has no WebAssembly");
      }
      const url = String(wasmUrl);
      // The download starts first (the classic script's began before the loader was even set up):
      // Go's runtime glue is set up while it is in flight. One place makes the request.
      if (early === undefined || early.url !== url) early = earlyFetch(url);
      // The Go module calls __gameSessionInit on its global from main, before it blocks (the
      // bridge), so by the time go.run's synchronous part returns it has either handed over or it
      // never will: a module that did not is the wrong file, not a slow one.
      let registered = false;
      const global = goGlobal((version, startSession, endSession, state) => {
        if (registered) return null;
        registered = true;
        return connect(version, startSession, endSession, state);
      });
      const Go = defineGo(global);
      const runtime = new Go();
      const instance = await instantiateWasm(url, settings.wasmHint, early, runtime.importObject);
      let exitCode = 0;
      const exit = runtime.exit;
      define(runtime, "exit", (code) => {
        exitCode = code;
        exit.call(runtime, code);
      });
      const running = runtime.run(instance);
      running.then(
        () => fail(gameSessionError("INVALID_STATE", `game-session: the module stopped (Go exit code ${exitCode}); ` +
          "reload the page to start a new session")),
        (err) => fail(gameSessionError("INVALID_STATE", `game-session: the module crashed: ${describe(err)}; ` +
          "reload the page to start a new session", 0, err)),
      );
      if (!registered && !runtime.exited) {
        throw gameSessionError("INVALID_STATE", `game-session: ${url} started but did not register its API ` +
          "(is it game-session.wasm, built with this loader?)");
      }
    } catch (err) {
      fail(err instanceof GameSessionError ? err
        : gameSessionError("INVALID_STATE", `game-session: could not start: ${describe(err)}`, 0, err));
    }
  }

  return {
    startSession,
    endSession,
    ready,
    state,
    on,
    get version() {
      return go && typeof go.version === "string" ? go.version : VERSION;
    },
    boot,
    connect, // for wasm/browser's tests, which run this core against the Go side without a .wasm
  };
}
// #endregion core

const settings = {
  __proto__: null,
  apiBase: undefined,
  wasmUrl: undefined,
  wasmHint: "point the loader at game-session.wasm with configure({ wasmUrl }) (see the README on bundlers)",
};
const session = createGameSession(settings);
let booted = false;

// The module starts loading in the first task after the importing code ran, so configure() called
// right after the import, or right after `await import("game-session")`, still applies. Outside a
// page (Node, server-side rendering) it loads only when startSession or endSession is called.
function boot() {
  if (booted) return;
  booted = true;
  session.boot(defineGo, settings.wasmUrl !== undefined ? settings.wasmUrl : defaultWasmUrl());
}

function defaultWasmUrl() {
  try {
    // This exact expression is what webpack, Rollup and Vite recognise to ship the .wasm asset.
    return new URL("./game-session.wasm", import.meta.url);
  } catch (err) {
    return {
      toString() {
        throw gameSessionError("INVALID_STATE", "game-session: cannot locate game-session.wasm because " +
          "import.meta.url is unavailable here; call configure({ wasmUrl }) first", 0, err);
      },
    };
  }
}

if (typeof window === "object" && typeof document === "object") setTimeout(boot, 0);

/**
 * configure sets the loader's options. It must run before the module starts loading: right after
 * the import, before the first startSession/endSession.
 * @param {{ wasmUrl?: string | URL, apiBase?: string }} options
 */
export function configure(options) {
  if (!isPlainObject(options)) {
    throw gameSessionError("INVALID_ARGUMENT", "game-session: configure() takes an object { wasmUrl, apiBase }");
  }
  for (const [key, value] of Object.entries(options)) {
    if (key === "wasmUrl") {
      if (value !== undefined && typeof value !== "string" && !(value instanceof URL)) {
        throw gameSessionError("INVALID_ARGUMENT", "game-session: configure({ wasmUrl }) must be a string or URL");
      }
    } else if (key === "apiBase") {
      if (value !== undefined && typeof value !== "string") {
        throw gameSessionError("INVALID_ARGUMENT", "game-session: configure({ apiBase }) must be a string");
      }
    } else {
      throw gameSessionError("INVALID_ARGUMENT", `game-session: configure() has no option ${JSON.stringify(key)}; ` +
        "use wasmUrl or apiBase");
    }
  }
  if (booted) {
    throw gameSessionError("INVALID_STATE", "game-session: configure() came after the module started loading; " +
      "call it right after the import, before startSession or endSession");
  }
  if ("wasmUrl" in options) settings.wasmUrl = options.wasmUrl;
  if ("apiBase" in options) settings.apiBase = options.apiBase;
}

export function startSession(...args) {
  boot();
  return session.startSession(...args);
}

export function endSession() {
  boot();
  return session.endSession();
}

export const ready = session.ready;

export function state() {
  return session.state();
}

export function on(type, listener) {
  return session.on(type, listener);
}

// The class of every rejection; instanceof also accepts the Go module's errors (see above).
export { GameSessionError };

// A live binding: the Go module's version once it is ready (the same string, built from one source).
export let version = session.version;
ready.then(() => { version = session.version; }, () => {});
