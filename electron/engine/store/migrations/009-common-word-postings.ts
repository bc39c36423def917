import type { Migration } from './types.js';

/**
 * Postings of the library's common words in Quire's own table (`search/common-words.ts`): for
 * each word found in many passages, every passage that has it, with its column-weighted count and
 * the passage's length as FTS5 counts them. Lexical search scores those words from here at a few
 * nanoseconds a passage instead of having FTS5 rank each one (about a microsecond).
 * Built after indexing; each later indexing run adds a generation for the passages it added.
 * The triggers note, once an index exists, which passages were added since (searched from their
 * text until the next refresh) and which were removed (their postings ignored; a chunk id can be
 * used again by a new passage, so a removal voids the postings of every generation up to the
 * current one).
 */
export const commonWordPostings: Migration = {
  version: 9,
  name: 'postings of common words for exact lexical search',
  up: `
    CREATE TABLE common_word_postings (
      stem TEXT NOT NULL,
      generation INTEGER NOT NULL,
      postings BLOB NOT NULL,
      PRIMARY KEY (stem, generation)
    ) STRICT;
    CREATE TABLE common_word_added (chunk_id INTEGER PRIMARY KEY) STRICT;
    CREATE TABLE common_word_removed (chunk_id INTEGER PRIMARY KEY, generation INTEGER NOT NULL) STRICT;

    CREATE TRIGGER common_word_added AFTER INSERT ON chunks WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'common_words') BEGIN
      INSERT OR IGNORE INTO common_word_added (chunk_id) VALUES (new.id);
    END;
    CREATE TRIGGER common_word_removed AFTER DELETE ON chunks WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'common_words') BEGIN
      DELETE FROM common_word_added WHERE chunk_id = old.id;
      INSERT OR REPLACE INTO common_word_removed (chunk_id, generation)
        VALUES (old.id, (SELECT json_extract(value, '$.generation') FROM meta WHERE key = 'common_words'));
    END;
  `,
};
