// The wrapper build.sh puts around Go's wasm_exec.js (from the toolchain that built the .wasm):
// dist/wasm_exec.mjs exports this function, dist/game-session.js holds it inline. wasm_exec.js
// defines Go, fs, process and path on `globalThis`; here that name is the parameter, the private
// global the loader makes (goGlobal in game-session.mjs), so the page's global gains nothing.
// It also runs syscall/js's view of the global: the Go module finds the loader's hook there.
function defineGo(globalThis) {
  // wasm_exec.js writes Go's stdout/stderr through a bare `fs`, the one it defined on globalThis:
  // this name follows that one.
  const fs = new Proxy({ __proto__: null }, {
    __proto__: null,
    get(_, key) {
      const real = globalThis.fs;
      const value = real[key];
      return typeof value === "function" ? value.bind(real) : value;
    },
  });
  /* @wasm_exec.js */
  return globalThis.Go;
}
