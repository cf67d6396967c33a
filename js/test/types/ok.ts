// Must type-check with --strict: every export of "game-session" and every option, used as a game would.
import wasmUrl from "game-session/game-session.wasm";
import {
  GameSessionError,
  configure,
  endSession,
  on,
  ready,
  startSession,
  state,
  version,
  type EndReason,
  type GameSessionErrorCode,
  type GameSessionEventMap,
  type GameSessionEventType,
  type LoaderOptions,
  type RenewReason,
  type SessionOptions,
  type SessionResult,
  type SessionState,
} from "game-session";

const loader: LoaderOptions = { wasmUrl: new URL("https://cdn.example.com/game-session.wasm"), apiBase: "https://api.example.com" };
configure(loader);
configure({ wasmUrl: "/assets/game-session.wasm" });
configure({ wasmUrl }); // the bundler's URL of the copied asset

const options: SessionOptions = {
  apiBase: "https://api.example.com",
  heartbeatIntervalMs: 9000,
  sessionTtlMs: 10000,
  requestTimeoutMs: 5000,
  credentials: "include",
  singleTab: true,
  takeover: false,
  backgroundHeartbeats: true,
  debug: false,
};

async function play(token: string): Promise<void> {
  await ready;
  const started: SessionResult = await startSession(token, options);
  const ok: true = started.success;
  await startSession(token);
  try {
    await endSession();
  } catch (e) {
    if (e instanceof GameSessionError) {
      const name: "GameSessionError" = e.name;
      const code: GameSessionErrorCode = e.code;
      const status: number = e.status;
      console.log(name, code, status, e.message, ok);
    }
  }
}

const s: SessionState = state();
const states: SessionState[] = ["idle", "starting", "active", "renewing", "ending", "ended"];
const v: string = version;
const offs: Array<() => void> = [
  on("statechange", ({ state, previous }) => console.log(state satisfies SessionState, previous satisfies SessionState)),
  on("heartbeat", (d) => console.log(d.rttMs.toFixed(0), d.at + 1)),
  on("renew", (d) => console.log(d.reason satisfies RenewReason)),
  on("error", (d) => console.log(d.code satisfies GameSessionErrorCode, d.status, d.message, d.fatal === true)),
  on("end", (d) => {
    const reason: EndReason = d.reason;
    console.log(reason);
  }),
];
offs.forEach((off) => off());

const names: GameSessionEventType[] = ["statechange", "heartbeat", "renew", "error", "end"];
type BeatDetail = GameSessionEventMap["heartbeat"];
const beat: BeatDetail = { rttMs: 12, at: Date.now() };
console.log(s, v, names, beat, states);
void play("token");
