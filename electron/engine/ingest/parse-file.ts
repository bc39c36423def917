import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { DocumentKind, DocumentReason } from '../../shared/library.js';
import type { NewChunk } from '../store/chunks.js';
import { SNIFF_LENGTH, detectKind, extensionOf } from './detect.js';
import { ExtractionError, ocrPageCount, type ExtractedDocument, type ExtractedPart } from './extracted.js';
import { loaderFor } from './loaders/index.js';
import { splitDocument, type SplitOptions } from './splitter.js';

export interface ParseTask {
  /** Exact path bytes (names need not be UTF-8). */
  rawPath: Uint8Array;
  path: string;
  /** The hash recorded for this path, so unchanged content is not parsed again. */
  knownHash: string | null;
  split: SplitOptions;
  /** Whether pages without text are handed to OCR (the library's setting). */
  ocr?: boolean;
}

export interface ParseTimings {
  readMs: number;
  parseMs: number;
  splitMs: number;
}

/** A part of the file indexed as its own document (a message, an attachment), in pre-order. */
export interface ParsedChild {
  /** Path of keys from the file (`m2/a1`); the parent's key is everything before the last `/`. */
  key: string;
  label: string;
  kind: DocumentKind | null;
  size: number | null;
  meta: Record<string, string> | null;
  outcome:
    | { type: 'indexed'; chunks: NewChunk[]; note: { reason: DocumentReason; message: string } | null }
    | { type: 'problem'; status: 'skipped' | 'failed'; reason: DocumentReason; message: string };
}

export type ParseResult =
  | { type: 'unchanged'; hash: string; size: number; timings: ParseTimings }
  | {
      type: 'indexed'; hash: string; size: number; kind: DocumentKind; chunks: NewChunk[]; note: { reason: DocumentReason; message: string } | null;
      children?: ParsedChild[]; meta?: Record<string, string> | null; timings: ParseTimings;
    }
  /** Extracted, but pages or frames wait for OCR; the engine splits the document once their text is in. */
  | { type: 'needs-ocr'; hash: string; size: number; kind: DocumentKind; document: ExtractedDocument; timings: ParseTimings }
  | { type: 'problem'; status: 'skipped' | 'failed'; reason: DocumentReason; message: string; hash: string | null; size: number | null; kind: DocumentKind | null; timings: ParseTimings };

/** Reasons that describe the file itself (nothing to retry) rather than a failure of Quire's parser. */
const SKIP_REASONS = new Set<DocumentReason>(['encrypted', 'binary', 'unsupported', 'empty', 'no-text', 'too-large']);

/** Reads, hashes, detects, extracts and splits one file. Never throws: every outcome is a result. */
export async function parseFile(task: ParseTask): Promise<ParseResult> {
  const timings: ParseTimings = { readMs: 0, parseMs: 0, splitMs: 0 };
  let started = performance.now();
  let bytes: Uint8Array;
  try {
    bytes = await readFile(Buffer.from(task.rawPath.buffer, task.rawPath.byteOffset, task.rawPath.byteLength));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = code === 'EACCES' || code === 'EPERM' ? 'Permission denied: Quire cannot read this file' : `Cannot read the file: ${(error as Error).message}`;
    return { type: 'problem', status: 'failed', reason: 'unreadable', message, hash: null, size: null, kind: null, timings };
  }
  const hash = createHash('sha256').update(bytes).digest('hex');
  timings.readMs = performance.now() - started;
  if (task.knownHash === hash) return { type: 'unchanged', hash, size: bytes.length, timings };

  const detection = await detectKind(task.path, bytes.subarray(0, SNIFF_LENGTH), bytes.length);
  if (!detection.supported) {
    return { type: 'problem', status: 'skipped', reason: detection.reason, message: detection.message, hash, size: bytes.length, kind: null, timings };
  }
  started = performance.now();
  try {
    const load = await loaderFor(detection.kind);
    const document = await load({ kind: detection.kind, bytes, path: task.path, extension: extensionOf(task.path), ocr: task.ocr ?? false });
    timings.parseMs = performance.now() - started;
    if (ocrPageCount(document) > 0) return { type: 'needs-ocr', hash, size: bytes.length, kind: detection.kind, document, timings };
    started = performance.now();
    const chunks = splitDocument(document, task.split);
    const children = flattenParts(document.parts ?? [], '', task.split);
    timings.splitMs = performance.now() - started;
    if (chunks.length === 0 && children.length === 0) {
      return { type: 'problem', status: 'skipped', reason: 'empty', message: 'No text found in the file', hash, size: bytes.length, kind: detection.kind, timings };
    }
    return { type: 'indexed', hash, size: bytes.length, kind: detection.kind, chunks, note: document.note ?? null, children, meta: document.meta ?? null, timings };
  } catch (error) {
    timings.parseMs = performance.now() - started;
    if (error instanceof ExtractionError) {
      const status = SKIP_REASONS.has(error.reason) ? 'skipped' : 'failed';
      return { type: 'problem', status, reason: error.reason, message: error.message, hash, size: bytes.length, kind: detection.kind, timings };
    }
    const message = `Could not read this ${detection.kind.toUpperCase()} file: ${(error as Error)?.message ?? String(error)}`;
    return { type: 'problem', status: 'failed', reason: 'corrupt', message, hash, size: bytes.length, kind: detection.kind, timings };
  }
}

/** Parts as a flat pre-order list, each split into its chunks; a part without text is `empty`. */
export function flattenParts(parts: ExtractedPart[], prefix: string, split: SplitOptions, out: ParsedChild[] = []): ParsedChild[] {
  for (const part of parts) {
    const key = prefix ? `${prefix}/${part.key}` : part.key;
    const child: ParsedChild = { key, label: part.label, kind: part.kind, size: part.size, meta: part.meta ?? null, outcome: { type: 'indexed', chunks: [], note: null } };
    if ('document' in part.content) {
      const chunks = splitDocument(part.content.document, split);
      child.outcome =
        chunks.length > 0 || (part.parts?.length ?? 0) > 0
          ? { type: 'indexed', chunks, note: part.content.document.note ?? null }
          : { type: 'problem', status: 'skipped', reason: 'empty', message: 'No text found in this part' };
    } else {
      child.outcome = { type: 'problem', ...part.content };
    }
    out.push(child);
    flattenParts(part.parts ?? [], key, split, out);
  }
  return out;
}

