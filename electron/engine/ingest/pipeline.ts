import { realpath } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { IndexProgress, IndexSummary, OcrSettings } from '../../shared/library.js';
import type { ChunkStore } from '../store/chunks.js';
import type { Db } from '../store/db.js';
import type { DocumentRow, DocumentStore } from '../store/documents.js';
import type { FolderRow, FolderStore } from '../store/folders.js';
import type { VectorStore } from '../store/vectors.js';
import { EMBED_BATCH_SIZE, type EmbedBatcher } from '../embed/batcher.js';
import { finishOcr, type PageOutcome } from '../ocr/stage.js';
import type { OcrPool } from '../ocr/ocr-pool.js';
import type { OcrCache } from '../store/ocr-cache.js';
import type { ParseResult, ParsedChild } from './parse-file.js';
import { Backlog } from './backlog.js';
import { ocrPageCount } from './extracted.js';
import { readByOlderReader } from './reader-versions.js';
import type { ParsePool } from './parse-pool.js';
import { DEFAULT_SPLIT, type SplitOptions } from './splitter.js';
import { ReadingFiles, UNFINISHED_RUNS_BEFORE_SKIPPING } from '../store/reading-files.js';
import { walkFolder, type FoundFile, type WalkEntry } from './walker.js';

export interface IndexOptions {
  /** Files over this size are skipped with reason `too-large` without being read. */
  maxFileBytes?: number;
  split?: SplitOptions;
  /** Parse files that failed before even if they have not changed. */
  retryFailed?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: IndexProgress) => void;
  /** Called after each file's outcome is committed (the embedder hooks in here). */
  onDocument?: (document: DocumentRow) => void;
}

/** Time spent per stage, summed over files: what `npm run bench` reports. */
export interface StageTimings {
  readMs: number;
  parseMs: number;
  splitMs: number;
  embedMs: number;
  storeMs: number;
  bytes: number;
}

export const DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024;
/** Twice the parser pool's width keeps every parser busy while the main thread stores results. */
const FILES_IN_FLIGHT = 8;
/** Passages parsed ahead of the embedding model, waiting for their vectors: enough for several batches. */
const PASSAGES_AHEAD_OF_MODEL = 8 * EMBED_BATCH_SIZE;

export interface IndexerDeps {
  db: Db;
  folders: FolderStore;
  documents: DocumentStore;
  chunks: ChunkStore;
  pool: ParsePool;
  libraryName: string;
  /** When set, chunks are embedded and their vectors stored with them. */
  embedding?: { batcher: EmbedBatcher; vectors: VectorStore };
  /** OCR of scanned pages and images; without it (or with it off) they are indexed as far as their text layer goes. */
  ocr?: { pool: OcrPool; cache: OcrCache; settings: OcrSettings };
  /** Follow symbolic links that lead out of the library's folders (off by default: they are skipped as `outside-folder`). */
  followLinksOutside?: boolean;
  /** The engine before this one died unexpectedly: files a run left unfinished are suspects (see `setAsideCrashers`). */
  afterEngineCrash?: boolean;
}

type ParsedChunks = { chunks: { text: string; headingPath: string[] }[] };

/** What a chunk's vector is computed from: its heading path gives the passage its context. */
export function textForEmbedding(chunk: { text: string; headingPath: string[] }): string {
  return chunk.headingPath.length > 0 ? `${chunk.headingPath.join(' > ')}\n\n${chunk.text}` : chunk.text;
}

/**
 * Brings a library's documents in line with its folders. Every commit leaves the database
 * consistent: the walk's result is recorded first (new files as `pending`, vanished ones
 * removed), then each file's chunks and outcome are written together in one transaction. A run
 * killed at any point is completed by the next, which picks up what is still `pending`.
 */
export class Indexer {
  readonly timings: StageTimings = { readMs: 0, parseMs: 0, splitMs: 0, embedMs: 0, storeMs: 0, bytes: 0 };

  constructor(private readonly deps: IndexerDeps) {}

