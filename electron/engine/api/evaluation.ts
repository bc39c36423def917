import { QuireError } from '../errors.js';
import { renderReport } from '../eval/report.js';
import { EvalStore } from '../eval/store.js';
import type { Handlers } from './types.js';
import type { EngineState } from './state.js';

/** Stored evaluation runs and their reports. */
export function evaluationHandlers(state: EngineState): Handlers<'eval.runs' | 'eval.report'> {
  const store = (library: string) => new EvalStore(state.libraries.get(library).db);
  return {
    'eval.runs': (p) =>
      store(p.library)
        .runs()
        .reverse()
        .map((r) => ({ id: r.id, createdAt: r.createdAt, questionSet: r.questionSet, model: r.model, k: r.k, questionCount: r.questionCount, modes: r.modes.filter((m) => m.skipped === null).map((m) => m.mode), winner: r.winner })),

    'eval.report': (p) => {
      const report = store(p.library).run(p.runId);
      if (!report) throw new QuireError('not-found', `No evaluation run ${p.runId} in library "${p.library}"`);
      return { html: renderReport(report) };
    },
  };
}
