import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { registerIpcHandlers, type IpcEventLike } from '../../electron/main/ipc-router.js';
import { contract, isStreamMethod } from '../../electron/shared/contract.js';
import { fakeEngineLink, fakeIpcMain } from '../electron-fakes.js';

const appFrame = { url: 'app://quire/index.html', parent: null };

/** A payload that records every property read, to show what the router looked at. */
function spyPayload(): { payload: unknown; reads: PropertyKey[] } {
  const reads: PropertyKey[] = [];
  const payload = new Proxy({ library: 'docs', question: 'q' }, {
    get: (target, key, receiver) => (reads.push(key), Reflect.get(target, key, receiver)),
    ownKeys: (target) => (reads.push('ownKeys'), Reflect.ownKeys(target)),
    getOwnPropertyDescriptor: (target, key) => (reads.push(key), Reflect.getOwnPropertyDescriptor(target, key)),
    has: (target, key) => (reads.push(key), Reflect.has(target, key)),
  });
  return { payload, reads };
}

function windowEvent(frame: IpcEventLike['senderFrame']) {
  const posted: { channel: string; message: unknown; ports: MessagePort[] }[] = [];
  const event: IpcEventLike = { senderFrame: frame, sender: { postMessage: (channel, message, transfer) => void posted.push({ channel, message, ports: (transfer ?? []) as MessagePort[] }) } };
  return { event, posted };
}

describe('IPC router (real MessageChannel ports)', () => {
  it('checks the sender before it reads a single field of the payload, on every channel', async () => {
    const ipc = fakeIpcMain();
    const engine = fakeEngineLink();
    registerIpcHandlers(ipc, engine.link, () => new MessageChannel());
    for (const frame of [null, { url: 'https://evil.example/', parent: null }, { url: 'app://quire/x', parent: appFrame }]) {
      for (const [channel, handler] of ipc.handlers) {
        const { payload, reads } = spyPayload();
        const reply = await handler(windowEvent(frame).event, payload);
        expect(reply, channel).toMatchObject({ ok: false, error: { code: 'forbidden' } });
        expect(reads, channel).toEqual([]);
      }
    }
    // The same payload from the app's own frame is read (and validated).
    const { payload, reads } = spyPayload();
    await ipc.handlers.get('quire:ask')!(windowEvent(appFrame).event, payload);
    expect(reads.length).toBeGreaterThan(0);
  });

  it('validates every stream payload before a port is made', async () => {
    const ipc = fakeIpcMain();
    let channels = 0;
    const engine = fakeEngineLink();
    registerIpcHandlers(ipc, engine.link, () => (channels++, new MessageChannel()));
    for (const method of Object.keys(contract).filter(isStreamMethod)) {
      const { event, posted } = windowEvent(appFrame);
      expect(await ipc.handlers.get(`quire:${method}`)!(event, { library: 42, id: 42, question: '' }), method).toMatchObject({ ok: false, error: { code: 'bad-request' } });
      expect(posted).toEqual([]);
    }
    expect(channels).toBe(0);
  });

  it('a stream runs engine to window over its port pair, without main in between, both ways', async () => {
    const ipc = fakeIpcMain();
    const engine = fakeEngineLink();
    registerIpcHandlers(ipc, engine.link, () => new MessageChannel());
    const { event, posted } = windowEvent(appFrame);
    const reply = await ipc.handlers.get('quire:libraries.index')!(event, { library: 'docs', retryFailed: true });
    const streamId = (reply as { ok: true; result: { streamId: string } }).result.streamId;
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ channel: 'quire:stream', message: { streamId } });
    const windowEnd = posted[0]!.ports[0]!;
    const engineEnd = await engine.nextStream();
    expect(engineEnd).toMatchObject({ method: 'libraries.index', params: { library: 'docs', retryFailed: true } });
    const atWindow: unknown[] = [];
    windowEnd.on('message', (message) => atWindow.push(message));
    engineEnd.port.postMessage({ type: 'event', event: { n: 1 } });
    engineEnd.port.postMessage({ type: 'result', result: { done: true } });
    windowEnd.postMessage({ type: 'cancel' });
    await vi.waitFor(() => {
      expect(atWindow).toEqual([{ type: 'event', event: { n: 1 } }, { type: 'result', result: { done: true } }]);
      expect(engineEnd.received).toEqual([{ type: 'cancel' }]);
    });
    // Closing the engine's end (its process died) is seen at the window's end.
    const closed = new Promise((resolve) => windowEnd.once('close', resolve));
    engineEnd.port.close();
    await closed;
  });

  it('an engine that fails to take the stream answers the invoke with its error and posts no port', async () => {
    const ipc = fakeIpcMain();
    registerIpcHandlers(ipc, { call: async () => null, stream: () => { throw Object.assign(new Error('Engine is restarting'), { code: 'engine-restarted' }); } }, () => new MessageChannel());
    const { event, posted } = windowEvent(appFrame);
    expect(await ipc.handlers.get('quire:ask')!(event, { library: 'docs', question: 'q' })).toEqual({ ok: false, error: { code: 'engine-restarted', message: 'Engine is restarting' } });
    expect(posted).toEqual([]);
  });
});
