// The classic script's globals (<script src="game-session.js">), for a game that loads it with a
// script tag and is written in TypeScript. Opt in with:
//   /// <reference types="game-session/global" />
// The ES module ("game-session") defines none of these: import its exports instead.
import type { GameSessionGlobal, SessionOptions, SessionResult } from "./game-session.js";

declare global {
  var GameSession: GameSessionGlobal;
  function startSession(authToken: string, options?: SessionOptions): Promise<SessionResult>;
  function endSession(): Promise<SessionResult>;
}
