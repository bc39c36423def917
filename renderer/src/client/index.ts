import type { QuireClient } from '../../../electron/shared/contract.js';
import type { QuireError } from './errors.js';
import { socketUrl, takeToken } from './token.js';
import { validated } from './validated.js';
import { WebSocketClient, type ConnectionState, type Notice } from './websocket.js';

export type { ConnectionState, Notice } from './websocket.js';

/**
 * Optional extras a client may offer beyond the contract's QuireClient: pushed notices, errors
 * that belong to no call, and the connection's state. The WebSocket client has all three; the
 * Electron preload may offer onNotice.
 */
export interface ClientExtras {
  /** Returns an unsubscribe function (the Electron preload's returns nothing). */
  onNotice?(listener: (notice: Notice) => void): (() => void) | void;
  onError?(listener: (error: QuireError) => void): () => void;
  onConnection?(listener: (state: ConnectionState) => void): () => void;
}
export type UiClient = QuireClient & ClientExtras;

declare global {
  interface Window {
    /** Set by the Electron preload. */
    quire?: UiClient;
  }
}

export type ClientChoice = { client: UiClient } | { client: null; reason: 'no-token' };

/** window.quire in Electron; otherwise a WebSocket to the `quire serve` that served this page. */
export function pickClient(): ClientChoice {
  if (window.quire) return { client: validated(window.quire) };
  const token = takeToken();
  if (!token) return { client: null, reason: 'no-token' };
  return { client: new WebSocketClient({ url: socketUrl(token) }) };
}
