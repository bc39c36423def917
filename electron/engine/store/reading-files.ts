import { statement, type Db } from './db.js';

/** Runs that ended while reading a file before it is taken for the cause and skipped. */
export const UNFINISHED_RUNS_BEFORE_SKIPPING = 2;

/**
 * Which files an indexing run is reading (parsing, recognising, embedding, storing), kept in the
 * library file so that it outlives the engine. A file still listed when the next run starts was
 * being read when the last run ended without finishing it: a kill, a power cut, or an engine
 * brought down by that very file.
 */
export class ReadingFiles {
  constructor(private readonly db: Db) {}

  /** `unfinishedRuns`: how many runs in a row ended while reading this file before (it is a suspect when above 0). */
  start(documentId: number, unfinishedRuns = 0): void {
    statement(this.db, 'INSERT OR REPLACE INTO files_being_read (document_id, unfinished_runs) VALUES (?, ?)').run(documentId, unfinishedRuns);
  }

  finish(documentId: number): void {
    statement(this.db, 'DELETE FROM files_being_read WHERE document_id = ?').run(documentId);
  }

  /**
   * At the start of a run: the files the last run left unfinished, each with how many runs in a
   * row (that one included) ended while reading it; the table is emptied, so that it lists only
   * what this run is reading. Only `blame` (the engine before this one crashed) counts them: a run
   * stopped by a kill or a quit says nothing about the file, which is simply read again.
   */
  leftUnfinished({ blame }: { blame: boolean }): Map<number, number> {
    return this.db.transaction(() => {
      const rows = statement(this.db, 'SELECT document_id, unfinished_runs FROM files_being_read').raw().all() as [number, number][];
      statement(this.db, 'DELETE FROM files_being_read').run();
      return new Map(blame ? rows.map(([id, runs]) => [id, runs + 1] as const) : []);
    }).immediate();
  }
}
