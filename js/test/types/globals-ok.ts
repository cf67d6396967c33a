// Must type-check with --strict: the classic script's globals, as a script-tag game written in TS uses them.
/// <reference types="game-session/global" />

async function main(): Promise<void> {
  await GameSession.ready;
  const r = await startSession("token", { heartbeatIntervalMs: 9000, apiBase: "https://api.example.com" });
  console.log(r.success, GameSession.version, GameSession.state());
  const off = GameSession.on("heartbeat", (d) => console.log(d.rttMs));
  off();
  window.GameSession.on("end", (d) => console.log(d.reason));
  await window.GameSession.endSession();
  await endSession();
}

void main();
