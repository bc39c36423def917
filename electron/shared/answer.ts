import { z } from 'zod';

/** One passage an answer drew on; `n` is the number the answer cites as [n]. */
export const AnswerSource = z.object({
  n: z.number().int().positive(),
  path: z.string(),
  relativePath: z.string(),
  page: z.number().int().nullable(),
  lines: z.tuple([z.number().int(), z.number().int()]).nullable(),
  headingPath: z.array(z.string()),
  chunkId: z.number().int(),
  text: z.string(),
  /** Whether the answer cites it (search-only answers list passages without citing). */
  cited: z.boolean(),
});
export type AnswerSource = z.infer<typeof AnswerSource>;

export const AnswerTimings = z.object({
  retrievalMs: z.number(),
  /** Routing, condensing, packing and adapter switching: Quire's own work before generation. */
  prepareMs: z.number(),
  firstTokenMs: z.number().nullable(),
  totalMs: z.number(),
  promptTokens: z.number().int().nullable(),
  tokens: z.number().int(),
  tokensPerSecond: z.number(),
});
export type AnswerTimings = z.infer<typeof AnswerTimings>;

export const ErrorCode = z.enum([
  'no-library', 'no-model', 'model-load-failed', 'adapter-failed', 'adapter-mismatch', 'bad-request', 'cancelled', 'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** Events of `quire ask --json` (one JSON line each) and of the UI's answer stream. Types are only ever added. */
export const AnswerEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('token'), text: z.string() }),
  z.object({ type: z.literal('sources'), sources: z.array(AnswerSource) }),
  z.object({
    type: z.literal('done'),
    profile: z.string(),
    route: z.object({ method: z.string(), reason: z.string() }),
    mode: z.enum(['generated', 'search-only', 'not-found']),
    answer: z.string(),
    query: z.string(),
    invalidCitations: z.array(z.number().int()),
    droppedPassages: z.number().int(),
    conversationId: z.number().int().nullable(),
    cancelled: z.boolean(),
    timings: AnswerTimings,
    notice: z.string().optional(),
    /** The model that answered (its registry id, or its file name), or null when none was loaded. */
    model: z.string().nullable().optional(),
  }),
  z.object({ type: z.literal('error'), code: ErrorCode, message: z.string() }),
]);
export type AnswerEvent = z.infer<typeof AnswerEvent>;
