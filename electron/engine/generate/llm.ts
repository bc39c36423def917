import {
  getLlama, LlamaChatSession, LlamaLogLevel, resolveChatWrapper,
  type ChatHistoryItem, type ChatWrapper, type GbnfJsonSchema, type Llama, type LlamaContext, type LlamaGrammar, type LlamaModel,
} from 'node-llama-cpp';
import { resolve } from 'node:path';
import { assertModel, inspectGguf, ModelValidationError } from '../models/gguf.js';
import { performance } from 'node:perf_hooks';
import { QuireError } from '../errors.js';

export interface AdapterSpec {
  path: string;
  /** Strength of the adapter; 0 switches it off. */
  scale: number;
}

export interface GenerateOptions {
  systemPrompt: string;
  /** Earlier turns, oldest first. */
  history?: { role: 'user' | 'assistant'; text: string }[];
  user: string;
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
  onText?: (text: string) => void;
}

export interface GenerationTimings {
  /** From the call until the first token's text arrived (prompt evaluation + first decode). */
  firstTokenMs: number;
  totalMs: number;
  tokens: number;
  tokensPerSecond: number;
}

export interface Generation {
  text: string;
  cancelled: boolean;
  /**
   * Why the answer was cut short, if it was: `max-tokens` (the requested maximum, or what the context left after the
   * prompt, whichever is smaller) or `time` (the per-request time limit on the generation slot).
   */
  limit: 'max-tokens' | 'time' | null;
  /** The maximum actually applied: the request's, capped to what the context leaves after the prompt. */
  maxTokens: number;
  timings: GenerationTimings;
}

export class LlmError extends QuireError {
  declare readonly code: 'model-load-failed' | 'adapter-failed' | 'context-failed';
  constructor(code: 'model-load-failed' | 'adapter-failed' | 'context-failed', message: string) {
    super(code, message);
  }
}

/** How long one request may hold the (single) generation slot before it is stopped; QUIRE_GENERATION_TIME_LIMIT_MS overrides. */
export const DEFAULT_GENERATION_TIME_LIMIT_MS = 5 * 60_000;

/** Below this many parameters a token's work is too small to split: more threads only add synchronisation. */
const SINGLE_THREAD_BELOW_PARAMETERS = 100_000_000;

/**
 * One loaded model, kept warm, with one context whose LoRA adapter set can be switched between
 * questions without reloading the model. Threads come from the physical cores: node-llama-cpp's
 * default (at least 4) oversubscribes small machines badly.
 */
