import { cpSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Library } from '../../electron/engine/index.js';
import { locationOf } from '../../electron/engine/generate/prompt.js';
import type { IndexProgress, IndexSummary } from '../../electron/shared/library.js';
import { makeScansSheetsMail, type ScansSheetsMailExpected } from '../../scripts/fixtures/scans-sheets-mail.js';
import { tempDir } from '../helpers.js';

let tmp: ReturnType<typeof tempDir>;
let folder: string;
let library: Library;
let expected: ScansSheetsMailExpected;
let first: IndexSummary;
const progress: IndexProgress[] = [];

beforeAll(async () => {
  tmp = tempDir();
  folder = join(tmp.dir, 'docs');
  expected = await makeScansSheetsMail(folder);
  library = createEngine({ dataDir: join(tmp.dir, 'data') }).openLibrary('scans', { create: true });
  library.addFolder(folder);
  ({ summary: first } = await library.index({ onProgress: (p) => progress.push(p) }));
}, 300_000);
afterAll(async () => {
  await library.close();
  tmp.cleanup();
});

const words = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

function documentChunks(relativePath: string) {
  const row = library.documents.byPath(join(folder, relativePath));
  expect(row, `${relativePath} is in the library`).toBeDefined();
  return library.chunks.forDocument(row!.id);
}

async function lexical(query: string) {
  return (await library.searcher().search(query, { mode: 'lexical', k: 5 })).results;
}

describe('scanned pages and images are read by OCR', () => {
  it('indexes every file and reports OCR pages apart from files', () => {
    const notIndexed = library.status().documents.filter((d) => d.status !== 'indexed');
    expect(notIndexed, JSON.stringify(notIndexed, null, 1)).toEqual([]);
    const pages = expected.scans.length + expected.mail.scanned.length;
    expect(first.ocr).toMatchObject({ pages, recognized: pages, cached: 0, failed: 0 });
    const last = progress.at(-1)!;
    expect(last.ocr).toEqual({ done: pages, total: pages });
    expect(progress.some((p) => p.ocr && p.ocr.done < p.ocr.total)).toBe(true);
  });

  it('recovers at least 95% of the known words, each page in its own place', () => {
    let known = 0;
    let found = 0;
    for (const scan of expected.scans) {
      const chunks = documentChunks(scan.file).filter((c) => (scan.page === null ? true : c.page === scan.page));
      expect(chunks.length, `${scan.file} page ${scan.page}`).toBeGreaterThan(0);
      const recognised = new Map<string, number>();
      for (const word of words(chunks.map((c) => c.text).join(' '))) recognised.set(word, (recognised.get(word) ?? 0) + 1);
      const want = words(scan.lines.join(' '));
      let hits = 0;
      for (const word of want) {
        const left = recognised.get(word) ?? 0;
        if (left > 0) {
          hits++;
          recognised.set(word, left - 1);
        }
      }
      expect(hits / want.length, `${scan.file} page ${scan.page}: ${chunks.map((c) => c.text).join(' | ')}`).toBeGreaterThanOrEqual(0.85);
      known += want.length;
      found += hits;
    }
    expect(found / known).toBeGreaterThanOrEqual(0.95);
  });

  it('OCR chunks keep their page (a TIFF its frame) and carry a confidence', () => {
    const lease = documentChunks('scans/lease.pdf');
    expect([...new Set(lease.map((c) => c.page))]).toEqual([1, 2, 3]);
    for (const chunk of lease) expect(chunk.ocrConfidence).toBeGreaterThan(50);
    const fax = documentChunks('scans/fax.tiff');
    expect(fax.map((c) => [c.page, c.frame])).toEqual([[1, 1], [2, 2]]);
    const receipt = documentChunks('scans/receipt.png');
    expect(receipt.every((c) => c.page === null && c.frame === null && c.ocrConfidence! > 50)).toBe(true);
  });

  it('a phrase from a scanned page finds that file and page first', async () => {
    const [top] = await lexical('landlord repairs the roof gutters and outer walls');
    expect(top).toMatchObject({ relativePath: 'scans/lease.pdf', page: 2 });
    expect(top!.ocrConfidence).toBeGreaterThan(50);
    expect(locationOf(top!)).toMatch(/^scans\/lease\.pdf, page 2, OCR/);
    const [fax] = await lexical('jasmine tea crates');
    expect(fax).toMatchObject({ relativePath: 'scans/fax.tiff', page: 2, frame: 2 });
  });

  it("the mixed PDF's text pages are not OCR'd", () => {
    // The engine's counters: only the image-only pages were rendered (3 of lease.pdf, 1 of mixed.pdf, 1 mailed PDF)...
    expect(library.ocrCounters()).toMatchObject({ rendered: 5, recognized: expected.scans.length + expected.mail.scanned.length });
    // ...and only the scanned page's chunks are marked as OCR text.
    const chunks = documentChunks(expected.mixed.file);
    const ocrPages = [...new Set(chunks.filter((c) => c.ocrConfidence !== null).map((c) => c.page))];
    const textPages = [...new Set(chunks.filter((c) => c.ocrConfidence === null).map((c) => c.page))];
    expect(ocrPages).toEqual(expected.mixed.scannedPages);
    expect(textPages).toEqual(expected.mixed.textPages);
    expect(chunks.find((c) => c.page === 1)!.text.replace(/\s+/g, ' ')).toContain(expected.mixed.text);
  });

  it('a second index of the same folder runs no OCR at all', async () => {
    const before = library.ocrCounters();
    const { summary } = await library.index();
    expect(summary.unchanged).toBe(first.indexed);
    expect(summary.ocr).toBeUndefined();
    expect(library.ocrCounters()).toEqual(before);
  });

  it('renamed and moved files find their text in the OCR cache', async () => {
    const before = library.ocrCounters();
    mkdirSync(join(folder, 'archive'));
    renameSync(join(folder, 'scans', 'lease.pdf'), join(folder, 'archive', 'lease-signed.pdf'));
    renameSync(join(folder, 'scans', 'receipt.png'), join(folder, 'scans', 'bakery-receipt.png'));
    cpSync(join(folder, 'scans', 'fax.tiff'), join(folder, 'archive', 'fax-copy.tiff'));
    const { summary } = await library.index();
    expect(summary.ocr).toEqual({ pages: 3 + 1 + 2, recognized: 0, cached: 6, failed: 0 });
    expect(library.ocrCounters()).toEqual(before);
    const [top] = await lexical('landlord repairs the roof gutters and outer walls');
    expect(top).toMatchObject({ relativePath: 'archive/lease-signed.pdf', page: 2 });
  });
});

