import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeEngineLink, loadPreload } from '../electron-fakes.js';

/** Settles within `ms`, or says it did not: a stream that never ends is the bug these tests look for. */
function within<T>(promise: Promise<T>, ms = 2_000): Promise<{ value?: T; error?: unknown; pending?: true }> {
  return Promise.race([
    promise.then((value) => ({ value }), (error: unknown) => ({ error })),
    new Promise<{ pending: true }>((resolve) => setTimeout(() => resolve({ pending: true }), ms)),
  ]);
}

afterEach(() => {
  vi.doUnmock('electron');
});

describe('preload: window.quire', () => {
  it('exposes one object, quire, with no IPC primitive on it', async () => {
    const { electron, quire } = await loadPreload(fakeEngineLink().link);
    expect([...electron.exposed.keys()]).toEqual(['quire']);
    expect(quire.shell).toBe('electron');
    expect(Object.keys(quire).sort()).toEqual(['call', 'onNotice', 'pathForFile', 'shell', 'stream']);
    const { ipcRenderer } = electron.module;
    for (const value of Object.values(quire)) expect([ipcRenderer, ipcRenderer.invoke, ipcRenderer.on]).not.toContain(value);
  });

  it('calls go through the router to the engine and back; engine errors keep their code', async () => {
    const engine = fakeEngineLink(async (method, params) => {
      if ((params as { library?: string }).library === 'gone') throw Object.assign(new Error('No library named "gone"'), { code: 'no-library' });
      return { removed: method === 'libraries.remove' };
    });
    const { quire } = await loadPreload(engine.link);
    expect(await quire.call('libraries.remove', { library: 'docs' })).toEqual({ removed: true });
    await expect(quire.call('libraries.remove', { library: 'gone' })).rejects.toMatchObject({ code: 'no-library', message: 'No library named "gone"' });
    await expect(quire.call('libraries.remove', { library: '../etc' })).rejects.toMatchObject({ code: 'bad-request' });
  });

  it('a window that is not the app gets forbidden, for calls and streams', async () => {
    const engine = fakeEngineLink();
    const { quire } = await loadPreload(engine.link, { url: 'https://evil.example/', parent: null });
    await expect(quire.call('models.list', {})).rejects.toMatchObject({ code: 'forbidden' });
    await expect(quire.stream('models.pull', { id: 'x' }).result).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('a stream delivers its events in order, then its result, over its own port', async () => {
    const engine = fakeEngineLink();
    const { quire } = await loadPreload(engine.link);
    const stream = quire.stream('models.pull', { id: 'tiny' });
    const events: unknown[] = [];
    stream.onEvent((event) => events.push(event));
    const engineEnd = await engine.nextStream();
    expect(engineEnd).toMatchObject({ method: 'models.pull', params: { id: 'tiny' } });
    for (const downloadedBytes of [10, 20, 30]) engineEnd.port.postMessage({ type: 'event', event: { downloadedBytes, totalBytes: 30, file: 'tiny.gguf' } });
    engineEnd.port.postMessage({ type: 'result', result: { id: 'tiny', path: '/models/tiny.gguf' } });
    expect(await within(stream.result)).toEqual({ value: { id: 'tiny', path: '/models/tiny.gguf' } });
    expect(events.map((e) => (e as { downloadedBytes: number }).downloadedBytes)).toEqual([10, 20, 30]);
    engineEnd.port.close();
  });

  it('pairs the port with its stream when the port arrives after the invoke reply', async () => {
    const engine = fakeEngineLink();
    const { electron, quire } = await loadPreload(engine.link);
    electron.portDelivery.hold = true;
    const stream = quire.stream('models.pull', { id: 'late' });
    const engineEnd = await engine.nextStream();
    engineEnd.port.postMessage({ type: 'result', result: { id: 'late', path: '/m' } });
    await vi.waitFor(() => expect(electron.portDelivery.held).toHaveLength(1));
    electron.portDelivery.held.shift()!();
    expect(await within(stream.result)).toEqual({ value: { id: 'late', path: '/m' } });
    engineEnd.port.close();
  });

  it('cancel reaches the engine, whether it comes before or after the port', async () => {
    const engine = fakeEngineLink();
    const { electron, quire } = await loadPreload(engine.link);
    const running = quire.stream('models.pull', { id: 'a' });
    const first = await engine.nextStream();
    await new Promise((resolve) => setTimeout(resolve, 20));
    running.cancel();
    electron.portDelivery.hold = true;
    const early = quire.stream('models.pull', { id: 'b' });
    early.cancel();
    const second = await engine.nextStream();
    electron.portDelivery.held.splice(0).forEach((send) => send());
    await vi.waitFor(() => {
      expect(first.received).toEqual([{ type: 'cancel' }]);
      expect(second.received).toEqual([{ type: 'cancel' }]);
    });
    first.port.postMessage({ type: 'error', error: { code: 'cancelled', message: 'Cancelled' } });
    expect(await within(running.result)).toMatchObject({ error: { code: 'cancelled' } });
    second.port.close();
    await within(early.result);
  });

  it('an engine error on the port ends the stream with its code', async () => {
    const engine = fakeEngineLink();
    const { quire } = await loadPreload(engine.link);
    const stream = quire.stream('ask', { library: 'docs', question: 'why?' });
    const engineEnd = await engine.nextStream();
    engineEnd.port.postMessage({ type: 'event', event: { type: 'token', text: 'Be' } });
    engineEnd.port.postMessage({ type: 'error', error: { code: 'model-load-failed', message: 'bad header' } });
    expect(await within(stream.result)).toMatchObject({ error: { code: 'model-load-failed', message: 'bad header' } });
    engineEnd.port.close();
  });

  it('when the engine dies mid-stream (its port closes) the stream ends with engine-restarted', async () => {
    const engine = fakeEngineLink();
    const { quire } = await loadPreload(engine.link);
    const stream = quire.stream('ask', { library: 'docs', question: 'why?' });
    const tokens: unknown[] = [];
    stream.onEvent((event) => tokens.push(event));
    const engineEnd = await engine.nextStream();
    engineEnd.port.postMessage({ type: 'event', event: { type: 'token', text: 'Half' } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    engineEnd.port.close();
    const outcome = await within(stream.result);
    expect(outcome.pending).toBeUndefined();
    expect(outcome.error).toMatchObject({ code: 'engine-restarted' });
    expect(tokens).toEqual([{ type: 'token', text: 'Half' }]);
  });

  it('a port closed after the result leaves the result alone', async () => {
    const engine = fakeEngineLink();
    const { quire } = await loadPreload(engine.link);
    const stream = quire.stream('models.pull', { id: 'x' });
    const engineEnd = await engine.nextStream();
    engineEnd.port.postMessage({ type: 'result', result: { id: 'x', path: '/x' } });
    engineEnd.port.close();
    expect(await within(stream.result)).toEqual({ value: { id: 'x', path: '/x' } });
  });

  it('dropped files resolve through webUtils, and notices reach every listener', async () => {
    const { electron, quire } = await loadPreload(fakeEngineLink().link);
    expect(quire.pathForFile({ name: 'papers' })).toBe('/home/me/dropped/papers');
    const seen: unknown[][] = [[], []];
    quire.onNotice((notice) => seen[0]!.push(notice));
    quire.onNotice((notice) => seen[1]!.push(notice));
    electron.deliver('quire:notice', { kind: 'library-changed', message: 'docs changed', library: 'docs' });
    expect(seen).toEqual([[{ kind: 'library-changed', message: 'docs changed', library: 'docs' }], [{ kind: 'library-changed', message: 'docs changed', library: 'docs' }]]);
  });
});
