import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkEngineProcess } from '../../electron/cli/engine-process.js';
import { EngineHost } from '../../electron/host/engine-host.js';
import type { IndexSummary } from '../../electron/shared/library.js';
import { tempDir } from '../helpers.js';

/**
 * In the desktop app parsers are threads of the engine, so a file that aborts its parser takes the
 * whole engine down; the host restarts it, and without a guard the next run reads the same file
 * and goes down again, forever. Here the engine runs as the app runs it (its own supervised
 * process, worker threads) and is killed whenever it is reading `heavy.txt`: after two runs end
 * that way, the file is `failed` / `parser-crashed` and everything else indexes.
 */

let tmp: ReturnType<typeof tempDir>;
let host: EngineHost;
let docs: string;
let data: string;

beforeAll(async () => {
  tmp = tempDir();
  docs = join(tmp.dir, 'docs');
  data = join(tmp.dir, 'data');
  mkdirSync(docs);
  for (let i = 0; i < 30; i++) writeFileSync(join(docs, `note-${i}.md`), `# Note ${i}\n\nThe keeper of lighthouse ${i} counts the ships.\n`);
  // Slow enough to read (seconds) that the test can see it being read and kill the engine then.
  const paragraph = (n: number) => `Paragraph ${n} of the heavy file: tides, lamps, ships and weather of the northern coast in winter.\n\n`;
  writeFileSync(join(docs, 'heavy.txt'), Array.from({ length: 250_000 }, (_, n) => paragraph(n)).join(''));
  host = new EngineHost({ spawn: () => forkEngineProcess(), init: { dataDir: data, watch: false, workers: 'thread' }, onNotice: () => undefined });
  await host.start();
  await host.call('libraries.create', { library: 'coast', folders: [docs], embedder: null });
}, 60_000);
afterAll(async () => {
  await host?.stop();
  tmp?.cleanup();
});

/** Rows of the library's files-being-read table, read from the file as another process would. */
function beingRead(): { path: string; runs: number }[] {
  const db = new Database(join(data, 'libraries', 'coast.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT d.relative_path AS path, r.unfinished_runs AS runs FROM files_being_read r JOIN documents d ON d.id = r.document_id').all() as { path: string; runs: number }[];
  } catch {
    return [];
  } finally {
    db.close();
  }
}

/**
 * Starts an index run and SIGKILLs the engine as soon as it is reading heavy.txt, for the
 * `unfinishedRuns`-th time in a row (what the run records); resolves with what was being read then.
 */
async function indexAndCrashOnHeavy(unfinishedRuns: number): Promise<{ path: string; runs: number }[]> {
  const run = host.call('libraries.index', { library: 'coast' }).then(
    () => 'finished',
    (error: { code?: string }) => error.code,
  );
  const started = Date.now();
  for (;;) {
    const rows = beingRead();
    if (rows.some((r) => r.path === 'heavy.txt' && r.runs === unfinishedRuns) && host.pid !== null) {
      process.kill(host.pid!, 'SIGKILL');
      expect(await run).toBe('engine-restarted');
      return rows;
    }
    if (Date.now() - started > 60_000) throw new Error('heavy.txt was never seen being read');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('a file that brings the engine down', () => {
  it('is read alone after the first crash and skipped as parser-crashed after the second; the rest of the folder indexes', async () => {
    await indexAndCrashOnHeavy(0);

    // The restarted engine knows its predecessor crashed: heavy.txt is a suspect, read first and alone.
    const second = await indexAndCrashOnHeavy(1);
    expect(second).toEqual([{ path: 'heavy.txt', runs: 1 }]);

      const summary = (await host.call('libraries.index', { library: 'coast' })) as IndexSummary;
    expect(summary.byReason['parser-crashed']).toBe(1);
    const { documents } = await host.call('libraries.status', { library: 'coast' });
    const heavy = documents.find((d) => d.relativePath === 'heavy.txt')!;
    expect(heavy).toMatchObject({ status: 'failed', reason: 'parser-crashed' });
    expect(heavy.message).toMatch(/last 2 indexing runs ended while reading this file/);
    expect(documents.filter((d) => d.relativePath.startsWith('note-') && d.status === 'indexed')).toHaveLength(30);
    expect(beingRead()).toEqual([]);

    // Not read again by a plain run; read again (and indexed: it was never really the culprit) when failed files are retried.
    const again = (await host.call('libraries.index', { library: 'coast' })) as IndexSummary;
    expect(again.unchanged).toBe(31);
    await host.call('libraries.index', { library: 'coast', retryFailed: true });
    const after = await host.call('libraries.status', { library: 'coast' });
    expect(after.documents.find((d) => d.relativePath === 'heavy.txt')).toMatchObject({ status: 'indexed' });
  }, 180_000);
});
