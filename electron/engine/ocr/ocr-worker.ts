import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import Tesseract from 'tesseract.js';
import { EXIT_OVER_BUDGET } from '../host/worker-handle.js';
import { readImageHeader, type ImageFormat } from '../ingest/loaders/image-header.js';
import { jpegForTesseract } from './exif-orientation.js';
import { resolveLanguages } from './languages.js';
import { decodeGif, decodeTiffFrame, openPdf, renderPdfPage, toPgm } from './render.js';
import type { FromOcrWorker, OcrJob, OcrPage, ToOcrWorker } from './types.js';

/**
 * OCR entry, run as a child process (or worker thread) of the engine. It reads the page from the
 * file, renders or decodes it, and recognises it with tesseract.js, whose English model ships in
 * the @tesseract.js-data/eng package: nothing is ever downloaded. A PDF page's content hash goes
 * back to the engine before recognition, so a page already in the cache is not read twice.
 */

const send: (message: FromOcrWorker) => void = parentPort ? (m) => parentPort!.postMessage(m) : (m) => process.send!(m);
const waiting = new Map<number, (recognize: boolean) => void>();

let recognizer: { languages: string; worker: Tesseract.Worker; dir: string | null } | null = null;
let opened: { key: string; bytes: Uint8Array; pdf: PDFDocumentProxy | null } | null = null;

/** Languages come from installed packages in one folder, since tesseract.js takes a single `langPath`. */
async function recognizerFor(codes: string[]): Promise<Tesseract.Worker> {
  const key = codes.join('+');
  if (recognizer?.languages === key) return recognizer.worker;
  await closeRecognizer();
  const languages = resolveLanguages(codes);
  let langPath: string;
  let dir: string | null = null;
  if (languages.length === 1) langPath = dirname(languages[0]!.file);
  else {
    dir = mkdtempSync(join(tmpdir(), 'quire-ocr-'));
    for (const language of languages) {
      const target = join(dir, `${language.code}.traineddata.gz`);
      try {
        symlinkSync(language.file, target);
      } catch {
        copyFileSync(language.file, target);
      }
    }
    langPath = dir;
  }
  const worker = await Tesseract.createWorker(key, Tesseract.OEM.LSTM_ONLY, {
    langPath, gzip: true, cacheMethod: 'none', logger: () => {},
    // Without a handler tesseract.js rethrows job errors outside the job's promise, killing the process.
    errorHandler: () => {},
  });
  recognizer = { languages: key, worker, dir };
  return worker;
}

