import type { Migration } from './types.js';

/**
 * Parts of files as documents of their own (a mailbox's messages, a message's attachments), the
 * locations of spreadsheet and OCR chunks, and the OCR cache. Cached recognitions are keyed by
 * content (a hash of the page's pixels, or of the file's bytes and the page number), never by
 * path, so renaming, moving or re-indexing a file finds them again.
 */
export const ocrSheetsMail: Migration = {
  version: 5,
  name: 'child documents, sheet/row/frame/OCR chunk locations, OCR cache',
  up: `
    ALTER TABLE documents ADD COLUMN parent_id INTEGER REFERENCES documents(id) ON DELETE CASCADE;
    ALTER TABLE documents ADD COLUMN meta TEXT;
    CREATE INDEX documents_parent ON documents(parent_id);

    ALTER TABLE chunks ADD COLUMN frame INTEGER;
    ALTER TABLE chunks ADD COLUMN sheet TEXT;
    ALTER TABLE chunks ADD COLUMN row_start INTEGER;
    ALTER TABLE chunks ADD COLUMN row_end INTEGER;
    ALTER TABLE chunks ADD COLUMN ocr_confidence REAL;

    CREATE TABLE ocr_cache (
      key        TEXT PRIMARY KEY,
      result     TEXT NOT NULL,
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ) STRICT;
  `,
};
