import { pathMatches, type EvalQuestion, type SourceRef } from './questions.js';
import { contentTokens, normalizeText, soundsLikeAbstention, tokens } from './text.js';

/** A passage as retrieval or a citation saw it. */
export interface Passage {
  chunkId: number;
  relativePath: string;
  page: number | null;
  text: string;
}

/** A cited passage "supports" the answer when it holds at least this share of the expected answer's content words. */
export const SUPPORT_THRESHOLD = 0.5;

export function sourceMatches(passage: Pick<Passage, 'relativePath' | 'page'>, ref: SourceRef): boolean {
  return pathMatches(passage.relativePath, ref.path) && (ref.page === null || passage.page === ref.page);
}

export interface RetrievalScores {
  hit: number | null;
  recall: number | null;
  mrr: number | null;
}

/**
 * Against expected *sources* (files or pages), not chunks: several chunks of one file all count as
 * finding it. hit@K: some expected source is in the top K; recall@K: share of expected sources found
 * in the top K; MRR@K: 1 / rank of the first passage from an expected source. Null without expected sources.
 */
export function retrievalScores(ranked: readonly Pick<Passage, 'relativePath' | 'page'>[], expected: readonly SourceRef[], k: number): RetrievalScores {
  if (expected.length === 0) return { hit: null, recall: null, mrr: null };
  const top = ranked.slice(0, k);
  const first = top.findIndex((p) => expected.some((e) => sourceMatches(p, e)));
  const found = expected.filter((e) => top.some((p) => sourceMatches(p, e))).length;
  return { hit: first >= 0 ? 1 : 0, recall: found / expected.length, mrr: first >= 0 ? 1 / (first + 1) : 0 };
}

/** Share of the expected answer's distinct content words that appear in the passage. */
export function answerOverlap(passageText: string, expectedAnswer: string): number | null {
  const wanted = new Set(contentTokens(expectedAnswer));
  if (wanted.size === 0) return null;
  const have = new Set(tokens(passageText));
  let hits = 0;
  for (const t of wanted) if (have.has(t)) hits++;
  return hits / wanted.size;
}

export function supportsAnswer(passageText: string, expectedAnswer: string | null): boolean | null {
  if (expectedAnswer === null) return null;
  const overlap = answerOverlap(passageText, expectedAnswer);
  return overlap === null ? null : overlap >= SUPPORT_THRESHOLD;
}

export interface CitationScores {
  precision: number | null;
  recall: number | null;
  /** Share of cited passages that really contain the supporting text (see SUPPORT_THRESHOLD). */
  support: number | null;
}

/**
 * Over distinct cited passages (citing one passage twice counts once). Precision: share of cited
 * passages that come from an expected source (null without citations or expected sources). Recall:
 * share of expected sources cited at least once (null without expected sources). Support: share of
 * cited passages that contain the expected answer (null without citations or an expected answer).
 */
export function citationScores(cited: readonly Passage[], expected: readonly SourceRef[], expectedAnswer: string | null): CitationScores {
  const distinct = cited.filter((p, i) => cited.findIndex((o) => o.chunkId === p.chunkId) === i);
  const precision = expected.length === 0 || distinct.length === 0 ? null : distinct.filter((p) => expected.some((e) => sourceMatches(p, e))).length / distinct.length;
  const recall = expected.length === 0 ? null : expected.filter((e) => distinct.some((p) => sourceMatches(p, e))).length / expected.length;
  const verdicts = distinct.map((p) => supportsAnswer(p.text, expectedAnswer));
  const support = distinct.length === 0 || verdicts.some((v) => v === null) ? null : verdicts.filter(Boolean).length / distinct.length;
  return { precision, recall, support };
}

/** 1 when the normalised answers are equal, else 0; null without an expected answer. */
export function exactMatch(answer: string, expected: string | null): number | null {
  if (expected === null) return null;
  return normalizeText(answer) === normalizeText(expected) ? 1 : 0;
}

