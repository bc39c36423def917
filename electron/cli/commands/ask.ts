import { ErrorCode, type AnswerEvent } from '../../shared/answer.js';
import { EngineError } from '../../shared/contract.js';
import { interruptible, withEngine } from '../one-shot.js';
import { parseAdapterFlag } from './profiles.js';

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
  try {
    await withEngine(dataDirFlag, (api) =>
      interruptible(async (signal) => {
        let cancelled = false;
        await api.call(
          'ask',
          {
            library: flags.library, question, conversationId: flags.conversation, profile: flags.profile, model: flags.model,
            // No --adapter: the adapters toggled on in the app (settings) apply, as everywhere else.
            adapters: flags.adapter?.map(parseAdapterFlag),
            maxTokens: flags.maxTokens, temperature: flags.temperature,
          },
          {
            signal,
            onEvent: (event) => {
              const e = event as AnswerEvent;
              if (e.type === 'done' && e.cancelled) cancelled = true;
              emit(e);
            },
          },
        );
        if (cancelled) process.exitCode = 130;
      }),
    );
  } catch (error) {
    const { code, message } = error instanceof EngineError ? error : { code: 'internal', message: (error as Error).message ?? String(error) };
    if (code === 'cancelled') {
      process.exitCode = 130;
      return;
    }
    emit({ type: 'error', code: askErrorCode(code), message });
    process.exitCode = 1;
  }
}

/** The engine's error codes as the few `quire ask --json` documents (README: error codes). */
function askErrorCode(code: string): ErrorCode {
  if (ErrorCode.safeParse(code).success) return code as ErrorCode;
  if (code === 'context-failed') return 'model-load-failed';
  // The model could not be found or is not a usable GGUF (registry and validation codes).
  if (['unknown-model', 'not-found', 'not-gguf', 'truncated', 'corrupt', 'unreadable', 'not-a-model', 'registry-corrupt'].includes(code)) return 'no-model';
  if (code === 'unknown-adapter' || code === 'not-an-adapter' || code === 'architecture-mismatch' || code === 'shape-mismatch') return 'adapter-mismatch';
  return 'internal';
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
