import type { Distribution, ModeMetrics, QuestionMetrics } from './metrics.js';

export interface ModeLatency {
  retrievalMs: Distribution;
  /** From the question to the first answer token (retrieval, packing and prompt evaluation included). */
  firstTokenMs: Distribution;
  totalMs: Distribution;
  tokensPerSecond: Distribution;
}

export interface ModeSummary {
  mode: string;
  label: string;
  description: string;
  /** Why the mode did not run, or null when it ran. */
  skipped: string | null;
  questions: number;
  errors: number;
  /** Under the names of `metricNames` (`hit@5`, `recall@5`, `mrr@5`, `answerF1`, ...); null when skipped. */
  metrics: ModeMetrics | null;
  /** Mean per-question quality (see questionQuality), the number modes are ranked by. */
  score: number | null;
  latency: ModeLatency | null;
  memory: { peakRssMb: number } | null;
}

export interface CitedPassageView {
  n: number;
  chunkId: number;
  relativePath: string;
  page: number | null;
  text: string;
  fromExpectedSource: boolean | null;
  supports: boolean | null;
}

export interface ModeAnswer {
  answer: string;
  answerMode: 'generated' | 'search-only' | 'not-found' | 'error';
  profile: string;
  route: string;
  error?: string;
  retrieved: { chunkId: number; relativePath: string; page: number | null }[] | null;
  cited: CitedPassageView[] | null;
  metrics: QuestionMetrics;
  quality: number | null;
  timings: { retrievalMs: number; firstTokenMs: number | null; totalMs: number; tokens: number; tokensPerSecond: number | null };
}

export interface QuestionResult {
  id: string;
  question: string;
  expected: { answer: string | null; sources: string[]; answerable: boolean };
  answers: Record<string, ModeAnswer>;
}

export interface Recommendation {
  winner: string | null;
  runnerUp: string | null;
  /** What the modes were ranked by. */
  basis: string | null;
  margin: number | null;
  text: string;
}

export interface EvalReport {
  version: 1;
  runId: number | null;
  createdAt: string;
  library: string;
  questionSet: string;
  model: string | null;
  adapters: string[];
  embedder: string | null;
  k: number;
  questionCount: number;
  metricNames: string[];
  modes: ModeSummary[];
  memory: { maxRssMb: number };
  questions: QuestionResult[];
  recommendation: Recommendation;
}
