import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBrowserMode, type BrowserModeServer } from '../../electron/cli/server.js';
import type { ServerMessage } from '../../electron/shared/contract.js';
import { tempDir } from '../helpers.js';

let tmp: ReturnType<typeof tempDir>;
let server: BrowserModeServer;
let docs: string;

beforeAll(async () => {
  tmp = tempDir();
  docs = join(tmp.dir, 'docs');
  mkdirSync(docs);
  writeFileSync(join(docs, 'notes.md'), '# Notes\n\nThe lighthouse keeper logs the tides every evening.\n');
  const staticDir = join(tmp.dir, 'ui');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Quire</title>');
  server = await startBrowserMode({ dataDir: join(tmp.dir, 'data'), staticDir, watch: false });
});
afterAll(async () => {
  await server.close();
  tmp.cleanup();
});

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

/** A connected client that collects every message by id. */
async function connect(options: { token?: string; origin?: string } = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${options.token ?? server.token}`, { origin: options.origin ?? `http://127.0.0.1:${server.port}` });
  const messages: ServerMessage[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as ServerMessage));
  await new Promise<void>((done, fail) => {
    ws.once('open', () => done());
    ws.once('error', fail);
  });
  let next = 1;
  const call = async (method: string, params: unknown) => {
    const id = next++;
    ws.send(JSON.stringify({ type: 'call', id, method, params }));
    for (let i = 0; i < 600; i++) {
      const end = messages.find((m) => (m.type === 'result' || m.type === 'error') && m.id === id);
      if (end) return { end, events: messages.filter((m) => m.type === 'event' && m.id === id).map((m) => (m as { event: unknown }).event) };
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no answer to ${method}`);
  };
  return { ws, messages, call };
}

describe('browser mode security', () => {
  it('serves the UI on loopback with a strict CSP', async () => {
    const page = await get('/', { host: `127.0.0.1:${server.port}` });
    expect(page.status).toBe(200);
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=`));
  });

  it('refuses a WebSocket without the token, with a wrong token, or from a foreign Origin', async () => {
    const refused = (options: { token?: string; origin?: string }) =>
      new Promise<string>((done) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${options.token ?? ''}`, { origin: options.origin ?? `http://127.0.0.1:${server.port}` });
        ws.on('unexpected-response', (_req, res) => done(String(res.statusCode)));
        ws.on('open', () => done('open'));
        ws.on('error', () => undefined);
      });
    expect(await refused({})).toBe('401');
    expect(await refused({ token: 'wrong' })).toBe('401');
    expect(await refused({ token: server.token, origin: 'http://evil.example' })).toBe('403');
  });

  it('refuses requests for another Host (DNS rebinding) and file requests without the token', async () => {
    expect((await get('/', { host: 'evil.example' })).status).toBe(403);
    expect((await get('/files/x/1', { host: `127.0.0.1:${server.port}` })).status).toBe(401);
  });
});

