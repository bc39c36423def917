// `npm run bench` (third part): answering with the real tiny model (stories260K), Quire against
// node-llama-cpp called directly, in one process, on the same model file, threads and context size.
//   1. Time to first token through the Answerer, split into retrieval, Quire's preparation, the host's
//      set-up, node-llama-cpp's chat layer and the model's own work (prompt evaluation + first decode).
//      The model's work is timed twice: inside Quire's run (node-llama-cpp instrumented: from the call
//      to sequence.evaluate() until it yields the first token) and on a bare context sequence with the
//      exact chat Quire rendered (evaluateWithoutGeneratingNewTokens, then one decode step).
//      Target: Quire's overhead before the first token (everything but retrieval and the model) < 20 ms.
//   2. Generation tokens/s after the first token through the Answerer against LlamaChatSession.prompt
//      on the same prompt. Target: Quire >= 95% of raw (paired median).
//   3. The same with the LoRA adapter stories260K-happy-lora applied, and what switching adapters costs.
// Three prompts: the question as the default profile packs it (passages fill the context); the same
// request through a profile without retrieval (a short prompt: the per-token cost is smallest, so any
// per-token overhead shows most); and the retrieval prompt on stories260K-chat, the same weights with a
// Jinja chat template in the GGUF, as real models have. Runs alternate Quire and raw in a rotating order;
// figures are medians. Overheads and rates are also given in process CPU time, which other processes on
// a busy machine do not inflate. BENCH_LLM_RUNS sets the number of measured runs (default 7).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  getLlama, LlamaChatSession, LlamaContextSequence, LlamaLogLevel, resolveChatWrapper,
  type ChatHistoryItem, type LlamaContext, type LlamaModel, type Token,
} from 'node-llama-cpp';
import type { AnswerEvent } from '../electron/shared/answer.js';
import { makeTinyEmbedder } from './fixtures/tiny-embedder.js';

type EngineModule = typeof import('../electron/engine/index.js');
type AnswerModule = typeof import('../electron/engine/generate/answer.js');
type LlmModule = typeof import('../electron/engine/generate/llm.js');
type RouterModule = typeof import('../electron/engine/route/router.js');
type ProfilesModule = typeof import('../electron/engine/route/profiles.js');
type GgufModule = typeof import('../electron/engine/models/gguf.js');
type Answerer = import('../electron/engine/generate/answer.js').Answerer;
type LlmHost = import('../electron/engine/generate/llm.js').LlmHost;
type AdapterSpec = import('../electron/engine/generate/llm.js').AdapterSpec;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench-out');
const MODELS = join(root, '..', 'shared', 'models');
const BASE = join(MODELS, 'stories260K', 'stories260K.gguf');
const CHAT = join(MODELS, 'stories260K-chat', 'stories260K-chat.gguf');
const LORA = join(MODELS, 'stories260K-happy-lora', 'stories260K-happy-lora.gguf');
const RUNS = Number(process.env.BENCH_LLM_RUNS ?? 7);
const WARMUP = 2;
const MAX_TOKENS = 200;
const TARGETS = { overheadMs: 20, rateRatio: 0.95 };

interface Scenario {
  label: string;
  model: string;
  question: string;
  profile: string;
}
const QUESTION = 'Tell me a long story about Lily and her dog playing with a ball in the park.';
const SCENARIOS: Scenario[] = [
  { label: 'retrieval', model: BASE, question: QUESTION, profile: 'default' },
  { label: 'no retrieval', model: BASE, question: QUESTION, profile: 'story' },
  // The same weights with a Jinja chat template in the GGUF, as nearly every real model has.
  { label: 'retrieval, chat template', model: CHAT, question: QUESTION, profile: 'default' },
];

// ---------------------------------------------------------------------------------------------
// A small library of children's stories, the tiny model's own domain.
// ---------------------------------------------------------------------------------------------

let seed = 7;
const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const NAMES = ['Lily', 'Tom', 'Ben', 'Sue', 'Tim', 'Anna'];
const PETS = ['dog', 'cat', 'bird', 'puppy'];
const PLACES = ['park', 'garden', 'forest', 'house', 'lake'];
const THINGS = ['ball', 'kite', 'toy car', 'red flower', 'big box', 'cake'];
const FEELINGS = ['happy', 'sad', 'scared', 'proud', 'excited'];

