import type { Migration } from './types.js';

/**
 * Which version of Quire's reader for its kind produced a document's text. When a reader improves
 * (see `ingest/reader-versions.ts`), unchanged files it read before are read again on the next run.
 */
export const readerVersions: Migration = {
  version: 6,
  name: 'reader version per document',
  up: `ALTER TABLE documents ADD COLUMN reader_version INTEGER NOT NULL DEFAULT 1;`,
};
