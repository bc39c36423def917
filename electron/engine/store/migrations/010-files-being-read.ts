import type { Migration } from './types.js';

/**
 * The files an indexing run is reading right now. A row left behind at the start of a run means the
 * run before ended while reading that file: in the desktop app parsers are threads of the engine, so
 * a file that aborts its parser takes the engine down, and without this it would do so again on
 * every run (see `ReadingFiles`).
 */
export const filesBeingRead: Migration = {
  version: 10,
  name: 'files being read',
  up: `CREATE TABLE files_being_read (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    unfinished_runs INTEGER NOT NULL DEFAULT 0
  );`,
};
