import { describe, expect, it } from 'vitest';
import { ExtractionError, type ExtractedDocument } from '../../electron/engine/ingest/extracted.js';
import { load as loadImage } from '../../electron/engine/ingest/loaders/image.js';
import { readImageHeader } from '../../electron/engine/ingest/loaders/image-header.js';
import { load as loadMail } from '../../electron/engine/ingest/loaders/mail.js';
import { splitMailbox } from '../../electron/engine/ingest/loaders/mbox.js';
import { load as loadSpreadsheet } from '../../electron/engine/ingest/loaders/spreadsheet.js';
import { splitDocument } from '../../electron/engine/ingest/splitter.js';
import { mergeOcrText } from '../../electron/engine/ocr/merge.js';
import { makeDocx } from '../../scripts/fixtures/documents.js';
import { makeMbox, makeMessage } from '../../scripts/fixtures/mail.js';
import { encodeImage, makePngBomb, makeTiff, type Scan } from '../../scripts/fixtures/scans.js';
import { makeEncryptedXlsx, makeOds, makeXlsx } from '../../scripts/fixtures/spreadsheets.js';

const blank = (width: number, height: number): Scan => ({ width, height, rgba: new Uint8ClampedArray(width * height * 4).fill(255) });

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return error instanceof ExtractionError ? error.reason : String(error);
  }
}

describe('image headers', () => {
  it('reads every format and every TIFF page from the header alone', () => {
    for (const format of ['png', 'jpeg', 'webp', 'gif', 'bmp'] as const) {
      expect(readImageHeader(encodeImage(blank(37, 21), format)), format).toEqual({ format, frames: [{ width: 37, height: 21 }] });
    }
    expect(readImageHeader(makeTiff([blank(30, 20), blank(10, 40)]))).toEqual({ format: 'tiff', frames: [{ width: 30, height: 20 }, { width: 10, height: 40 }] });
  });

  it('refuses a decompression bomb before decoding, and damaged headers as corrupt', async () => {
    const bomb = makePngBomb(20_000, 20_000);
    expect(bomb.length).toBeLessThan(1_000_000);
    expect(await reason(loadImage({ kind: 'image', bytes: bomb, path: 'bomb.png', extension: 'png', ocr: true }))).toBe('too-large');
    const png = Buffer.from(encodeImage(blank(10, 10), 'png'));
    png[20] = png[20]! ^ 0xff; // inside IHDR: the checksum no longer matches
    expect(() => readImageHeader(png)).toThrow(/checksum/);
    const tiff = makeTiff([blank(4, 4)]);
    tiff.writeUInt32BE(8, tiff.readUInt16BE(8) * 12 + 10); // the directory points back to itself
    expect(() => readImageHeader(tiff)).toThrow(/loops/);
  });

  it('asks OCR for every TIFF page, and reads nothing when OCR is off', async () => {
    const doc = await loadImage({ kind: 'image', bytes: makeTiff([blank(8, 8), blank(8, 8)]), path: 'fax.tiff', extension: 'tiff', ocr: true });
    expect(doc.ocr).toEqual([{ source: 'image', page: 1, frame: 1 }, { source: 'image', page: 2, frame: 2 }]);
    expect(await reason(loadImage({ kind: 'image', bytes: encodeImage(blank(8, 8), 'png'), path: 'a.png', extension: 'png', ocr: false }))).toBe('no-text');
  });
});

describe('merging OCR text into a document', () => {
  it('puts recognised pages in page order with their confidence; text-layer pages stay as they are', () => {
    const doc: ExtractedDocument = {
      kind: 'pdf', text: 'First page text.\n\nThird page text.', lineAddressable: false,
      blocks: [{ start: 0, end: 16, headingPath: [], page: 1 }, { start: 18, end: 34, headingPath: [], page: 3 }],
      ocr: [{ source: 'pdf', page: 2 }],
    };
    const merged = mergeOcrText(doc, doc.ocr!, [{ paragraphs: [{ text: 'Scanned words', confidence: 91 }], confidence: 91 }]);
    const chunks = splitDocument(merged, { chunkTokens: 300, overlapTokens: 0 });
    expect(chunks.map((c) => [c.page, c.text, c.ocrConfidence ?? null])).toEqual([[1, 'First page text.', null], [2, 'Scanned words', 91], [3, 'Third page text.', null]]);
  });
});

describe('spreadsheets', () => {
  it('XLSX and ODS give one section per sheet with rows, header and cached formula values', async () => {
    const sheets = [{ name: 'Plan', rows: [['Task', 'Hours'], ['Paint', 3], ['Total', { formula: 'B2*2', result: 6 }]] }];
    for (const [name, bytes] of [['plan.xlsx', await makeXlsx(sheets)], ['plan.ods', await makeOds(sheets)]] as const) {
      const doc = await loadSpreadsheet({ kind: 'spreadsheet', bytes, path: name, extension: name.slice(-4) });
      const [chunk] = splitDocument(doc);
      expect(chunk, name).toMatchObject({ sheet: 'Plan', rowStart: 1, rowEnd: 3, headingPath: ['Plan'], text: 'Task | Hours\nPaint | 3\nTotal | 6' });
    }
  });

  it('a password-protected workbook is encrypted', async () => {
    const bytes = await makeEncryptedXlsx([{ name: 'S', rows: [['a', 'b']] }]);
    expect(await reason(loadSpreadsheet({ kind: 'spreadsheet', bytes, path: 'x.xlsx', extension: 'xlsx' }))).toBe('encrypted');
  });
});

describe('mail', () => {
  it('splits an mbox on its envelope lines and restores escaped "From " lines', async () => {
    const mails = [1, 2].map((n) => ({ from: 'a@example.test', to: 'b@example.test', subject: `S${n}`, date: new Date('2024-01-01T00:00:00Z'), text: `Hello ${n}\n\nFrom the harbour.` }));
    const messages = splitMailbox(await makeMbox(mails));
    expect(messages).toHaveLength(2);
    expect(messages[1]!.toString()).toContain('\nFrom the harbour.');
  });

  it('an .eml message has its headers first and its attachments as parts', async () => {
    const docx = await makeDocx([{ heading: 'Minutes', paragraphs: ['The committee approved the budget.'] }]);
    const eml = await makeMessage({ from: 'Ada <ada@example.test>', to: 'team@example.test', subject: 'Minutes', date: new Date('2024-05-02T08:00:00Z'), text: 'Attached.', attachments: [{ filename: 'minutes.docx', content: docx }] });
    const doc = await loadMail({ kind: 'email', bytes: eml, path: 'minutes.eml', extension: 'eml' });
    expect(doc.text).toMatch(/^From: Ada <ada@example\.test>\nTo: team@example\.test\nDate: 2024-05-02 08:00 UTC\nSubject: Minutes\nAttachments: minutes\.docx/);
    expect(doc.parts).toHaveLength(1);
    const part = doc.parts![0]!;
    expect(part).toMatchObject({ key: 'a1', label: 'minutes.docx', kind: 'docx' });
    expect('document' in part.content && part.content.document.text).toContain('The committee approved the budget.');
  });
});