async function closeRecognizer(): Promise<void> {
  if (!recognizer) return;
  const { worker, dir } = recognizer;
  recognizer = null;
  await worker.terminate().catch(() => {});
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** The file's bytes, read once for all its pages, and only if they are still what was parsed. */
async function source(job: OcrJob): Promise<{ bytes: Uint8Array; pdf: PDFDocumentProxy | null }> {
  const key = `${job.path}\0${job.fileHash}`;
  if (opened?.key === key) {
    if (job.source === 'pdf' && !opened.pdf) opened.pdf = await openPdf(opened.bytes);
    return opened;
  }
  if (opened?.pdf) await opened.pdf.destroy();
  opened = null;
  if (job.bytes) {
    opened = { key, bytes: job.bytes, pdf: job.source === 'pdf' ? await openPdf(job.bytes) : null };
    return opened;
  }
  const bytes = await readFile(Buffer.from(job.rawPath.buffer, job.rawPath.byteOffset, job.rawPath.byteLength)).catch((error: Error) => {
    throw new JobError('unreadable', `Cannot read the file for OCR: ${error.message}`);
  });
  if (createHash('sha256').update(bytes).digest('hex') !== job.fileHash) throw new JobError('unreadable', 'The file changed while it was being indexed; it is read again on the next run');
  opened = { key, bytes, pdf: job.source === 'pdf' ? await openPdf(bytes) : null };
  return opened;
}

class JobError extends Error {
  constructor(
    readonly reason: 'corrupt' | 'unreadable',
    message: string,
  ) {
    super(message);
  }
}

async function run(id: number, job: OcrJob): Promise<void> {
  const file = await source(job);
  let image: Buffer;
  if (job.source === 'pdf') {
    const gray = await renderPdfPage(file.pdf!, job.page);
    const key = createHash('sha256').update(`${gray.width}x${gray.height}\0${job.languages.join('+')}\0`).update(gray.pixels).digest('hex');
    send({ type: 'key', id, key });
    const recognize = await new Promise<boolean>((resolve) => waiting.set(id, resolve));
    if (!recognize) {
      send({ type: 'skipped', id });
      return;
    }
    image = toPgm(gray);
  } else {
    image = decodedImage(file.bytes, job.page);
  }
  const worker = await recognizerFor(job.languages);
  let result: Tesseract.RecognizeResult;
  try {
    result = await worker.recognize(image, {}, { text: false, blocks: true });
  } catch (error) {
    const message = String(error);
    // tesseract's image reader refuses what it cannot decode; that is the file's fault, not the worker's.
    if (/read image|pixRead|Unknown format/i.test(message)) throw new JobError('corrupt', 'The image is damaged and cannot be decoded');
    throw error;
  }
  send({ type: 'done', id, page: pageOf(result.data) });
}

/**
 * Formats tesseract's own (WebAssembly) reader handles are passed through as they are: a damaged
 * file fails there without harm. GIF and TIFF are decoded in JavaScript first.
 */
function decodedImage(bytes: Uint8Array, frame: number): Buffer {
  let format: ImageFormat;
  try {
    format = readImageHeader(bytes).format;
  } catch (error) {
    throw new JobError('corrupt', (error as Error).message);
  }
  try {
    if (format === 'gif') return toPgm(decodeGif(bytes));
    if (format === 'tiff') return toPgm(decodeTiffFrame(bytes, frame));
  } catch (error) {
    throw new JobError('corrupt', `The image is damaged: ${(error as Error).message}`);
  }
  if (format === 'jpeg') return jpegForTesseract(bytes);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Paragraphs from tesseract's layout. Specks of dust and page edges come out as "words" of pure
 * punctuation or as one or two letters recognised with almost no confidence; those are dropped.
 * A paragraph's confidence is the mean of its words', weighted by length.
 */
function pageOf(data: Tesseract.Page): OcrPage {
  const paragraphs: OcrPage['paragraphs'] = [];
  let weighted = 0;
  let chars = 0;
  for (const block of data.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      let sum = 0;
      let count = 0;
      const lines: string[] = [];
      for (const line of paragraph.lines) {
        const words = line.words.filter((w) => /[\p{L}\p{N}]/u.test(w.text) && !(w.text.length <= 2 && w.confidence < 30));
        for (const w of words) {
          sum += w.confidence * w.text.length;
          count += w.text.length;
        }
        if (words.length > 0) lines.push(words.map((w) => w.text).join(' '));
      }
      if (lines.length === 0) continue;
      const confidence = sum / Math.max(1, count);
      paragraphs.push({ text: lines.join('\n'), confidence: Math.round(confidence * 10) / 10 });
      weighted += sum;
      chars += count;
    }
  }
  return { paragraphs, confidence: chars > 0 ? Math.round((weighted / chars) * 10) / 10 : 0 };
}

function onMessage(message: ToOcrWorker): void {
  if (message.type === 'go') {
    waiting.get(message.id)?.(message.recognize);
    waiting.delete(message.id);
    return;
  }
  run(message.id, message.job).catch((error: unknown) => {
    if (error instanceof JobError) send({ type: 'error', id: message.id, reason: error.reason, message: error.message });
    else {
      const text = error instanceof Error ? error.message : String(error);
      const memory = /out of memory|OOM|Cannot enlarge memory|Array buffer allocation failed/i.test(text);
      send({ type: 'error', id: message.id, reason: memory ? 'too-large' : 'ocr-crashed', message: `OCR failed: ${text.slice(0, 300)}` });
    }
  });
}

/** The memory budget covers tesseract's WebAssembly heap, which V8's heap limit does not see. */
function watchMemory(): void {
  const budget = Number(process.env.QUIRE_OCR_MAX_RSS_MB ?? 0) * 1024 * 1024;
  if (!budget) return;
  setInterval(() => {
    if (process.memoryUsage.rss() > budget) {
      process.stderr.write(`OCR worker over its memory budget (${Math.round(process.memoryUsage.rss() / 1048576)} MB)\n`);
      process.exit(EXIT_OVER_BUDGET);
    }
  }, 100).unref();
}

if (parentPort) {
  parentPort.on('message', onMessage);
} else if (process.send) {
  watchMemory();
  process.on('message', (message) => onMessage(message as ToOcrWorker));
  process.on('disconnect', () => process.exit(0));
}
