import { InvalidArgumentError, Option, type Command } from 'commander';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LlmHost } from '../../engine/generate/llm.js';
import { createEngine, type Library } from '../../engine/index.js';
import { formatMs, formatShare } from '../../engine/eval/format.js';
import { BUILTIN_MODES, type BuiltinMode } from '../../engine/eval/modes.js';
import { parseQuestionSet, unknownSources, type EvalQuestion } from '../../engine/eval/questions.js';
import { renderReport } from '../../engine/eval/report.js';
import type { EvalReport } from '../../engine/eval/report-types.js';
import { runEvaluation } from '../../engine/eval/runner.js';
import { EvalStore } from '../../engine/eval/store.js';
import { checkAdapterFits } from '../../engine/models/gguf.js';
import { ModelRegistry } from '../../engine/models/registry.js';
import { resolveDataDir } from '../data-dir.js';
import { parseAdapterFlag, profileStore } from './profiles.js';

type DataDirFlag = () => string | undefined;

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

/** A registered model id or a GGUF path, else the most recently imported model, else none (`false`: none on purpose). */
export async function loadModel(dataDir: string, flag: string | false | undefined): Promise<{ llm: LlmHost; path: string; label: string } | null> {
  if (flag === false) return null;
  const registry = new ModelRegistry(dataDir);
  const ref = flag ?? registry.listModels().at(-1)?.id;
  if (!ref) return null;
  const resolved = await registry.resolveModel(ref);
  const llm = await LlmHost.create();
  try {
    await llm.loadModel(resolved.path);
  } catch (error) {
    await llm.dispose();
    throw error;
  }
  return { llm, path: resolved.path, label: resolved.id ?? resolved.path };
}

export function registerEvalCommand(program: Command, dataDir: DataDirFlag): void {
  program
    .command('eval')
    .description('measure search only, RAG, a LoRA adapter, RAG + adapter and the router on your own questions')
    .argument('[questions]', 'question set: JSON lines {"id", "question", "answer"?, "sources"?, "answerable"?}')
    .requiredOption('-l, --library <name>', 'library name')
    .option('-m, --model <id-or-path>', 'GGUF model (default: the most recently imported model)')
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
  const dataDir = resolveDataDir(dataDirFlag);
  const engine = createEngine({ dataDir });
  const library = engine.openLibrary(flags.library);
  const store = new EvalStore(library.db);
  let model: Awaited<ReturnType<typeof loadModel>> = null;
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  try {
    if (flags.list) return printRuns(store, flags.json);
    if (flags.run !== undefined) {
      const saved = store.run(flags.run);
      if (!saved) throw new Error(`No evaluation run ${flags.run} in library "${library.name}" (see quire eval --list)`);
      return output(saved, flags);
    }
    const { questions, label } = loadQuestions(library, store, file, flags);
    const known = unknownSources(questions, library.documents.list().map((d) => d.relativePath));
    for (const u of known.slice(0, 10)) process.stderr.write(`Warning: question ${u.id}: source "${u.source}" matches no document of the library\n`);

    model = await loadModel(dataDir, flags.model);
    const embedder = library.meta.embedder() ? await engine.loadRecordedEmbedder(library) : null;
    if (embedder) library.useEmbedder(embedder);
    const savedProfiles = profileStore(dataDirFlag).list();
    const adapters = flags.adapter?.length ? flags.adapter.map(parseAdapterFlag) : (savedProfiles.find((p) => p.adapters.length > 0)?.adapters ?? []);
    const registry = new ModelRegistry(dataDir);
    const report = await runEvaluation(
      {
        library, llm: model?.llm ?? null, modelLabel: model?.label ?? null, embedder, savedProfiles, adapters,
        resolveAdapter: async (idOrPath) => {
          const adapter = await registry.resolveAdapter(idOrPath);
          if (model) await checkAdapterFits(adapter.path, model.path);
          return adapter.path;
        },
      },
      questions,
      {
        k: flags.k, questionSet: label, modes: flags.modes, profiles: flags.profiles, maxTokens: flags.maxTokens, signal: abort.signal,
        onProgress: ({ mode, done, total }) => {
          if (done === total) process.stderr.write(`[${mode}] ${total} question${total === 1 ? '' : 's'} answered\n`);
        },
      },
    );
    if (flags.save) report.runId = store.saveRun(report);
    output(report, flags);
  } finally {
    process.off('SIGINT', onSignal);
    await library.close();
    await model?.llm.dispose();
  }
}

function loadQuestions(library: Library, store: EvalStore, file: string | undefined, flags: EvalFlags): { questions: EvalQuestion[]; label: string } {
  let questions: EvalQuestion[];
  let label: string;
  if (flags.set !== undefined) {
    const ref = flags.set === 'latest' ? 'latest' : Number(flags.set);
    if (ref !== 'latest' && !Number.isInteger(ref)) throw new Error('--set takes "latest" or a set id (see quire dataset list)');
    const set = store.questionSet(ref);
    if (!set) throw new Error(`No generated question set ${flags.set} in library "${library.name}" (create one with quire dataset generate)`);
    questions = set.questions;
    label = `set #${set.info.id} (${set.info.name})`;
  } else {
    if (!file) throw new Error('Give a question set file, or --set latest|ID, or --list');
    questions = parseQuestionSet(readFileSync(file, 'utf8'));
    label = file;
  }
  const split = flags.split ?? (questions.some((q) => q.split !== null) ? 'test' : 'all');
  const chosen = split === 'all' ? questions : questions.filter((q) => q.split === split);
  if (chosen.length === 0) throw new Error(`The question set has no ${split} questions (use --split all)`);
  return { questions: chosen, label: split === 'all' ? label : `${label}, ${split} split` };
}

function output(report: EvalReport, flags: Pick<EvalFlags, 'json' | 'report'>): void {
  if (flags.report) {
    const path = resolve(flags.report);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, renderReport(report));
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

function printRuns(store: EvalStore, json: boolean | undefined): void {
  const runs = store.runs();
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
