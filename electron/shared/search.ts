import { z } from 'zod';

export const SearchMode = z.enum(['lexical', 'vector', 'hybrid']);
export type SearchMode = z.infer<typeof SearchMode>;

export const SearchResult = z.object({
  chunkId: z.number().int(),
  documentId: z.number().int(),
  path: z.string(),
  relativePath: z.string(),
  kind: z.string().nullable(),
  score: z.number(),
  text: z.string(),
  snippet: z.string(),
  highlights: z.array(z.tuple([z.number().int(), z.number().int()])),
  page: z.number().int().nullable(),
  lines: z.tuple([z.number().int(), z.number().int()]).nullable(),
  headingPath: z.array(z.string()),
  sheet: z.string().optional(),
  rows: z.tuple([z.number().int(), z.number().int()]).optional(),
  frame: z.number().int().optional(),
  /** Present when the passage's text was recognised by OCR. */
  ocrConfidence: z.number().optional(),
  ranks: z.object({ lexical: z.number().int().optional(), vector: z.number().int().optional() }),
  similarity: z.number().optional(),
  /** Set when the library is calibrated: true when this passage is below the library's relevance threshold (a near miss, not an answer). */
  weak: z.boolean().optional(),
});
export type SearchResult = z.infer<typeof SearchResult>;

export const SearchResponse = z.object({
  mode: SearchMode,
  results: z.array(SearchResult),
  notice: z.string().optional(),
  /** Why the notice was given, for shells that word it their own way: no model at all, or not embedded yet. */
  noticeCode: z.enum(['no-embedder', 'no-vectors']).optional(),
  vectorStrategy: z.enum(['exact', 'fast']).optional(),
});
export type SearchResponse = z.infer<typeof SearchResponse>;

/** The fusion in force: each list's weight in reciprocal rank fusion (0 = that list is off). */
export const FusionWeights = z.object({ lexical: z.number().nonnegative(), vector: z.number().nonnegative() });
export type FusionWeights = z.infer<typeof FusionWeights>;

/**
 * Where "nothing relevant found" starts for this library: a passage counts when its cosine
 * similarity to the query reaches `similarity` (null: vectors do not decide) or the share of the
 * query's words it contains, weighted by rarity, reaches `coverage`. `answered` and `refused` are
 * measured on held-back queries: the share of the library's own questions still answered, and of
 * unanswerable ones (made-up words, other subjects) refused.
 */
export const RelevanceThreshold = z.object({
  similarity: z.number().nullable(),
  coverage: z.number().nullable(),
  answered: z.number().min(0).max(1),
  refused: z.number().min(0).max(1),
  /** Held-back unanswerable queries the rates were measured on. */
  unanswerable: z.number().int().nonnegative(),
});
export type RelevanceThreshold = z.infer<typeof RelevanceThreshold>;

/**
 * How well a library's search retrieves, measured on queries made from the library itself (a
 * sentence held out of its passage is the query for that passage): recall@k on held-back queries
 * that played no part in choosing the weights or the threshold.
 */
export const RetrievalFigures = z.object({
  /** Recall@k of each list alone and of the fusion in force, on `questions` held-back queries. */
  lexical: z.number().min(0).max(1),
  vector: z.number().min(0).max(1).nullable(),
  hybrid: z.number().min(0).max(1),
  k: z.number().int().positive(),
  questions: z.number().int().nonnegative(),
  /** Queries the weights and the threshold were chosen on (apart from `questions`). */
  tuningQuestions: z.number().int().nonnegative(),
  weights: FusionWeights,
  threshold: RelevanceThreshold,
  /** The query-side adapter: trained, kept only when it raised recall on held-back queries; the user may switch it off. */
  adapter: z
    .object({
      kept: z.boolean(),
      enabled: z.boolean(),
      /** Recall@k without and with the adapter, vector list and fusion, on the held-back queries. */
      vectorWithout: z.number(),
      vectorWith: z.number(),
      hybridWithout: z.number(),
      hybridWith: z.number(),
      trainSeconds: z.number().nonnegative(),
    })
    .nullable(),
  /** Whether the figures above are those with the adapter applied. */
  adapterInForce: z.boolean(),
  embedder: z.string().nullable(),
  chunks: z.number().int().nonnegative(),
  seconds: z.number().nonnegative(),
  calibratedAt: z.string(),
  /** The library changed by more than a tenth (or its embedder changed) since: a recalibration is due. */
  stale: z.boolean(),
});
export type RetrievalFigures = z.infer<typeof RetrievalFigures>;

/** "keywords 0.71 · meaning 0.12 · combined 0.72, on 500 questions made from this library" */
export function describeRetrieval(figures: Pick<RetrievalFigures, 'lexical' | 'vector' | 'hybrid' | 'questions'>): string {
  const parts = [`keywords ${figures.lexical.toFixed(2)}`];
  if (figures.vector !== null) parts.push(`meaning ${figures.vector.toFixed(2)}`, `combined ${figures.hybrid.toFixed(2)}`);
  return `${parts.join(' · ')}, on ${figures.questions} question${figures.questions === 1 ? '' : 's'} made from this library`;
}
