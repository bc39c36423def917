// The few Electron APIs the preload and main's IPC router use, faked for Node with real
// MessageChannel ports (node:worker_threads), so both can be driven as Electron would drive them.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { vi } from 'vitest';
import { ROOT } from './helpers.js';
import { registerIpcHandlers, type EngineLink, type FrameLike, type IpcEventLike, type IpcReply } from '../electron/main/ipc-router.js';

type RendererListener = (event: { ports: MessagePort[] }, message: unknown) => void;

/** ipcMain: handlers registered by the router, invoked the way Electron invokes them. */
export function fakeIpcMain() {
  const handlers = new Map<string, (event: IpcEventLike, params: unknown) => Promise<IpcReply>>();
  return { handlers, handle: (channel: string, listener: (event: IpcEventLike, params: unknown) => Promise<IpcReply>) => void handlers.set(channel, listener) };
}

/** The engine's side of the router: calls answered by `onCall`, stream ports kept for the test to drive. */
export function fakeEngineLink(onCall: (method: string, params: unknown) => Promise<unknown> = async (method, params) => ({ method, params })) {
  const streams: { method: string; params: unknown; port: MessagePort }[] = [];
  const waiters: (() => void)[] = [];
  const link: EngineLink<MessagePort> = {
    call: onCall,
    stream(method, params, port) {
      streams.push({ method, params, port });
      waiters.splice(0).forEach((wake) => wake());
    },
  };
  /** The engine end of the next stream, started, with what the window sends on it. */
  async function nextStream(): Promise<{ method: string; params: unknown; port: MessagePort; received: unknown[] }> {
    while (streams.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
    const stream = streams.shift()!;
    const received: unknown[] = [];
    stream.port.on('message', (message) => received.push(message));
    return { ...stream, received };
  }
  return { link, nextStream };
}

/**
 * A window and main wired together: the fake `electron` module a preload imports (contextBridge,
 * ipcRenderer, webUtils) whose invoke goes to main's real IPC router, whose streams get real
 * MessageChannel ports, one end to the engine link and one posted back to the window.
 */
export function fakeElectron(engine: EngineLink<MessagePort>, frame: FrameLike | null = { url: 'app://quire/index.html', parent: null }) {
  const ipcMain = fakeIpcMain();
  const rendererListeners = new Map<string, RendererListener[]>();
  const exposed = new Map<string, unknown>();
  const deliver = (channel: string, message: unknown, ports: MessagePort[] = []): void => rendererListeners.get(channel)?.forEach((listener) => listener({ ports }, message));
  /** Lets a test hold back the port Electron posts for a stream, to deliver it after the invoke reply. */
  const portDelivery = { hold: false, held: [] as (() => void)[] };
  const sender = {
    postMessage(channel: string, message: unknown, transfer?: unknown[]) {
      const send = () => deliver(channel, message, (transfer ?? []) as MessagePort[]);
      if (portDelivery.hold) portDelivery.held.push(send);
      else send();
    },
  };
  registerIpcHandlers(ipcMain, engine, () => new MessageChannel());
  const module = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (channel: string, params: unknown) => {
        const handler = ipcMain.handlers.get(channel);
        if (!handler) throw new Error(`No handler registered for '${channel}'`);
        // Electron copies arguments with the structured clone algorithm.
        return handler({ senderFrame: frame, sender }, structuredClone(params));
      },
      on: (channel: string, listener: RendererListener) => void (rendererListeners.get(channel) ?? rendererListeners.set(channel, []).get(channel)!).push(listener),
    },
    webUtils: { getPathForFile: (file: { name: string }) => `/home/me/dropped/${file.name}` },
  };
  return { module, exposed, ipcMain, deliver, portDelivery };
}

// Imported by URL so the root typecheck (no DOM) does not pull the preload in; it has its own tsconfig.
const PRELOAD = pathToFileURL(join(ROOT, 'electron', 'preload', 'preload.ts')).href;

export interface WindowQuireStream {
  result: Promise<unknown>;
  cancel(): void;
  onEvent(listener: (event: unknown) => void): void;
}
/** What the preload exposes as window.quire, as far as these tests use it. */
export interface WindowQuire {
  shell: 'electron';
  call(method: string, params: unknown): Promise<unknown>;
  stream(method: string, params: unknown): WindowQuireStream;
  pathForFile(file: { name: string }): string;
  onNotice(listener: (notice: unknown) => void): void;
}

/**
 * Loads the real preload against the fake electron module, as a fresh window would (call
 * `vi.doUnmock('electron')` after each test).
 */
export async function loadPreload(engine: EngineLink<MessagePort>, frame?: FrameLike | null) {
  const electron = fakeElectron(engine, frame);
  vi.resetModules();
  vi.doMock('electron', () => electron.module);
  await import(/* @vite-ignore */ PRELOAD);
  return { electron, quire: electron.exposed.get('quire') as WindowQuire };
}
