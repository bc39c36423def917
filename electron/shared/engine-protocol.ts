import type { ErrorPayload, Notice } from './contract.js';

/**
 * Messages between an engine host (Electron main, `quire serve`) and the engine's own process,
 * whatever carries them (a utility process's parentPort, a Node IPC channel). Calls are
 * multiplexed by id; a stream's events carry its call's id.
 */
export type HostToEngine =
  /** `afterCrash`: the engine before this one died unexpectedly (what it was reading may be why; see `ReadingFiles`). */
  | { type: 'init'; options: unknown; afterCrash?: boolean }
  | { type: 'call'; id: number; method: string; params: unknown }
  | { type: 'cancel'; id: number }
  | { type: 'ping'; id: number };

export type EngineToHost =
  | { type: 'ready' }
  | { type: 'init-failed'; error: ErrorPayload }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'event'; id: number; event: unknown }
  | { type: 'error'; id: number; error: ErrorPayload }
  | { type: 'notice'; notice: Notice }
  | { type: 'pong'; id: number };
