import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBrowserMode, type BrowserModeServer } from '../../electron/cli/server.js';
import type { ServerMessage } from '../../electron/shared/contract.js';
import { ROOT, tempDir } from '../helpers.js';

// Under `quire serve` the engine runs in its own supervised process: killing it mid-answer must
// end that answer's stream with an error, leave the server serving, and the next question must
// be answered by a restarted engine.
const MODEL = resolve(ROOT, '..', 'shared', 'models', 'stories260K', 'stories260K.gguf');
const modelPresent = existsSync(MODEL);
if (!modelPresent) console.warn(`[skipped] killing the engine mid-answer with a real model: ${MODEL} is not present (the mid-index kill still runs)`);

let tmp: ReturnType<typeof tempDir>;
let server: BrowserModeServer;
let docs: string;

beforeAll(async () => {
  tmp = tempDir();
  docs = join(tmp.dir, 'docs');
  mkdirSync(docs);
  writeFileSync(join(docs, 'lily.md'), '# Lily\n\nLily is a little girl who loves to play in the park with her dog Max.\n');
  for (let i = 0; i < 400; i++) writeFileSync(join(docs, `note-${i}.md`), `# Note ${i}\n\n${'The keeper of the lighthouse counts the ships. '.repeat(40)}\n`);
  const staticDir = join(tmp.dir, 'ui');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Quire</title>');
  server = await startBrowserMode({ dataDir: join(tmp.dir, 'data'), staticDir, watch: false, ...(modelPresent ? { model: MODEL } : {}) });
});
afterAll(async () => {
  await server?.close();
  tmp.cleanup();
});

async function connect() {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
  const messages: ServerMessage[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as ServerMessage));
  await new Promise<void>((done, fail) => {
    ws.once('open', () => done());
    ws.once('error', fail);
  });
  let next = 1;
  const start = (method: string, params: unknown) => {
    const id = next++;
    ws.send(JSON.stringify({ type: 'call', id, method, params }));
    const end = async (timeoutMs = 60_000) => {
      const started = Date.now();
      while (Date.now() - started < timeoutMs) {
        const found = messages.find((m) => (m.type === 'result' || m.type === 'error') && m.id === id);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no end to ${method}`);
    };
    const events = () => messages.filter((m) => m.type === 'event' && m.id === id);
    return { end, events };
  };
  return { ws, messages, start };
}

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the engine in its own process under quire serve', () => {
  it('runs the engine in a child process, not in the server', async () => {
    expect(server.engine.pid).toBeGreaterThan(0);
    expect(server.engine.pid).not.toBe(process.pid);
  });

  it('a SIGKILL of the engine mid-index ends the stream with engine-restarted, tells every window, and the next call is served', async () => {
    const client = await connect();
    await client.start('libraries.create', { library: 'notes', folders: [docs], embedder: null }).end();
    const index = client.start('libraries.index', { library: 'notes' });
    await until(() => index.events().length > 0);
    const killedPid = server.engine.pid!;
    const killedAt = Date.now();
    process.kill(killedPid, 'SIGKILL');
    const end = await index.end(10_000);
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(end).toMatchObject({ type: 'error', error: { code: 'engine-restarted' } });
    await until(() => client.messages.some((m) => m.type === 'notice' && m.notice.kind === 'engine-restarted'));
    // The server itself never stopped: the UI's page and the API still answer.
    const page = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(page.status).toBe(200);
    const list = await client.start('libraries.list', {}).end();
    expect(list).toMatchObject({ type: 'result' });
    expect(server.engine.pid).not.toBe(killedPid);
    // The interrupted run resumes where it stopped.
    const resumed = await client.start('libraries.index', { library: 'notes' }).end(120_000);
    expect(resumed).toMatchObject({ type: 'result', result: { cancelled: false } });
    const status = await client.start('libraries.status', { library: 'notes' }).end();
    expect((status as { result: { counts: { indexed: number } } }).result.counts.indexed).toBe(401);
    client.ws.close();
  });

  it.runIf(modelPresent)('a SIGKILL mid-answer ends the answer with an error event within seconds, and a restarted engine answers the next question', async () => {
    const client = await connect();
    await client.start('libraries.create', { library: 'kids', folders: [docs], embedder: null }).end();
    await client.start('libraries.index', { library: 'kids' }).end(120_000);
    const restartsBefore = server.engine.restartCount;
    const pid = server.engine.pid!;
    // The tiny model writes hundreds of tokens a second: the kill lands the moment the first token
    // arrives, from the socket's own message handler, so that it is surely mid-answer.
    let killedAt = 0;
    client.ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type: string; event?: { type?: string } };
      if (!killedAt && message.type === 'event' && message.event?.type === 'token') {
        killedAt = Date.now();
        process.kill(pid, 'SIGKILL');
      }
    });
    const ask = client.start('ask', { library: 'kids', question: 'Who is Lily? Tell me a very long story about Lily and Max in the park.' });
    await until(() => killedAt > 0);
    const end = await ask.end(10_000);
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(end).toMatchObject({ type: 'error', error: { code: 'engine-restarted' } });
    await until(() => server.engine.restartCount === restartsBefore + 1);
    const next = client.start('ask', { library: 'kids', question: 'Who is Lily?' });
    const done = await next.end(60_000);
    expect(done).toMatchObject({ type: 'result' });
    const events = next.events().map((e) => (e as { event: { type: string; mode?: string } }).event);
    expect(events.some((e) => e.type === 'token')).toBe(true);
    expect(events.find((e) => e.type === 'done')).toMatchObject({ mode: 'generated' });
    client.ws.close();
  });
});
