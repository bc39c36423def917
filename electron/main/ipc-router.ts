import { contract, type ErrorPayload, type MethodName } from '../shared/contract.js';
import { isAppUrl } from './security.js';

export type IpcReply = { ok: true; result: unknown } | { ok: false; error: ErrorPayload };

/** The parts of Electron's IPC the router needs (so it can be tested without Electron). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, params: unknown) => Promise<IpcReply>): void;
}
export interface FrameLike {
  url: string;
  parent: FrameLike | null;
}
export interface IpcEventLike {
  senderFrame: FrameLike | null;
  sender: { postMessage(channel: string, message: unknown, transfer?: unknown[]): void };
}
export interface PortPair<P> {
  port1: P;
  port2: P;
}

/** What the router forwards to: the engine's utility process. */
export interface EngineLink<P> {
  call(method: string, params: unknown): Promise<unknown>;
  stream(method: string, params: unknown, port: P): void;
}

export const channelFor = (method: string): string => `quire:${method}`;

/** Only the app's own top-level page may talk to the engine. */
export function isTrustedFrame(frame: FrameLike | null): boolean {
  return frame !== null && frame.parent === null && isAppUrl(frame.url);
}

/**
 * One handler per contract method. Each checks the sender before it looks at the payload, then
 * validates the payload; calls are forwarded to the engine and answered; a stream gets a
 * MessagePort pair, one end to the engine and one to the window, so tokens bypass main.
 */
export function registerIpcHandlers<P>(ipcMain: IpcMainLike, engine: EngineLink<P>, newChannel: () => PortPair<P>): string[] {
  const channels: string[] = [];
  for (const method of Object.keys(contract) as MethodName[]) {
    const spec = contract[method];
    const channel = channelFor(method);
    channels.push(channel);
    ipcMain.handle(channel, async (event, params) => {
      if (!isTrustedFrame(event.senderFrame)) return { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame was refused' } };
      const parsed = spec.params.safeParse(params ?? {});
      if (!parsed.success) return { ok: false, error: { code: 'bad-request', message: `Invalid parameters for ${method}: ${parsed.error.issues[0]?.message ?? ''}` } };
      try {
        if (spec.stream) {
          const { port1, port2 } = newChannel();
          const streamId = `${method}:${Date.now()}:${Math.random().toString(36).slice(2)}`;
          engine.stream(method, parsed.data, port1);
          event.sender.postMessage('quire:stream', { streamId }, [port2]);
          return { ok: true, result: { streamId } };
        }
        return { ok: true, result: await engine.call(method, parsed.data) };
      } catch (error) {
        const e = error as Partial<ErrorPayload>;
        return { ok: false, error: { code: typeof e.code === 'string' ? e.code : 'internal', message: e.message ?? String(error) } };
      }
    });
  }
  return channels;
}
