import type { GbnfJsonSchema } from 'node-llama-cpp';
import type { LlmHost } from '../generate/llm.js';
import type { Library } from '../library.js';
import type { EvalQuestion } from './questions.js';
import { seededRandom, shuffled, unitHash } from './random.js';
import type { StoredQuestion } from './store.js';
import { normalizeText } from './text.js';

const QUESTION_MAX_CHARS = 200;
const ANSWER_MAX_CHARS = 300;

/** The grammar the model is held to: it cannot write anything but this object. */
export const PAIR_SCHEMA = {
  type: 'object',
  properties: {
    question: { type: 'string', minLength: 1, maxLength: QUESTION_MAX_CHARS },
    answer: { type: 'string', minLength: 1, maxLength: ANSWER_MAX_CHARS },
  },
} as const satisfies GbnfJsonSchema;

const SYSTEM_PROMPT =
  "You write exam questions about passages from the user's documents. For the passage given, write one question that the passage answers " +
  'and its short answer, taken from the passage. Reply with JSON only.';

export interface GenerateSetOptions {
  count: number;
  seed?: number;
  /** Share of pairs in the train split; the rest are held out for testing (default 0.8). */
  trainShare?: number;
  /** Passages are cut to this many tokens before they go to the model. */
  maxPassageTokens?: number;
  /** Chunks shorter than this are not worth a question. */
  minChars?: number;
  signal?: AbortSignal;
  onProgress?: (progress: { tried: number; accepted: number; count: number }) => void;
}

export interface GeneratedSet {
  questions: StoredQuestion[];
  seed: number;
  tried: number;
  dropped: { invalid: number; empty: number; duplicate: number };
}

interface Candidate {
  id: number;
  text: string;
  page: number | null;
  relativePath: string;
}

/**
 * Samples chunks with a seeded shuffle and has the loaded model write one question/answer pair per
 * chunk under a JSON-schema grammar, so the output is valid JSON even from a tiny model. Each pair
 * carries its source chunk. Empty and duplicate questions (after normalisation) are dropped; the
 * rest are split into train and test by a seeded hash of the question.
 */
export async function generateQuestionSet(library: Library, llm: LlmHost, options: GenerateSetOptions): Promise<GeneratedSet> {
  const seed = options.seed ?? 1;
  const candidates = library.db
    .prepare(
      `SELECT c.id, c.text, c.page, d.relative_path AS relativePath FROM chunks c JOIN documents d ON d.id = c.document_id
       WHERE d.status = 'indexed' AND length(trim(c.text)) >= ? ORDER BY c.id`,
    )
    .all(options.minChars ?? 40) as Candidate[];
  const order = shuffled(candidates, seededRandom(seed));
  await llm.useAdapters([]);
  const maxTokens = QUESTION_MAX_CHARS + ANSWER_MAX_CHARS + 64;
  const passageBudget = Math.max(32, Math.min(options.maxPassageTokens ?? 400, llm.contextSize - maxTokens - 160));
  const seen = new Set<string>();
  const pairs: (StoredQuestion & { hash: number })[] = [];
  const dropped = { invalid: 0, empty: 0, duplicate: 0 };
  let tried = 0;
  for (const chunk of order) {
    if (pairs.length >= options.count || tried >= options.count * 3) break;
    if (options.signal?.aborted) break;
    tried++;
    const passage = fitTokens(chunk.text.trim(), passageBudget, (t) => llm.countTokens(t));
    const where = chunk.page !== null ? `${chunk.relativePath}, page ${chunk.page}` : chunk.relativePath;
    const generation = await llm.generateJson(PAIR_SCHEMA, {
      systemPrompt: SYSTEM_PROMPT, user: `Passage (${where}):\n${passage}\n\nWrite one question about this passage and its answer.`,
      maxTokens, temperature: 0, signal: options.signal,
    });
    const pair = readPair(generation.value);
    if (!pair) dropped.invalid++;
    else if (normalizeText(pair.question) === '' || normalizeText(pair.answer) === '') dropped.empty++;
    else if (seen.has(normalizeText(pair.question))) dropped.duplicate++;
    else {
      const key = normalizeText(pair.question);
      seen.add(key);
      pairs.push({
        id: `gen-${seed}-${chunk.id}`, question: pair.question.trim(), answer: pair.answer.trim(), answerable: true,
        sources: [{ path: chunk.relativePath, page: chunk.page }], split: 'train', chunkId: chunk.id, context: chunk.text, hash: unitHash(`${seed}:${key}`),
      });
    }
    options.onProgress?.({ tried, accepted: pairs.length, count: options.count });
  }
  assignSplits(pairs, options.trainShare ?? 0.8);
  return { questions: pairs.map(({ hash: _hash, ...q }) => q), seed, tried, dropped };
}

function readPair(value: unknown): { question: string; answer: string } | null {
  if (typeof value !== 'object' || value === null) return null;
  const { question, answer } = value as Record<string, unknown>;
  return typeof question === 'string' && typeof answer === 'string' ? { question, answer } : null;
}

/**
 * Train when the seeded hash falls under the share. With two or more pairs each split gets at least
 * one (the pair with the highest hash is moved to test, the lowest to train), so neither is empty.
 */
export function assignSplits(pairs: (Pick<EvalQuestion, 'split'> & { hash: number })[], trainShare: number): void {
  for (const p of pairs) p.split = p.hash < trainShare ? 'train' : 'test';
  if (pairs.length < 2) return;
  const byHash = [...pairs].sort((a, b) => a.hash - b.hash);
  if (!pairs.some((p) => p.split === 'test')) byHash.at(-1)!.split = 'test';
  if (!pairs.some((p) => p.split === 'train')) byHash[0]!.split = 'train';
}

/** Cuts text to a token budget, keeping whole words. */
function fitTokens(text: string, budget: number, count: (text: string) => number): string {
  let cut = text;
  let tokens = count(cut);
  while (tokens > budget && cut.length > 0) {
    const keep = Math.max(1, Math.floor(cut.length * (budget / tokens) * 0.95));
    cut = cut.slice(0, keep).replace(/\s+\S*$/, '');
    tokens = count(cut);
  }
  return cut;
}
