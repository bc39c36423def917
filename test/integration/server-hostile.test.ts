import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLI, tempDir } from '../helpers.js';

// Requests that once took `quire serve` down (issue 17, items 1-3): each must cost only itself.
// The server runs as the real `quire serve` process, so a crash is a dead process, not a logged error.
let tmp: ReturnType<typeof tempDir>;
let child: ChildProcess;
let server: { port: number; token: string };
let docs: string;
let stderr = '';

beforeAll(async () => {
  tmp = tempDir();
  docs = join(tmp.dir, 'docs');
  mkdirSync(docs);
  writeFileSync(join(docs, 'notes.md'), '# Notes\n\nThe lighthouse keeper logs the tides every evening.\n');
  child = spawn(process.execPath, [CLI, '--data-dir', join(tmp.dir, 'data'), 'serve', '--no-watch'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  server = await new Promise((done, fail) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+)/.exec(out);
      if (match) done({ port: Number(match[1]), token: match[2]! });
    });
    child.once('exit', (code) => fail(new Error(`quire serve exited with ${code}: ${stderr}`)));
  });
});
afterAll(async () => {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  }
  tmp.cleanup();
});

const host = () => ({ host: `127.0.0.1:${server.port}` });

function get(path: string, headers: Record<string, string> = host()): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

async function stillServes(): Promise<void> {
  expect(child.exitCode, stderr).toBeNull();
  // 503 when the UI is not built (it is, under npm test): either way the process answered.
  expect([200, 503]).toContain((await get('/')).status);
}

function openSocket(): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
  return new Promise((done, fail) => {
    ws.once('open', () => done(ws));
    ws.once('error', fail);
  });
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((done) => ws.once('close', (code) => done(code)));
}

