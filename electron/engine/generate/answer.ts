import { performance } from 'node:perf_hooks';
import type { AnswerEvent, AnswerSource, AnswerTimings, ErrorCode } from '../../shared/answer.js';
import type { Library } from '../library.js';
import type { Profile } from '../route/profiles.js';
import type { Router } from '../route/router.js';
import type { SearchResult } from '../search/searcher.js';
import { extractCitations } from './citations.js';
import { standaloneQuery } from './condense.js';
import { LlmError, type AdapterSpec, type LlmHost } from './llm.js';
import { locationOf, packPrompt, type PackedPassage } from './prompt.js';
import { QuireError } from '../errors.js';

export interface AskOptions {
  question: string;
  /** Continue this conversation (its earlier turns shape the search and the prompt). */
  conversationId?: number;
  /** Earlier turns, oldest first, given directly instead of a stored conversation (ignored with `conversationId`). */
  history?: { role: 'user' | 'assistant'; text: string }[];
  /** Start a new conversation and record the exchange (default true). */
  remember?: boolean;
  profile?: string;
  /** Adapters added for this question on top of the profile's. */
  extraAdapters?: AdapterSpec[];
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
}

export interface AnswererDeps {
  library: Library;
  router: Router;
  /** Null: no model, so answers are the best passages (search-only mode). */
  llm: LlmHost | null;
  /** Turns an adapter id or path into a file path, validating that it fits the loaded model. */
  resolveAdapter: (idOrPath: string) => Promise<string>;
  /** Below this similarity (and with no lexical match) a passage does not count as relevant, in a library not calibrated yet. */
  minSimilarity?: number;
}

export class AnswerError extends QuireError {
  declare readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(code, message);
  }
}

const NO_MODEL_HINT = 'No language model is loaded, so Quire shows the most relevant passages. Add one with `quire models import FILE.gguf` or `quire models pull ID`, then ask with --model.';

/** route -> retrieve -> pack -> generate -> cite, as a stream of events. */
export class Answerer {
  constructor(private readonly deps: AnswererDeps) {}