/** SQuAD token F1 over normalised tokens (counted with multiplicity); null without an expected answer. */
export function tokenF1(answer: string, expected: string | null): number | null {
  if (expected === null) return null;
  const got = tokens(answer);
  const want = tokens(expected);
  if (got.length === 0 && want.length === 0) return 1;
  if (got.length === 0 || want.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const t of want) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of got) {
    const left = counts.get(t) ?? 0;
    if (left > 0) {
      common++;
      counts.set(t, left - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / got.length;
  const recall = common / want.length;
  return (2 * precision * recall) / (precision + recall);
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** The answer says the library does not hold it: Quire's own not-found result, or such a phrase. */
export function isAbstention(answerMode: string, answer: string): boolean {
  return answerMode === 'not-found' || soundsLikeAbstention(answer);
}

export interface QuestionMetrics {
  hit: number | null;
  recall: number | null;
  mrr: number | null;
  citationPrecision: number | null;
  citationRecall: number | null;
  citationSupport: number | null;
  answerF1: number | null;
  exactMatch: number | null;
  semanticSimilarity: number | null;
  abstained: boolean;
}

export interface ScoreInput {
  question: EvalQuestion;
  k: number;
  /** Passages in rank order; null when the mode does not retrieve. */
  retrieved: Passage[] | null;
  /** Null when the mode does not cite (search only, or no retrieval). */
  cited: Passage[] | null;
  answer: string;
  answerMode: string;
  similarity: number | null;
}

export function scoreQuestion(input: ScoreInput): QuestionMetrics {
  const { question } = input;
  const retrieval = input.retrieved ? retrievalScores(input.retrieved, question.sources, input.k) : { hit: null, recall: null, mrr: null };
  const citations = input.cited ? citationScores(input.cited, question.sources, question.answer) : { precision: null, recall: null, support: null };
  const expected = question.answerable ? question.answer : null;
  return {
    ...retrieval,
    citationPrecision: citations.precision,
    citationRecall: citations.recall,
    citationSupport: citations.support,
    answerF1: tokenF1(input.answer, expected),
    exactMatch: exactMatch(input.answer, expected),
    semanticSimilarity: expected === null ? null : input.similarity,
    abstained: isAbstention(input.answerMode, input.answer),
  };
}

export function mean(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return present.length === 0 ? null : present.reduce((a, b) => a + b, 0) / present.length;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile: the smallest value with at least p% of the values at or below it. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface Distribution {
  median: number | null;
  p95: number | null;
}

export function distribution(values: readonly (number | null)[]): Distribution {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return { median: median(present), p95: percentile(present, 95) };
}

export type ModeMetrics = Record<string, number | null>;

/** Metric names as reported per mode (`hit@5`, `recall@5`, `mrr@5`, ...). */
export function metricNames(k: number): string[] {
  return [`hit@${k}`, `recall@${k}`, `mrr@${k}`, 'citationPrecision', 'citationRecall', 'citationSupport', 'answerF1', 'exactMatch', 'semanticSimilarity', 'abstention', 'falseAbstention'];
}

/**
 * Means over the questions where each metric applies. `abstention`: share of unanswerable questions
 * the mode declined; `falseAbstention`: share of answerable questions it wrongly declined.
 */
export function aggregate(k: number, rows: readonly { question: EvalQuestion; metrics: QuestionMetrics }[]): ModeMetrics {
  const pick = (f: (m: QuestionMetrics) => number | null) => mean(rows.map((r) => f(r.metrics)));
  const unanswerable = rows.filter((r) => !r.question.answerable);
  const answerable = rows.filter((r) => r.question.answerable);
  return {
    [`hit@${k}`]: pick((m) => m.hit),
    [`recall@${k}`]: pick((m) => m.recall),
    [`mrr@${k}`]: pick((m) => m.mrr),
    citationPrecision: pick((m) => m.citationPrecision),
    citationRecall: pick((m) => m.citationRecall),
    citationSupport: pick((m) => m.citationSupport),
    answerF1: pick((m) => m.answerF1),
    exactMatch: pick((m) => m.exactMatch),
    semanticSimilarity: pick((m) => m.semanticSimilarity),
    abstention: mean(unanswerable.map((r) => (r.metrics.abstained ? 1 : 0))),
    falseAbstention: mean(answerable.map((r) => (r.metrics.abstained ? 1 : 0))),
  };
}

/**
 * One number per question for ranking modes: answer token F1 on answerable questions with an
 * expected answer, 1/0 for declining an unanswerable one; null otherwise.
 */
export function questionQuality(question: EvalQuestion, metrics: QuestionMetrics): number | null {
  if (!question.answerable) return metrics.abstained ? 1 : 0;
  return metrics.answerF1;
}
