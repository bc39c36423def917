import type { AnswerEvent, AnswerSource } from '../../shared/answer.js';
import type { Embedder } from '../embed/embedder.js';
import { Answerer, AnswerError } from '../generate/answer.js';
import type { LlmHost } from '../generate/llm.js';
import type { Library } from '../library.js';
import type { Profile } from '../route/profiles.js';
import { Router } from '../route/router.js';
import { RssSampler, processPeakRssMb, toMb } from './memory.js';
import {
  aggregate, cosine, distribution, mean, metricNames, questionQuality, scoreQuestion, sourceMatches, supportsAnswer, type Passage,
} from './metrics.js';
import { planModes, type BuiltinMode, type ModePlan } from './modes.js';
import { formatSourceRef, type EvalQuestion } from './questions.js';
import { recommend } from './recommend.js';
import type { EvalReport, ModeAnswer, ModeSummary, QuestionResult } from './report-types.js';

export interface EvalDeps {
  library: Library;
  /** A loaded model, or null (only search-only runs). */
  llm: LlmHost | null;
  /** How the report names the model (id or path). */
  modelLabel: string | null;
  /** The library's embedder: semantic similarity and the router's examples (null: those are skipped). */
  embedder: Embedder | null;
  savedProfiles: readonly Profile[];
  /** The adapter set of the adapter modes. */
  adapters: readonly { adapter: string; scale: number }[];
  resolveAdapter: (idOrPath: string) => Promise<string>;
}

export interface EvalOptions {
  /** The K of hit@K, recall@K and MRR@K, and the passages the fixed modes retrieve. */
  k: number;
  questionSet: string;
  modes?: readonly BuiltinMode[];
  profiles?: readonly string[];
  maxTokens?: number;
  minSimilarity?: number;
  signal?: AbortSignal;
  onProgress?: (progress: { mode: string; done: number; total: number }) => void;
}

