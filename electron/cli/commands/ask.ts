import { Answerer, AnswerError } from '../../engine/generate/answer.js';
import { LlmError, LlmHost } from '../../engine/generate/llm.js';
import { createEngine } from '../../engine/index.js';
import { checkAdapterFits, ModelValidationError } from '../../engine/models/gguf.js';
import { ModelRegistry, ModelRegistryError } from '../../engine/models/registry.js';
import { Router } from '../../engine/route/router.js';
import type { AnswerEvent, ErrorCode } from '../../shared/answer.js';
import { resolveDataDir } from '../data-dir.js';
import { parseAdapterFlag, profileStore } from './profiles.js';

interface AskFlags {
  library: string;
  model?: string;
  adapter?: string[];
  profile?: string;
  conversation?: number;
  maxTokens?: number;
  temperature: number;
  json?: boolean;
}

/** `quire ask`: streams the answer (or JSON events), then the sources. Errors exit non-zero. */
export async function runAsk(dataDirFlag: string | undefined, question: string, flags: AskFlags): Promise<void> {
  const emit = flags.json ? (event: AnswerEvent) => process.stdout.write(`${JSON.stringify(event)}\n`) : printHuman;
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  let llm: LlmHost | null = null;
  let library: ReturnType<ReturnType<typeof createEngine>['openLibrary']> | null = null;
  try {
    const dataDir = resolveDataDir(dataDirFlag);
    const engine = createEngine({ dataDir });
    library = engine.openLibrary(flags.library);
    const registry = new ModelRegistry(dataDir);
    const modelRef = flags.model ?? registry.listModels().at(-1)?.id;
    let modelPath: string | null = null;
    if (modelRef) {
      modelPath = (await registry.resolveModel(modelRef)).path;
      llm = await LlmHost.create();
      await llm.loadModel(modelPath);
    }
    const embedder = library.meta.embedder() ? await engine.loadRecordedEmbedder(library) : null;
    if (embedder) library.useEmbedder(embedder);
    const answerer = new Answerer({
      library,
      llm,
      router: new Router(profileStore(dataDirFlag).list(), embedder),
      resolveAdapter: async (idOrPath) => {
        const adapter = await registry.resolveAdapter(idOrPath);
        if (modelPath) await checkAdapterFits(adapter.path, modelPath);
        return adapter.path;
      },
    });
    const done = await answerer.ask(
      {
        question, conversationId: flags.conversation, profile: flags.profile, maxTokens: flags.maxTokens, temperature: flags.temperature, signal: abort.signal,
        extraAdapters: (flags.adapter ?? []).map((value) => {
          const { adapter, scale } = parseAdapterFlag(value);
          return { path: adapter, scale };
        }),
      },
      emit,
    );
    if (done.cancelled) process.exitCode = 130;
  } catch (error) {
    const code: ErrorCode =
      error instanceof AnswerError ? error.code
        : error instanceof LlmError ? (error.code === 'adapter-failed' ? 'adapter-failed' : 'model-load-failed')
          : error instanceof ModelValidationError || error instanceof ModelRegistryError ? 'no-model'
            : (error as Error).name === 'UnknownLibraryError' ? 'no-library' : 'internal';
    emit({ type: 'error', code, message: (error as Error).message ?? String(error) });
    process.exitCode = 1;
  } finally {
    process.off('SIGINT', onSignal);
    await library?.close();
    await llm?.dispose();
  }
}

let streamed = false;
function printHuman(event: AnswerEvent): void {
  switch (event.type) {
    case 'token':
      process.stdout.write(event.text);
      streamed = true;
      break;
    case 'sources':
      if (streamed) process.stdout.write('\n');
      if (event.sources.length > 0) process.stdout.write('\nSources:\n');
      for (const s of event.sources) {
        const where = [s.page !== null ? `page ${s.page}` : null, s.lines ? `lines ${s.lines[0]}-${s.lines[1]}` : null].filter(Boolean).join(', ');
        process.stdout.write(`  [${s.n}] ${s.path}${where ? ` (${where})` : ''}${s.cited ? '' : '  (not cited)'}\n`);
      }
      break;
    case 'done':
      if (event.invalidCitations.length > 0) process.stderr.write(`Note: the answer cites passages that do not exist: ${event.invalidCitations.map((n) => `[${n}]`).join(' ')}\n`);
      if (event.notice) process.stderr.write(`${event.notice}\n`);
      process.stderr.write(`(${event.profile}: ${event.route.reason}; ${event.timings.tokens} tokens, ${event.timings.tokensPerSecond.toFixed(1)} tokens/s)\n`);
      break;
    case 'error':
      process.stderr.write(`quire: ${event.message}\n`);
      break;
  }
}
