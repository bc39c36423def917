import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { forkEngineProcess } from '../../electron/cli/engine-process.js';
import { MessageChannel } from 'node:worker_threads';
import { EngineHost } from '../../electron/host/engine-host.js';
import { engineLink, type StreamPort } from '../../electron/main/engine-link.js';
import type { Notice } from '../../electron/shared/contract.js';
import { tempDir } from '../helpers.js';

// The engine host's supervision, with real child processes standing in for the engine: each
// script speaks the host protocol (init -> ready, call -> result, ping -> pong) and misbehaves
// the way a real engine can.
const tmp = tempDir();
afterAll(() => tmp.cleanup());

function script(name: string, body: string): URL {
  const file = join(tmp.dir, `${name}.mjs`);
  writeFileSync(file, `process.on('disconnect', () => process.exit(0));\n${body}\n`);
  return pathToFileURL(file);
}

const WELL = script('well', `
process.on('message', (m) => {
  if (m.type === 'init') process.send({ type: 'ready' });
  if (m.type === 'ping') process.send({ type: 'pong', id: m.id });
  if (m.type === 'call') process.send({ type: 'result', id: m.id, result: { pid: process.pid, method: m.method } });
});`);

// Answers the first call by starting an endless loop: no result, no pongs.
const HANGS = script('hangs', `
process.on('message', (m) => {
  if (m.type === 'init') process.send({ type: 'ready' });
  if (m.type === 'ping') process.send({ type: 'pong', id: m.id });
  if (m.type === 'call') { process.send({ type: 'event', id: m.id, event: 'started' }); for (;;) {} }
});`);

// Streams one event, then dies the way a native abort does.
const CRASHES = script('crashes', `
process.on('message', (m) => {
  if (m.type === 'init') process.send({ type: 'ready' });
  if (m.type === 'call') { process.send({ type: 'event', id: m.id, event: { type: 'token', text: 'Once' } }); setTimeout(() => process.abort(), 50); }
});`);

const FAILS_INIT = script('fails-init', `
process.on('message', (m) => {
  if (m.type === 'init') process.send({ type: 'init-failed', error: { code: 'unknown-model', message: 'No model "nope"' } });
});`);

function host(entries: URL[], health?: { intervalMs: number; timeoutMs: number }) {
  const notices: Notice[] = [];
  let started = 0;
  const engine = new EngineHost({
    spawn: () => forkEngineProcess(entries[Math.min(started++, entries.length - 1)]!),
    init: {},
    onNotice: (notice) => notices.push(notice),
    health,
  });
  return { engine, notices, spawned: () => started };
}

describe('engine host supervision (real child processes)', () => {
  it('ends a call in flight with engine-restarted when the engine hangs, tells the shell, and serves the next call from a new engine', async () => {
    const { engine, notices, spawned } = host([HANGS, WELL], { intervalMs: 50, timeoutMs: 600 });
    await engine.start();
    const events: unknown[] = [];
    const hung = engine.call('libraries.list', {}, { onEvent: (e) => events.push(e) });
    await expect(hung).rejects.toMatchObject({ code: 'engine-restarted' });
    expect(events).toEqual(['started']);
    expect(notices.map((n) => n.kind)).toEqual(['engine-restarted']);
    // Made while the engine restarts: it waits for the new one instead of failing.
    const next = (await engine.call('libraries.list', {})) as unknown as { method: string };
    expect(next.method).toBe('libraries.list');
    expect(spawned()).toBe(2);
    expect(engine.restartCount).toBe(1);
    await engine.stop();
  });

  it('refuses to start when the first engine cannot initialise, with the engine\'s own code and message', async () => {
    const { engine } = host([FAILS_INIT]);
    await expect(engine.start()).rejects.toMatchObject({ code: 'unknown-model', message: 'No model "nope"' });
    await engine.stop();
  });

  it('backs off when the engine keeps dying, and a stopped host ends calls in flight', async () => {
    const { engine, notices } = host([WELL]);
    await engine.start();
    const pids = new Set<number>();
    for (let i = 0; i < 3; i++) {
      const { pid } = (await engine.call('libraries.list', {})) as unknown as { pid: number };
      pids.add(pid);
      process.kill(pid, 'SIGKILL');
      while (notices.length === i) await new Promise((r) => setTimeout(r, 5));
      const before = Date.now();
      await engine.call('libraries.list', {});
      // 250 ms, then 500 ms, then 1 s before each new engine.
      expect(Date.now() - before).toBeGreaterThanOrEqual(250 * 2 ** i - 30);
    }
    expect(pids.size).toBe(3);
    expect(notices.filter((n) => n.kind === 'engine-restarted')).toHaveLength(3);
    await engine.stop();
    await expect(engine.call('libraries.list', {})).rejects.toMatchObject({ code: 'engine-stopped' });
  });
});

describe('a desktop window\'s stream when the engine dies (main\'s engine link, Node MessagePorts)', () => {
  it('delivers the events, then ends the stream with engine-restarted and closes the port', async () => {
    const { engine } = host([CRASHES, WELL]);
    await engine.start();
    const { port1, port2 } = new MessageChannel();
    const link = engineLink<StreamPort>(engine);
    const received: { type: string; event?: unknown; error?: { code: string } }[] = [];
    const closed = new Promise<void>((resolve) => port2.once('close', () => resolve()));
    port2.on('message', (message) => received.push(message));
    link.stream('ask', { library: 'x', question: 'q' }, port1 as unknown as StreamPort);
    await closed;
    expect(received[0]).toEqual({ type: 'event', event: { type: 'token', text: 'Once' } });
    expect(received.at(-1)).toMatchObject({ type: 'error', error: { code: 'engine-restarted' } });
    await engine.stop();
  });
});
