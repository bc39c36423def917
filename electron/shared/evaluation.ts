import { z } from 'zod';

/**
 * An evaluation report (`quire eval --json`, `eval.run`): the fields every shell reads are named
 * here; the per-question details pass through as the engine wrote them (docs/evaluation.md).
 */
const Distribution = z.looseObject({ median: z.number().nullable(), p95: z.number().nullable() });
export const EvalModeSummary = z.looseObject({
  mode: z.string(),
  label: z.string(),
  skipped: z.string().nullable(),
  metrics: z.record(z.string(), z.number().nullable()).nullable(),
  score: z.number().nullable(),
  latency: z.looseObject({ totalMs: Distribution, tokensPerSecond: Distribution }).nullable(),
});
export const EvalReport = z.looseObject({
  version: z.literal(1),
  runId: z.number().int().nullable(),
  createdAt: z.string(),
  library: z.string(),
  questionSet: z.string(),
  model: z.string().nullable(),
  k: z.number().int(),
  questionCount: z.number().int(),
  modes: z.array(EvalModeSummary),
  memory: z.looseObject({ maxRssMb: z.number() }),
  questions: z.array(z.unknown()),
  recommendation: z.looseObject({ winner: z.string().nullable(), text: z.string() }),
});
export type EvalReport = z.infer<typeof EvalReport>;

export const EvalModes = z.enum(['search-only', 'rag-base', 'adapter-only', 'rag-adapter', 'router']);

/** Progress of `eval.run`: a mode's questions answered, or a warning about the question set. */
export const EvalEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), mode: z.string(), done: z.number().int(), total: z.number().int() }),
  z.object({ type: z.literal('warning'), message: z.string() }),
]);

/** A question set generated into a library (`quire dataset list`). */
export const QuestionSetInfo = z.looseObject({
  id: z.number().int(), name: z.string(), origin: z.string(), model: z.string().nullable(), createdAt: z.string(),
  count: z.number().int(), train: z.number().int(), test: z.number().int(),
});
