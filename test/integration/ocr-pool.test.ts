import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/index.js';
import { OcrPool } from '../../electron/engine/ocr/ocr-pool.js';
import type { OcrJob } from '../../electron/engine/ocr/types.js';
import { makeMessage } from '../../scripts/fixtures/mail.js';
import { encodeImage, renderScan } from '../../scripts/fixtures/scans.js';
import { tempDir } from '../helpers.js';

let tmp: ReturnType<typeof tempDir>;
let job: OcrJob;
const none = (): undefined => undefined;

beforeAll(async () => {
  tmp = tempDir();
  const file = join(tmp.dir, 'note.png');
  writeFileSync(file, encodeImage(await renderScan(['The pool replaces a worker that dies.'], { heightPt: 200 }), 'png'));
  job = { source: 'image', rawPath: Buffer.from(file), path: file, fileHash: createHash('sha256').update(readFileSync(file)).digest('hex'), page: 1, languages: ['eng'] };
});
afterAll(() => tmp.cleanup());

describe('the OCR pool supervises its workers', () => {
  it('a worker killed mid-page fails that page (ocr-crashed); its replacement reads the next', async () => {
    const pool = new OcrPool({ size: 1 });
    try {
      const doomed = pool.recognize(job, none);
      const pid = await waitFor(() => pool.pids()[0]);
      setTimeout(() => process.kill(pid, 'SIGKILL'), 200);
      expect(await doomed).toMatchObject({ type: 'failed', reason: 'ocr-crashed' });
      const next = await pool.recognize(job, none);
      expect(next.type).toBe('text');
      expect(next.type === 'text' && next.page.paragraphs.map((p) => p.text).join(' ')).toContain('replaces a worker that dies');
      expect(pool.counters).toMatchObject({ recognized: 1, failed: 1 });
    } finally {
      await pool.close();
    }
  });

  it('over the time budget the page is `timeout`; over the memory budget `too-large`', async () => {
    const slow = new OcrPool({ size: 1, timeoutMs: 50 });
    const small = new OcrPool({ size: 1, maxMemoryMb: 40 });
    try {
      expect(await slow.recognize(job, none)).toMatchObject({ type: 'failed', reason: 'timeout' });
      expect(await small.recognize(job, none)).toMatchObject({ type: 'failed', reason: 'too-large' });
    } finally {
      await Promise.all([slow.close(), small.close()]);
    }
  });

  it('a page that fails costs that file only; the run goes on', async () => {
    const dir = join(tmp.dir, 'folder');
    const engine = createEngine({ dataDir: join(tmp.dir, 'data'), ocr: { maxMemoryMb: 40 } });
    const library = engine.openLibrary('budget', { create: true });
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'scan.png'), readFileSync(job.path));
      writeFileSync(join(dir, 'notes.txt'), 'Still indexed while OCR fails.');
      library.addFolder(dir);
      const { summary } = await library.index();
      expect(summary.ocr).toMatchObject({ pages: 1, failed: 1 });
      const byName = Object.fromEntries(library.status().documents.map((d) => [d.relativePath, d]));
      expect(byName['scan.png']).toMatchObject({ status: 'failed', reason: 'too-large' });
      expect(byName['notes.txt']).toMatchObject({ status: 'indexed' });
    } finally {
      await library.close();
    }
  });

  it('a damaged scanned attachment costs that attachment only: its message and the other attachment are indexed', async () => {
    const dir = join(tmp.dir, 'mail');
    mkdirSync(dir);
    const good = readFileSync(job.path);
    const photo = encodeImage(await renderScan(['Damaged photo'], { heightPt: 120 }), 'jpeg');
    // The header (with the picture's size) is intact; the compressed data after it is noise.
    const damaged = Buffer.concat([photo.subarray(0, 700), Buffer.alloc(photo.length - 700, 0x5a)]);
    writeFileSync(join(dir, 'scans.eml'), await makeMessage({
      from: 'Ada <ada@lighthouse.test>', to: 'Tomas <tomas@lighthouse.test>', subject: 'Two scans', date: new Date('2024-03-01T10:00:00Z'),
      text: 'Both scans attached.', attachments: [{ filename: 'broken.jpg', content: damaged }, { filename: 'note.png', content: good }],
    }));
    const library = createEngine({ dataDir: join(tmp.dir, 'data-mail') }).openLibrary('mail', { create: true });
    try {
      library.addFolder(dir);
      const { summary } = await library.index();
      expect(summary.ocr?.pages).toBe(2);
      const byName = new Map(library.status().documents.map((d) => [d.relativePath, d]));
      expect(byName.get('scans.eml')).toMatchObject({ status: 'indexed' });
      expect(byName.get('scans.eml > note.png')).toMatchObject({ status: 'indexed', kind: 'image' });
      expect(byName.get('scans.eml > broken.jpg')).toMatchObject({ status: 'failed', reason: 'corrupt', message: 'The image is damaged and cannot be decoded' });
      const [top] = (await library.searcher().search('replaces a worker', { mode: 'lexical' })).results;
      expect(top).toMatchObject({ relativePath: 'scans.eml > note.png' });
    } finally {
      await library.close();
    }
  });

  it('OCR can be turned off per library: images are then skipped, not read', async () => {
    const dir = join(tmp.dir, 'off');
    mkdirSync(dir);
    writeFileSync(join(dir, 'scan.png'), readFileSync(job.path));
    const library = createEngine({ dataDir: join(tmp.dir, 'data-off') }).openLibrary('off', { create: true });
    try {
      expect(library.ocrSettings()).toEqual({ enabled: true, languages: ['eng'] });
      library.setOcrSettings({ enabled: false });
      expect(() => library.setOcrSettings({ languages: ['xyz'] })).toThrow(/not installed: xyz.*@tesseract\.js-data\/xyz/);
      library.addFolder(dir);
      const { summary } = await library.index();
      expect(summary.ocr).toBeUndefined();
      expect(library.status().documents[0]).toMatchObject({ status: 'skipped', reason: 'no-text' });
      expect(library.ocrCounters().recognized).toBe(0);
      // Turned back on, the next run reads the image it skipped.
      library.setOcrSettings({ enabled: true });
      const again = await library.index();
      expect(again.summary.ocr).toMatchObject({ pages: 1, recognized: 1 });
      expect(library.status().documents[0]).toMatchObject({ status: 'indexed', kind: 'image' });
    } finally {
      await library.close();
    }
  });
});

async function waitFor<T>(probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('timed out waiting');
}
