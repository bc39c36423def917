import type { DocumentReason, OcrSettings } from '../../shared/library.js';
import type { OcrRequest } from '../ingest/extracted.js';
import type { ParseResult } from '../ingest/parse-file.js';
import { splitDocument, type SplitOptions } from '../ingest/splitter.js';
import type { FoundFile } from '../ingest/walker.js';
import type { OcrCache } from '../store/ocr-cache.js';
import { mergeOcrText } from './merge.js';
import type { OcrPool, OcrResult } from './ocr-pool.js';
import type { OcrPage } from './types.js';

export interface OcrStageDeps {
  pool: OcrPool;
  cache: OcrCache;
  settings: OcrSettings;
}

/** How one page ended, for the run's counters. */
export type PageOutcome = 'recognized' | 'cached' | 'failed' | 'cancelled';

type NeedsOcr = Extract<ParseResult, { type: 'needs-ocr' }>;

/** Bumped when recognition changes enough that cached text should not be reused. */
const OCR_CACHE_VERSION = 'tesseract.js-7/lstm-best-int/1';

/**
 * Recognises a file's scanned pages (from the cache where it can), merges their text in by page
 * and splits the whole. Returns null when the run was cancelled meanwhile: the file stays as it
 * was and the next run reads it again (its finished pages then come from the cache).
 */
export async function finishOcr(
  deps: OcrStageDeps, file: FoundFile, parsed: NeedsOcr, split: SplitOptions, onPage: (outcome: PageOutcome) => void, signal?: AbortSignal,
): Promise<ParseResult | null> {
  const requests = parsed.document.ocr ?? [];
  const failures: { page: number; reason: DocumentReason; message: string }[] = [];
  let cancelled = false;
  const pages = await Promise.all(
    requests.map(async (request): Promise<OcrPage | null> => {
      const outcome = await recognize(deps, file, parsed.hash, request);
      if (outcome.type === 'cancelled') {
        cancelled = true;
        onPage('cancelled');
        return null;
      }
      if (outcome.type === 'failed') {
        failures.push({ page: request.page, reason: outcome.reason, message: outcome.message });
        onPage('failed');
        return null;
      }
      onPage(outcome.cached ? 'cached' : 'recognized');
      return outcome.page;
    }),
  );
  if (cancelled || signal?.aborted) return null;
  const started = performance.now();
  const chunks = splitDocument(mergeOcrText(parsed.document, requests, pages), split);
  const timings = { ...parsed.timings, splitMs: parsed.timings.splitMs + performance.now() - started };
  const base = { hash: parsed.hash, size: parsed.size, kind: parsed.kind, timings };
  failures.sort((a, b) => a.page - b.page);
  const first = failures[0];
  if (!first) {
    if (chunks.length > 0) return { type: 'indexed', ...base, chunks, note: parsed.document.note ?? null };
    return { type: 'problem', status: 'skipped', reason: 'no-text', message: 'OCR found no text', ...base };
  }
  const what = parsed.kind === 'pdf' ? 'page' : 'image page';
  const summary = `OCR failed on ${failures.length === 1 ? `${what} ${first.page}` : `${failures.length} ${what}s (first: ${first.page})`}: ${first.message}`;
  if (chunks.length > 0) return { type: 'indexed', ...base, chunks, note: { reason: first.reason, message: summary } };
  // Like a parser running out of memory, an OCR failure is Quire's own and may pass on a retry: `failed`, not `skipped`.
  return { type: 'problem', status: 'failed', reason: first.reason, message: requests.length === 1 ? first.message : summary, ...base };
}

async function recognize(deps: OcrStageDeps, file: FoundFile, fileHash: string, request: OcrRequest): Promise<OcrResult> {
  const { pool, cache, settings } = deps;
  const languages = settings.languages;
  // The file's bytes and the page number are content too: a renamed or moved file is found without rendering anything.
  const fileKey = `file:${OCR_CACHE_VERSION}:${languages.join('+')}:${fileHash}:${request.source}:${request.page}`;
  const known = cache.get(fileKey);
  if (known) return { type: 'text', page: known, cached: true };
  const outcome = await pool.recognize(
    { source: request.source, rawPath: file.rawPath, path: file.path, fileHash, page: request.page, languages },
    (key) => cache.get(`page:${OCR_CACHE_VERSION}:${key}`),
  );
  if (outcome.type === 'text') cache.put(outcome.key ? [fileKey, `page:${OCR_CACHE_VERSION}:${outcome.key}`] : [fileKey], outcome.page);
  return outcome;
}
