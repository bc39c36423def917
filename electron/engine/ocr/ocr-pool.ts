import { availableParallelism, setPriority } from 'node:os';
import { startProcess, startThread, type ParserHandle } from '../ingest/parse-pool.js';
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
  isolation?: 'process' | 'thread';
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

interface Job {
  id: number;
  job: OcrJob;
  lookup: (key: string) => OcrPage | undefined;
  resolve: (result: OcrResult) => void;
  key?: string;
  settled: boolean;
}

interface Slot {
  worker: ParserHandle;
  job: Job | null;
  timer: NodeJS.Timeout | null;
}

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './ocr-worker.ts' : './ocr-worker.js', import.meta.url);
/** Below normal priority: OCR takes what the app and ordinary extraction leave. */
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
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly size: number;
  private readonly timeoutMs: number;
  private readonly maxMemoryMb: number;
  private readonly idleMs: number;
  private readonly isolation: 'process' | 'thread';

  constructor(options: OcrPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? defaultOcrPoolSize());
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.maxMemoryMb = options.maxMemoryMb ?? 1536;
    this.idleMs = options.idleMs ?? 30_000;
    this.isolation = options.isolation ?? 'process';
  }

  /** Recognises one page; `lookup` answers whether a rendered page's content hash is already cached. */
  recognize(job: OcrJob, lookup: (key: string) => OcrPage | undefined): Promise<OcrResult> {
    if (this.closed) return Promise.resolve({ type: 'cancelled' });
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, job, lookup, resolve, settled: false });
      this.pump();
    });
  }

  /** Drops every page still waiting for a worker (a cancelled run); pages being read finish. */
  cancelQueued(): void {
    for (const job of this.queue.splice(0)) this.settle(job, { type: 'cancelled' });
  }

  pids(): number[] {
    return this.slots.flatMap((slot) => (slot.worker.pid === null ? [] : [slot.worker.pid]));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelQueued();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.stop()));
  }

  private spawn(): Slot {
    const worker =
      this.isolation === 'process'
        ? startProcess(WORKER_URL, Math.min(this.maxMemoryMb, 1024), { ...process.env, QUIRE_OCR_MAX_RSS_MB: String(this.maxMemoryMb) })
        : startThread(WORKER_URL, Math.min(this.maxMemoryMb, 1024));
    if (worker.pid !== null) {
      try {
        setPriority(worker.pid, OCR_NICENESS);
      } catch {
        // not permitted on this system: OCR then runs at normal priority
      }
    }
    const slot: Slot = { worker, job: null, timer: null };
    worker.onMessage((raw) => this.onMessage(slot, raw as FromOcrWorker));
    worker.onDeath((reason, detail) => {
      if (this.closed) return;
      const tooLarge = reason === 'too-large';
      this.fail(slot, tooLarge ? 'too-large' : 'ocr-crashed', tooLarge ? `OCR needed more than ${this.maxMemoryMb} MB of memory` : `The OCR worker crashed (${detail})`);
    });
    worker.hold(false);
    return slot;
  }

  private onMessage(slot: Slot, message: FromOcrWorker): void {
    const job = slot.job;
    if (!job || job.id !== message.id) return;
    switch (message.type) {
      case 'key': {
        this.counters.rendered++;
        job.key = message.key;
        const cached = job.lookup(message.key);
        slot.worker.send({ type: 'go', id: job.id, recognize: !cached } satisfies ToOcrWorker);
        if (cached) {
          this.counters.cacheHits++;
          this.settle(job, { type: 'text', page: cached, cached: true, key: message.key });
        }
        return;
      }
      case 'done':
        this.counters.recognized++;
        this.release(slot);
        this.settle(job, { type: 'text', page: message.page, cached: false, ...(job.key ? { key: job.key } : {}) });
        return;
      case 'skipped':
        this.release(slot);
        return;
      case 'error':
        this.counters.failed++;
        this.release(slot);
        this.settle(job, { type: 'failed', reason: message.reason, message: message.message });
    }
  }

  private pump(): void {
    if (this.closed) return;
    if (this.idleTimer && this.queue.length > 0) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.size) {
        slot = this.spawn();
        this.slots.push(slot);
      }
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.timer = setTimeout(() => this.fail(slot, 'timeout', `OCR of this page took longer than ${Math.round(this.timeoutMs / 1000)} s`), this.timeoutMs);
      slot.worker.hold(true);
      slot.worker.send({ type: 'job', id: job.id, job: job.job } satisfies ToOcrWorker);
    }
    if (this.slots.every((s) => !s.job) && !this.idleTimer) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = null;
        if (this.queue.length > 0 || this.slots.some((s) => s.job)) return;
        void Promise.all(this.slots.splice(0).map((s) => s.worker.stop()));
      }, this.idleMs);
      this.idleTimer.unref();
    }
  }

  private release(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
    slot.worker.hold(false);
    this.pump();
  }

  private settle(job: Job, result: OcrResult): void {
    if (job.settled) return;
    job.settled = true;
    job.resolve(result);
  }

  /** Ends the slot's page with a failure and replaces its worker, which may be wedged or dead. */
  private fail(slot: Slot, reason: 'timeout' | 'ocr-crashed' | 'too-large', message: string): void {
    const job = slot.job;
    if (slot.timer) clearTimeout(slot.timer);
    slot.job = null;
    slot.timer = null;
    const index = this.slots.indexOf(slot);
    if (index === -1) return;
    this.slots.splice(index, 1);
    void slot.worker.stop();
    if (job && !job.settled) {
      this.counters.failed++;
      this.settle(job, { type: 'failed', reason, message });
    }
    this.pump();
  }
}