function storySentence(): string {
  const [name, pet, place, thing, feeling] = [pick(NAMES), pick(PETS), pick(PLACES), pick(THINGS), pick(FEELINGS)];
  return pick([
    `${name} went to the ${place} with her ${pet}.`,
    `The ${pet} found a ${thing} under a tree in the ${place}.`,
    `${name} was very ${feeling} when she saw the ${thing}.`,
    `One day, ${name} and the ${pet} played with a ${thing} in the ${place}.`,
    `Mom said, "Be careful with the ${thing}, ${name}!"`,
    `The ${pet} ran fast and ${name} laughed.`,
    `They shared the ${thing} and were friends again.`,
  ]);
}

function writeStories(dir: string, count: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const paragraphs = Array.from({ length: 3 + (i % 4) }, () => Array.from({ length: 4 + Math.floor(random() * 4) }, storySentence).join(' '));
    const name = NAMES[i % NAMES.length]!;
    writeFileSync(join(dir, `story-${String(i).padStart(2, '0')}.md`), `# ${name} and the ${PLACES[i % PLACES.length]}\n\n${paragraphs.join('\n\n')}\n`);
  }
}

// ---------------------------------------------------------------------------------------------
// Instrumentation: timestamps inside node-llama-cpp for the current run. Patched on the shared
// prototypes, so Quire's host and the raw runs are observed the same way; the evaluation iterator
// is only wrapped until the first text has arrived, so generation runs untouched.
// ---------------------------------------------------------------------------------------------

interface Stamps {
  active: boolean;
  /** LlamaChatSession.prompt() was called. */
  promptAt: number | null;
  /** The chat layer started the model: sequence.evaluate() was called. */
  evaluateAt: number | null;
  /** The model yielded its first token (prompt evaluated, first decode done, sampled). */
  sampledAt: number | null;
  /** The first text reached the caller. */
  textAt: number | null;
  /** Tokens sampled until the first text was released (the chat layer may hold back a few). */
  sampledBeforeText: number;
  /**
   * Process CPU time (all threads, µs) at the same points. Outside the model's evaluation only the
   * JavaScript thread works, so CPU time there is Quire's own work even when other processes preempt it.
   */
  startCpu: number;
  retrievalCpu: number;
  evaluateCpu: number;
  sampledCpu: number;
  textCpu: number;
  /** prompt() resolved. */
  endAt: number | null;
  endCpu: number;
  /** Spent validating adapters (checkAdapterFits) during this run. */
  validationMs: number;
}
const newStamps = (active: boolean): Stamps => ({
  active, promptAt: null, evaluateAt: null, sampledAt: null, textAt: null, sampledBeforeText: 0,
  startCpu: 0, retrievalCpu: 0, evaluateCpu: 0, sampledCpu: 0, textCpu: 0, endAt: null, endCpu: 0, validationMs: 0,
});
const cpu = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
let stamps = newStamps(false);

function instrument(): void {
  const prompt = LlamaChatSession.prototype.prompt;
  LlamaChatSession.prototype.prompt = function (this: LlamaChatSession, ...args: Parameters<typeof prompt>) {
    const run = stamps;
    if (!run.active || run.promptAt !== null) return prompt.apply(this, args);
    run.promptAt = performance.now();
    const answer = prompt.apply(this, args);
    void answer.then(() => {
      run.endAt = performance.now();
      run.endCpu = cpu();
    }, () => undefined);
    return answer;
  } as typeof prompt;
  const evaluate = LlamaContextSequence.prototype.evaluate;
  LlamaContextSequence.prototype.evaluate = function (this: LlamaContextSequence, ...args: Parameters<typeof evaluate>) {
    const iterator = evaluate.apply(this, args);
    if (!stamps.active || stamps.evaluateAt !== null) return iterator;
    const run = stamps;
    run.evaluateAt = performance.now();
    run.evaluateCpu = cpu();
    const next = iterator.next.bind(iterator);
    iterator.next = async (...nextArgs) => {
      const result = await next(...nextArgs);
      if (run.textAt === null) {
        if (run.sampledAt === null) {
          run.sampledAt = performance.now();
          run.sampledCpu = cpu();
        }
        run.sampledBeforeText++;
      } else {
        iterator.next = next;
      }
      return result;
    };
    return iterator;
  } as typeof evaluate;
}

const markText = (): void => {
  if (!stamps.active || stamps.textAt !== null) return;
  stamps.textAt = performance.now();
  stamps.textCpu = cpu();
};