  async run(folderList: FolderRow[], options: IndexOptions = {}): Promise<IndexSummary> {
    const started = performance.now();
    const summary: IndexSummary = {
      library: this.deps.libraryName, seen: 0, indexed: 0, unchanged: 0, skipped: 0, failed: 0, removed: 0, chunks: 0, byReason: {}, seconds: 0, cancelled: false,
    };
    if (this.deps.embedding) summary.embedded = 0;
    const progress: IndexProgress = { phase: 'walking', done: 0, total: 0, currentFile: null, chunks: 0 };
    const ocrCounts = { pages: 0, recognized: 0, cached: 0, failed: 0 };
    const report = (): void => options.onProgress?.({ ...progress });
    report();

    const work: { row: DocumentRow; file: FoundFile }[] = [];
    const allowedRoots = await realFolders([...this.deps.folders.list(), ...folderList]);
    const followLinksOutside = this.deps.followLinksOutside ?? false;
    for (const folder of folderList) {
      const entries: WalkEntry[] = [];
      for await (const entry of walkFolder(folder.path, { include: folder.include, exclude: folder.exclude, allowedRoots, followLinksOutside, signal: options.signal })) {
        entries.push(entry);
        progress.total = work.length + entries.length;
        if (entries.length % 500 === 0) report();
      }
      if (options.signal?.aborted) break;
      work.push(...this.reconcile(folder, entries, summary, options));
    }

    progress.phase = 'indexing';
    progress.total = work.length;
    report();
    const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    const split = options.split ?? DEFAULT_SPLIT;
    const ocrEnabled = this.deps.ocr?.settings.enabled ?? false;
    // Files waiting for OCR are finished in the background while extraction goes on with the next files.
    const waitingForOcr: Promise<void>[] = [];
    // Files waiting for vectors are stored when the vectors come, while parsing goes on: the model
    // then always has its next batch gathered instead of waiting for the parsers.
    const waitingForVectors = this.deps.embedding ? new Backlog(PASSAGES_AHEAD_OF_MODEL) : null;
    const onAbort = (): void => this.deps.ocr?.pool.cancelQueued();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // The current file is the latest one being parsed, else the oldest one still waiting (for OCR
    // or vectors), else none: progress never names a file that finished long ago.
    const parsing: FoundFile[] = [];
    const unfinished = new Set<FoundFile>();
    const showCurrent = (): void => {
      progress.currentFile = (parsing.at(-1) ?? unfinished.values().next().value)?.relativePath ?? null;
    };
    const finished = (file: FoundFile): void => {
      unfinished.delete(file);
      showCurrent();
      report();
    };
    const reading = new ReadingFiles(this.deps.db);
    const done = (row: DocumentRow, file: FoundFile): void => {
      reading.finish(row.id);
      finished(file);
    };
    const completeOne = (row: DocumentRow, file: FoundFile, result: ParseResult): Promise<void> =>
      this.complete(row, file, result, summary, progress, report, options).finally(() => done(row, file));
    const { suspects, others, unfinishedRuns } = this.setAsideCrashers(work, reading, summary, progress, options);
    const readAll = async (list: typeof work, lanes: number): Promise<void> => {
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < list.length && !options.signal?.aborted) {
          await readOne(list[next++]!);
          // A suspect is read alone, start to finish, so that if it brings the engine down again it alone is blamed.
          if (lanes === 1) await Promise.all([waitingForVectors?.drain(), Promise.all(waitingForOcr)]);
        }
      };
      await Promise.all(Array.from({ length: lanes }, lane));
    };
    const readOne = async ({ row, file }: (typeof work)[number]): Promise<void> => {
      unfinished.add(file);
      reading.start(row.id, unfinishedRuns.get(row.id) ?? 0);
      parsing.push(file);
      showCurrent();
      let result: ParseResult;
      if (file.size > maxFileBytes) {
        result = {
          type: 'problem', status: 'skipped', reason: 'too-large', hash: null, size: file.size, kind: null,
          message: `The file is ${formatBytes(file.size)}, over the ${formatBytes(maxFileBytes)} limit (raise it with --max-file-size)`,
          timings: { readMs: 0, parseMs: 0, splitMs: 0 },
        };
      } else {
        try {
          result = await this.deps.pool.parse({ rawPath: file.rawPath, path: file.path, knownHash: row.status === 'indexed' && !retriesOcr(row, options) && !readByOlderReader(row) ? row.contentHash : null, split, ocr: ocrEnabled });
        } catch (error) {
          reading.finish(row.id);
          throw error;
        }
      }
      parsing.splice(parsing.indexOf(file), 1);
      showCurrent();
      if (options.signal?.aborted && result.type !== 'unchanged') {
        reading.finish(row.id);
        return;
      }
      if (result.type === 'needs-ocr') {
        const pages = ocrPageCount(result.document);
        ocrCounts.pages += pages;
        progress.ocr = { done: progress.ocr?.done ?? 0, total: (progress.ocr?.total ?? 0) + pages };
        report();
        const onPage = (outcome: PageOutcome): void => {
          progress.ocr!.done++;
          if (outcome !== 'cancelled') ocrCounts[outcome]++;
          report();
        };
        waitingForOcr.push(
          finishOcr(this.deps.ocr!, file, result, split, onPage, options.signal).then((read) => (read ? completeOne(row, file, read) : done(row, file))),
        );
        return;
      }
      if (waitingForVectors && result.type === 'indexed') {
        const parsed = result;
        await waitingForVectors.add(chunksToEmbed(parsed).length, () => completeOne(row, file, parsed));
        return;
      }
      await completeOne(row, file, result);
    };
    try {
      await readAll(suspects, 1);
      await readAll(others, FILES_IN_FLIGHT);
      await waitingForVectors?.drain();
      await Promise.all(waitingForOcr);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    if (ocrCounts.pages > 0) summary.ocr = ocrCounts;
    if (this.deps.embedding && !options.signal?.aborted) await this.embedMissing(summary, progress, report, options.signal);

    summary.cancelled = options.signal?.aborted ?? false;
    summary.seconds = (performance.now() - started) / 1000;
    progress.phase = 'done';
    progress.currentFile = null;
    report();
    return summary;
  }

  /**
   * Files the last run left unfinished (see `ReadingFiles`) come first, to be read one at a time;
   * one left unfinished by `UNFINISHED_RUNS_BEFORE_SKIPPING` runs in a row is taken for the cause
   * and recorded as `failed` / `parser-crashed` instead of being read again, unless failed files are
   * retried. The others follow as usual.
   */
  private setAsideCrashers(work: { row: DocumentRow; file: FoundFile }[], reading: ReadingFiles, summary: IndexSummary, progress: IndexProgress, options: IndexOptions) {
    const unfinishedRuns = reading.leftUnfinished({ blame: this.deps.afterEngineCrash ?? false });
    if (unfinishedRuns.size === 0) return { suspects: [], others: work, unfinishedRuns };
    const suspects: typeof work = [];
    const others: typeof work = [];
    for (const item of work) {
      const runs = unfinishedRuns.get(item.row.id);
      if (runs === undefined) others.push(item);
      else if (runs < UNFINISHED_RUNS_BEFORE_SKIPPING || options.retryFailed) suspects.push(item);
      else {
        this.deps.db.transaction(() => {
          this.deps.chunks.replace(item.row.id, []);
          this.deps.documents.record(item.row.id, {
            status: 'failed', reason: 'parser-crashed', kind: null, size: item.file.size, mtimeMs: item.file.mtimeMs, contentHash: null,
            message: `The last ${runs} indexing runs ended while reading this file (it may crash Quire's reader); it is skipped until failed files are retried`,
          }, 0);
        })();
        count(summary, 'failed', 'parser-crashed');
        progress.done++;
      }
    }
    return { suspects, others, unfinishedRuns };
  }

  /** Embeds and stores one file's outcome, then reports it. */
  private async complete(row: DocumentRow, file: FoundFile, result: ParseResult, summary: IndexSummary, progress: IndexProgress, report: () => void, options: IndexOptions): Promise<void> {
    const vectors = result.type === 'indexed' ? await this.embed(chunksToEmbed(result)) : null;
    if (options.signal?.aborted && result.type !== 'unchanged') return;
    this.store(row, file, result, summary, vectors);
    progress.done++;
    progress.chunks = summary.chunks;
    report();
    if (options.onDocument) options.onDocument(this.deps.documents.byId(row.id)!);
  }

  /** Records the walk in one transaction and returns the files whose content must be (re)read. */
  private reconcile(folder: FolderRow, entries: WalkEntry[], summary: IndexSummary, options: IndexOptions): { row: DocumentRow; file: FoundFile }[] {
    const { db, documents } = this.deps;
    const work: { row: DocumentRow; file: FoundFile }[] = [];
    db.transaction(() => {
      const known = new Map(documents.inFolder(folder.id).map((row) => [row.path, row]));
      for (const entry of entries) {
        summary.seen++;
        let row = known.get(entry.path);
        known.delete(entry.path);
        if (!row) {
          const id = documents.insertPending(folder.id, entry.path, entry.relativePath, entry.nonUtf8Name ? entry.rawPath : null);
          row = documents.byId(id)!;
        }
        if (entry.type === 'problem') {
          this.deps.chunks.replace(row.id, []);
          documents.record(row.id, { status: entry.reason === 'unreadable' ? 'failed' : 'skipped', reason: entry.reason, message: entry.message, kind: null, size: null, mtimeMs: null, contentHash: null }, 0);
          count(summary, entry.reason === 'unreadable' ? 'failed' : 'skipped', entry.reason);
          continue;
        }
        const unchanged = row.size === entry.size && row.mtimeMs === entry.mtimeMs;
        if (unchanged && row.reason !== 'too-large' && !retriesOcr(row, options) && !readByOlderReader(row) && (row.status === 'indexed' || row.status === 'skipped' || (row.status === 'failed' && !options.retryFailed))) {
          summary.unchanged++;
          continue;
        }
        work.push({ row, file: entry });
      }
      for (const vanished of known.values()) {
        documents.delete(vanished.id);
        summary.removed++;
      }
    }).immediate();
    return work;
  }

  private async embed(chunks: { text: string; headingPath: string[] }[]): Promise<Float32Array[] | null> {
    if (!this.deps.embedding) return null;
    const started = performance.now();
    try {
      return await this.deps.embedding.batcher.embed(chunks.map(textForEmbedding));
    } catch {
      return null; // the chunks are stored anyway; the catch-up pass below embeds them again
    } finally {
      this.timings.embedMs += performance.now() - started;
    }
  }

  /**
   * Embeds every chunk that has no vector: after a model change (all of them), after a run
   * indexed without embedding, or after an interrupted run.
   */
  private async embedMissing(summary: IndexSummary, progress: IndexProgress, report: () => void, signal: AbortSignal | undefined): Promise<void> {
    const { vectors } = this.deps.embedding!;
    const total = (this.deps.db.prepare('SELECT COUNT(*) AS n FROM chunks').get() as { n: number }).n - vectors.count();
    if (total <= 0) return;
    Object.assign(progress, { phase: 'embedding', done: 0, total, currentFile: null });
    report();
    let afterId = 0;
    for (;;) {
      if (signal?.aborted) return;
      const batch = vectors.missing(256, afterId);
      if (batch.length === 0) return;
      const rows = this.deps.chunks.byIds(batch.map((c) => c.id));
      const byId = new Map(rows.map((r) => [r.id, r]));
      const ordered = batch.map((c) => byId.get(c.id)!);
      const embedded = await this.embed(ordered);
      if (!embedded) throw new Error('The embedding model failed on a batch of passages');
      this.deps.db.transaction(() => vectors.insert(ordered.map((c) => c.id), embedded)).immediate();
      afterId = batch.at(-1)!.id;
      summary.embedded = (summary.embedded ?? 0) + batch.length;
      progress.done += batch.length;
      report();
    }
  }

  /**
   * Records a file's parts under it, parents before children; returns their chunk ids in the
   * order their chunks were given (which is the order their vectors come in).
   */
  private storeChildren(file: DocumentRow, children: ParsedChild[]): number[] {
    const { documents, chunks } = this.deps;
    const rows = new Map<string, DocumentRow>();
    const ids: number[] = [];
    for (const child of children) {
      const slash = child.key.lastIndexOf('/');
      const parent = slash === -1 ? file : rows.get(child.key.slice(0, slash));
      if (!parent) continue;
      const outcome = child.outcome;
      const indexed = outcome.type === 'indexed';
      const id = documents.insertChild(parent, {
        path: `${file.path}#${child.key}`,
        relativePath: `${parent.relativePath} > ${child.label}`,
        meta: child.meta ? JSON.stringify(child.meta) : null,
        outcome: {
          status: indexed ? 'indexed' : outcome.status,
          reason: indexed ? (outcome.note?.reason ?? null) : outcome.reason,
          message: indexed ? (outcome.note?.message ?? null) : outcome.message,
          kind: child.kind, size: child.size, mtimeMs: file.mtimeMs, contentHash: null,
        },
      }, indexed ? outcome.chunks.length : 0);
      rows.set(child.key, documents.byId(id)!);
      if (indexed) ids.push(...chunks.replace(id, outcome.chunks));
    }
    return ids;
  }

  private store(row: DocumentRow, file: FoundFile, result: ParseResult, summary: IndexSummary, vectors: Float32Array[] | null): void {
    const started = performance.now();
    const { db, documents, chunks } = this.deps;
    db.transaction(() => {
      if (result.type === 'unchanged') {
        documents.touch(row.id, file.size, file.mtimeMs);
        summary.unchanged++;
        return;
      }
      documents.deleteChildren(row.id);
      if (result.type === 'indexed') {
        const ids = chunks.replace(row.id, result.chunks);
        documents.record(row.id, {
          status: 'indexed', reason: result.note?.reason ?? null, message: result.note?.message ?? null, kind: result.kind,
          size: file.size, mtimeMs: file.mtimeMs, contentHash: result.hash,
        }, result.chunks.length);
        documents.setMeta(row.id, result.meta ? JSON.stringify(result.meta) : null);
        ids.push(...this.storeChildren(documents.byId(row.id)!, result.children ?? []));
        if (vectors) {
          this.deps.embedding!.vectors.insert(ids, vectors);
          summary.embedded = (summary.embedded ?? 0) + ids.length;
        }
        summary.indexed++;
        summary.chunks += ids.length;
        return;
      }
      if (result.type === 'needs-ocr') throw new Error('A document waiting for OCR cannot be stored');
      chunks.replace(row.id, []);
      documents.setMeta(row.id, null);
      documents.record(row.id, {
        status: result.status, reason: result.reason, message: result.message, kind: result.kind,
        size: file.size, mtimeMs: file.mtimeMs, contentHash: result.hash,
      }, 0);
      count(summary, result.status, result.reason);
    }).immediate();
    this.timings.storeMs += performance.now() - started;
    this.timings.readMs += result.timings.readMs;
    this.timings.parseMs += result.timings.parseMs;
    this.timings.splitMs += result.timings.splitMs;
    this.timings.bytes += file.size;
  }
}

/** An indexed file some of whose pages OCR could not read is read again by `--retry-failed` (its good pages come from the cache). */
function retriesOcr(row: DocumentRow, options: IndexOptions): boolean {
  return options.retryFailed === true && row.status === 'indexed' && (row.reason === 'ocr-crashed' || row.reason === 'timeout' || row.reason === 'too-large');
}

/** A file's chunks and its parts' chunks, in the order their ids are stored. */
function chunksToEmbed(result: Extract<ParseResult, { type: 'indexed' }>): ParsedChunks['chunks'] {
  return [...result.chunks, ...(result.children ?? []).flatMap((child) => (child.outcome.type === 'indexed' ? child.outcome.chunks : []))];
}

function count(summary: IndexSummary, status: 'skipped' | 'failed', reason: string): void {
  summary[status]++;
  summary.byReason[reason] = (summary.byReason[reason] ?? 0) + 1;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} B`;
}

/** The library's folders as real paths: where symbolic links may lead. */
async function realFolders(folders: readonly FolderRow[]): Promise<string[]> {
  const reals = await Promise.all(folders.map((f) => realpath(f.path).catch(() => null)));
  return [...new Set(reals.filter((r): r is string => r !== null))];
}
