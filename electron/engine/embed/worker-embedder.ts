import { resolve } from 'node:path';
import { startThread, type WorkerHandle } from '../host/worker-handle.js';
import { EmbedderLoadError, type Embedder } from './embedder.js';

export interface EmbedRequest {
  type: 'embed';
  id: number;
  kind: 'passages' | 'query';
  texts: readonly string[];
}

export type ToEmbedWorker = { type: 'load'; folder: string } | EmbedRequest | { type: 'crash' };

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
  | { type: 'failed'; id: number; message: string };

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './embed-worker.ts' : './embed-worker.js', import.meta.url);
/** A budget only against runaway growth: the model's weights live outside the JavaScript heap. */
const WORKER_HEAP_MB = 4096;

interface Pending {
  resolve: (vectors: Float32Array[]) => void;
  reject: (error: Error) => void;
}

/**
 * The transformers.js embedder run in a worker thread, so that tokenizing and pooling (synchronous
 * JavaScript, most of a small model's time) never block the engine's thread, which meanwhile takes
 * parse results and writes them to SQLite. Queries do not wait behind queued batches of passages.
 * A worker that dies fails its pending calls, and the next call starts a new one.
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
  ) {
    ({ model: this.model, dimension: this.dimension, pooling: this.pooling, path: this.path } = info);
  }

  /** Loads the model in a new worker; a folder that is not a usable model throws `EmbedderLoadError`. */
  static async load(folder: string): Promise<WorkerEmbedder> {
    const thread = new EmbedThread(resolve(folder));
    return new WorkerEmbedder(await thread.ready(), thread);
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
    this.thread?.crash();
  }

  private async request(kind: EmbedRequest['kind'], texts: readonly string[]): Promise<Float32Array[]> {
    if (this.closed) throw new Error('The embedder is closed');
    if (!this.thread || this.thread.dead) this.thread = new EmbedThread(this.path);
    const thread = this.thread;
    await thread.ready();
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

  constructor(path: string) {
    this.worker = startThread(WORKER_URL, WORKER_HEAP_MB);
    this.worker.hold(true);
    this.loaded = new Promise((resolve, reject) => {
      this.worker.onMessage((raw) => {
        const message = raw as FromEmbedWorker;
        if (message.type === 'loaded') resolve(message);
        else if (message.type === 'load-failed') reject(new EmbedderLoadError(message.message));
        else this.settle(message.id, message.type === 'embedded' ? message.vectors : new Error(`The embedding model failed: ${message.message}`));
        this.worker.hold(this.pending.size > 0);
      });
      this.worker.onDeath((reason, detail) => {
        const cause = reason === 'too-large' ? `it needed more than ${WORKER_HEAP_MB} MB of memory` : detail;
        reject(new EmbedderLoadError(`Could not load the embedding model in ${path}: its worker stopped (${cause})`));
        this.deathError = new Error(`The embedding model's worker stopped (${cause}); the next call starts a new one`);
        this.failPending(this.deathError);
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
      this.worker.hold(true);
      this.worker.send({ type: 'embed', id, kind, texts } satisfies ToEmbedWorker);
    });
  }

  crash(): void {
    this.worker.send({ type: 'crash' } satisfies ToEmbedWorker);
  }

  async stop(reason: Error): Promise<void> {
    this.deathError ??= reason;
    this.failPending(reason);
    await this.worker.stop();
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