describe('spreadsheets', () => {
  it('finds a cell value with its sheet and row range, the header row repeated', async () => {
    for (const cell of expected.cells) {
      const chunk = documentChunks(cell.file).find((c) => c.sheet === cell.sheet && c.rowStart! <= cell.row && c.rowEnd! >= cell.row && c.text.split('\n').some((line) => line.split(' | ').includes(cell.value)));
      expect(chunk, `${cell.file} ${cell.sheet} row ${cell.row}: ${cell.value}`).toBeDefined();
      expect(chunk!.headingPath).toEqual([cell.sheet]);
    }
    const top = (await lexical('Lighthouse paint')).find((r) => r.text.includes('Lighthouse paint'));
    expect(top).toMatchObject({ relativePath: 'sheets/budget.xlsx', sheet: 'Budget' });
    expect(top!.rows![0]).toBeLessThanOrEqual(14);
    expect(top!.rows![1]).toBeGreaterThanOrEqual(14);
    expect(top!.text.split('\n')[0]).toBe('Item | Q1 | Q2 | Total');
    expect(locationOf(top!)).toMatch(/^sheets\/budget\.xlsx, sheet Budget, rows \d+-\d+/);
  });

  it('keeps rows together: every chunk of a sheet starts with its header', () => {
    const budget = documentChunks('sheets/budget.xlsx').filter((c) => c.sheet === 'Budget');
    expect(budget.length).toBeGreaterThan(1);
    for (const chunk of budget) expect(chunk.text.startsWith('Item | Q1 | Q2 | Total\n')).toBe(true);
    const rows = budget.flatMap((c) => [c.rowStart!, c.rowEnd!]);
    expect(rows[0]).toBe(1);
    expect(rows.at(-1)).toBe(40);
  });
});

describe('mail', () => {
  it('indexes one document per message with its headers', () => {
    const messages = library.status().documents.filter((d) => d.parent === expected.mail.file);
    expect(messages.map((m) => m.mail?.subject)).toEqual(expected.mail.messages.map((m) => m.subject));
    expect(messages[0]!.mail).toMatchObject({ from: expect.stringContaining('ada@lighthouse.test'), to: expect.stringContaining('tomas@lighthouse.test'), date: '2024-02-01 09:30 UTC' });
    expect(messages.every((m) => m.kind === 'email' && m.status === 'indexed')).toBe(true);
  });

  it('searches From, To, Date and Subject', async () => {
    const [top] = await lexical('Harbour Office gale');
    expect(top!.relativePath).toBe(`${expected.mail.file} > Storm warning`);
    expect(top!.text).toMatch(/^From: .*office@harbour\.test.*\nTo: .*\nDate: 2024-02-05 07:15 UTC\nSubject: Storm warning/);
  });

  it('reads scanned attachments by OCR (a sideways phone photo, an image-only PDF) and cites them through their message', async () => {
    for (const { subject, name, page, lines } of expected.mail.scanned) {
      const [top] = await lexical(lines[0]!);
      expect(top, name).toMatchObject({ relativePath: `${expected.mail.file} > ${subject} > ${name}`, page });
      expect(top!.ocrConfidence).toBeGreaterThan(50);
      const found = new Set(words(top!.text));
      const want = words(lines.join(' '));
      expect(want.filter((w) => found.has(w)).length / want.length, `${name}: ${top!.text}`).toBeGreaterThanOrEqual(0.85);
      expect(locationOf(top!)).toContain('OCR');
    }
  });

  it("finds an attachment's text and cites it through its message", async () => {
    const [top] = await lexical('copper kettles awaiting shipment');
    const { subject, name, text } = expected.mail.attachment;
    expect(top).toMatchObject({ relativePath: `${expected.mail.file} > ${subject} > ${name}`, kind: 'docx' });
    expect(top!.text).toContain(text);
    expect(locationOf(top!)).toMatch(new RegExp(`^mail/inbox\\.mbox > ${subject} > ${name.replace('.', '\\.')}`));
  });
});