describe('the contract over WebSocket', () => {
  it('rejects malformed messages, unknown methods and bad params with specific errors', async () => {
    const client = await connect();
    client.ws.send('not json');
    client.ws.send(JSON.stringify({ type: 'call', id: 'x' }));
    const unknown = await client.call('engine.selfDestruct', {});
    const bad = await client.call('libraries.create', { library: '../etc', folders: [] });
    expect(client.messages.filter((m) => m.type === 'error' && m.id === null)).toHaveLength(2);
    expect(unknown.end).toMatchObject({ type: 'error', error: { code: 'unknown-method' } });
    expect(bad.end).toMatchObject({ type: 'error', error: { code: 'bad-request' } });
    expect((bad.end as { error: { message: string } }).error.message).toMatch(/library/);
    client.ws.close();
  });

  it('errors reach the UI with the code of the class that raised them, not as internal', async () => {
    const client = await connect();
    const badProfile = await client.call('profiles.save', { name: 'bad name!' });
    expect(badProfile.end).toMatchObject({ type: 'error', error: { code: 'bad-profile' } });
    const notAModel = join(tmp.dir, 'empty-model-folder');
    mkdirSync(notAModel);
    const badEmbedder = await client.call('libraries.create', { library: 'needs-embedder', folders: [docs], embedder: notAModel });
    expect(badEmbedder.end).toMatchObject({ type: 'error', error: { code: 'embedder-load-failed' } });
    const missing = await client.call('libraries.status', { library: 'never-made' });
    expect(missing.end).toMatchObject({ type: 'error', error: { code: 'no-library' } });
    client.ws.close();
  });

  it('creates a library, streams indexing progress, searches, answers in search-only mode and opens a passage', async () => {
    const client = await connect();
    const created = await client.call('libraries.create', { library: 'ws-lib', folders: [docs], embedder: null });
    expect(created.end).toMatchObject({ type: 'result', result: { name: 'ws-lib' } });
    const indexed = await client.call('libraries.index', { library: 'ws-lib' });
    expect(indexed.end).toMatchObject({ type: 'result', result: { indexed: 1 } });
    expect(indexed.events.map((e) => (e as { phase: string }).phase)).toContain('done');
    const search = await client.call('search', { library: 'ws-lib', query: 'lighthouse tides' });
    const results = (search.end as { result: { results: { chunkId: number; relativePath: string }[] } }).result.results;
    expect(results[0]!.relativePath).toBe('notes.md');
    const ask = await client.call('ask', { library: 'ws-lib', question: 'Who logs the tides?' });
    const types = ask.events.map((e) => (e as { type: string }).type);
    expect(types).toEqual(expect.arrayContaining(['token', 'sources', 'done']));
    const passage = await client.call('passages.get', { library: 'ws-lib', chunkId: results[0]!.chunkId });
    const fileUrl = (passage.end as { result: { fileUrl: string; text: string } }).result.fileUrl;
    expect(fileUrl).toContain('/files/ws-lib/');
    const file = await get(fileUrl, { host: `127.0.0.1:${server.port}` });
    expect(file.body).toContain('lighthouse keeper');
    client.ws.close();
  });

  it("changes a library's embedding model, refusing a folder that is not one", async () => {
    const client = await connect();
    const bogus = join(tmp.dir, 'not-a-model');
    mkdirSync(bogus);
    const refused = await client.call('libraries.setEmbedder', { library: 'ws-lib', embedder: bogus });
    expect(refused.end).toMatchObject({ type: 'error', error: { code: 'bad-request' } });
    expect((refused.end as { error: { message: string } }).error.message).toContain('not-a-model');
    const cleared = await client.call('libraries.setEmbedder', { library: 'ws-lib', embedder: null });
    expect(cleared.end).toMatchObject({ type: 'result', result: { embedder: null, vectors: 0 } });
    const missing = await client.call('libraries.setEmbedder', { library: 'no-such-library', embedder: null });
    expect(missing.end).toMatchObject({ type: 'error', error: { code: 'no-library' } });
    client.ws.close();
  });

  it('opens a passage found in a mail attachment as the mail file that holds it', async () => {
    const mail = join(tmp.dir, 'mail');
    mkdirSync(mail);
    const attachment = Buffer.from('The quartermaster counted forty barrels of salted herring.\n').toString('base64');
    writeFileSync(
      join(mail, 'supplies.eml'),
      [
        'From: Ada <ada@example.org>', 'To: Ben <ben@example.org>', 'Subject: Supplies', 'Date: Mon, 2 Mar 2026 10:00:00 +0000',
        'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"', '',
        '--b1', 'Content-Type: text/plain; charset=utf-8', '', 'The inventory is attached.', '',
        '--b1', 'Content-Type: text/plain; name="inventory.txt"', 'Content-Disposition: attachment; filename="inventory.txt"', 'Content-Transfer-Encoding: base64', '',
        attachment, '--b1--', '',
      ].join('\r\n'),
    );
    const client = await connect();
    await client.call('libraries.create', { library: 'mail-lib', folders: [mail], embedder: null });
    await client.call('libraries.index', { library: 'mail-lib' });
    const search = await client.call('search', { library: 'mail-lib', query: 'quartermaster herring' });
    const hit = (search.end as { result: { results: { chunkId: number; path: string }[] } }).result.results[0]!;
    expect(hit.path).toMatch(/supplies\.eml#.+/);
    const opened = await client.call('documents.open', { library: 'mail-lib', path: hit.path });
    const url = (opened.end as { result: { url: string } }).result.url;
    const passage = await client.call('passages.get', { library: 'mail-lib', chunkId: hit.chunkId });
    for (const fileUrl of [url, (passage.end as { result: { fileUrl: string } }).result.fileUrl]) {
      const file = await get(fileUrl, { host: `127.0.0.1:${server.port}` });
      expect(file.status).toBe(200);
      expect(file.body).toContain('Subject: Supplies');
    }
    client.ws.close();
  });
});
