// Must NOT type-check. Each line marked "expect TSnnnn" must fail with exactly that error, and no
// other line may fail (test/types.test.mjs checks both).
import { GameSessionError, configure, on, startSession, state } from "game-session";

void startSession("token", { heartbeatIntervalMs: "9000" }); // expect TS2322
void startSession("token", { heartbeatInterval: 9000 }); // expect TS2561
void startSession("token", { credentials: "always" }); // expect TS2322
void startSession(42); // expect TS2345
on("heartbeat", (d) => d.rtt); // expect TS2339
on("beat", () => {}); // expect TS2345
configure({ wasmUrl: 42 }); // expect TS2322
const s: "running" = state(); // expect TS2322
on("renew", (d) => d.reason === "reload"); // expect TS2367
const made = new GameSessionError(); // expect TS2673
console.log(s, made);