// ---------------------------------------------------------------------------------------------
// The three ways of answering
// ---------------------------------------------------------------------------------------------

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
/** Coefficient of variation: how much runs of the same thing differ (the machine's noise). */
const variation = (values: readonly number[]): number => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length) / mean;
};
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

interface ChatSplit {
  /** Call until the first text reached the caller. */
  ttftMs: number;
  /** Chat layer before the model: template, tokenizing, context window (prompt() -> evaluate()). */
  chatBeforeMs: number;
  /** The model: prompt evaluation + first decode (evaluate() -> first token). */
  modelMs: number;
  /** Chat layer after the first token until its text reached the caller. */
  chatAfterMs: number;
  sampledBeforeText: number;
  tokens: number;
  /** After the first token: (tokens - 1) / (prompt() resolved - first text), the way LlmHost reports it. */
  tokensPerSecond: number;
  /** The same per CPU second of this process (all threads): insensitive to other processes' load. */
  tokensPerCpuSecond: number;
  text: string;
}

interface QuireSample extends ChatSplit {
  retrievalMs: number;
  prepareMs: number;
  /** Between the end of preparation and session.prompt(): queue, sequence, chat session, history. */
  hostSetupMs: number;
  /** LlmHost's own firstTokenMs (session.prompt() -> first text). */
  hostFirstTokenMs: number;
  /** LlmHost's own tokens/s (the figure in done.timings). */
  hostTokensPerSecond: number;
  /** Everything before the first token except retrieval and the model's own work. */
  overheadMs: number;
  /** The same in CPU time: what it costs, without the time other processes held the CPU. */
  overheadCpuMs: number;
  /** Of the preparation: checkAdapterFits, as `quire ask` calls it for every adapter of a question. */
  validationMs: number;
  promptTokens: number;
  user: string;
  systemPrompt: string;
}

interface RawSequenceSample {
  promptEvalMs: number;
  firstDecodeMs: number;
  tokens: number;
  tokensPerSecond: number;
}

function split(run: Stamps, started: number, tokens: number, text: string): ChatSplit {
  if (run.promptAt === null || run.evaluateAt === null || run.sampledAt === null || run.textAt === null || run.endAt === null) {
    throw new Error('The instrumentation missed a step');
  }
  const decodeMs = run.endAt - run.textAt;
  const decodeCpuMs = (run.endCpu - run.textCpu) / 1000;
  return {
    ttftMs: run.textAt - started, chatBeforeMs: run.evaluateAt - run.promptAt, modelMs: run.sampledAt - run.evaluateAt,
    chatAfterMs: run.textAt - run.sampledAt, sampledBeforeText: run.sampledBeforeText, tokens, text,
    tokensPerSecond: tokens > 1 && decodeMs > 0 ? ((tokens - 1) * 1000) / decodeMs : 0,
    tokensPerCpuSecond: tokens > 1 && decodeCpuMs > 0 ? ((tokens - 1) * 1000) / decodeCpuMs : 0,
  };
}

/** One model as Quire serves it (LlmHost + Answerer) and as node-llama-cpp serves it directly. */
interface Setup {
  host: LlmHost;
  answerer: Answerer;
  /** What the Answerer last handed to the host (the packed user message), and when. */
  handoff: { at: number | null; user: string; systemPrompt: string };
  rawModel: LlamaModel;
  rawContext: LlamaContext;
}

async function askQuire({ answerer, handoff }: Setup, scenario: Scenario, adapters: AdapterSpec[] = []): Promise<QuireSample> {
  const text: string[] = [];
  const emit = (event: AnswerEvent): void => {
    if (event.type !== 'token') return;
    markText();
    text.push(event.text);
  };
  gc();
  handoff.at = null;
  stamps = newStamps(true);
  stamps.startCpu = cpu();
  const started = performance.now();
  const done = await answerer.ask({ question: scenario.question, profile: scenario.profile, maxTokens: MAX_TOKENS, temperature: 0, extraAdapters: adapters }, emit);
  const run = stamps;
  stamps = newStamps(false);
  if (done.mode !== 'generated' || handoff.at === null) throw new Error(`Quire did not generate (mode ${done.mode})`);
  const t = done.timings;
  const parts = split(run, started, t.tokens, text.join(''));
  return {
    ...parts, retrievalMs: t.retrievalMs, prepareMs: t.prepareMs, hostSetupMs: run.promptAt! - handoff.at,
    hostFirstTokenMs: t.firstTokenMs ?? NaN, hostTokensPerSecond: t.tokensPerSecond, overheadMs: parts.ttftMs - t.retrievalMs - parts.modelMs,
    overheadCpuMs: (run.evaluateCpu - run.startCpu - run.retrievalCpu + run.textCpu - run.sampledCpu) / 1000, validationMs: run.validationMs,
    promptTokens: t.promptTokens ?? NaN, user: handoff.user, systemPrompt: handoff.systemPrompt,
  };
}

