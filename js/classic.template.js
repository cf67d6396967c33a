// game-session classic script: <script src=".../game-session.js" data-api-base="https://api.example.com">.
// It loads wasm_exec.js and game-session.wasm from beside itself and defines startSession,
// endSession and GameSession at once (bare globals and window.GameSession).
(function () {
  "use strict";

  /* @core */

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
  const dataApiBase = script ? script.getAttribute("data-api-base") : null;
  const session = createGameSession({ apiBase: dataApiBase === null ? undefined : dataApiBase });

  // loadGo adds wasm_exec.js as a script tag (with this tag's CSP nonce) and takes the Go class
  // it defines; a Go that was already on the page may belong to another Go version.
  function loadGo() {
    const url = new URL("wasm_exec.js", base).href;
    const before = globalThis.Go;
    return new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = url;
      if (script && script.nonce) tag.nonce = script.nonce;
      if (script && script.crossOrigin !== null) tag.crossOrigin = script.crossOrigin;
      tag.onload = () => {
        const Go = globalThis.Go;
        if (typeof Go === "function" && Go !== before) resolve(Go);
        else reject(gameSessionError("BAD_RESPONSE", `game-session: ${url} loaded but did not define Go (see the console)`, 0));
      };
      tag.onerror = () => reject(gameSessionError("NETWORK_ERROR", `game-session: could not load ${url}`, 0));
      (document.head || document.documentElement).appendChild(tag);
    });
  }

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
  Object.defineProperty(GameSession, "__gameSessionLoader", { value: true });
  globalThis.GameSession = GameSession;
  globalThis.startSession = session.startSession;
  globalThis.endSession = session.endSession;

  session.boot(loadGo, new URL("game-session.wasm", base).href);
})();
