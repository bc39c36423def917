import type { Migration } from './types.js';

/**
 * Evaluation: generated question sets (kept so fine-tuning data can be exported with its train/test
 * split) and evaluation runs (kept so they can be compared over time). A generated question keeps
 * the chunk it was written from; re-indexing may remove that chunk, so the link is cleared, not the
 * question (its source path and page stay).
 */
export const evaluation: Migration = {
  version: 4,
  name: 'evaluation question sets and runs',
  up: `
    CREATE TABLE eval_question_sets (
      id         INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      origin     TEXT NOT NULL CHECK (origin IN ('generated', 'imported')),
      model      TEXT,
      seed       INTEGER,
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ) STRICT;
    CREATE TABLE eval_questions (
      id         INTEGER PRIMARY KEY,
      set_id     INTEGER NOT NULL REFERENCES eval_question_sets(id) ON DELETE CASCADE,
      qid        TEXT NOT NULL,
      question   TEXT NOT NULL,
      answer     TEXT,
      answerable INTEGER NOT NULL DEFAULT 1 CHECK (answerable IN (0, 1)),
      sources    TEXT NOT NULL DEFAULT '[]',
      split      TEXT CHECK (split IN ('train', 'test')),
      chunk_id   INTEGER REFERENCES chunks(id) ON DELETE SET NULL,
      context    TEXT,
      UNIQUE (set_id, qid)
    ) STRICT;
    CREATE INDEX eval_questions_chunk ON eval_questions(chunk_id);

    CREATE TABLE eval_runs (
      id             INTEGER PRIMARY KEY,
      created_at     TEXT NOT NULL,
      question_set   TEXT NOT NULL,
      model          TEXT,
      k              INTEGER NOT NULL,
      question_count INTEGER NOT NULL,
      winner         TEXT,
      report         TEXT NOT NULL
    ) STRICT;
    CREATE TABLE eval_run_modes (
      run_id  INTEGER NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
      mode    TEXT NOT NULL,
      skipped TEXT,
      score   REAL,
      metrics TEXT NOT NULL DEFAULT '{}',
      latency TEXT NOT NULL DEFAULT '{}',
      PRIMARY KEY (run_id, mode)
    ) STRICT;
  `,
};
