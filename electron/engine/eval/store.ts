import type { Db } from '../store/db.js';
import { formatSourceRef, parseSourceRef, type EvalQuestion } from './questions.js';
import type { EvalReport } from './report-types.js';

/** A question with the passage it was generated from (for exports that train on context). */
export interface StoredQuestion extends EvalQuestion {
  context: string | null;
}

export interface QuestionSetInfo {
  id: number;
  name: string;
  origin: 'generated' | 'imported';
  model: string | null;
  seed: number | null;
  createdAt: string;
  count: number;
  train: number;
  test: number;
}

export interface RunInfo {
  id: number;
  createdAt: string;
  questionSet: string;
  model: string | null;
  k: number;
  questionCount: number;
  winner: string | null;
  modes: { mode: string; skipped: string | null; score: number | null; metrics: Record<string, number | null> }[];
}

interface RawQuestion {
  qid: string;
  question: string;
  answer: string | null;
  answerable: number;
  sources: string;
  split: 'train' | 'test' | null;
  chunkId: number | null;
  context: string | null;
}

/** Question sets and evaluation runs in the library's own database (migration 004). */
export class EvalStore {
  constructor(private readonly db: Db) {}

  saveQuestionSet(input: { name: string; origin: 'generated' | 'imported'; model: string | null; seed: number | null; questions: readonly StoredQuestion[] }): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db.prepare('INSERT INTO eval_question_sets (name, origin, model, seed) VALUES (?, ?, ?, ?)').run(input.name, input.origin, input.model, input.seed).lastInsertRowid,
      );
      const insert = this.db.prepare(
        `INSERT INTO eval_questions (set_id, qid, question, answer, answerable, sources, split, chunk_id, context)
         VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT id FROM chunks WHERE id = ?), ?)`,
      );
      for (const q of input.questions) {
        insert.run(id, q.id, q.question, q.answer, q.answerable ? 1 : 0, JSON.stringify(q.sources.map(formatSourceRef)), q.split, q.chunkId, q.context);
      }
      return id;
    }).immediate();
  }

  questionSets(): QuestionSetInfo[] {
    return this.db
      .prepare(
        `SELECT s.id, s.name, s.origin, s.model, s.seed, s.created_at AS createdAt, COUNT(q.id) AS count,
           COALESCE(SUM(q.split = 'train'), 0) AS train, COALESCE(SUM(q.split = 'test'), 0) AS test
         FROM eval_question_sets s LEFT JOIN eval_questions q ON q.set_id = s.id GROUP BY s.id ORDER BY s.id`,
      )
      .all() as QuestionSetInfo[];
  }

  /** A set by id, or the newest with `latest`. */
  questionSet(ref: number | 'latest'): { info: QuestionSetInfo; questions: StoredQuestion[] } | undefined {
    const sets = this.questionSets();
    const info = ref === 'latest' ? sets.at(-1) : sets.find((s) => s.id === ref);
    if (!info) return undefined;
    const rows = this.db
      .prepare(
        `SELECT qid, question, answer, answerable, sources, split, chunk_id AS chunkId, context FROM eval_questions WHERE set_id = ? ORDER BY id`,
      )
      .all(info.id) as RawQuestion[];
    const questions = rows.map((r) => ({
      id: r.qid, question: r.question, answer: r.answer, answerable: r.answerable === 1, sources: (JSON.parse(r.sources) as string[]).map(parseSourceRef),
      split: r.split, chunkId: r.chunkId, context: r.context,
    }));
    return { info, questions };
  }

  saveRun(report: EvalReport): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare('INSERT INTO eval_runs (created_at, question_set, model, k, question_count, winner, report) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(report.createdAt, report.questionSet, report.model, report.k, report.questionCount, report.recommendation.winner, JSON.stringify({ ...report, runId: null }))
          .lastInsertRowid,
      );
      const insert = this.db.prepare('INSERT INTO eval_run_modes (run_id, mode, skipped, score, metrics, latency) VALUES (?, ?, ?, ?, ?, ?)');
      for (const m of report.modes) insert.run(id, m.mode, m.skipped, m.score, JSON.stringify(m.metrics ?? {}), JSON.stringify(m.latency ?? {}));
      return id;
    }).immediate();
  }

  runs(): RunInfo[] {
    const runs = this.db
      .prepare('SELECT id, created_at AS createdAt, question_set AS questionSet, model, k, question_count AS questionCount, winner FROM eval_runs ORDER BY id')
      .all() as Omit<RunInfo, 'modes'>[];
    const modes = this.db.prepare('SELECT mode, skipped, score, metrics FROM eval_run_modes WHERE run_id = ? ORDER BY rowid');
    return runs.map((run) => ({
      ...run,
      modes: (modes.all(run.id) as { mode: string; skipped: string | null; score: number | null; metrics: string }[]).map((m) => ({
        ...m, metrics: JSON.parse(m.metrics) as Record<string, number | null>,
      })),
    }));
  }

  run(id: number): EvalReport | undefined {
    const row = this.db.prepare('SELECT report FROM eval_runs WHERE id = ?').get(id) as { report: string } | undefined;
    return row ? { ...(JSON.parse(row.report) as EvalReport), runId: id } : undefined;
  }
}
