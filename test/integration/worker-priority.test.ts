import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParsePool } from '../../electron/engine/ingest/parse-pool.js';
import { DEFAULT_SPLIT } from '../../electron/engine/ingest/splitter.js';
import { OcrPool } from '../../electron/engine/ocr/ocr-pool.js';
import { encodeImage, renderScan } from '../../scripts/fixtures/scans.js';
import { tempDir } from '../helpers.js';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => (tmp = tempDir()));
afterAll(() => tmp.cleanup());

describe('indexing stays in the background of the machine', () => {
  it("parsers run below the engine's priority, and OCR below the parsers", async () => {
    const text = join(tmp.dir, 'note.txt');
    writeFileSync(text, 'A short note.');
    const image = join(tmp.dir, 'scan.png');
    writeFileSync(image, encodeImage(await renderScan(['Priority check'], { heightPt: 120 }), 'png'));
    const parsers = new ParsePool({ size: 1 });
    const ocr = new OcrPool({ size: 1 });
    try {
      expect((await parsers.parse({ rawPath: Buffer.from(text), path: text, knownHash: null, split: DEFAULT_SPLIT })).type).toBe('indexed');
      const job = { source: 'image' as const, rawPath: Buffer.from(image), path: image, fileHash: createHash('sha256').update(readFileSync(image)).digest('hex'), page: 1, languages: ['eng'] };
      expect((await ocr.recognize(job, () => undefined)).type).toBe('text');
      const base = getPriority();
      const [parser] = parsers.pids();
      const [recogniser] = ocr.pids();
      expect(getPriority(parser!)).toBe(Math.min(19, base + 5));
      expect(getPriority(recogniser!)).toBe(Math.min(19, base + 10));
    } finally {
      await Promise.all([parsers.close(), ocr.close()]);
    }
  });
});