/** node-llama-cpp's chat session used the plain way: one session per question on a fresh sequence. */
async function rawSession(context: LlamaContext, systemPrompt: string, user: string): Promise<ChatSplit> {
  const sequence = context.getSequence();
  const session = new LlamaChatSession({ contextSequence: sequence, systemPrompt, autoDisposeSequence: false });
  const outputBefore = sequence.tokenMeter.usedOutputTokens;
  gc();
  stamps = newStamps(true);
  const started = performance.now();
  const text = await session.prompt(user, { maxTokens: MAX_TOKENS, temperature: 0, onTextChunk: markText });
  const run = stamps;
  stamps = newStamps(false);
  const tokens = sequence.tokenMeter.usedOutputTokens - outputBefore;
  session.dispose({ disposeSequence: false });
  await sequence.dispose();
  return split(run, started, tokens, text);
}

/** The model with no chat layer: evaluate the rendered prompt, then decode greedily token by token. */
async function rawSequence(context: LlamaContext, tokens: Token[], generate: number): Promise<RawSequenceSample> {
  const sequence = context.getSequence();
  const model = sequence.model;
  gc();
  const started = performance.now();
  await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, -1));
  const evaluated = performance.now();
  const iterator = sequence.evaluate(tokens.slice(-1), { temperature: 0 });
  let next = await iterator.next();
  const first = performance.now();
  let count = next.done ? 0 : 1;
  while (count < generate && !next.done && !model.isEogToken(next.value)) {
    next = await iterator.next();
    if (!next.done) count++;
  }
  const ended = performance.now();
  await iterator.return();
  await sequence.dispose();
  return { promptEvalMs: evaluated - started, firstDecodeMs: first - evaluated, tokens: count, tokensPerSecond: count > 1 ? ((count - 1) * 1000) / (ended - first) : 0 };
}

/** The chat exactly as LlamaChatSession renders it for a fresh session: system, user, empty model turn. */
function renderChat(model: LlamaModel, systemPrompt: string, user: string): Token[] {
  const history: ChatHistoryItem[] = [{ type: 'system', text: systemPrompt }, { type: 'user', text: user }, { type: 'model', response: [] }];
  return resolveChatWrapper(model).generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer);
}

