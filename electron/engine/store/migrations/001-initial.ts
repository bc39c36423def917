import type { Migration } from './types.js';

export const initial: Migration = {
  version: 1,
  name: 'folders, documents, chunks and library metadata',
  up: `
    CREATE TABLE meta (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;

    CREATE TABLE folders (
      id       INTEGER PRIMARY KEY,
      path     TEXT NOT NULL UNIQUE,
      include  TEXT NOT NULL DEFAULT '[]',
      exclude  TEXT NOT NULL DEFAULT '[]',
      added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ) STRICT;

    CREATE TABLE documents (
      id            INTEGER PRIMARY KEY,
      folder_id     INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
      path          TEXT NOT NULL UNIQUE,
      path_bytes    BLOB,
      relative_path TEXT NOT NULL,
      kind          TEXT,
      size          INTEGER,
      mtime_ms      INTEGER,
      content_hash  TEXT,
      status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'indexed', 'skipped', 'failed')),
      reason        TEXT,
      message       TEXT,
      chunk_count   INTEGER NOT NULL DEFAULT 0,
      indexed_at    TEXT
    ) STRICT;
    CREATE INDEX documents_folder ON documents(folder_id);
    CREATE INDEX documents_status ON documents(status);

    CREATE TABLE chunks (
      id           INTEGER PRIMARY KEY,
      document_id  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
      ordinal      INTEGER NOT NULL,
      text         TEXT NOT NULL,
      char_start   INTEGER NOT NULL,
      char_end     INTEGER NOT NULL,
      page         INTEGER,
      line_start   INTEGER,
      line_end     INTEGER,
      heading_path TEXT NOT NULL DEFAULT '[]',
      token_count  INTEGER NOT NULL,
      UNIQUE (document_id, ordinal)
    ) STRICT;
  `,
};
