import type { VectorHit, VectorStore } from '../store/vectors.js';

export type VectorStrategy = 'auto' | 'exact' | 'fast';

export interface VectorOptions {
  /** `auto` scans exactly below `fastAbove` vectors and uses the quantised two-pass search above. */
  strategy?: VectorStrategy;
  fastAbove?: number;
  /** First-pass candidates per requested result in the fast path. */
  oversample?: number;
}

export const DEFAULT_VECTOR: Required<VectorOptions> = { strategy: 'auto', fastAbove: 10_000, oversample: 20 };

export class VectorSearch {
  private readonly options: Required<VectorOptions>;
  private countCache: { at: number; count: number } | null = null;

  constructor(
    private readonly vectors: VectorStore,
    options: VectorOptions = {},
  ) {
    this.options = { ...DEFAULT_VECTOR, ...options };
  }

  strategyFor(): 'exact' | 'fast' {
    if (this.options.strategy !== 'auto') return this.options.strategy;
    return this.vectorCount() > this.options.fastAbove ? 'fast' : 'exact';
  }

  search(query: Float32Array, limit: number, strategy: 'exact' | 'fast' = this.strategyFor()): VectorHit[] {
    if (limit <= 0) return [];
    if (strategy === 'exact') return this.vectors.nearestExact(query, limit);
    return this.vectors.nearestFast(query, limit, Math.max(200, limit * this.options.oversample));
  }

  /** Counting a large vec0 table is not free, so the count is refreshed at most every few seconds. */
  private vectorCount(): number {
    const now = Date.now();
    if (!this.countCache || now - this.countCache.at > 5000) this.countCache = { at: now, count: this.vectors.count() };
    return this.countCache.count;
  }
}
