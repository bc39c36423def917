import type { Migration } from './types.js';

/**
 * The fast vector path's 1-bit codes (one sign bit per dimension, `vec_quantize_binary` layout:
 * dimension j is bit j % 8 of byte j / 8) in Quire's own table, written in the same transactions
 * as the float vectors (`store/vectors.ts`), so that nothing reads sqlite-vec's private storage.
 * A chunk's code goes with the chunk. Libraries that already have vectors are marked here and get
 * their codes from their float vectors when the library is next opened for search or indexing
 * (`VectorStore`): a migration is plain SQL, and the float table may not exist yet.
 */
export const vectorBits: Migration = {
  version: 7,
  name: "1-bit vector codes in Quire's own table",
  up: `
    CREATE TABLE chunk_vector_bits (chunk_id INTEGER PRIMARY KEY, bits BLOB NOT NULL) STRICT;
    CREATE TRIGGER chunk_vector_bits_delete AFTER DELETE ON chunks BEGIN
      DELETE FROM chunk_vector_bits WHERE chunk_id = old.id;
    END;
    INSERT INTO meta (key, value) SELECT 'vector_bits_pending', '1' WHERE EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'chunk_vectors');
  `,
};
