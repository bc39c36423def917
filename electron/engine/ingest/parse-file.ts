import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { DocumentKind, DocumentReason } from '../../shared/library.js';
import type { NewChunk } from '../store/chunks.js';
import { SNIFF_LENGTH, detectKind, extensionOf } from './detect.js';
import { ExtractionError } from './extracted.js';
import { loaderFor } from './loaders/index.js';
import { splitDocument, type SplitOptions } from './splitter.js';

export interface ParseTask {
  /** Exact path bytes (names need not be UTF-8). */
  rawPath: Uint8Array;
  path: string;
  /** The hash recorded for this path, so unchanged content is not parsed again. */
  knownHash: string | null;
  split: SplitOptions;
}

export interface ParseTimings {
  readMs: number;
  parseMs: number;
  splitMs: number;
}

export type ParseResult =
  | { type: 'unchanged'; hash: string; size: number; timings: ParseTimings }
  | { type: 'indexed'; hash: string; size: number; kind: DocumentKind; chunks: NewChunk[]; note: { reason: DocumentReason; message: string } | null; timings: ParseTimings }
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
    const document = await load({ kind: detection.kind, bytes, path: task.path, extension: extensionOf(task.path) });
    timings.parseMs = performance.now() - started;
    started = performance.now();
    const chunks = splitDocument(document, task.split);
    timings.splitMs = performance.now() - started;
    if (chunks.length === 0) {
      return { type: 'problem', status: 'skipped', reason: 'empty', message: 'No text found in the file', hash, size: bytes.length, kind: detection.kind, timings };
    }
    return { type: 'indexed', hash, size: bytes.length, kind: detection.kind, chunks, note: document.note ?? null, timings };
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