describe('requests that must not take the server down', () => {
  it('answers malformed percent-encoding in a path with 400, without the token (an <img> can send it)', async () => {
    for (const path of ['/%ff', '/%E0%A4%A', '/assets/%', '/%00']) {
      const response = await get(path);
      expect(response.status, path).toBe(400);
    }
    await stillServes();
  });

  it('answers a malformed library name under /files with 404', async () => {
    expect((await get(`/files/%ff/1?token=${server.token}`)).status).toBe(404);
    await stillServes();
  });

  it('survives garbage that is not HTTP', async () => {
    await new Promise<void>((done) => {
      const socket = tcpConnect(server.port, '127.0.0.1', () => socket.end('\x00\x01\x02 not http at all\r\n\r\n'));
      socket.on('data', () => undefined);
      socket.on('close', () => done());
      socket.on('error', () => done());
    });
    await stillServes();
  });

  it('closes a WebSocket that sends a frame over 1 MiB, and the server goes on', async () => {
    const ws = await openSocket();
    ws.on('error', () => undefined);
    const code = closed(ws);
    ws.send('x'.repeat(1024 * 1024 + 10));
    expect(await code).toBe(1009);
    await stillServes();
  });

  it('closes a WebSocket that sends a text frame that is not UTF-8, and the server goes on', async () => {
    const ws = await openSocket();
    ws.on('error', () => undefined);
    const code = closed(ws);
    // ws validates UTF-8 on receipt; send the raw bytes as a text frame.
    ws.send(Buffer.from([0xc3, 0x28, 0xff, 0xfe]), { binary: false });
    expect(await code).toBe(1007);
    await stillServes();
    const other = await openSocket();
    expect(other.readyState).toBe(WebSocket.OPEN);
    other.close();
  });

  it('answers 404 when a source was replaced by a folder, and serves it again once it is a file', async () => {
    const ws = await openSocket();
    const replies: { id: number; type: string; result?: unknown }[] = [];
    ws.on('message', (data) => replies.push(JSON.parse(data.toString())));
    const call = async (id: number, method: string, params: unknown) => {
      ws.send(JSON.stringify({ type: 'call', id, method, params }));
      for (let i = 0; i < 600; i++) {
        const end = replies.find((m) => m.id === id && (m.type === 'result' || m.type === 'error'));
        if (end) return end;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no answer to ${method}`);
    };
    await call(1, 'libraries.create', { library: 'hostile', folders: [docs], embedder: null });
    await call(2, 'libraries.index', { library: 'hostile' });
    const search = (await call(3, 'search', { library: 'hostile', query: 'lighthouse' })) as { result: { results: { chunkId: number }[] } };
    const passage = (await call(4, 'passages.get', { library: 'hostile', chunkId: search.result.results[0]!.chunkId })) as { result: { fileUrl: string } };
    ws.close();
    const file = join(docs, 'notes.md');
    rmSync(file);
    mkdirSync(file);
    expect((await get(passage.result.fileUrl)).status).toBe(404);
    rmSync(file, { recursive: true });
    expect((await get(passage.result.fileUrl)).status).toBe(404);
    writeFileSync(file, '# Notes\n\nBack again.\n');
    const back = await get(passage.result.fileUrl);
    expect(back.status).toBe(200);
    expect(back.body).toContain('Back again.');
    await stillServes();
  });
});

describe('fuzzing the HTTP and WebSocket surface', () => {
  // A seeded generator, so that a failure can be replayed: the seed is in the test name's output.
  const seed = Number(process.env.QUIRE_FUZZ_SEED ?? Date.now() % 1_000_000);
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
  const PIECES = ['/', '%', '%ff', '%E0%A4%A', '%00', '..', '%2e%2e', 'files', 'ws', 'v1', 'models', 'chat', '?', '&', 'token=', '#', '\\', 'é', '%C3%A9', '~', '*'];
  const METHODS = ['libraries.list', 'libraries.status', 'search', 'ask', 'passages.get', 'documents.file', 'settings.set', 'nope', '__proto__', 'constructor'];

  const randomPath = () => {
    let path = '';
    const parts = 1 + Math.floor(random() * 8);
    for (let i = 0; i < parts; i++) path += random() < 0.7 ? pick(PIECES) : encodeURIComponent(bytes(3).toString('latin1'));
    return path.startsWith('/') ? path : `/${path}`;
  };

  const rawRequest = (payload: Buffer | string) =>
    new Promise<void>((done) => {
      const socket = tcpConnect(server.port, '127.0.0.1', () => socket.end(payload));
      socket.setTimeout(2000, () => socket.destroy());
      socket.on('data', () => undefined);
      socket.on('close', () => done());
      socket.on('error', () => done());
    });

  it(`survives random paths, headers, bytes and frames for a few seconds (seed ${seed})`, async () => {
    const until = Date.now() + 4000;
    const fresh = async () => {
      const socket = await openSocket();
      socket.on('error', () => undefined);
      socket.on('message', () => undefined);
      return socket;
    };
    let ws = await fresh();
    let sent = 0;
    let reopened = 0;
    while (Date.now() < until) {
      const kind = random();
      if (kind < 0.35) {
        const token = random() < 0.5 ? `?token=${server.token}` : '';
        const path = randomPath();
        await rawRequest(`${pick(['GET', 'POST', 'PUT', 'HEAD', 'OPTIONS', 'DELETE'])} ${path}${token} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n${random() < 0.3 ? 'Authorization: Bearer x\r\n' : ''}${random() < 0.3 ? 'Content-Length: 5\r\n' : ''}\r\n${random() < 0.3 ? '{"a":' : ''}`);
      } else if (kind < 0.5) {
        await rawRequest(bytes(1 + Math.floor(random() * 300)));
      } else {
        // A bad frame closes its socket (1007, 1009...); the next frames go on a new one.
        if (ws.readyState !== WebSocket.OPEN) {
          ws.terminate();
          ws = await fresh();
          reopened++;
        }
        const frame = random();
        if (frame < 0.3) ws.send(bytes(1 + Math.floor(random() * 200)), { binary: true });
        // Random bytes as a text frame: mostly not UTF-8.
        else if (frame < 0.5) ws.send(bytes(1 + Math.floor(random() * 200)), { binary: false });
        else ws.send(JSON.stringify({ type: pick(['call', 'cancel', 'x']), id: Math.floor(random() * 10), method: pick(METHODS), params: random() < 0.5 ? { library: pick(['', 'x', '../etc', 'é']), query: bytes(5).toString('latin1'), chunkId: -1, documentId: 1e20 } : pick([null, 1, 'x', [], {}]) }));
      }
      sent++;
    }
    expect(sent).toBeGreaterThan(50);
    expect(reopened).toBeGreaterThan(0);
    ws.terminate();
    await stillServes();
    const after = await openSocket();
    const reply = new Promise<unknown>((done) => after.once('message', (data) => done(JSON.parse(data.toString()))));
    after.send(JSON.stringify({ type: 'call', id: 1, method: 'libraries.list', params: {} }));
    expect(await reply).toMatchObject({ type: 'result', id: 1 });
    after.close();
  });
});
