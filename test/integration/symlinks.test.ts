import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexSummary, LibraryStatus } from '../../electron/shared/library.js';
import { CLI, tempDir } from '../helpers.js';
import { startServe } from '../serve-process.js';

let tmp: ReturnType<typeof tempDir>;
let data: string;
let docs: string;
let docs2: string;

function quire(...args: string[]) {
  return spawnSync(process.execPath, [CLI, '--data-dir', data, ...args], { encoding: 'utf8' });
}
const index = (...extra: string[]): IndexSummary => {
  const run = quire('index', '--library', 'links', '--no-embed', '--json', ...extra);
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as IndexSummary;
};
const status = (): Record<string, LibraryStatus['documents'][number]> => {
  const run = quire('status', '--library', 'links', '--json');
  return Object.fromEntries((JSON.parse(run.stdout) as LibraryStatus).documents.map((d) => [d.relativePath, d]));
};
const hits = (query: string): number => (JSON.parse(quire('search', query, '--library', 'links', '--json').stdout) as { results: unknown[] }).results.length;

beforeAll(() => {
  tmp = tempDir();
  data = join(tmp.dir, 'data');
  docs = join(tmp.dir, 'docs');
  docs2 = join(tmp.dir, 'docs2');
  const outside = join(tmp.dir, 'outside');
  mkdirSync(docs);
  mkdirSync(docs2);
  mkdirSync(join(outside, 'folder'), { recursive: true });
  writeFileSync(join(docs, 'notes.md'), '# Notes\n\nThe lighthouse keeper logs the tides.\n');
  writeFileSync(join(docs2, 'boats.md'), '# Boats\n\nThe ferry leaves at noon from the harbour.\n');
  writeFileSync(join(outside, 'secret.txt'), 'zebracredential: hunter2 is the password of the mail account\n');
  writeFileSync(join(outside, 'folder', 'diary.md'), '# Diary\n\nQuokkaprivate thoughts that were never meant to be indexed.\n');
  symlinkSync(join(outside, 'secret.txt'), join(docs, 'secret-link.txt'));
  symlinkSync(join(outside, 'folder'), join(docs, 'folder-link'));
  // Links that stay inside the library's folders (this one, or another folder of the library) are followed.
  symlinkSync(join(docs2, 'boats.md'), join(docs, 'boats-link.md'));
  const run = quire('index', docs, docs2, '--library', 'links', '--no-embed', '--json');
  if (run.status !== 0) throw new Error(run.stderr);
});
afterAll(() => tmp.cleanup());

describe('symbolic links stay inside the library', () => {
  it('links to a file and a folder outside are skipped as outside-folder; their text is not searchable', () => {
    const documents = status();
    expect(documents['secret-link.txt']).toMatchObject({ status: 'skipped', reason: 'outside-folder', chunks: 0 });
    expect(documents['secret-link.txt']!.message).toContain(join(tmp.dir, 'outside', 'secret.txt'));
    expect(documents['folder-link']).toMatchObject({ status: 'skipped', reason: 'outside-folder' });
    expect(Object.keys(documents).some((p) => p.includes('diary'))).toBe(false);
    expect(hits('zebracredential')).toBe(0);
    expect(hits('Quokkaprivate')).toBe(0);
  });

  it('a link into another folder of the library is followed', () => {
    expect(status()['boats-link.md']).toMatchObject({ status: 'indexed' });
  });

  it('every file is accounted for in the summary', () => {
    const summary = index();
    expect(summary.byReason['outside-folder']).toBe(2);
    expect(summary.seen).toBe(Object.keys(status()).length);
  });

  it('the library option follows them, and turning it off removes their text again', () => {
    index('--follow-outside-links');
    expect(status()['secret-link.txt']).toMatchObject({ status: 'indexed' });
    expect(hits('zebracredential')).toBe(1);
    expect(hits('Quokkaprivate')).toBe(1);
    index(); // the setting is kept for the library
    expect(hits('zebracredential')).toBe(1);
    const off = index('--no-follow-outside-links');
    expect(off.byReason['outside-folder']).toBe(2);
    expect(hits('zebracredential')).toBe(0);
    expect(hits('Quokkaprivate')).toBe(0);
  });

  it('quire serve does not serve a source replaced by a link to a file outside after it was indexed', async () => {
    const serve = await startServe(data);
    try {
      const search = (await serve.call('search', { library: 'links', query: 'lighthouse' })) as { result: { results: { chunkId: number }[] } };
      const passage = (await serve.call('passages.get', { library: 'links', chunkId: search.result.results[0]!.chunkId })) as { result: { fileUrl: string } };
      const url = `http://127.0.0.1:${serve.port}${passage.result.fileUrl}`;
      expect((await fetch(url)).status).toBe(200);
      rmSync(join(docs, 'notes.md'));
      symlinkSync(join(tmp.dir, 'outside', 'secret.txt'), join(docs, 'notes.md'));
      const response = await fetch(url);
      expect(await response.text()).not.toContain('zebracredential');
      expect(response.status).toBe(404);
      expect(serve.child.exitCode).toBeNull();
    } finally {
      await serve.stop();
    }
  });
});
