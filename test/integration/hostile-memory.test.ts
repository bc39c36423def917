import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexSummary, LibraryStatus } from '../../electron/shared/library.js';
import { checkDecompressedSize, ZIP_LIMITS } from '../../electron/engine/ingest/loaders/zip.js';
import { makeHostileFolder, type HostileFile } from '../../scripts/fixtures/hostile.js';
import { indexMeasured } from '../../scripts/measure-hostile.js';
import { CLI, tempDir } from '../helpers.js';
import { readFileSync } from 'node:fs';

// A smaller cut of the hostile folder of scripts/measure-hostile.ts (which uses 1 GiB bombs and a 1,500-page PDF):
// every bomb is still over the per-part cap, so the caps, not the machine, decide.
const linux = process.platform === 'linux';
let tmp: ReturnType<typeof tempDir>;
let files: HostileFile[];
let run: Awaited<ReturnType<typeof indexMeasured>>;
let documents: Record<string, LibraryStatus['documents'][number]>;

beforeAll(async () => {
  tmp = tempDir('quire-hostile-');
  const folder = join(tmp.dir, 'folder');
  files = await makeHostileFolder(folder, { bombBytes: ZIP_LIMITS.entryBytes + 64 * 1024 ** 2, pdfPages: 200, singleLineBytes: 5 * 1024 ** 2, csvLineBytes: 4 * 1024 ** 2 });
  run = await indexMeasured(folder, join(tmp.dir, 'data'));
  const status = spawnSync(process.execPath, [CLI, '--data-dir', join(tmp.dir, 'data'), 'status', '--library', 'hostile', '--json'], { encoding: 'utf8' });
  documents = Object.fromEntries((JSON.parse(status.stdout) as LibraryStatus).documents.map((d) => [d.relativePath, d]));
}, 600_000);
afterAll(() => tmp?.cleanup());

describe('a hostile folder: every file accounted for, memory bounded', () => {
  it('every file has an outcome, and every file not indexed cleanly has a reason', () => {
    const summary = run.summary as IndexSummary;
    expect(summary.seen).toBe(files.length);
    expect(Object.keys(documents).sort()).toEqual(files.map((f) => f.name).sort());
    for (const document of Object.values(documents)) {
      expect(document.status, document.relativePath).not.toBe('pending');
      if (document.status !== 'indexed') expect(document.reason, document.relativePath).not.toBeNull();
    }
  });

  it('zip bombs in DOCX, XLSX, ODT, ODS, EPUB and PPTX (one lying about its size) are too-large, named by their part', () => {
    for (const name of ['bomb.docx', 'bomb-lying.docx', 'bomb.xlsx', 'bomb.odt', 'bomb.ods', 'bomb.epub', 'bomb.pptx']) {
      expect(documents[name], name).toMatchObject({ status: 'skipped', reason: 'too-large', message: expect.stringMatching(/part \S+ inflates to .*128 MB per part/) });
    }
    expect(documents['sparse.log']).toMatchObject({ status: 'skipped', reason: 'too-large' });
  });

  it('the normal files next to them are indexed', () => {
    for (const name of ['normal.md', 'long.pdf', 'one-line.txt', 'wide.csv']) expect(documents[name]?.status, name).toBe('indexed');
  });

  it.skipIf(!linux)('peak memory of the engine and its workers stays under 2 GiB', () => {
    console.log(`[hostile folder] peak RSS ${(run.peakBytes / 1024 ** 2).toFixed(0)} MiB in ${run.seconds.toFixed(1)} s`);
    expect(run.peakBytes).toBeGreaterThan(0);
    expect(run.peakBytes).toBeLessThan(2 * 1024 ** 3);
  });
});

describe('the decompression check itself', () => {
  it('counts what really inflates, not what the archive declares', async () => {
    const lying = readFileSync(join(tmp.dir, 'folder', 'bomb-lying.docx'));
    await expect(checkDecompressedSize(lying, 'Word document', { entryBytes: 1024 ** 2, totalBytes: 4 * 1024 ** 2, entries: 100 })).rejects.toMatchObject({
      reason: 'too-large', message: expect.stringContaining('part word/document.xml inflates to more than 1 MB'),
    });
  });

  it('caps the total over all parts and the number of parts', async () => {
    const normal = readFileSync(join(tmp.dir, 'folder', 'bomb.docx'));
    await expect(checkDecompressedSize(normal, 'Word document', { entryBytes: 1024 ** 3, totalBytes: 64 * 1024 ** 2, entries: 100 })).rejects.toMatchObject({ message: expect.stringMatching(/inflates to more than/) });
    await expect(checkDecompressedSize(normal, 'Word document', { entryBytes: 1024 ** 3, totalBytes: 1024 ** 3, entries: 2 })).rejects.toMatchObject({ message: expect.stringMatching(/holds \d+ parts, over the 2/) });
  });

  it('leaves a file that is not a zip to its reader', async () => {
    await expect(checkDecompressedSize(Buffer.from('not a zip'), 'Word document')).resolves.toBeUndefined();
  });
});
