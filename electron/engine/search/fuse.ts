export interface RankedList {
  /** Ids best first. */
  ids: readonly number[];
  weight?: number;
}

/** k in 1/(k + rank): 60 is the value from Cormack et al. (2009) and a robust default. */
export const DEFAULT_RRF_K = 60;

/**
 * Reciprocal rank fusion: each list adds weight / (k + rank) for every id it ranks (rank from 1).
 * Only ranks matter, so BM25 scores and cosine distances need no common scale.
 */
export function reciprocalRankFusion(lists: readonly RankedList[], k = DEFAULT_RRF_K): { id: number; score: number }[] {
  const scores = new Map<number, number>();
  for (const list of lists) {
    const weight = list.weight ?? 1;
    list.ids.forEach((id, index) => scores.set(id, (scores.get(id) ?? 0) + weight / (k + index + 1)));
  }
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score || a.id - b.id);
}
