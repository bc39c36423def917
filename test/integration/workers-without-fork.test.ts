import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultWorkerIsolation } from '../../electron/engine/host/worker-handle.js';
import { ROOT, tempDir } from '../helpers.js';

const generated = join(ROOT, 'test', 'fixtures', 'generated');
const tmp = tempDir('quire-nofork-');
afterAll(() => tmp.cleanup());

/** Runs the engine in a Node process where every child_process entry point throws (see test/hosts/). */
function indexInHost(env: NodeJS.ProcessEnv, folder: string, queries: string[]) {
  const args = ['--import', 'tsx', '--import', join(ROOT, 'test', 'hosts', 'forbid-processes.mjs'), join(ROOT, 'test', 'hosts', 'index-in-host.ts'), folder, join(tmp.dir, `data-${Math.random().toString(36).slice(2)}`), ...queries];
  const { QUIRE_WORKERS: _workers, ...base } = process.env;
  const run = spawnSync(process.execPath, args, { cwd: ROOT, env: { ...base, ...env }, encoding: 'utf8', timeout: 240_000 });
  return { status: run.status, stderr: run.stderr, report: run.status === 0 ? JSON.parse(run.stdout.trim().split('\n').at(-1)!) : null };
}

describe('workers in a host that forbids fork (a packaged Electron app)', () => {
  const folder = join(tmp.dir, 'mixed');
  mkdirSync(folder);
  for (const file of ['report.pdf', 'letter.docx', 'minutes.odt']) cpSync(join(generated, 'all-formats', file), join(folder, file));
  // A scanned image, and a PDF with a text page and a scanned page: both need OCR workers.
  for (const file of ['receipt.png', 'mixed.pdf']) cpSync(join(generated, 'scans-sheets-mail', 'scans', file), join(folder, file));

  it('the host really forbids fork: an engine left on process workers cannot index there', () => {
    const run = indexInHost({}, folder, []);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/child_process\.fork is forbidden/);
  });

  it('inside Electron the engine picks worker threads and indexes and embeds PDFs, DOCX, ODT and scans completely', () => {
    const embedder = join(generated, 'models', 'tiny-embedder');
    const run = indexInHost({ QUIRE_FAKE_ELECTRON: '45.6.1', QUIRE_TEST_EMBEDDER: embedder }, folder, ['almond buns', 'cracked skylight', 'pangolin']);
    expect(run.status, run.stderr).toBe(0);
    const { forkRefused, summary, documents, found, vectors } = run.report;
    expect(forkRefused).toBe(true);
    expect(documents.filter((d: { status: string }) => d.status !== 'indexed'), JSON.stringify(documents)).toEqual([]);
    expect(documents.map((d: { path: string }) => d.path).sort()).toEqual(['letter.docx', 'minutes.odt', 'mixed.pdf', 'receipt.png', 'report.pdf']);
    expect(summary).toMatchObject({ seen: 5, indexed: 5, failed: 0, skipped: 0, ocr: { pages: 2, recognized: 2, failed: 0 } });
    expect(vectors).toBe(summary.chunks);
    // Text that only OCR can find: the receipt image and the scanned page of mixed.pdf.
    expect(found['almond buns'][0]).toBe('receipt.png');
    expect(found['cracked skylight'][0]).toBe('mixed.pdf');
    expect(found['pangolin'][0]).toBe('report.pdf');
  }, 240_000);
});

describe('defaultWorkerIsolation', () => {
  it('threads inside Electron, processes elsewhere, and QUIRE_WORKERS from the host wins', () => {
    const node = { ...process.versions };
    const electron = { ...process.versions, electron: '41.0.0' };
    expect(defaultWorkerIsolation({}, node)).toBe('process');
    expect(defaultWorkerIsolation({}, electron)).toBe('thread');
    expect(defaultWorkerIsolation({ QUIRE_WORKERS: 'thread' }, node)).toBe('thread');
    expect(defaultWorkerIsolation({ QUIRE_WORKERS: 'process' }, electron)).toBe('process');
    expect(() => defaultWorkerIsolation({ QUIRE_WORKERS: 'fork' }, node)).toThrow(/QUIRE_WORKERS/);
  });
});