export class LlmHost {
  private model: LlamaModel | null = null;
  private modelPath: string | null = null;
  /**
   * The model's chat template, resolved once per model. LlamaChatSession resolves it on every
   * construction by default, and for a GGUF with a Jinja template that renders the template against
   * every built-in wrapper: seconds each time, so never per question or per token count.
   */
  private chatWrapper: ChatWrapper | null = null;
  private context: LlamaContext | null = null;
  private contextKey: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly llama: Llama,
    private readonly options: { contextSize: number; threads?: number; timeLimitMs: number },
  ) {}

  static async create(options: { contextSize?: number; threads?: number; gpu?: false | 'auto'; timeLimitMs?: number } = {}): Promise<LlmHost> {
    const llama = await getLlama({ gpu: options.gpu ?? false, logLevel: LlamaLogLevel.error, build: 'never' });
    const fromEnv = Number(process.env.QUIRE_GENERATION_TIME_LIMIT_MS);
    const timeLimitMs = options.timeLimitMs ?? (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_GENERATION_TIME_LIMIT_MS);
    return new LlmHost(llama, { contextSize: options.contextSize ?? 4096, threads: options.threads, timeLimitMs });
  }

  get loadedModelPath(): string | null {
    return this.modelPath;
  }

  get threads(): number {
    if (this.options.threads) return this.options.threads;
    const parameters = this.model?.fileInsights.totalParameters ?? Infinity;
    return parameters < SINGLE_THREAD_BELOW_PARAMETERS ? 1 : Math.max(1, this.llama.cpuMathCores);
  }

  /** The context size actually in use (the model's training length caps the requested one). */
  get contextSize(): number {
    return this.context?.contextSize ?? Math.min(this.options.contextSize, this.model?.trainContextSize ?? this.options.contextSize);
  }

  async loadModel(path: string): Promise<void> {
    const modelPath = resolve(path);
    if (this.modelPath === modelPath && this.model) return;
    await this.unloadModel();
    // Checked again at every load, not only at import: a file registered before a check existed, or changed since,
    // must fail here with a message rather than abort the process inside llama.cpp.
    try {
      assertModel(await inspectGguf(modelPath));
    } catch (error) {
      if (error instanceof ModelValidationError) throw new LlmError('model-load-failed', `Could not load the model ${modelPath}: ${error.message}`);
      throw error;
    }
    try {
      this.model = await this.llama.loadModel({ modelPath });
      this.modelPath = modelPath;
    } catch (error) {
      throw new LlmError('model-load-failed', `Could not load the model ${modelPath}: ${(error as Error).message}`);
    }
    // Resolved here, with the load, so the first question does not wait for it.
    this.requireChatWrapper();
  }

  async unloadModel(): Promise<void> {
    await this.context?.dispose();
    this.context = null;
    this.contextKey = null;
    await this.model?.dispose();
    this.model = null;
    this.modelPath = null;
    this.chatWrapper = null;
  }

  countTokens(text: string): number {
    return this.requireModel().tokenize(text, false, 'trimLeadingSpace').length;
  }

  /** Tokens the whole chat costs once rendered through the model's own template. */
  countChatTokens(history: ChatHistoryItem[]): number {
    const model = this.requireModel();
    const { contextText } = this.requireChatWrapper().generateContextState({ chatHistory: history });
    return contextText.tokenize(model.tokenizer).length;
  }

  /**
   * Makes `adapters` the active adapter set. A context is rebuilt only when the set changes; if an
   * adapter cannot be applied, the context comes back without adapters so the model keeps working.
   */
  async useAdapters(adapters: readonly AdapterSpec[]): Promise<void> {
    const model = this.requireModel();
    const active = adapters.filter((a) => a.scale !== 0);
    const key = JSON.stringify(active.map((a) => [resolve(a.path), a.scale]));
    if (this.context && this.contextKey === key) return;
    await this.context?.dispose();
    this.context = null;
    this.contextKey = null;
    const base = { contextSize: Math.min(this.options.contextSize, model.trainContextSize), threads: this.threads, sequences: 1 };
    if (active.length === 0) {
      this.context = await model.createContext(base);
      this.contextKey = key;
      return;
    }
    try {
      this.context = await model.createContext({ ...base, lora: { adapters: active.map((a) => ({ filePath: resolve(a.path), scale: a.scale })) } });
      this.contextKey = key;
    } catch (error) {
      this.context = await model.createContext(base);
      this.contextKey = JSON.stringify([]);
      throw new LlmError('adapter-failed', `Could not apply the adapter set (${active.map((a) => a.path).join(', ')}): ${(error as Error).message}. The model is still loaded without adapters.`);
    }
  }

  /** Streams a chat answer through the model's own chat template. Calls are served one at a time. */
  generate(options: GenerateOptions): Promise<Generation> {
    const run = this.queue.then(() => this.generateNow(options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Like `generate`, but the output is constrained by a grammar built from `schema`, so even a tiny
   * model can only write JSON of that shape. `value` is null when the output is cut short (maxTokens).
   */
  generateJson<const T extends GbnfJsonSchema>(schema: Readonly<T> & GbnfJsonSchema, options: GenerateOptions): Promise<Generation & { value: unknown }> {
    const run = this.queue.then(async () => {
      const grammar = await this.llama.createGrammarForJsonSchema(schema);
      const generation = await this.generateNow(options, grammar);
      let value: unknown = null;
      try {
        value = grammar.parse(generation.text);
      } catch {
        // Truncated or otherwise unparsable output: the caller drops it.
      }
      return { ...generation, value };
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async generateNow(options: GenerateOptions, grammar?: LlamaGrammar): Promise<Generation> {
    if (!this.context) await this.useAdapters([]);
    const sequence = this.context!.getSequence();
    const session = new LlamaChatSession({
      contextSequence: sequence, chatWrapper: this.requireChatWrapper(), systemPrompt: options.systemPrompt, autoDisposeSequence: false,
    });
    // One request holds the only generation slot: it gets a time limit, and no more tokens than its context has room for
    // (beyond that node-llama-cpp would shift the context and go on for as long as the client asked).
    const timeLimit = AbortSignal.timeout(this.options.timeLimitMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeLimit]) : timeLimit;
    try {
      const history: ChatHistoryItem[] = [{ type: 'system', text: options.systemPrompt }];
      for (const turn of options.history ?? []) {
        history.push(turn.role === 'user' ? { type: 'user', text: turn.text } : { type: 'model', response: [turn.text] });
      }
      if (options.history?.length) session.setChatHistory(history);
      const promptTokens = this.countChatTokens([...history, { type: 'user', text: options.user }, { type: 'model', response: [] }]);
      const room = Math.max(1, this.context!.contextSize - promptTokens);
      const maxTokens = Math.max(1, Math.min(options.maxTokens ?? 512, room));
      const started = performance.now();
      let firstTokenAt: number | null = null;
      let tokens = 0;
      const text = await session.prompt(options.user, {
        maxTokens,
        temperature: options.temperature ?? 0,
        signal,
        stopOnAbortSignal: true,
        ...(grammar ? { grammar } : {}),
        onToken: (chunk) => {
          tokens += chunk.length;
        },
        onTextChunk: (chunk) => {
          firstTokenAt ??= performance.now();
          options.onText?.(chunk);
        },
      });
      const ended = performance.now();
      const decodeMs = firstTokenAt === null ? 0 : ended - firstTokenAt;
      const cancelled = options.signal?.aborted ?? false;
      return {
        text,
        cancelled,
        limit: !cancelled && timeLimit.aborted ? 'time' : tokens >= maxTokens ? 'max-tokens' : null,
        maxTokens,
        timings: {
          firstTokenMs: (firstTokenAt ?? ended) - started,
          totalMs: ended - started,
          tokens,
          tokensPerSecond: tokens > 1 && decodeMs > 0 ? ((tokens - 1) * 1000) / decodeMs : 0,
        },
      };
    } finally {
      session.dispose({ disposeSequence: false });
      sequence.dispose();
    }
  }

  async dispose(): Promise<void> {
    await this.unloadModel();
    await this.llama.dispose();
  }

  private requireModel(): LlamaModel {
    if (!this.model) throw new LlmError('model-load-failed', 'No model is loaded');
    return this.model;
  }

  private requireChatWrapper(): ChatWrapper {
    this.chatWrapper ??= resolveChatWrapper(this.requireModel());
    return this.chatWrapper;
  }
}