/** Checks that the raw runs evaluate exactly the chat Quire sends. */
async function assertSameChat(context: LlamaContext, chat: Token[], systemPrompt: string, user: string): Promise<void> {
  const sequence = context.getSequence();
  const session = new LlamaChatSession({ contextSequence: sequence, systemPrompt, autoDisposeSequence: false });
  await session.prompt(user, { maxTokens: 1, temperature: 0 });
  const evaluated = sequence.contextTokens;
  session.dispose({ disposeSequence: false });
  await sequence.dispose();
  if (!chat.every((token, i) => evaluated[i] === token)) throw new Error('The rendered chat differs from what LlamaChatSession evaluates; the raw timings would not be comparable');
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

interface Measured {
  scenario: Scenario;
  setup: Setup;
  /** The first Quire run: its packed prompt is what the raw runs evaluate. */
  probe: QuireSample;
  /** That prompt rendered through the model's chat template, as LlamaChatSession evaluates it. */
  chat: Token[];
  quire: QuireSample[];
  session: ChatSplit[];
  sequence: RawSequenceSample[];
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const lines: string[] = [];
  const say = (line = ''): void => {
    process.stdout.write(line + '\n');
    lines.push(line);
  };
  const save = (): void => writeFileSync(join(out, 'llm.txt'), lines.join('\n') + '\n');
  if (!existsSync(BASE)) {
    say(`[skipped] LLM answer bench: the tiny model ${BASE} is not present`);
    save();
    return;
  }

  const dist = (path: string): string => join(root, 'dist', 'engine', path);
  const { createEngine } = (await import(dist('index.js'))) as EngineModule;
  const { Answerer } = (await import(dist('generate/answer.js'))) as AnswerModule;
  const { LlmHost } = (await import(dist('generate/llm.js'))) as LlmModule;
  const { Router } = (await import(dist('route/router.js'))) as RouterModule;
  const { DEFAULT_PROFILE, Profile } = (await import(dist('route/profiles.js'))) as ProfilesModule;
  const { checkAdapterFits } = (await import(dist('models/gguf.js'))) as GgufModule;
  instrument();

  const tmp = mkdtempSync(join(tmpdir(), 'quire-bench-llm-'));
  const hosts: LlmHost[] = [];
  try {
    // The library: generated stories, indexed by the real engine with the tiny generated embedder.
    const docs = join(tmp, 'docs');
    writeStories(docs, 40);
    const embedderDir = join(tmp, 'tiny-embedder');
    makeTinyEmbedder(embedderDir);
    const engine = createEngine({ dataDir: join(tmp, 'data') });
    const library = engine.openLibrary('stories', { create: true });
    const embedder = await engine.loadEmbedder(embedderDir);
    library.useEmbedder(embedder);
    library.addFolder(docs);
    const indexed = await library.index();
    // Retrieval's CPU time, so that it can be left out of Quire's overhead in CPU time too.
    const searcher = library.searcher.bind(library);
    library.searcher = (tuning) => {
      const created = searcher(tuning);
      const search = created.search.bind(created);
      created.search = async (...args) => {
        const run = stamps;
        const before = cpu();
        try {
          return await search(...args);
        } finally {
          run.retrievalCpu += cpu() - before;
        }
      };
      return created;
    };

    // Quire, wired as `quire ask` wires it (LlmHost defaults: context size and threads policy), and
    // node-llama-cpp directly: its own model object and a context with the host's threads and size.
    const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error, build: 'never' });
    const story = Profile.parse({ name: 'story', retrieval: false, systemPrompt: 'You tell long, happy stories for small children.' });
    const router = new Router([DEFAULT_PROFILE, story], embedder);
    const setups = new Map<string, Setup>();
    const setupFor = async (modelPath: string): Promise<Setup> => {
      const known = setups.get(modelPath);
      if (known) return known;
      const host = await LlmHost.create();
      hosts.push(host);
      await host.loadModel(modelPath);
      const answerer = new Answerer({
        library, llm: host, router,
        resolveAdapter: async (path) => {
          const started = performance.now();
          await checkAdapterFits(path, modelPath);
          stamps.validationMs += performance.now() - started;
          return path;
        },
      });
      const handoff: Setup['handoff'] = { at: null, user: '', systemPrompt: '' };
      const generate = host.generate.bind(host);
      host.generate = (options) => {
        handoff.at = performance.now();
        handoff.user = options.user;
        handoff.systemPrompt = options.systemPrompt;
        return generate(options);
      };
      await host.useAdapters([]);
      const rawModel = await llama.loadModel({ modelPath });
      const rawContext = await rawModel.createContext({ contextSize: host.contextSize, threads: host.threads, sequences: 1 });
      const setup = { host, answerer, handoff, rawModel, rawContext };
      setups.set(modelPath, setup);
      return setup;
    };

    const chats: Measured[] = [];
    for (const scenario of SCENARIOS) {
      if (!existsSync(scenario.model)) continue;
      const setup = await setupFor(scenario.model);
      const probe = await askQuire(setup, scenario);
      const chat = renderChat(setup.rawModel, probe.systemPrompt, probe.user);
      await assertSameChat(setup.rawContext, chat, probe.systemPrompt, probe.user);
      chats.push({ scenario, setup, probe, chat, quire: [], session: [], sequence: [] });
    }

    const base = await setupFor(BASE);
    say(`Quire answer bench: stories260K (${base.rawModel.fileInsights.totalParameters.toLocaleString('en')} parameters), node-llama-cpp directly vs through the Answerer`);
    say(`${availableParallelism()} cores; node ${process.version}; threads ${base.host.threads} (LlmHost policy); context ${base.host.contextSize}; maxTokens ${MAX_TOKENS}, temperature 0`);
    say(`load average at the start ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${availableParallelism()} cores: above ~1 another process competes)`);
    say(`library: ${indexed.summary.indexed} generated story files, ${indexed.summary.chunks} chunks, tiny embedder; ${RUNS} measured runs (+${WARMUP} warm-up), medians; Quire and raw alternate`);
    say(`question: "${QUESTION}"`);
    for (const m of chats) {
      say(`  ${m.scenario.label}: ${basename(m.scenario.model)} (${resolveChatWrapper(m.setup.rawModel).wrapperName} wrapper), profile ${m.scenario.profile}; prompt ${m.probe.promptTokens} tokens by Quire's count, ${m.chat.length} rendered for the raw runs`);
    }
    if (!existsSync(CHAT)) say(`  [skipped] chat template runs: ${CHAT} is not present`);

    for (let i = 0; i < WARMUP + RUNS; i++) {
      for (const m of chats) {
        const steps = [
          async () => void m.quire.push(await askQuire(m.setup, m.scenario)),
          async () => void m.session.push(await rawSession(m.setup.rawContext, m.probe.systemPrompt, m.probe.user)),
          async () => void m.sequence.push(await rawSequence(m.setup.rawContext, m.chat, m.probe.tokens)),
        ];
        for (let s = 0; s < steps.length; s++) await steps[(s + i) % steps.length]!();
        if (i < WARMUP) [m.quire, m.session, m.sequence] = [[], [], []];
      }
    }
    for (const m of chats) {
      if (m.quire.some((q) => q.user !== m.probe.user)) throw new Error('Quire packed a different prompt between runs');
      if (m.session.some((s, i) => s.text !== m.quire[i]!.text)) say(`note (${m.scenario.label}): the raw session generated a different text from Quire`);
    }

    const f = (value: number, digits = 2): string => value.toFixed(digits);
    const med = <T>(runs: T[], get: (run: T) => number): number => median(runs.map(get));
    const cols = chats.map((m) => `${m.scenario.label} (${m.chat.length} tok)`);
    const row = (label: string, get: (m: Measured) => string): string[] => [label, ...chats.map(get)];
    const rawFirst = (m: Measured): number => med(m.sequence, (r) => r.promptEvalMs + r.firstDecodeMs);

    say();
    say('1. time to first token, ms (medians)');
    for (const line of table(['', ...cols], [
      row('Quire end to end: ask() -> first token event', (m) => f(med(m.quire, (r) => r.ttftMs))),
      row('  retrieval (done.timings.retrievalMs)', (m) => f(med(m.quire, (r) => r.retrievalMs))),
      row('  preparation: route, condense, adapters, pack', (m) => f(med(m.quire, (r) => r.prepareMs))),
      row('  host set-up: queue, sequence, chat session', (m) => f(med(m.quire, (r) => r.hostSetupMs))),
      row('  chat layer before the model (node-llama-cpp)', (m) => f(med(m.quire, (r) => r.chatBeforeMs))),
      row('  model: prompt eval + first decode', (m) => f(med(m.quire, (r) => r.modelMs))),
      row('  chat layer after the first token', (m) => f(med(m.quire, (r) => r.chatAfterMs))),
      row('  (host firstTokenMs, as Quire reports it)', (m) => f(med(m.quire, (r) => r.hostFirstTokenMs))),
      row('raw sequence: prompt evaluation', (m) => f(med(m.sequence, (r) => r.promptEvalMs))),
      row('raw sequence: first decode', (m) => f(med(m.sequence, (r) => r.firstDecodeMs))),
      row('raw LlamaChatSession.prompt -> first text', (m) => f(med(m.session, (r) => r.ttftMs))),
      row('  chat layer before / after the model', (m) => `${f(med(m.session, (r) => r.chatBeforeMs))} / ${f(med(m.session, (r) => r.chatAfterMs))}`),
      row('  model: prompt eval + first decode', (m) => f(med(m.session, (r) => r.modelMs))),
      row('tokens sampled before the first text (Quire/raw)', (m) => `${med(m.quire, (r) => r.sampledBeforeText)} / ${med(m.session, (r) => r.sampledBeforeText)}`),
      row('Quire overhead = TTFT - retrieval - model', (m) => `${f(med(m.quire, (r) => r.overheadMs))} [${f(Math.min(...m.quire.map((r) => r.overheadMs)))}..${f(Math.max(...m.quire.map((r) => r.overheadMs)))}]`),
      row('  the same in CPU time (immune to preemption)', (m) => `${f(med(m.quire, (r) => r.overheadCpuMs))} [${f(Math.min(...m.quire.map((r) => r.overheadCpuMs)))}..${f(Math.max(...m.quire.map((r) => r.overheadCpuMs)))}]`),
      row('  of it node-llama-cpp chat layer (raw pays it too)', (m) => f(med(m.quire, (r) => r.chatBeforeMs + r.chatAfterMs))),
      row('cross-check: host firstTokenMs - raw seq + prepare', (m) => f(med(m.quire, (r) => r.hostFirstTokenMs) - rawFirst(m) + med(m.quire, (r) => r.prepareMs))),
    ])) say(`  ${line}`);
    const overheadPass = chats.every((m) => med(m.quire, (r) => r.overheadMs) < TARGETS.overheadMs);
    const overheadCpuPass = chats.every((m) => med(m.quire, (r) => r.overheadCpuMs) < TARGETS.overheadMs);
    say(`  target: Quire overhead before the first token < ${TARGETS.overheadMs} ms: ${overheadPass ? 'PASS' : 'MISS'} (in CPU time: ${overheadCpuPass ? 'PASS' : 'MISS'})`);
    say('  (the cross-check subtracts the model time of separate raw runs, so it carries their noise; the overhead row uses the model time inside the same run)');

    say();
    say('2. generation after the first token, tokens/s (medians)');
    const ratio = (m: Measured): number => median(m.quire.map((q, i) => q.hostTokensPerSecond / m.session[i]!.tokensPerSecond));
    const cpuRatio = (m: Measured): number => median(m.quire.map((q, i) => q.tokensPerCpuSecond / m.session[i]!.tokensPerCpuSecond));
    for (const line of table(['', ...cols], [
      row('tokens generated (Quire / raw session)', (m) => `${med(m.quire, (r) => r.tokens)} / ${med(m.session, (r) => r.tokens)}`),
      row('Quire, as LlmHost reports it (done.timings)', (m) => f(med(m.quire, (r) => r.hostTokensPerSecond), 0)),
      row('Quire, timed at the chat session like raw', (m) => f(med(m.quire, (r) => r.tokensPerSecond), 0)),
      row('raw LlamaChatSession.prompt', (m) => f(med(m.session, (r) => r.tokensPerSecond), 0)),
      row('raw sequence.evaluate loop (no chat layer)', (m) => f(med(m.sequence, (r) => r.tokensPerSecond), 0)),
      row('Quire / raw session (paired median)', (m) => f(ratio(m), 3)),
      row('  per CPU second instead (paired median)', (m) => `${f(cpuRatio(m), 3)} (${f(med(m.quire, (r) => r.tokensPerCpuSecond), 0)} / ${f(med(m.session, (r) => r.tokensPerCpuSecond), 0)})`),
      row('best run / best run (interference only slows)', (m) => f(Math.max(...m.quire.map((r) => r.hostTokensPerSecond)) / Math.max(...m.session.map((r) => r.tokensPerSecond)), 3)),
      row('run-to-run variation of raw tokens/s', (m) => `${f(variation(m.session.map((r) => r.tokensPerSecond)) * 100, 0)}%`),
    ])) say(`  ${line}`);
    const ratePass = chats.every((m) => ratio(m) >= TARGETS.rateRatio);
    const rateCpuPass = chats.every((m) => cpuRatio(m) >= TARGETS.rateRatio);
    const noisy = chats.some((m) => variation(m.session.map((r) => r.tokensPerSecond)) > 0.1);
    say(`  target: Quire >= ${TARGETS.rateRatio * 100}% of raw LlamaChatSession: ${ratePass ? 'PASS' : 'MISS'} (per CPU second: ${rateCpuPass ? 'PASS' : 'MISS'})`);
    if (noisy) say('  note: raw runs of the same prompt differ by more than 10%: another process is competing for the CPU; rerun on a quiet machine (the per-CPU-second ratio is less affected)');

    if (existsSync(LORA)) {
      // Only the stories260K scenarios: the adapter was trained for it.
      const loraChats = chats.filter((m) => m.scenario.model === BASE);
      const adapter: AdapterSpec[] = [{ path: LORA, scale: 1 }];
      const loraContext = await base.rawModel.createContext({
        contextSize: base.host.contextSize, threads: base.host.threads, sequences: 1, lora: { adapters: [{ filePath: LORA, scale: 1 }] },
      });
      const lora = new Map(loraChats.map((m) => [m, { switched: [] as QuireSample[], warm: [] as QuireSample[], raw: [] as ChatSplit[], none: [] as QuireSample[] }]));
      // Per round: a switch to the adapter (context rebuilt), a warm run with it, raw with it, back to none.
      for (let i = 0; i < WARMUP + RUNS; i++) {
        for (const m of loraChats) {
          const switched = await askQuire(m.setup, m.scenario, adapter);
          const warm = await askQuire(m.setup, m.scenario, adapter);
          const raw = await rawSession(loraContext, m.probe.systemPrompt, m.probe.user);
          const none = await askQuire(m.setup, m.scenario);
          if (i < WARMUP) continue;
          const runs = lora.get(m)!;
          runs.switched.push(switched);
          runs.warm.push(warm);
          runs.raw.push(raw);
          runs.none.push(none);
        }
      }
      await loraContext.dispose();
      const happy = (text: string): number => (text.match(/happy/gi) ?? []).length;
      const l = (m: Measured) => lora.get(m)!;
      const loraRow = (label: string, get: (m: Measured) => string): string[] => [label, ...loraChats.map(get)];
      say();
      say('3. with the LoRA adapter stories260K-happy-lora (scale 1), tokens/s after the first token (medians)');
      for (const line of table(['', ...loraChats.map((m) => `${m.scenario.label} (${m.chat.length} tok)`)], [
        loraRow('Quire with adapter', (m) => `${f(med(l(m).warm, (r) => r.hostTokensPerSecond), 0)} (${l(m).warm[0]!.tokens} tok, "happy" x${happy(l(m).warm[0]!.text)})`),
        loraRow('Quire without adapter', (m) => `${f(med(l(m).none, (r) => r.hostTokensPerSecond), 0)} (${l(m).none[0]!.tokens} tok, "happy" x${happy(l(m).none[0]!.text)})`),
        loraRow('with / without adapter (paired median)', (m) => f(median(l(m).warm.map((w, i) => w.hostTokensPerSecond / l(m).none[i]!.hostTokensPerSecond)), 3)),
        loraRow('  per CPU second instead (paired median)', (m) => f(median(l(m).warm.map((w, i) => w.tokensPerCpuSecond / l(m).none[i]!.tokensPerCpuSecond)), 3)),
        loraRow('raw LlamaChatSession with adapter', (m) => f(med(l(m).raw, (r) => r.tokensPerSecond), 0)),
        loraRow('Quire / raw with adapter (paired median)', (m) => f(median(l(m).warm.map((w, i) => w.hostTokensPerSecond / l(m).raw[i]!.tokensPerSecond)), 3)),
        loraRow('  per CPU second instead (paired median)', (m) => f(median(l(m).warm.map((w, i) => w.tokensPerCpuSecond / l(m).raw[i]!.tokensPerCpuSecond)), 3)),
        loraRow('preparation, ms: switching to it / already on', (m) => `${f(med(l(m).switched, (r) => r.prepareMs))} / ${f(med(l(m).warm, (r) => r.prepareMs))}`),
        loraRow('Quire overhead, ms: switching / already on', (m) => `${f(med(l(m).switched, (r) => r.overheadMs))} / ${f(med(l(m).warm, (r) => r.overheadMs))}`),
      ])) say(`  ${line}`);
      const switchedRuns = loraChats.flatMap((m) => l(m).switched);
      say(`  of the preparation: checkAdapterFits on every question, as \`quire ask\` resolves adapters: ${f(med(switchedRuns, (r) => r.validationMs))} ms`);
      say('  (the engine service caches that check per file version; without it the overhead is, switching / already on:');
      say(`  ${loraChats.map((m) => `${m.scenario.label} ${f(med(l(m).switched, (r) => r.overheadMs - r.validationMs))} / ${f(med(l(m).warm, (r) => r.overheadMs - r.validationMs))} ms`).join('; ')})`);
    } else {
      say();
      say(`[skipped] LoRA runs: ${LORA} is not present`);
    }

    say();
    say(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    for (const setup of setups.values()) {
      await setup.rawContext.dispose();
      await setup.rawModel.dispose();
    }
    await llama.dispose();
    await library.close();
  } finally {
    for (const host of hosts) await host.dispose();
    rmSync(tmp, { recursive: true, force: true });
  }
  save();
}

await main();
