import { socketUrl, takeToken } from './token.js';
import type { UiClient } from './types.js';
import { validated } from './validated.js';
import { WebSocketClient } from './websocket.js';

export type { ConnectionState, Notice } from './websocket.js';
export type { ClientExtras, UiClient } from './types.js';

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
