// Test-page helpers: a log of SDK and page events that the Go tests read
// over CDP (window.__log), and __settle, which turns an SDK promise into a
// plain object so that a rejection's fields cross CDP intact.
"use strict";
window.__log = [];

function __note(type, detail) {
  __log.push({ type, at: Date.now(), detail: detail === undefined ? null : detail });
}

addEventListener("pageshow", (e) => __note("pageshow", { persisted: e.persisted }));
addEventListener("pagehide", (e) => __note("pagehide", { persisted: e.persisted }));

// __listen logs every SDK event of api (GameSession, or the ESM namespace).
function __listen(api) {
  for (const type of ["statechange", "heartbeat", "renew", "error", "end"]) {
    api.on(type, (detail) => __note(type, detail));
  }
}

function __settle(promise) {
  return Promise.resolve(promise).then(
    (value) => ({ ok: true, value: value === undefined ? null : value }),
    (e) => ({
      ok: false,
      isError: e instanceof Error,
      name: e && e.name,
      code: e && e.code,
      status: e && e.status,
      message: String(e && e.message),
    }),
  );
}
