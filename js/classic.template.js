// game-session classic script: <script src=".../game-session.js" data-api-base="https://api.example.com">.
// It loads game-session.wasm from beside itself (Go's runtime is inside this file) and defines
// startSession, endSession and GameSession at once (bare globals and window.GameSession); no
// other global.
(function () {
  "use strict";

  // Nothing may run twice: a second copy of this tag would start a second module and session.
  if (globalThis.GameSession && globalThis.GameSession.__gameSessionLoader) {
    console.warn("game-session: game-session.js is included twice; the second copy does nothing");
    return;
  }

  // document.currentScript is this tag while the script runs (null only in odd embeddings: then
  // take the last tag that names this file, else resolve beside the page).
  const script = document.currentScript ||
    Array.prototype.slice.call(document.querySelectorAll('script[src*="game-session"]')).pop() || null;
  const base = script && script.src ? script.src : document.baseURI;
  // The download starts now, before the rest of this script is even set up (earlyFetch is a
  // hoisted function of the core below).
  const wasmUrl = new URL("game-session.wasm", base).href;
  const early = earlyFetch(wasmUrl);

  /* @core */

  // Go's runtime glue: build.sh puts defineGo here, the toolchain's wasm_exec.js wrapped as in
  // dist/wasm_exec.mjs (see js/wasm_exec.wrapper.js).
  /* @wasm_exec */

  const dataApiBase = script ? script.getAttribute("data-api-base") : null;
  const session = createGameSession({
    __proto__: null,
    apiBase: dataApiBase === null ? undefined : dataApiBase,
    wasmHint: "game-session.wasm must be served beside game-session.js",
  });

  const GameSession = {
    startSession: session.startSession,
    endSession: session.endSession,
    ready: session.ready,
    state: session.state,
    on: session.on,
    get version() {
      return session.version;
    },
  };
  Object.defineProperty(GameSession, "__gameSessionLoader", { __proto__: null, value: true });
  // The only globals this script adds (defined, not assigned: see define).
  define(globalThis, "GameSession", GameSession, true);
  define(globalThis, "startSession", session.startSession, true);
  define(globalThis, "endSession", session.endSession, true);

  session.boot(defineGo, wasmUrl, early);
})();
