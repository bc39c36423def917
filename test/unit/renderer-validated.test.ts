import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UiClient } from '../../renderer/src/client/index.js';
import { validated } from '../../renderer/src/client/validated.js';
import { fakeEngineLink, loadPreload } from '../electron-fakes.js';

// The renderer's validated client over the real preload, main's real router and real ports: what
// the engine sends is checked against the contract in the window, as every receiver does.

afterEach(() => {
  vi.doUnmock('electron');
});

async function client(onCall?: (method: string, params: unknown) => Promise<unknown>) {
  const engine = fakeEngineLink(onCall);
  const { electron, quire } = await loadPreload(engine.link);
  return { engine, electron, client: validated(quire as unknown as UiClient) };
}

describe('validated client (Electron)', () => {
  it('passes valid results through and refuses an invalid one with bad-result and the field named', async () => {
    let removed: unknown = true;
    const { client: c } = await client(async () => ({ removed }));
    expect(await c.call('libraries.remove', { library: 'docs' })).toEqual({ removed: true });
    removed = 'yes';
    await expect(c.call('libraries.remove', { library: 'docs' })).rejects.toMatchObject({ code: 'bad-result', message: expect.stringMatching(/removed/) });
  });

  it('keeps engine errors as they are', async () => {
    const { client: c } = await client(async () => Promise.reject(Object.assign(new Error('No model'), { code: 'no-model' })));
    await expect(c.call('models.list', {})).rejects.toMatchObject({ code: 'no-model' });
  });

  it('delivers valid stream events; an invalid one ends the stream with bad-event and cancels it in the engine', async () => {
    const { engine, client: c } = await client();
    const stream = c.stream('models.pull', { id: 'tiny' });
    const events: unknown[] = [];
    stream.onEvent((event) => events.push(event));
    const engineEnd = await engine.nextStream();
    engineEnd.port.postMessage({ type: 'event', event: { downloadedBytes: 1, totalBytes: null, file: 'a' } });
    engineEnd.port.postMessage({ type: 'event', event: { downloadedBytes: 'lots', totalBytes: null, file: 'a' } });
    engineEnd.port.postMessage({ type: 'event', event: { downloadedBytes: 3, totalBytes: null, file: 'a' } });
    await vi.waitFor(() => expect(engineEnd.received).toEqual([{ type: 'cancel' }]));
    engineEnd.port.postMessage({ type: 'result', result: { id: 'tiny', path: '/m' } });
    await expect(stream.result).rejects.toMatchObject({ code: 'bad-event', message: expect.stringMatching(/downloadedBytes/) });
    expect(events).toEqual([{ downloadedBytes: 1, totalBytes: null, file: 'a' }]);
    engineEnd.port.close();
  });

  it('checks a stream result, and lets engine-restarted through when the engine dies', async () => {
    const { engine, client: c } = await client();
    const bad = c.stream('models.pull', { id: 'x' });
    const first = await engine.nextStream();
    first.port.postMessage({ type: 'result', result: { id: 'x' } });
    await expect(bad.result).rejects.toMatchObject({ code: 'bad-result' });
    first.port.close();
    const dying = c.stream('ask', { library: 'docs', question: 'q' });
    const second = await engine.nextStream();
    second.port.close();
    await expect(dying.result).rejects.toMatchObject({ code: 'engine-restarted' });
  });

  it('forwards valid notices only, and the path of a dropped file', async () => {
    const { electron, client: c } = await client();
    const notices: unknown[] = [];
    c.onNotice!((notice) => void notices.push(notice));
    electron.deliver('quire:notice', { kind: 'engine-restarted', message: 'The engine stopped; restarting' });
    electron.deliver('quire:notice', { kind: 'format-disk', message: 'x' });
    electron.deliver('quire:notice', 'library-changed');
    electron.deliver('quire:notice', { kind: 'library-changed', message: 'docs changed', library: 'docs' });
    expect(notices).toEqual([
      { kind: 'engine-restarted', message: 'The engine stopped; restarting' },
      { kind: 'library-changed', message: 'docs changed', library: 'docs' },
    ]);
    expect(c.shell).toBe('electron');
    expect(c.pathForFile!({ name: 'notes' } as File)).toBe('/home/me/dropped/notes');
  });
});
