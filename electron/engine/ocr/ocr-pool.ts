import { availableParallelism } from 'node:os';
import { SupervisedPool } from '../host/supervised-pool.js';
import { defaultWorkerIsolation, startWorker, type WorkerHandle, type WorkerIsolation } from '../host/worker-handle.js';
import type { FromOcrWorker, OcrJob, OcrOutcome, OcrPage, ToOcrWorker } from './types.js';

export interface OcrPoolOptions {
  /** Parallel OCR workers; by default one core is left to the app and ordinary extraction (at most 4). */
  size?: number;
  /** Time budget for one page or image frame. */
  timeoutMs?: number;
  /** Memory budget per worker (resident, including tesseract's WebAssembly heap). */
  maxMemoryMb?: number;
  /** Workers left idle this long are stopped (tesseract holds ~100 MB each). */
  idleMs?: number;
  /** As for parsers (`ParsePoolOptions.isolation`); default: `defaultWorkerIsolation()`. */
  isolation?: WorkerIsolation;
}

/** What one OCR run did; the engine's own counters, read by tests and the benchmark. */
export interface OcrCounters {
  /** PDF pages rendered to find their content hash. */
  rendered: number;
  /** Pages or frames actually recognised by tesseract. */
  recognized: number;
  /** Rendered pages whose text was found in the cache under their pixels' hash. */
  cacheHits: number;
  failed: number;
}

export type OcrResult = (OcrOutcome & { key?: string }) | { type: 'cancelled' };

interface Page {
  job: OcrJob;
  lookup: (key: string) => OcrPage | undefined;
  resolve: (result: OcrResult) => void;
  key?: string;
  /** Whether `resolve` was called: a cached page is answered while its worker is still busy with it. */
  settled: boolean;
}

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './ocr-worker.ts' : './ocr-worker.js', import.meta.url);
/** Below the parsers' priority: OCR takes what the app, embedding and ordinary extraction leave. */
const OCR_NICENESS = 10;

export function defaultOcrPoolSize(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/**
 * A supervised pool of OCR workers, started on first use. A worker that crashes, goes over its
 * memory budget or its time budget costs that one page (`ocr-crashed`, `too-large`, `timeout`)
 * and is replaced; queued pages go on.
 */
export class OcrPool {
  readonly counters: OcrCounters = { rendered: 0, recognized: 0, cacheHits: 0, failed: 0 };
  private readonly pool: SupervisedPool<Page, FromOcrWorker>;

  constructor(options: OcrPoolOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 120_000;
    const maxMemoryMb = options.maxMemoryMb ?? 1536;
    const isolation = options.isolation ?? defaultWorkerIsolation();
    this.pool = new SupervisedPool({
      size: Math.max(1, options.size ?? defaultOcrPoolSize()),
      timeoutMs,
      idleMs: options.idleMs ?? 30_000,
      startWorker: () => startOcrWorker(isolation, maxMemoryMb),
      request: (id, page) => ({ type: 'job', id, job: page.job }) satisfies ToOcrWorker,
      onReply: (page, reply, worker) => this.onReply(page, reply, worker),
      onFailure: (page, failure, detail) => {
        if (page.settled) return;
        this.counters.failed++;
        const message =
          failure === 'timeout'
            ? `OCR of this page took longer than ${Math.round(timeoutMs / 1000)} s`
            : failure === 'too-large'
              ? `OCR needed more than ${maxMemoryMb} MB of memory`
              : `The OCR worker crashed (${detail})`;
        this.settle(page, { type: 'failed', reason: failure === 'crashed' ? 'ocr-crashed' : failure, message });
      },
    });
  }

  /** Recognises one page; `lookup` answers whether a rendered page's content hash is already cached. */
  recognize(job: OcrJob, lookup: (key: string) => OcrPage | undefined): Promise<OcrResult> {
    if (this.pool.closed) return Promise.resolve({ type: 'cancelled' });
    return new Promise((resolve) => this.pool.submit({ job, lookup, resolve, settled: false }));
  }

  /** Drops every page still waiting for a worker (a cancelled run); pages being read finish. */
  cancelQueued(): void {
    for (const page of this.pool.takeQueued()) this.settle(page, { type: 'cancelled' });
  }

  pids(): number[] {
    return this.pool.pids();
  }

  async close(): Promise<void> {
    this.cancelQueued();
    await this.pool.close();
  }

  /** Returns whether the worker is done with the page. */
  private onReply(page: Page, message: FromOcrWorker, worker: WorkerHandle): boolean {
    switch (message.type) {
      case 'key': {
        this.counters.rendered++;
        page.key = message.key;
        const cached = page.lookup(message.key);
        worker.send({ type: 'go', id: message.id, recognize: !cached } satisfies ToOcrWorker);
        if (cached) {
          this.counters.cacheHits++;
          this.settle(page, { type: 'text', page: cached, cached: true, key: message.key });
        }
        return false;
      }
      case 'done':
        this.counters.recognized++;
        this.settle(page, { type: 'text', page: message.page, cached: false, ...(page.key ? { key: page.key } : {}) });
        return true;
      case 'skipped':
        return true;
      case 'error':
        this.counters.failed++;
        this.settle(page, { type: 'failed', reason: message.reason, message: message.message });
        return true;
    }
  }

  private settle(page: Page, result: OcrResult): void {
    if (page.settled) return;
    page.settled = true;
    page.resolve(result);
  }
}

function startOcrWorker(isolation: WorkerIsolation, maxMemoryMb: number): WorkerHandle {
  // A thread shares the engine's resident memory, so only a process gets the RSS budget.
  return startWorker(isolation, WORKER_URL, Math.min(maxMemoryMb, 1024), { env: { ...process.env, QUIRE_OCR_MAX_RSS_MB: String(maxMemoryMb) }, niceness: OCR_NICENESS });
}
