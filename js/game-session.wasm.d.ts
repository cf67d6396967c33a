// import wasmUrl from "game-session/game-session.wasm": a bundler's asset import (esbuild's file
// loader, webpack's asset/resource) gives the URL of the copied file, for configure({ wasmUrl }).
// Vite's "game-session/game-session.wasm?url" is typed by vite/client.
declare const wasmUrl: string;
export default wasmUrl;
