import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { QuireError } from '../errors.js';
import { toJsonLines } from '../eval/dataset.js';
import { generateQuestionSet } from '../eval/generate.js';
import { parseQuestionSet, serializeQuestionSet, unknownSources, type EvalQuestion } from '../eval/questions.js';
import { renderReport } from '../eval/report.js';
import type { EvalReport } from '../eval/report-types.js';
import { runEvaluation } from '../eval/runner.js';
import { EvalStore, type StoredQuestion } from '../eval/store.js';
import type { ServedModel } from './model-host.js';
import type { Handlers, ParamsOf, ResultOf } from './types.js';
import type { EngineState } from './state.js';

type EvaluationMethods = 'eval.runs' | 'eval.report' | 'eval.get' | 'eval.run' | 'dataset.generate' | 'dataset.list' | 'dataset.export';

/** Evaluation runs (retrieval vs adapters vs both), their reports, and the question sets generated from a library. */
export function evaluationHandlers(state: EngineState): Handlers<EvaluationMethods> {
  /**
   * The engine's report interfaces as the contract's loose report schema (which names the fields
   * shells read and passes the rest through); `handle` validates the result against it on the way out.
   */
  const asContract = (report: EvalReport): ResultOf<'eval.run'> => report as unknown as ResultOf<'eval.run'>;
  const store = (library: string) => new EvalStore(state.libraries.get(library).db);
  const storedRun = (library: string, runId: number): EvalReport => {
    const report = store(library).run(runId);
    if (!report) throw new QuireError('not-found', `No evaluation run ${runId} in library "${library}" (see quire eval --list)`);
    return report;
  };
  /** How reports name a model: its registry id, or the path of a file that is not registered. */
  const modelLabel = (model: ServedModel | null): string | null => {
    if (!model) return null;
    return state.registry.listModels().some((m) => m.id === model.id && m.path === model.path) ? model.id : model.path;
  };
  const questionSet = (library: string, ref: number | 'latest', given: string | number) => {
    const set = store(library).questionSet(ref);
    if (!set) throw new QuireError('not-found', `No generated question set ${given} in library "${library}" (create one with quire dataset generate)`.replace('  ', ' '));
    return set;
  };
  const questionsOf = (p: ParamsOf<'eval.run'>): { questions: EvalQuestion[]; label: string } => {
    let questions: EvalQuestion[];
    let label: string;
    if (p.set !== undefined) {
      const set = questionSet(p.library, p.set, p.set);
      questions = set.questions;
      label = `set #${set.info.id} (${set.info.name})`;
    } else if (p.questions) {
      questions = parseQuestionSet(p.questions.text);
      label = p.questions.label;
    } else if (p.questionsPath) {
      const path = resolve(p.questionsPath);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (code ?? String(error));
        throw new QuireError('not-found', `Cannot read the question file ${path}: ${why}`);
      }
      questions = parseQuestionSet(text);
      label = path;
    } else {
      throw new QuireError('bad-request', 'Give a question set file, or --set latest|ID, or --list');
    }
    const split = p.split ?? (questions.some((q) => q.split !== null) ? 'test' : 'all');
    const chosen = split === 'all' ? questions : questions.filter((q) => q.split === split);
    if (chosen.length === 0) throw new QuireError('bad-request', `The question set has no ${split} questions (use --split all)`);
    return { questions: chosen, label: split === 'all' ? label : `${label}, ${split} split` };
  };

  return {
    'eval.runs': (p) =>
      store(p.library)
        .runs()
        .reverse()
        .map((r) => ({
          id: r.id, createdAt: r.createdAt, questionSet: r.questionSet, model: r.model, k: r.k, questionCount: r.questionCount,
          modes: r.modes.filter((m) => m.skipped === null).map((m) => m.mode), winner: r.winner,
          scores: r.modes.map((m) => ({ mode: m.mode, skipped: m.skipped, score: m.score, metrics: m.metrics })),
        })),

    'eval.report': (p) => {
      if (p.report) return { html: renderReport(p.report as unknown as EvalReport) };
      if (p.runId === undefined) throw new QuireError('bad-request', 'eval.report needs a runId or a report');
      return { html: renderReport(storedRun(p.library, p.runId)) };
    },

    'eval.get': (p) => asContract(storedRun(p.library, p.runId)),

    'eval.run': async (p, context) => {
      const library = await state.libraries.withEmbedder(p.library);
      const { questions, label } = questionsOf(p);
      const unknown = unknownSources(questions, library.documents.list().map((d) => d.relativePath));
      for (const u of unknown.slice(0, 10)) context.emit({ type: 'warning', message: `question ${u.id}: source "${u.source}" matches no document of the library` });
      const model = p.model === null ? null : await state.models.modelFor(p.model);
      const savedProfiles = state.profiles.list();
      const adapters = p.adapters?.length ? p.adapters : (savedProfiles.find((x) => x.adapters.length > 0)?.adapters ?? []);
      const report = await state.models.withModel(model, context.signal, async (llm) => {
        if (llm) await llm.useAdapters([]);
        return runEvaluation(
          {
            library, llm, modelLabel: modelLabel(model), embedder: library.activeEmbedder, savedProfiles, adapters,
            resolveAdapter: (idOrPath) => state.models.resolveFittingAdapter(idOrPath, model?.path ?? null),
          },
          questions,
          {
            k: p.k ?? 5, questionSet: label, modes: p.modes, profiles: p.profiles, maxTokens: p.maxTokens ?? 256, signal: context.signal,
            onProgress: ({ mode, done, total }) => context.emit({ type: 'progress', mode, done, total }),
          },
        );
      });
      if (p.save !== false) report.runId = new EvalStore(library.db).saveRun(report);
      return asContract(report);
    },

    'dataset.generate': async (p, context) => {
      const library = state.libraries.get(p.library);
      const model = await state.models.modelFor(p.model);
      if (!model) throw new QuireError('no-model', 'Generating questions needs a language model: pass --model ID|PATH (or import one with quire models import)');
      const seed = p.seed ?? 1;
      const generated = await state.models.withModel(model, context.signal, async (llm) => {
        await llm!.useAdapters([]);
        return generateQuestionSet(library, llm!, {
          count: p.count ?? 50, seed, trainShare: p.trainShare ?? 0.8, signal: context.signal,
          onProgress: ({ tried, accepted }) => context.emit({ tried, accepted }),
        });
      });
      const { questions, dropped } = generated;
      if (questions.length === 0) {
        throw new QuireError('bad-request', `No usable pairs from ${generated.tried} passages (${dropped.invalid} invalid, ${dropped.empty} empty, ${dropped.duplicate} duplicate); is the library indexed?`);
      }
      const name = p.name ?? `generated (seed ${seed})`;
      const id = new EvalStore(library.db).saveQuestionSet({ name, origin: 'generated', model: modelLabel(model), seed, questions });
      if (p.out) writeFile(p.out, serializeQuestionSet(questions));
      return {
        set: id, name, pairs: questions.length, train: questions.filter((q) => q.split === 'train').length, test: questions.filter((q) => q.split === 'test').length,
        tried: generated.tried, dropped: { invalid: dropped.invalid, empty: dropped.empty, duplicate: dropped.duplicate }, out: p.out ? resolve(p.out) : null,
      };
    },

    'dataset.list': (p) => store(p.library).questionSets().map((set) => ({ ...set })),

    'dataset.export': (p) => {
      const set = questionSet(p.library, p.set ?? 'latest', p.set ?? '');
      const options = { format: p.format, withContext: p.withContext, systemPrompt: p.systemPrompt };
      const written: { file: string; records: number }[] = [];
      const write = (file: string, questions: StoredQuestion[]): void => {
        writeFile(file, toJsonLines(questions, options));
        written.push({ file: resolve(file), records: questions.length });
      };
      const of = (split: 'train' | 'test'): StoredQuestion[] => set.questions.filter((q) => (q.split ?? 'train') === split);
      if (p.split === 'all') write(p.out, set.questions);
      else if (p.split) write(p.out, of(p.split));
      else {
        write(splitFile(p.out, 'train'), of('train'));
        write(splitFile(p.out, 'test'), of('test'));
      }
      return written;
    },
  };
}

/** `data.jsonl` -> `data.train.jsonl`. */
function splitFile(file: string, split: 'train' | 'test'): string {
  const ext = extname(file) || '.jsonl';
  return join(dirname(file), `${basename(file, extname(file))}.${split}${ext}`);
}

function writeFile(file: string, text: string): void {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, text);
}
