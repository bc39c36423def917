import type { Embedder } from './embedder.js';

interface Request {
  texts: readonly string[];
  resolve: (vectors: Float32Array[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers passages from many files into full model batches: indexing hands over a file's few
 * chunks at a time, and a model runs far faster on 64 texts at once than on 64 calls of one.
 */
export class EmbedBatcher {
  private pending: Request[] = [];
  private pendingTexts = 0;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly embedder: Embedder,
    private readonly batchSize = 64,
    private readonly waitMs = 5,
  ) {}

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.pending.push({ texts, resolve, reject });
      this.pendingTexts += texts.length;
      if (this.pendingTexts >= this.batchSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.waitMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running || this.pending.length === 0) return;
    const requests = this.pending;
    this.pending = [];
    this.pendingTexts = 0;
    this.running = this.embedder
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
        this.running = null;
        if (this.pendingTexts >= this.batchSize) this.flush();
        else if (this.pending.length > 0) this.timer ??= setTimeout(() => this.flush(), this.waitMs);
      });
  }
}
