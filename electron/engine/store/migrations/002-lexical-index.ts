import type { Migration } from './types.js';

/**
 * Full-text index over chunks. Contentless (the text lives once, in `chunks`) with
 * `contentless_delete` so rows can be removed; triggers keep it in step with `chunks` inside the
 * same transactions. Heading path and file name are indexed as their own columns so they can be
 * weighted. `chunks_terms` exposes document frequencies for query planning.
 */
export const lexicalIndex: Migration = {
  version: 2,
  name: 'FTS5 index over chunk text, heading path and file name',
  up: `
    CREATE VIRTUAL TABLE chunks_fts USING fts5(
      text, heading, file,
      content = '', contentless_delete = 1,
      tokenize = 'porter unicode61 remove_diacritics 2'
    );
    CREATE VIRTUAL TABLE chunks_terms USING fts5vocab(chunks_fts, 'row');

    CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN
      INSERT INTO chunks_fts (rowid, text, heading, file) VALUES (
        new.id, new.text,
        (SELECT coalesce(group_concat(value, ' / '), '') FROM json_each(new.heading_path)),
        (SELECT relative_path FROM documents WHERE id = new.document_id)
      );
    END;
    CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
      DELETE FROM chunks_fts WHERE rowid = old.id;
    END;

    INSERT INTO chunks_fts (rowid, text, heading, file)
      SELECT c.id, c.text, (SELECT coalesce(group_concat(value, ' / '), '') FROM json_each(c.heading_path)), d.relative_path
      FROM chunks c JOIN documents d ON d.id = c.document_id;
  `,
};
