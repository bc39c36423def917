import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { channelFor, registerIpcHandlers, type IpcEventLike, type IpcReply } from '../../electron/main/ipc-router.js';
import { appProtocolHandler } from '../../electron/main/protocol.js';
import { hardenWebContents, windowOptions } from '../../electron/main/security.js';
import { contract } from '../../electron/shared/contract.js';

/** A stand-in for Electron's ipcMain that records handlers so tests can invoke them like a renderer would. */
function fakeIpcMain() {
  const handlers = new Map<string, (event: IpcEventLike, params: unknown) => Promise<IpcReply>>();
  return { handlers, handle: (channel: string, listener: (event: IpcEventLike, params: unknown) => Promise<IpcReply>) => void handlers.set(channel, listener) };
}
function fakeEngine() {
  return { calls: [] as [string, unknown][], streams: [] as [string, unknown, string][], call: vi.fn(async (method: string, params: unknown) => ({ method, params })), stream: vi.fn() };
}
const appFrame = { url: 'app://quire/index.html', parent: null };
function event(frame: IpcEventLike['senderFrame'] = appFrame) {
  const posted: unknown[][] = [];
  return { event: { senderFrame: frame, sender: { postMessage: (...args: unknown[]) => void posted.push(args) } } as IpcEventLike, posted };
}

