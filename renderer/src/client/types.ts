import type { QuireClient } from '../../../electron/shared/contract.js';
import type { EngineError } from './errors.js';
import type { ConnectionState, Notice } from './websocket.js';

/**
 * Optional extras a client may offer beyond the contract's QuireClient: pushed notices, errors
 * that belong to no call, and the connection's state. The WebSocket client has all three; the
 * Electron preload may offer onNotice.
 */
export interface ClientExtras {
  /** Returns an unsubscribe function (the Electron preload's returns nothing). */
  onNotice?(listener: (notice: Notice) => void): (() => void) | void;
  onError?(listener: (error: EngineError) => void): () => void;
  onConnection?(listener: (state: ConnectionState) => void): () => void;
}
export type UiClient = QuireClient & ClientExtras;
