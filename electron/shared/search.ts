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