describe('IPC router', () => {
  it('registers exactly one handler per contract entry', () => {
    const ipc = fakeIpcMain();
    const channels = registerIpcHandlers(ipc, fakeEngine(), () => ({ port1: 'p1', port2: 'p2' }));
    expect([...ipc.handlers.keys()].sort()).toEqual(Object.keys(contract).map(channelFor).sort());
    expect(channels).toHaveLength(Object.keys(contract).length);
  });

  it('refuses foreign senders before looking at the payload', async () => {
    const ipc = fakeIpcMain();
    const engine = fakeEngine();
    registerIpcHandlers(ipc, engine, () => ({ port1: 'p1', port2: 'p2' }));
    const handler = ipc.handlers.get('quire:libraries.list')!;
    for (const frame of [null, { url: 'https://evil.example/', parent: null }, { url: 'app://quire/index.html', parent: appFrame }, { url: 'file:///etc/passwd', parent: null }]) {
      expect(await handler(event(frame).event, {})).toEqual({ ok: false, error: { code: 'forbidden', message: expect.any(String) } });
    }
    expect(engine.call).not.toHaveBeenCalled();
  });

  it('rejects malformed payloads with a specific error and never forwards them', async () => {
    const ipc = fakeIpcMain();
    const engine = fakeEngine();
    registerIpcHandlers(ipc, engine, () => ({ port1: 'p1', port2: 'p2' }));
    const reply = await ipc.handlers.get('quire:search')!(event().event, { library: 'ok', query: 42 });
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(await ipc.handlers.get('quire:libraries.create')!(event().event, { library: '../../x', folders: ['/d'] })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(engine.call).not.toHaveBeenCalled();
  });

  it('forwards calls, and hands a stream one port each to the engine and the window', async () => {
    const ipc = fakeIpcMain();
    const engine = fakeEngine();
    registerIpcHandlers(ipc, engine, () => ({ port1: 'engine-end', port2: 'window-end' }));
    expect(await ipc.handlers.get('quire:libraries.status')!(event().event, { library: 'docs' })).toEqual({ ok: true, result: { method: 'libraries.status', params: { library: 'docs' } } });
    const { event: e, posted } = event();
    const reply = await ipc.handlers.get('quire:ask')!(e, { library: 'docs', question: 'why?' });
    expect(reply).toMatchObject({ ok: true, result: { streamId: expect.stringMatching(/^ask:/) } });
    expect(engine.stream).toHaveBeenCalledWith('ask', { library: 'docs', question: 'why?' }, 'engine-end');
    expect(posted).toEqual([['quire:stream', { streamId: (reply as { result: { streamId: string } }).result.streamId }, ['window-end']]]);
  });

  it('engine errors come back as {code, message}, never as raw errors', async () => {
    const ipc = fakeIpcMain();
    const engine = { call: async () => Promise.reject(Object.assign(new Error('No library named "x"'), { code: 'no-library' })), stream: vi.fn() };
    registerIpcHandlers(ipc, engine, () => ({ port1: 1, port2: 2 }));
    expect(await ipc.handlers.get('quire:libraries.status')!(event().event, { library: 'x' })).toEqual({ ok: false, error: { code: 'no-library', message: 'No library named "x"' } });
  });
});

describe('window security', () => {
  it('windows are isolated, sandboxed and without Node', () => {
    const prefs = windowOptions('/app/preload.cjs').webPreferences!;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, preload: '/app/preload.cjs' });
  });

  it('blocks navigation away from the app and every new window; vetted links go to the system browser', () => {
    const listeners = new Map<string, (event: { preventDefault: () => void }, url: string) => void>();
    let openHandler: ((details: { url: string }) => { action: string }) | null = null;
    const opened: string[] = [];
    hardenWebContents(
      { on: ((name: string, listener: never) => listeners.set(name, listener)) as never, setWindowOpenHandler: ((h: never) => (openHandler = h)) as never },
      (url) => opened.push(url),
    );
    const navigate = (url: string) => {
      const prevent = vi.fn();
      listeners.get('will-navigate')!({ preventDefault: prevent }, url);
      return prevent.mock.calls.length > 0;
    };
    expect(navigate('https://evil.example/')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate('app://quire/index.html#models')).toBe(false);
    expect(openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(openHandler!({ url: 'https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF']);
  });

  it('the app:// protocol serves the UI with the CSP and never a file outside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-ui-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    const handler = appProtocolHandler(dir);
    const page = await handler({ url: 'app://quire/index.html' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    for (const escape of ['app://quire/..%2F..%2F..%2Fetc%2Fpasswd', 'app://quire/%2e%2e/%2e%2e/etc/passwd']) {
      const response = await handler({ url: escape });
      expect(await response.text()).not.toMatch(/root:/);
    }
    expect((await handler({ url: 'app://other/index.html' })).status).toBe(404);
  });
});

describe('main process wiring (fake electron module)', () => {
  it('registers every handler, loads the app over app:// in a hardened window and starts the engine', async () => {
    const handlers: string[] = [];
    const windows: { options: unknown; url?: string }[] = [];
    const forks: string[] = [];
    let ready: () => void = () => undefined;
    const permissionHandlers: string[] = [];
    const initMessages: unknown[] = [];
    const permissionSession = {
      setPermissionRequestHandler: () => permissionHandlers.push('request'),
      setPermissionCheckHandler: () => permissionHandlers.push('check'),
      setDevicePermissionHandler: () => permissionHandlers.push('device'),
    };
    vi.doMock('electron', () => {
      class BrowserWindow {
        webContents = { on: vi.fn(), setWindowOpenHandler: vi.fn(), send: vi.fn() };
        record: { options: unknown; url?: string };
        constructor(options: unknown) {
          this.record = { options };
          windows.push(this.record);
        }
        static getAllWindows = () => windows;
        on = vi.fn();
        once = vi.fn();
        loadURL = (url: string) => {
          this.record.url = url;
          return Promise.resolve();
        };
      }
      return {
        app: { enableSandbox: vi.fn(), on: vi.fn(), whenReady: () => new Promise<void>((r) => (ready = r)), getPath: () => '/tmp/quire-user-data', quit: vi.fn() },
        BrowserWindow,
        ipcMain: { handle: (channel: string) => handlers.push(channel) },
        MessageChannelMain: class { port1 = {}; port2 = {}; },
        protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
        session: { defaultSession: permissionSession },
        shell: { openExternal: vi.fn() },
        utilityProcess: { fork: (entry: string) => (forks.push(entry), { on: vi.fn(), postMessage: (message: unknown) => initMessages.push(message), kill: vi.fn() }) },
      };
    });
    await import('../../electron/main/main.js');
    ready();
    await new Promise((r) => setTimeout(r, 10));
    expect(handlers.sort()).toEqual(Object.keys(contract).map(channelFor).sort());
    expect(permissionHandlers.sort()).toEqual(['check', 'device', 'request']);
    // The engine is told to run parsers and OCR in threads: fork does not work in a packaged app.
    expect(initMessages[0]).toMatchObject({ type: 'init', options: { workers: 'thread', openFiles: false, fileUrlTemplate: 'app://quire/files/{library}/{document}' } });
    expect(forks[0]).toMatch(/dist[/\\]engine[/\\]host[/\\]engine-entry\.js$/);
    expect(windows).toHaveLength(1);
    expect(windows[0]!.url).toBe('app://quire/index.html');
    expect((windows[0]!.options as { webPreferences: Record<string, unknown> }).webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    vi.doUnmock('electron');
  });
});
