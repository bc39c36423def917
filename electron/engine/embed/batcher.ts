import type { Embedder } from './embedder.js';

interface Request {
  texts: readonly string[];
  resolve: (vectors: Float32Array[]) => void;
  reject: (error: unknown) => void;
}

export const EMBED_BATCH_SIZE = 64;

/**
 * Gathers passages from many files into full model batches: indexing hands over a file's few
 * chunks at a time, and a model runs far faster on 64 texts at once than on 64 calls of one.
 * Two batches are in flight at once, so the model has the next one as soon as it is done with one.
 */
export class EmbedBatcher {
  private pending: Request[] = [];
  private pendingTexts = 0;
  private running = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly embedder: Embedder,
    private readonly batchSize = EMBED_BATCH_SIZE,
    private readonly waitMs = 5,
    private readonly maxRunning = 2,
  ) {}

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.pending.push({ texts, resolve, reject });
      this.pendingTexts += texts.length;
      this.pump();
    });
  }

  /** Starts full batches while there is room; a partial batch waits `waitMs` for more passages first. */
  private pump(): void {
    while (this.running < this.maxRunning && this.pendingTexts >= this.batchSize) this.start();
    if (this.running < this.maxRunning && this.pending.length > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        if (this.running < this.maxRunning && this.pending.length > 0) this.start();
      }, this.waitMs);
    }
  }

  /** Embeds the oldest requests, about one batch of them (a file's passages are never split). */
  private start(): void {
    const requests: Request[] = [];
    let texts = 0;
    while (this.pending.length > 0 && texts < this.batchSize) {
      const request = this.pending.shift()!;
      requests.push(request);
      texts += request.texts.length;
    }
    this.pendingTexts -= texts;
    this.running++;
    this.embedder
      .embedPassages(requests.flatMap((r) => r.texts))
      .then((vectors) => {
        let at = 0;
        for (const request of requests) {
          request.resolve(vectors.slice(at, at + request.texts.length));
          at += request.texts.length;
        }
      })
      .catch((error: unknown) => requests.forEach((r) => r.reject(error)))
      .finally(() => {
        this.running--;
        this.pump();
      });
  }
}
