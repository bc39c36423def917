import type { DocumentKind, DocumentReason, OcrSettings } from '../../shared/library.js';
import type { ExtractedDocument, ExtractedPart, OcrRequest } from '../ingest/extracted.js';
import { flattenParts, type ParseResult } from '../ingest/parse-file.js';
import { splitDocument, type SplitOptions } from '../ingest/splitter.js';
import type { FoundFile } from '../ingest/walker.js';
import type { OcrCache } from '../store/ocr-cache.js';
import { mergeOcrText } from './merge.js';
import type { OcrPool, OcrResult } from './ocr-pool.js';
import type { OcrJob, OcrPage } from './types.js';

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
/** Images alone since photos are turned upright by their EXIF orientation in either byte order. */
const IMAGE_CACHE_VERSION = `${OCR_CACHE_VERSION}/exif-2`;

interface PageFailure {
  page: number;
  reason: DocumentReason;
  message: string;
}

/** One document with its recognised pages merged in, and the pages that failed. */
interface Recognised {
  document: ExtractedDocument;
  failures: PageFailure[];
}

/**
 * Recognises a file's scanned pages, and those of its scanned attachments (from the cache where it
 * can), merges their text in by page and splits the whole. Returns null when the run was cancelled
 * meanwhile: the file stays as it was and the next run reads it again (its finished pages then
 * come from the cache).
 */
export async function finishOcr(
  deps: OcrStageDeps, file: FoundFile, parsed: NeedsOcr, split: SplitOptions, onPage: (outcome: PageOutcome) => void, signal?: AbortSignal,
): Promise<ParseResult | null> {
  let cancelled = false;
  const recogniseDocument = async (document: ExtractedDocument, partKey: string | null): Promise<Recognised> => {
    const requests = document.ocr ?? [];
    const failures: PageFailure[] = [];
    const source = partKey === null ? null : document.ocrSource;
    const pages = await Promise.all(
      requests.map(async (request): Promise<OcrPage | null> => {
        const outcome = await recognize(deps, file, source ? { key: partKey!, ...source } : { hash: parsed.hash }, request);
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
    failures.sort((a, b) => a.page - b.page);
    const merged = requests.length > 0 ? mergeOcrText(document, requests, pages) : document;
    delete merged.ocrSource;
    return { document: merged, failures };
  };
  const recogniseParts = (parts: ExtractedPart[], prefix: string): Promise<ExtractedPart[]> =>
    Promise.all(
      parts.map(async (part): Promise<ExtractedPart> => {
        const key = prefix ? `${prefix}/${part.key}` : part.key;
        const children = part.parts ? await recogniseParts(part.parts, key) : undefined;
        const withChildren = children ? { ...part, parts: children } : part;
        // A part's pages are read from its own bytes only; without them its text stays as extracted.
        if (!('document' in part.content) || !part.content.document.ocr?.length || !part.content.document.ocrSource) return withChildren;
        const pages = part.content.document.ocr.length;
        const { document, failures } = await recogniseDocument(part.content.document, key);
        return { ...withChildren, content: partContent(document, failures, pages, part.kind) };
      }),
    );

  const [top, parts] = await Promise.all([recogniseDocument(parsed.document, null), recogniseParts(parsed.document.parts ?? [], '')]);
  if (cancelled || signal?.aborted) return null;
  const started = performance.now();
  const chunks = splitDocument(top.document, split);
  const children = flattenParts(parts, '', split);
  const timings = { ...parsed.timings, splitMs: parsed.timings.splitMs + performance.now() - started };
  const base = { hash: parsed.hash, size: parsed.size, kind: parsed.kind, timings };
  const indexed = (note: { reason: DocumentReason; message: string } | null): ParseResult => ({
    type: 'indexed', ...base, chunks, note, ...(children.length > 0 ? { children } : {}), meta: parsed.document.meta ?? null,
  });
  const first = top.failures[0];
  const requests = parsed.document.ocr ?? [];
  if (!first) {
    if (chunks.length > 0 || children.length > 0) return indexed(top.document.note ?? null);
    return { type: 'problem', status: 'skipped', reason: 'no-text', message: 'OCR found no text', ...base };
  }
  const summary = failureSummary(top.failures, parsed.kind);
  if (chunks.length > 0 || children.length > 0) return indexed({ reason: first.reason, message: summary });
  // Like a parser running out of memory, an OCR failure is Quire's own and may pass on a retry: `failed`, not `skipped`.
  return { type: 'problem', status: 'failed', reason: first.reason, message: requests.length === 1 ? first.message : summary, ...base };
}

function failureSummary(failures: PageFailure[], kind: DocumentKind | null): string {
  const first = failures[0]!;
  const what = kind === 'pdf' ? 'page' : 'image page';
  return `OCR failed on ${failures.length === 1 ? `${what} ${first.page}` : `${failures.length} ${what}s (first: ${first.page})`}: ${first.message}`;
}

/** A scanned attachment after OCR: its text, or why it has none (no text found, or the pages that failed). */
function partContent(document: ExtractedDocument, failures: PageFailure[], pages: number, kind: DocumentKind | null): ExtractedPart['content'] {
  const first = failures[0];
  const hasText = document.text.trim().length > 0;
  if (!first) return hasText ? { document } : { status: 'skipped', reason: 'no-text', message: 'OCR found no text' };
  const summary = failureSummary(failures, kind);
  if (hasText) return { document: { ...document, note: { reason: first.reason, message: summary } } };
  return { status: 'failed', reason: first.reason, message: pages === 1 ? first.message : summary };
}

/** Where a page is read from: the file on disk (with the hash it was parsed with), or an attachment's own bytes. */
type PageSource = { hash: string } | { key: string; bytes: Uint8Array; hash: string };

async function recognize(deps: OcrStageDeps, file: FoundFile, source: PageSource, request: OcrRequest): Promise<OcrResult> {
  const { pool, cache, settings } = deps;
  const languages = settings.languages;
  // The bytes and the page number are content too: a renamed or moved file (or the same attachment
  // in another message) is found without rendering anything.
  const version = request.source === 'image' ? IMAGE_CACHE_VERSION : OCR_CACHE_VERSION;
  const fileKey = `file:${version}:${languages.join('+')}:${source.hash}:${request.source}:${request.page}`;
  const known = cache.get(fileKey);
  if (known) return { type: 'text', page: known, cached: true };
  const job: OcrJob =
    'bytes' in source
      ? { source: request.source, rawPath: file.rawPath, path: `${file.path}#${source.key}`, fileHash: source.hash, bytes: source.bytes, page: request.page, languages }
      : { source: request.source, rawPath: file.rawPath, path: file.path, fileHash: source.hash, page: request.page, languages };
  const outcome = await pool.recognize(job, (key) => cache.get(`page:${OCR_CACHE_VERSION}:${key}`));
  if (outcome.type === 'text') cache.put(outcome.key ? [fileKey, `page:${OCR_CACHE_VERSION}:${outcome.key}`] : [fileKey], outcome.page);
  return outcome;
}
