import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import type { AnswerSource } from '../../shared/answer.js';
import type { EngineState } from '../api/state.js';
import { QuireError } from '../errors.js';
import { TurnCancelledError } from '../generate/turns.js';
import { citationsOf } from './citations.js';
import { modelNotFound, OpenAiError, parseBody } from './errors.js';
import {
  ChatCompletionRequest, EmbeddingRequest,
  type ChatCompletion, type ChatCompletionChunk, type ChatMessage, type Citation, type EmbeddingList, type ModelList, type ModelObject,
} from './schemas.js';
import { StopCutter } from './stop.js';

export interface ChatCompletionOptions {
  /** Aborts when the client goes away: a queued request is dropped, a running one stops generating. */
  signal: AbortSignal;
  /** Receives the chunks of a streamed completion (`stream: true`). */
  onChunk?: (chunk: ChatCompletionChunk) => void;
}

/** What became of chat completions; read by tests and usable for a status display. */
export interface OpenAiStats {
  started: number;
  finished: number;
  /** Stopped by the client going away while generating. */
  cancelled: number;
  /** The client went away while the request waited for the model: it never ran. */
  dropped: number;
}

type Target = { kind: 'library'; library: string } | { kind: 'model'; id: string };
interface Turn {
  role: 'user' | 'assistant';
  text: string;
}
interface Outcome {
  tokens: number;
  /** The generation was cut by its token maximum (capped to the context) or its time limit. */
  truncated?: boolean;
  promptTokens: number;
  mode?: 'generated' | 'search-only' | 'not-found';
  sources?: AnswerSource[];
}

const LIBRARY_PREFIX = 'quire/';
const PLAIN_SYSTEM_PROMPT = 'You are a helpful assistant.';

const now = (): number => Math.floor(Date.now() / 1000);
const createdOf = (path: string): number => Math.floor((statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0) / 1000);

/**
 * The OpenAI-compatible API over the engine, without HTTP. Each library is a model
 * `quire/<library>` answering through the grounded pipeline; each registered model answers as
 * itself, without retrieval. All generations share the one loaded model, in arrival order.
 */
export class OpenAiApi {
  readonly stats: OpenAiStats = { started: 0, finished: 0, cancelled: 0, dropped: 0 };

  constructor(private readonly state: EngineState) {}

  async models(): Promise<ModelList> {
    const libraries = this.state.engine.listLibraries();
    const models = this.rawModels();
    return {
      object: 'list',
      data: [
        // A damaged library cannot answer; `quire libraries` lists it with its reason.
        ...libraries.filter((l) => !l.damaged).map((l): ModelObject => ({ id: `${LIBRARY_PREFIX}${l.name}`, object: 'model', created: createdOf(l.file), owned_by: 'quire' })),
        ...models.map((m): ModelObject => ({ id: m.id, object: 'model', created: createdOf(m.path), owned_by: 'local' })),
      ],
    };
  }

  async model(id: string): Promise<ModelObject> {
    const found = (await this.models()).data.find((m) => m.id === id);
    if (!found) throw modelNotFound(id);
    return found;
  }

