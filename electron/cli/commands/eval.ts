import { InvalidArgumentError, Option, type Command } from 'commander';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { formatMs, formatShare, type EngineApi } from '../../engine/index.js';
import type { Result } from '../../shared/contract.js';
import type { EvalReport } from '../../shared/evaluation.js';
import { interruptible, withEngine } from '../one-shot.js';
import { parseAdapterFlag } from './profiles.js';

type DataDirFlag = () => string | undefined;
const BUILTIN_MODES = ['search-only', 'rag-base', 'adapter-only', 'rag-adapter', 'router'] as const;
type BuiltinMode = (typeof BUILTIN_MODES)[number];

interface EvalFlags {
  library: string;
  model?: string | false;
  adapter?: string[];
  profiles?: string[];
  modes?: BuiltinMode[];
  k: number;
  split?: 'train' | 'test' | 'all';
  set?: string;
  maxTokens: number;
  json?: boolean;
  report?: string;
  list?: boolean;
  run?: number;
  save: boolean;
}

const positive = (name: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number`);
  return n;
};
const list = (value: string): string[] => value.split(',').map((s) => s.trim()).filter(Boolean);
const modeList = (value: string): BuiltinMode[] => {
  const modes = list(value);
  const unknown = modes.filter((m) => !(BUILTIN_MODES as readonly string[]).includes(m));
  if (unknown.length) throw new InvalidArgumentError(`unknown mode ${unknown.join(', ')} (modes: ${BUILTIN_MODES.join(', ')})`);
  return modes as BuiltinMode[];
};
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerEvalCommand(program: Command, dataDir: DataDirFlag): void {
  program
    .command('eval')
    .description('measure search only, RAG, a LoRA adapter, RAG + adapter and the router on your own questions')
    .argument('[questions]', 'question set: JSON lines {"id", "question", "answer"?, "sources"?, "answerable"?}')
    .requiredOption('-l, --library <name>', 'library name')
    .option('-m, --model <id-or-path>', 'GGUF model (default: the active model, see quire models use)')
    .option('--no-model', 'run without a language model (search only)')
    .option('-a, --adapter <id-or-path[:scale]>', 'LoRA adapter of the adapter modes (default: the first saved profile with adapters); repeatable', collect)
    .option('--profiles <names>', 'saved profiles to evaluate too, comma-separated', list)
    .option('--modes <modes>', `built-in modes to run, comma-separated (default: ${BUILTIN_MODES.join(',')})`, modeList)
    .option('-k, --k <n>', 'K of hit@K, recall@K and MRR@K, and passages retrieved', positive('-k'), 5)
    .addOption(new Option('--split <split>', 'questions of this split only (default: test when the set has splits)').choices(['train', 'test', 'all']))
    .option('--set <id>', 'evaluate a question set generated into the library ("latest" or an id) instead of a file')
    .option('--max-tokens <n>', 'longest answer', positive('--max-tokens'), 256)
    .option('--json', 'print the full report as JSON')
    .option('--report <file.html>', 'write a self-contained HTML report')
    .option('--list', 'list earlier runs of this library')
    .option('--run <id>', 'show an earlier run (with --json or --report) instead of running', positive('--run'))
    .option('--no-save', 'do not keep this run in the library')
    .action(async (questions: string | undefined, flags: EvalFlags) => runEval(dataDir(), questions, flags));
}

async function runEval(dataDirFlag: string | undefined, file: string | undefined, flags: EvalFlags): Promise<void> {
  await withEngine(dataDirFlag, async (api) => {
    const library = flags.library;
    if (flags.list) return printRuns(await api.call('eval.runs', { library }), flags.json);
    if (flags.run !== undefined) return output(api, library, await api.call('eval.get', { library, runId: flags.run }), flags);
    let set: number | 'latest' | undefined;
    if (flags.set !== undefined) {
      set = flags.set === 'latest' ? 'latest' : Number(flags.set);
      if (set !== 'latest' && !Number.isInteger(set)) throw new Error('--set takes "latest" or a set id (see quire dataset list)');
    } else if (!file) throw new Error('Give a question set file, or --set latest|ID, or --list');
    const report = await interruptible((signal) =>
      api.call(
        'eval.run',
        {
          library, set, questions: set === undefined ? { text: readFileSync(file!, 'utf8'), label: file! } : undefined, split: flags.split,
          model: flags.model === false ? null : flags.model,
          adapters: flags.adapter?.length ? flags.adapter.map(parseAdapterFlag) : undefined,
          profiles: flags.profiles, modes: flags.modes, k: flags.k, maxTokens: flags.maxTokens, save: flags.save,
        },
        {
          signal,
          onEvent: (event) => {
            const e = event as { type: 'progress'; mode: string; done: number; total: number } | { type: 'warning'; message: string };
            if (e.type === 'warning') process.stderr.write(`Warning: ${e.message}\n`);
            else if (e.done === e.total) process.stderr.write(`[${e.mode}] ${e.total} question${e.total === 1 ? '' : 's'} answered\n`);
          },
        },
      ),
    );
    await output(api, library, report, flags);
  });
}

async function output(api: EngineApi, library: string, report: EvalReport, flags: Pick<EvalFlags, 'json' | 'report'>): Promise<void> {
  if (flags.report) {
    const path = resolve(flags.report);
    const { html } = await api.call('eval.report', report.runId !== null ? { library, runId: report.runId } : { library, report });
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, html);
    if (!flags.json) process.stderr.write(`Report written to ${path}\n`);
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  printSummary(report);
}

function printSummary(report: EvalReport): void {
  const k = report.k;
  const columns = ['score', `hit@${k}`, `recall@${k}`, `mrr@${k}`, 'citationPrecision', 'citationRecall', 'citationSupport', 'answerF1', 'exactMatch', 'semanticSimilarity', 'abstention'];
  const header = ['mode', 'score', `hit@${k}`, `recall@${k}`, `mrr@${k}`, 'cite P', 'cite R', 'supported', 'F1', 'EM', 'similar', 'declines', 'median', 'p95', 'tok/s'];
  const rows = report.modes.map((m) => {
    if (m.skipped !== null || !m.metrics) return [m.mode, `skipped: ${m.skipped ?? ''}`];
    const value = (c: string): string => (c === 'score' ? formatShare(m.score) : c === 'semanticSimilarity' ? (m.metrics![c]?.toFixed(2) ?? '-') : formatShare(m.metrics![c] ?? null));
    const tps = m.latency?.tokensPerSecond.median;
    return [m.mode, ...columns.map(value), formatMs(m.latency?.totalMs.median ?? null), formatMs(m.latency?.totalMs.p95 ?? null), tps == null ? '-' : tps.toFixed(1)];
  });
  const full = rows.filter((r) => r.length === header.length);
  const widths = header.map((h, i) => Math.max(h.length, ...full.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => (cells.length === header.length ? cells.map((c, i) => c.padEnd(widths[i]!)).join('  ') : cells.join('  ')).trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n\n${report.recommendation.text}\n`);
  process.stdout.write(`${report.questionCount} questions, K=${k}, peak memory ${report.memory.maxRssMb} MB${report.runId !== null ? `; saved as run ${report.runId}` : ''}\n`);
}

function printRuns(newestFirst: Result<'eval.runs'>, json: boolean | undefined): void {
  // Oldest first, each with every mode's score and metrics, as the library stores them.
  const runs = newestFirst
    .slice()
    .reverse()
    .map((r) => ({ id: r.id, createdAt: r.createdAt, questionSet: r.questionSet, model: r.model, k: r.k, questionCount: r.questionCount, winner: r.winner, modes: r.scores ?? [] }));
  if (json) {
    process.stdout.write(`${JSON.stringify(runs)}\n`);
    return;
  }
  if (runs.length === 0) {
    process.stdout.write('No evaluation runs yet. Run one with: quire eval QUESTIONS.jsonl --library NAME\n');
    return;
  }
  for (const run of runs) {
    const modes = run.modes.map((m) => (m.skipped ? `${m.mode} skipped` : `${m.mode} ${formatShare(m.score)} (recall@${run.k} ${formatShare(m.metrics[`recall@${run.k}`] ?? null)})`)).join(', ');
    process.stdout.write(`#${run.id} ${run.createdAt} ${run.questionCount} questions from ${run.questionSet}; model ${run.model ?? 'none'}; winner ${run.winner ?? '-'}\n  ${modes}\n`);
  }
}
