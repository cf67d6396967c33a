// Types for game-session, the ES module ("game-session"). It defines no globals; the classic
// script's (<script src="game-session.js">: startSession, endSession, GameSession) are declared
// only for files that opt in: /// <reference types="game-session/global" />.

/** The session's lifecycle state. */
export type SessionState = "idle" | "starting" | "active" | "renewing" | "ending" | "ended";

/** Every code a GameSessionError can carry. */
export type GameSessionErrorCode =
  // from the server
  | "ALREADY_IN_GAME"
  | "UNAUTHORIZED"
  | "NO_ACTIVE_SESSION"
  // local
  | "INVALID_ARGUMENT"
  | "NETWORK_ERROR"
  | "TIMEOUT"
  | "SERVER_ERROR"
  | "BAD_RESPONSE"
  | "INVALID_STATE"
  // error events only, never a rejection: Web Locks unavailable (non-fatal)
  | "LOCKS_UNAVAILABLE";

/**
 * What every rejection is: an Error with name "GameSessionError", a code and an HTTP status.
 * `err instanceof GameSessionError` is true for every error the module rejects with (another copy
 * of the loader's too, a classic script beside a bundle: instanceof checks the name). Games do not
 * construct it.
 */
export declare class GameSessionError extends Error {
  private constructor();
  readonly name: "GameSessionError";
  readonly code: GameSessionErrorCode;
  /** HTTP status; 0 when there was no response. */
  readonly status: number;
}

/** startSession's options; every field is optional. */
export interface SessionOptions {
  /** Where /api/games/sessions/* lives. Default: the script tag's data-api-base (or configure's apiBase), else the page origin. */
  apiBase?: string;
  /** Heartbeat period, 10…3 600 000 ms. Default 9000. */
  heartbeatIntervalMs?: number;
  /** How long the server keeps a session without heartbeat; > heartbeatIntervalMs, ≤ 3 600 000. Default 10000. */
  sessionTtlMs?: number;
  /** Per request, 10…600 000 ms, never longer than the time left before expiry. Default 5000. */
  requestTimeoutMs?: number;
  /** fetch credentials mode. Default "same-origin". */
  credentials?: "omit" | "same-origin" | "include";
  /** One tab of this origin owns the session (Web Locks); others get ALREADY_IN_GAME at once. Default true. */
  singleTab?: boolean;
  /** With singleTab: this tab takes the session from the tab that holds it. Default false. */
  takeover?: boolean;
  /** Drive the heartbeat from a Worker so hidden tabs keep their session. Default true. */
  backgroundHeartbeats?: boolean;
  /** Log the lifecycle to the console; the token is never logged whole. Default false. */
  debug?: boolean;
}

/** What startSession and endSession resolve to. */
export interface SessionResult {
  success: true;
}

/** Why a session ended. */
export type EndReason = "user" | "pagehide" | "unauthorized" | "takeover";

/** Why a new session was initiated on its own: expiry, a back/forward cache restore, or a takeover. */
export type RenewReason = "expired" | "bfcache" | "takeover";

/** The detail each event carries, by event name. */
export interface GameSessionEventMap {
  statechange: { state: SessionState; previous: SessionState };
  /** rttMs: the heartbeat's round trip (ms); at: when it was sent (Unix ms), so the gaps between events are the gaps the server sees. */
  heartbeat: { rttMs: number; at: number };
  renew: { reason: RenewReason };
  /**
   * fatal: the session is over (e.g. UNAUTHORIZED); otherwise the module is recovering.
   * LOCKS_UNAVAILABLE (non-fatal, once a page): Web Locks are missing, denied or partitioned (a
   * portal's cross-site iframe); singleTab and takeover then work through the server alone.
   */
  error: { code: GameSessionErrorCode; status: number; message: string; fatal: boolean };
  end: { reason: EndReason };
}

export type GameSessionEventType = keyof GameSessionEventMap;

export type GameSessionListener<K extends GameSessionEventType> = (detail: GameSessionEventMap[K]) => void;

/** Begin (or resume) the player's session. Calls made before the module is ready wait for it. */
export declare function startSession(authToken: string, options?: SessionOptions): Promise<SessionResult>;

/** End the session: stops the heartbeat and sends end. */
export declare function endSession(): Promise<SessionResult>;

/** Resolves once the wasm is loaded and running; rejects (GameSessionError) if it cannot be. */
export declare const ready: Promise<void>;

/** The current state; "idle" until ready, "ended" once the module stopped. */
export declare function state(): SessionState;

/** Listen to an event; returns the function that removes the listener. */
export declare function on<K extends GameSessionEventType>(type: K, listener: GameSessionListener<K>): () => void;

/** The package version. */
export declare const version: string;

/** The ES module's loader options (the classic script takes them from its own tag). */
export interface LoaderOptions {
  /** Where game-session.wasm is. Default: new URL("./game-session.wasm", import.meta.url). */
  wasmUrl?: string | URL;
  /** The default apiBase merged into startSession's options when they name none. */
  apiBase?: string;
}

/**
 * Set the loader's options. ES module only. Call it right after the import, before the first
 * startSession/endSession: later it throws INVALID_STATE.
 */
export declare function configure(options: LoaderOptions): void;

/** window.GameSession, defined by the classic script the moment its tag has run (see game-session/global). */
export interface GameSessionGlobal {
  startSession(authToken: string, options?: SessionOptions): Promise<SessionResult>;
  endSession(): Promise<SessionResult>;
  readonly ready: Promise<void>;
  state(): SessionState;
  on<K extends GameSessionEventType>(type: K, listener: GameSessionListener<K>): () => void;
  readonly version: string;
}