/** Runs every question through every mode, scores each answer and summarises per mode. */
export async function runEvaluation(deps: EvalDeps, questions: readonly EvalQuestion[], options: EvalOptions): Promise<EvalReport> {
  const k = options.k;
  const plans = planModes({
    k, modes: options.modes ?? ['search-only', 'rag-base', 'adapter-only', 'rag-adapter', 'router'], profileNames: options.profiles ?? [],
    savedProfiles: deps.savedProfiles, hasModel: deps.llm !== null, adapters: deps.adapters,
  });
  const similarity = new SimilarityCache(deps.embedder);
  const results: QuestionResult[] = questions.map((q) => ({
    id: q.id, question: q.question, expected: { answer: q.answer, sources: q.sources.map(formatSourceRef), answerable: q.answerable }, answers: {},
  }));
  const modes: ModeSummary[] = [];
  for (const plan of plans) {
    const summary: ModeSummary = {
      mode: plan.id, label: plan.label, description: plan.description, skipped: plan.skip, questions: 0, errors: 0, metrics: null, score: null, latency: null, memory: null,
    };
    modes.push(summary);
    if (plan.skip) continue;
    // One answerer per mode, so the router embeds its example questions once.
    const answerer = new Answerer({
      library: deps.library, llm: plan.usesModel ? deps.llm : null, router: new Router(plan.profiles, deps.embedder),
      resolveAdapter: deps.resolveAdapter, minSimilarity: options.minSimilarity,
    });
    const sampler = new RssSampler();
    const answers: ModeAnswer[] = [];
    try {
      let yielded = Date.now();
      for (const [i, question] of questions.entries()) {
        // Search-only answers settle without real I/O: give the event loop a turn now and then, so that a
        // cancel (and progress) sent over the socket is handled while the run goes on.
        if (Date.now() - yielded > 25) {
          await yieldToEventLoop();
          yielded = Date.now();
        }
        if (options.signal?.aborted) throw new Error('The evaluation was cancelled');
        const answer = await answerOne(answerer, plan, question, options, similarity);
        answers.push(answer);
        results[i]!.answers[plan.id] = answer;
        options.onProgress?.({ mode: plan.id, done: i + 1, total: questions.length });
      }
    } catch (error) {
      if (!(error instanceof AnswerError) || !error.code.startsWith('adapter')) throw error;
      summary.skipped = error.message;
      for (const r of results) delete r.answers[plan.id];
      sampler.stop();
      continue;
    }
    const peak = sampler.stop();
    fillSummary(summary, k, questions, answers, peak);
  }
  const report: EvalReport = {
    version: 1, runId: null, createdAt: new Date().toISOString(), library: deps.library.name, questionSet: options.questionSet,
    model: deps.modelLabel, adapters: deps.adapters.map((a) => `${a.adapter}:${a.scale}`), embedder: deps.embedder?.model ?? null,
    k, questionCount: questions.length, metricNames: metricNames(k), modes, memory: { maxRssMb: processPeakRssMb() }, questions: results,
    recommendation: { winner: null, runnerUp: null, basis: null, margin: null, text: '' },
  };
  report.recommendation = recommend(report);
  return report;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function fillSummary(summary: ModeSummary, k: number, questions: readonly EvalQuestion[], answers: ModeAnswer[], peakRss: number): void {
  summary.questions = answers.length;
  summary.errors = answers.filter((a) => a.answerMode === 'error').length;
  summary.metrics = aggregate(k, answers.map((a, i) => ({ question: questions[i]!, metrics: a.metrics })));
  summary.score = mean(answers.map((a) => a.quality));
  const ok = answers.filter((a) => a.answerMode !== 'error');
  summary.latency = {
    retrievalMs: distribution(ok.map((a) => (a.retrieved ? a.timings.retrievalMs : null))),
    firstTokenMs: distribution(ok.map((a) => a.timings.firstTokenMs)),
    totalMs: distribution(ok.map((a) => a.timings.totalMs)),
    tokensPerSecond: distribution(ok.map((a) => a.timings.tokensPerSecond)),
  };
  summary.memory = { peakRssMb: toMb(peakRss) };
}

async function answerOne(answerer: Answerer, plan: ModePlan, question: EvalQuestion, options: EvalOptions, similarity: SimilarityCache): Promise<ModeAnswer> {
  let sources: AnswerSource[] = [];
  const collect = (event: AnswerEvent): void => {
    if (event.type === 'sources') sources = event.sources;
  };
  let done: Extract<AnswerEvent, { type: 'done' }>;
  try {
    done = await answerer.ask(
      { question: question.question, profile: plan.explicit, remember: false, maxTokens: options.maxTokens, temperature: 0, signal: options.signal },
      collect,
    );
  } catch (error) {
    if (error instanceof AnswerError && error.code.startsWith('adapter')) throw error;
    const metrics = scoreQuestion({ question, k: options.k, retrieved: null, cited: null, answer: '', answerMode: 'error', similarity: similarity.enabled ? 0 : null });
    return {
      answer: '', answerMode: 'error', profile: plan.explicit ?? '', route: '', error: (error as Error).message, retrieved: null, cited: null,
      metrics, quality: questionQuality(question, metrics), timings: { retrievalMs: 0, firstTokenMs: null, totalMs: 0, tokens: 0, tokensPerSecond: null },
    };
  }
  const profile = plan.profiles.find((p) => p.name === done.profile);
  const retrieves = profile?.retrieval ?? true;
  const passages = [...sources].sort((a, b) => a.n - b.n);
  const toPassage = (s: AnswerSource): Passage => ({ chunkId: s.chunkId, relativePath: s.relativePath, page: s.page, text: s.text });
  const retrieved = retrieves ? passages.map(toPassage) : null;
  const citedSources = plan.cites && retrieves && done.mode === 'generated' ? passages.filter((s) => s.cited) : null;
  // Search only shows passages, not an answer: what the user reads first is the top passage.
  const answer = done.mode === 'search-only' ? (passages[0]?.text ?? done.answer) : done.answer;
  const metrics = scoreQuestion({
    question, k: options.k, retrieved, cited: citedSources?.map(toPassage) ?? (plan.cites && retrieves ? [] : null), answer, answerMode: done.mode,
    similarity: question.answerable && question.answer !== null ? await similarity.between(answer, question.answer) : null,
  });
  const t = done.timings;
  const generated = done.mode === 'generated' && t.firstTokenMs !== null;
  return {
    answer, answerMode: done.mode, profile: done.profile, route: done.route.reason,
    retrieved: retrieved?.map((p) => ({ chunkId: p.chunkId, relativePath: p.relativePath, page: p.page })) ?? null,
    cited: citedSources?.map((s) => ({
      n: s.n, chunkId: s.chunkId, relativePath: s.relativePath, page: s.page, text: s.text,
      fromExpectedSource: question.sources.length ? question.sources.some((ref) => sourceMatches(s, ref)) : null,
      supports: supportsAnswer(s.text, question.answer),
    })) ?? null,
    metrics, quality: questionQuality(question, metrics),
    timings: {
      retrievalMs: t.retrievalMs, firstTokenMs: generated ? t.retrievalMs + t.prepareMs + t.firstTokenMs! : null, totalMs: t.totalMs,
      tokens: t.tokens, tokensPerSecond: generated && t.tokens > 1 ? t.tokensPerSecond : null,
    },
  };
}

/** Embeds expected answers once per run; an empty answer is as far as it gets (0). */
class SimilarityCache {
  private readonly expected = new Map<string, Float32Array>();

  constructor(private readonly embedder: Embedder | null) {}

  get enabled(): boolean {
    return this.embedder !== null;
  }

  async between(answer: string, expected: string): Promise<number | null> {
    if (!this.embedder) return null;
    if (answer.trim() === '' || expected.trim() === '') return 0;
    let want = this.expected.get(expected);
    if (!want) {
      want = (await this.embedder.embedPassages([expected]))[0]!;
      this.expected.set(expected, want);
    }
    const [got] = await this.embedder.embedPassages([answer.slice(0, 4000)]);
    return cosine(got!, want);
  }
}
