import { resolve } from 'node:path';
import { startThread, type WorkerHandle } from '../host/worker-handle.js';
import { EmbedderLoadError, type Embedder } from './embedder.js';

export interface EmbedRequest {
  type: 'embed';
  id: number;
  kind: 'passages' | 'query';
  texts: readonly string[];
}

export type ToEmbedWorker = { type: 'load'; folder: string } | EmbedRequest | { type: 'crash' } | { type: 'hang' };

interface ModelInfo {
  model: string;
  dimension: number;
  pooling: 'mean' | 'cls';
  path: string;
}

export type FromEmbedWorker =
  | ({ type: 'loaded' } & ModelInfo)
  | { type: 'load-failed'; message: string }
  | { type: 'embedded'; id: number; vectors: Float32Array[] }
  /** Sent after each model call inside a request: the worker is making progress. */
  | { type: 'alive' }
  | { type: 'failed'; id: number; message: string };

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './embed-worker.ts' : './embed-worker.js', import.meta.url);
/** A budget only against runaway growth: the model's weights live outside the JavaScript heap. */
const WORKER_HEAP_MB = 4096;
/**
 * A worker with calls pending that sends nothing for this long is taken as hung and replaced. Each
 * model call (8 passages) answers well within it, even for a large model on a slow laptop.
 */
export const DEFAULT_STALL_MS = 120_000;

interface Pending {
  resolve: (vectors: Float32Array[]) => void;
  reject: (error: Error) => void;
}

/**
 * The transformers.js embedder run in a worker thread, so that tokenizing and pooling (synchronous
 * JavaScript, most of a small model's time) never block the engine's thread, which meanwhile takes
 * parse results and writes them to SQLite. Queries do not wait behind queued batches of passages.
 * A worker that dies, or hangs (no progress for `stallMs` while calls wait), fails its pending calls,
 * and the next call starts a new one.
 */
export class WorkerEmbedder implements Embedder {
  readonly model: string;
  readonly dimension: number;
  readonly pooling: 'mean' | 'cls';
  readonly path: string;
  private closed = false;

  private constructor(
    info: ModelInfo,
    private thread: EmbedThread | null,
    private readonly stallMs: number,
  ) {
    ({ model: this.model, dimension: this.dimension, pooling: this.pooling, path: this.path } = info);
  }

  /** Loads the model in a new worker; a folder that is not a usable model throws `EmbedderLoadError`. */
  static async load(folder: string, options: { stallMs?: number } = {}): Promise<WorkerEmbedder> {
    const stallMs = options.stallMs ?? DEFAULT_STALL_MS;
    const thread = new EmbedThread(resolve(folder), stallMs);
    return new WorkerEmbedder(await thread.ready(), thread, stallMs);
  }

  embedPassages(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.length === 0 ? Promise.resolve([]) : this.request('passages', texts);
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return (await this.request('query', [text]))[0]!;
  }

  async close(): Promise<void> {
    this.closed = true;
    const thread = this.thread;
    this.thread = null;
    await thread?.stop(new Error('The embedder is closed'));
  }

  /** Test hook: makes the worker exit as a crash would. */
  simulateCrash(): void {
    this.thread?.send({ type: 'crash' });
  }

  /** Test hook: makes the worker stop responding, as a stuck model call would. */
  simulateHang(): void {
    this.thread?.send({ type: 'hang' });
  }

  private async request(kind: EmbedRequest['kind'], texts: readonly string[]): Promise<Float32Array[]> {
    if (this.closed) throw new Error('The embedder is closed');
    if (!this.thread || this.thread.dead) this.thread = new EmbedThread(this.path, this.stallMs);
    const thread = this.thread;
    const info = await thread.ready();
    if (info.dimension !== this.dimension || info.pooling !== this.pooling) {
      const changed = new EmbedderLoadError(
        `The embedding model in ${this.path} changed on disk: it now gives ${info.dimension}-dim ${info.pooling} vectors where it gave ${this.dimension}-dim ${this.pooling}. Choose the library's embedding model again to re-embed with it.`,
      );
      await thread.stop(changed);
      throw changed;
    }
    return thread.embed(kind, texts);
  }
}

/** One worker thread with the model loaded in it; it keeps the process alive only while it has work. */
class EmbedThread {
  private readonly worker: WorkerHandle;
  private readonly loaded: Promise<ModelInfo>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Why calls can no longer be made: the worker died or was stopped. */
  private deathError: Error | null = null;
  private stallTimer: NodeJS.Timeout | null = null;

  constructor(
    path: string,
    private readonly stallMs: number,
  ) {
    this.worker = startThread(WORKER_URL, WORKER_HEAP_MB);
    this.worker.hold(true);
    this.loaded = new Promise((resolve, reject) => {
      this.worker.onMessage((raw) => {
        const message = raw as FromEmbedWorker;
        if (message.type === 'loaded') resolve(message);
        else if (message.type === 'load-failed') reject(new EmbedderLoadError(message.message));
        else if (message.type !== 'alive') this.settle(message.id, message.type === 'embedded' ? message.vectors : new Error(`The embedding model failed: ${message.message}`));
        this.watch();
        this.worker.hold(this.pending.size > 0);
      });
      this.worker.onDeath((reason, detail) => {
        const cause = reason === 'too-large' ? `it needed more than ${WORKER_HEAP_MB} MB of memory` : detail;
        reject(new EmbedderLoadError(`Could not load the embedding model in ${path}: its worker stopped (${cause})`));
        this.deathError = new Error(`The embedding model's worker stopped (${cause}); the next call starts a new one`);
        this.failPending(this.deathError);
        this.watch();
      });
    });
    this.worker.send({ type: 'load', folder: path } satisfies ToEmbedWorker);
  }

  /** The model's description once loaded; a failed load stops the worker. */
  async ready(): Promise<ModelInfo> {
    try {
      return await this.loaded;
    } catch (error) {
      await this.stop(error as Error);
      throw error;
    }
  }

  get dead(): boolean {
    return this.deathError !== null;
  }

  embed(kind: EmbedRequest['kind'], texts: readonly string[]): Promise<Float32Array[]> {
    if (this.deathError) return Promise.reject(this.deathError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.watch();
      this.worker.hold(true);
      this.worker.send({ type: 'embed', id, kind, texts } satisfies ToEmbedWorker);
    });
  }

  send(message: ToEmbedWorker): void {
    this.worker.send(message);
  }

  async stop(reason: Error): Promise<void> {
    this.deathError ??= reason;
    this.failPending(reason);
    this.watch();
    await this.worker.stop();
  }

  /** (Re)starts the stall timer while calls are pending, and clears it when none are. */
  private watch(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
    if (this.pending.size === 0 || this.deathError) return;
    this.stallTimer = setTimeout(() => {
      const budget = this.stallMs >= 1000 ? `${Math.round(this.stallMs / 1000)} s` : `${Math.round(this.stallMs)} ms`;
      void this.stop(new Error(`The embedding model's worker stopped responding (no progress in ${budget}) and was stopped; the next call starts a new one`));
    }, this.stallMs);
    this.stallTimer.unref();
  }

  private settle(id: number, outcome: Float32Array[] | Error): void {
    const call = this.pending.get(id);
    this.pending.delete(id);
    if (outcome instanceof Error) call?.reject(outcome);
    else call?.resolve(outcome);
  }

  private failPending(error: Error): void {
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
  }
}