  async ask(options: AskOptions, emit: (event: AnswerEvent) => void): Promise<Extract<AnswerEvent, { type: 'done' }>> {
    const started = performance.now();
    const { library } = this.deps;
    const conversations = library.conversations;
    const history: { role: 'user' | 'assistant'; text: string }[] =
      options.conversationId !== undefined ? conversations.messages(this.requireConversation(options.conversationId)) : (options.history ?? []);
    const route = await this.deps.router.route(options.question, options.profile);
    const profile = route.profile;
    const query = standaloneQuery(options.question, history.filter((m) => m.role === 'user').map((m) => m.text));

    let results: SearchResult[] = [];
    const retrievalStarted = performance.now();
    let notice: string | undefined;
    if (profile.retrieval) {
      const response = await library.searcher().search(query, { k: profile.k });
      results = response.results.filter((r) => this.isRelevant(r));
      notice = response.notice;
    }
    const retrievalMs = performance.now() - retrievalStarted;

    const finish = (mode: 'generated' | 'search-only' | 'not-found', answer: string, sources: AnswerSource[], extra: Partial<AnswerTimings> & { invalid?: number[]; dropped?: number; cancelled?: boolean; prepareMs: number }) => {
      const conversationId = this.remember(options, answer, profile, sources);
      const timings: AnswerTimings = {
        retrievalMs, prepareMs: extra.prepareMs, firstTokenMs: extra.firstTokenMs ?? null, totalMs: performance.now() - started,
        promptTokens: extra.promptTokens ?? null, tokens: extra.tokens ?? 0, tokensPerSecond: extra.tokensPerSecond ?? 0,
      };
      const done: Extract<AnswerEvent, { type: 'done' }> = {
        type: 'done', profile: profile.name, route: { method: route.method, reason: route.reason }, mode, answer, query,
        invalidCitations: extra.invalid ?? [], droppedPassages: extra.dropped ?? 0, conversationId, cancelled: extra.cancelled ?? false, timings,
      };
      if (notice) done.notice = notice;
      emit(done);
      return done;
    };

    if (profile.retrieval && results.length === 0) {
      const answer = `I could not find anything about this in the library "${library.name}".`;
      emit({ type: 'token', text: answer });
      emit({ type: 'sources', sources: [] });
      return finish('not-found', answer, [], { prepareMs: performance.now() - started - retrievalMs });
    }

    const llm = this.deps.llm;
    if (!llm) {
      const passages = results.map((result, i) => ({ n: i + 1, result }));
      const answer = passages.length
        ? `${passages.map((p) => `[${p.n}] ${locationOf(p.result)}\n${p.result.snippet}`).join('\n\n')}`
        : 'This profile answers without retrieval, which needs a language model.';
      notice = [notice, NO_MODEL_HINT].filter(Boolean).join(' ');
      emit({ type: 'token', text: answer });
      const sources = passages.map((p) => toSource(p, false));
      emit({ type: 'sources', sources });
      return finish('search-only', answer, sources, { prepareMs: performance.now() - started - retrievalMs });
    }

    const adapters: AdapterSpec[] = [];
    for (const a of profile.adapters) adapters.push({ path: await this.resolveAdapterOrThrow(a.adapter), scale: a.scale });
    for (const a of options.extraAdapters ?? []) adapters.push({ path: await this.resolveAdapterOrThrow(a.path), scale: a.scale });
    try {
      await llm.useAdapters(adapters);
    } catch (error) {
      if (error instanceof LlmError) throw new AnswerError('adapter-failed', error.message);
      throw error;
    }

    // A requested maximum is capped so that the passages keep at least half of the context (LlmHost then caps it to what
    // the finished prompt leaves).
    const maxTokens = Math.min(options.maxTokens ?? Math.min(512, Math.floor(llm.contextSize / 4)), Math.floor(llm.contextSize / 2));
    const turns = history.map((m) => ({ role: m.role, text: m.text }));
    const chatCost = (user: string) =>
      llm.countChatTokens([
        { type: 'system', text: profile.systemPrompt },
        ...turns.map((t) => (t.role === 'user' ? { type: 'user' as const, text: t.text } : { type: 'model' as const, response: [t.text] })),
        { type: 'user', text: user },
        // The start of the model's turn is evaluated too (e.g. "Assistant:"); without it the count runs a few tokens short.
        { type: 'model', response: [] },
      ]);
    const budget = llm.contextSize - maxTokens;
    let passages: PackedPassage[] = [];
    let user = options.question;
    let promptTokens: number;
    let dropped = 0;
    if (profile.retrieval) {
      const packed = packPrompt({ question: options.question, results, budget, countTokens: chatCost, countText: (t) => llm.countTokens(t) });
      passages = packed.passages;
      user = packed.user;
      promptTokens = packed.promptTokens;
      dropped = packed.dropped.length;
      if (passages.length === 0) throw new AnswerError('bad-request', `Not even one passage fits the model's context of ${llm.contextSize} tokens; use a model with a longer context or smaller chunks`);
    } else {
      promptTokens = chatCost(user);
    }
    const prepareMs = performance.now() - started - retrievalMs;

    const generation = await llm.generate({
      systemPrompt: profile.systemPrompt, history: turns, user, maxTokens, temperature: options.temperature ?? 0, signal: options.signal,
      onText: (text) => emit({ type: 'token', text }),
    });
    const report = extractCitations(generation.text, passages);
    const citedSet = new Set(report.cited.map((p) => p.n));
    const sources = passages.map((p) => toSource(p, citedSet.has(p.n)));
    emit({ type: 'sources', sources });
    return finish('generated', generation.text, sources, {
      prepareMs, firstTokenMs: generation.timings.firstTokenMs, promptTokens, tokens: generation.timings.tokens,
      tokensPerSecond: generation.timings.tokensPerSecond, invalid: report.invalid, dropped, cancelled: generation.cancelled,
    });
  }

  /**
   * A calibrated library marks each result against its own threshold (`weak`, see
   * `search/calibration.ts`); otherwise any lexical match, or a similarity above the fixed floor, counts.
   */
  private isRelevant(result: SearchResult): boolean {
    if (result.weak !== undefined) return !result.weak;
    if (result.ranks.lexical !== undefined) return true;
    return (result.similarity ?? 0) >= (this.deps.minSimilarity ?? 0.3);
  }

  private async resolveAdapterOrThrow(idOrPath: string): Promise<string> {
    try {
      return await this.deps.resolveAdapter(idOrPath);
    } catch (error) {
      throw new AnswerError('adapter-mismatch', (error as Error).message);
    }
  }

  private requireConversation(id: number): number {
    if (!this.deps.library.conversations.get(id)) throw new AnswerError('bad-request', `No conversation ${id} in library "${this.deps.library.name}"`);
    return id;
  }

  private remember(options: AskOptions, answer: string, profile: Profile, sources: AnswerSource[]): number | null {
    if (options.remember === false && options.conversationId === undefined) return null;
    const conversations = this.deps.library.conversations;
    return this.deps.library.db.transaction(() => {
      const id = options.conversationId ?? conversations.create(options.question);
      conversations.addMessage(id, 'user', options.question);
      conversations.addMessage(id, 'assistant', answer, profile.name, sources);
      return id;
    }).immediate();
  }
}

function toSource(p: PackedPassage, cited: boolean): AnswerSource {
  return {
    n: p.n, path: p.result.path, relativePath: p.result.relativePath, page: p.result.page, lines: p.result.lines,
    headingPath: p.result.headingPath, chunkId: p.result.chunkId, text: p.result.text, cited,
  };
}