  async chatCompletion(body: unknown, options: ChatCompletionOptions): Promise<ChatCompletion> {
    const request = parseBody(ChatCompletionRequest, body);
    const { system, history, question } = conversation(request.messages);
    const target = await this.target(request.model);
    const stream = request.stream ? options.onChunk : undefined;
    const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
    const created = now();
    const chunk = (delta: ChatCompletionChunk['choices'][number]['delta'], finish: 'stop' | 'length' | null = null): ChatCompletionChunk => ({
      id, object: 'chat.completion.chunk', created, model: request.model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    });
    const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? undefined;
    const stops = request.stop === undefined || request.stop === null ? [] : typeof request.stop === 'string' ? [request.stop] : request.stop;

    const cutter = new StopCutter(stops);
    const stopped = new AbortController();
    const signal = AbortSignal.any([options.signal, stopped.signal]);
    let content = '';
    const send = (text: string): void => {
      if (!text) return;
      content += text;
      stream?.(chunk({ content: text }));
    };
    const onText = (text: string): void => {
      send(cutter.push(text));
      if (cutter.stopped) stopped.abort();
    };

    stream?.(chunk({ role: 'assistant', content: '' }));
    this.stats.started++;
    let outcome: Outcome;
    try {
      const generation = { maxTokens, temperature: request.temperature ?? undefined, signal };
      outcome = target.kind === 'library'
        ? await this.grounded(target.library, question, history, generation, onText)
        : await this.plain(target.id, { system, history, question }, generation, onText);
    } catch (error) {
      if (error instanceof TurnCancelledError) this.stats.dropped++;
      else if (options.signal.aborted) this.stats.cancelled++;
      throw error;
    }
    if (options.signal.aborted) this.stats.cancelled++;
    else this.stats.finished++;
    if (!cutter.stopped) send(cutter.flush());

    let citations: Citation[] | undefined;
    if (target.kind === 'library') {
      const cited = citationsOf(outcome.mode ?? 'generated', content, outcome.sources ?? []);
      citations = cited.citations;
      send(cited.footer);
    }
    const finish = !cutter.stopped && (outcome.truncated || (maxTokens !== undefined && outcome.tokens >= maxTokens)) ? 'length' : 'stop';
    const usage = { prompt_tokens: outcome.promptTokens, completion_tokens: outcome.tokens, total_tokens: outcome.promptTokens + outcome.tokens };
    if (stream) {
      stream({ ...chunk({}, finish), ...(citations ? { citations } : {}) });
      if (request.stream_options?.include_usage) stream({ ...chunk({}), choices: [], usage });
    }
    return {
      id, object: 'chat.completion', created, model: request.model,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, ...(citations ? { citations } : {}) }, finish_reason: finish, logprobs: null }],
      usage,
    };
  }

  async embeddings(body: unknown): Promise<EmbeddingList> {
    const request = parseBody(EmbeddingRequest, body);
    const target = await this.target(request.model);
    if (target.kind !== 'library') {
      throw new OpenAiError(400, `'${request.model}' is a language model; embeddings come from a library's embedder: use quire/<library>`, 'invalid_request_error', 'model', 'model_not_supported');
    }
    const library = await this.state.libraries.withEmbedder(target.library);
    const embedder = library.activeEmbedder;
    if (!embedder) {
      const recorded = library.meta.embedder();
      const why = recorded ? `its embedding model is missing (${recorded.path ?? recorded.model})` : 'it has no embedder (it is searched by words only)';
      throw new OpenAiError(400, `The library "${target.library}" cannot embed: ${why}`, 'invalid_request_error', 'model', 'model_not_supported');
    }
    if (request.dimensions && request.dimensions !== embedder.dimension) {
      throw new OpenAiError(400, `The embedder of ${request.model} gives ${embedder.dimension} dimensions, not ${request.dimensions}`, 'invalid_request_error', 'dimensions', 'invalid_value');
    }
    const inputs = typeof request.input === 'string' ? [request.input] : request.input;
    const vectors = request.input_type === 'query' ? await Promise.all(inputs.map((t) => embedder.embedQuery(t))) : await embedder.embedPassages(inputs);
    const base64 = request.encoding_format === 'base64';
    return {
      object: 'list',
      data: vectors.map((v, index) => ({
        object: 'embedding', index,
        embedding: base64 ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v),
      })),
      model: request.model,
      // Token counts are not tracked for embeddings.
      usage: { prompt_tokens: 0, total_tokens: 0 },
    };
  }

  private async grounded(library: string, question: string, history: Turn[], generation: GenerationOptions, onText: (text: string) => void): Promise<Outcome> {
    let sources: AnswerSource[] = [];
    const done = await this.state.models.answer(await this.state.libraries.withEmbedder(library), { question, history, remember: false, ...generation }, (event) => {
      if (event.type === 'token') onText(event.text);
      else if (event.type === 'sources') sources = event.sources;
    });
    return { tokens: done.timings.tokens, promptTokens: done.timings.promptTokens ?? 0, mode: done.mode, sources };
  }

  private async plain(model: string, chat: { system: string; history: Turn[]; question: string }, generation: GenerationOptions, onText: (text: string) => void): Promise<Outcome> {
    const result = await this.state.models.chat(model, {
      systemPrompt: chat.system || PLAIN_SYSTEM_PROMPT, history: chat.history, user: chat.question, ...generation, onText,
    });
    // The prompt is rendered inside the model host; its token count is not reported for plain chat.
    return { tokens: result.timings.tokens, promptTokens: 0, truncated: result.limit !== null };
  }

  private async target(model: string): Promise<Target> {
    if (model.startsWith(LIBRARY_PREFIX)) {
      const library = model.slice(LIBRARY_PREFIX.length);
      try {
        await this.state.libraries.withEmbedder(library);
      } catch (error) {
        if ((error instanceof QuireError && error.code === 'no-library') || (error as Error).name === 'ZodError') throw modelNotFound(model, `there is no library "${library}"`);
        throw error;
      }
      return { kind: 'library', library };
    }
    if (this.rawModels().some((m) => m.id === model)) return { kind: 'model', id: model };
    throw modelNotFound(model);
  }

  /** Registered models, plus the served one when it was given as a path that is not registered. */
  private rawModels(): { id: string; path: string }[] {
    const models = this.state.registry.listModels();
    const served = this.state.models.activeModel();
    return served && !models.some((m) => m.id === served.id) ? [...models, served] : models;
  }
}

interface GenerationOptions {
  maxTokens: number | undefined;
  temperature: number | undefined;
  signal: AbortSignal;
}

/** The last user message is the question; earlier user and assistant turns are history; system texts are joined. */
function conversation(messages: readonly ChatMessage[]): { system: string; history: Turn[]; question: string } {
  const textOf = (m: ChatMessage): string => (typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text).join(''));
  const system = messages.filter((m) => m.role === 'system' || m.role === 'developer').map(textOf).join('\n\n');
  const turns: Turn[] = messages.flatMap((m) => (m.role === 'user' || m.role === 'assistant' ? [{ role: m.role, text: textOf(m) }] : []));
  const last = turns.at(-1);
  if (!last || last.role !== 'user') throw new OpenAiError(400, 'The last message (other than system messages) must be a user message: it is the question', 'invalid_request_error', 'messages', 'invalid_value');
  if (!last.text.trim()) throw new OpenAiError(400, 'The last user message is empty', 'invalid_request_error', `messages[${messages.findLastIndex((m) => m.role === 'user')}].content`, 'invalid_value');
  return { system, history: turns.slice(0, -1), question: last.text };
}
