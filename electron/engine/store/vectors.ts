import { BitIndex } from './bit-index.js';
import type { Db } from './db.js';

export interface VectorHit {
  chunkId: number;
  /** Cosine distance (0 = same direction, 2 = opposite). */
  distance: number;
}

const TABLE = 'chunk_vectors';
/** The float vectors again, in an ordinary table: vec0 packs 1,024 per blob, so fetching one to re-score costs ~0.3 ms there. */
const FLOATS = 'chunk_vector_floats';

/**
 * Chunk embeddings in a sqlite-vec `vec0` table: float32 vectors (cosine) for exact search, and
 * the same vectors quantised to one bit per dimension for a fast first pass over large libraries.
 * A trigger removes a chunk's vectors with the chunk, in the same transaction.
 */
export class VectorStore {
  private bits: { index: BitIndex; stamp: string } | null = null;

  constructor(private readonly db: Db) {
    // Libraries embedded before the float table existed get it filled once from vec0.
    if (this.dimension() !== null && !db.prepare("SELECT 1 FROM sqlite_master WHERE name = ?").get(FLOATS)) {
      db.transaction(() => {
        db.exec(`CREATE TABLE ${FLOATS} (chunk_id INTEGER PRIMARY KEY, embedding BLOB NOT NULL) STRICT;
          INSERT INTO ${FLOATS} (chunk_id, embedding) SELECT chunk_id, embedding FROM ${TABLE};
          DROP TRIGGER IF EXISTS chunk_vectors_delete;
          CREATE TRIGGER chunk_vectors_delete AFTER DELETE ON chunks BEGIN
            DELETE FROM ${TABLE} WHERE chunk_id = old.id;
            DELETE FROM ${FLOATS} WHERE chunk_id = old.id;
          END;`);
      }).immediate();
    }
  }

  dimension(): number | null {
    const row = this.db.prepare("SELECT sql FROM sqlite_master WHERE name = ?").get(TABLE) as { sql: string } | undefined;
    const match = row && /float\[(\d+)\]/.exec(row.sql);
    return match ? Number(match[1]) : null;
  }

  /** Creates the table for `dimension`, dropping vectors of any other dimension or model first. */
  reset(dimension: number): void {
    if (!Number.isInteger(dimension) || dimension <= 0 || dimension % 8 !== 0) {
      throw new Error(`Embedding dimension must be a positive multiple of 8, got ${dimension}`);
    }
    this.db.exec(`
      DROP TRIGGER IF EXISTS chunk_vectors_delete;
      DROP TABLE IF EXISTS ${TABLE};
      DROP TABLE IF EXISTS ${FLOATS};
      CREATE VIRTUAL TABLE ${TABLE} USING vec0(
        chunk_id INTEGER PRIMARY KEY,
        embedding float[${dimension}] distance_metric=cosine,
        embedding_bits bit[${dimension}]
      );
      CREATE TABLE ${FLOATS} (chunk_id INTEGER PRIMARY KEY, embedding BLOB NOT NULL) STRICT;
      CREATE TRIGGER chunk_vectors_delete AFTER DELETE ON chunks BEGIN
        DELETE FROM ${TABLE} WHERE chunk_id = old.id;
        DELETE FROM ${FLOATS} WHERE chunk_id = old.id;
      END;
    `);
    this.bits = null;
  }

  drop(): void {
    this.db.exec(`DROP TRIGGER IF EXISTS chunk_vectors_delete; DROP TABLE IF EXISTS ${TABLE}; DROP TABLE IF EXISTS ${FLOATS};`);
    this.bits = null;
  }

  insert(chunkIds: readonly number[], vectors: readonly Float32Array[]): void {
    const statement = this.db.prepare(`INSERT INTO ${TABLE} (chunk_id, embedding, embedding_bits) VALUES (?, ?, vec_quantize_binary(?))`);
    const floats = this.db.prepare(`INSERT INTO ${FLOATS} (chunk_id, embedding) VALUES (?, ?)`);
    chunkIds.forEach((id, i) => {
      const blob = toBlob(vectors[i]!);
      statement.run(BigInt(id), blob, blob);
      floats.run(id, blob);
    });
  }

  count(): number {
    if (this.dimension() === null) return 0;
    // COUNT(*) on the vec0 table reads every vector (37 ms at 100k); its rowid table has one row per vector.
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM ${TABLE}_rowids`).get() as { n: number }).n;
  }

  /** Chunks that have no vector yet (new, or left by an interrupted run), in id order. */
  missing(limit: number, afterId = 0): { id: number; text: string }[] {
    return this.db
      .prepare(`SELECT c.id, c.text FROM chunks c WHERE c.id > ? AND NOT EXISTS (SELECT 1 FROM ${TABLE} v WHERE v.chunk_id = c.id) ORDER BY c.id LIMIT ?`)
      .all(afterId, limit) as { id: number; text: string }[];
  }

  /** Exact k-nearest neighbours by cosine distance over every vector. */
  nearestExact(query: Float32Array, k: number): VectorHit[] {
    return this.db
      .prepare(`SELECT chunk_id AS chunkId, distance FROM ${TABLE} WHERE embedding MATCH ? AND k = ? ORDER BY distance`)
      .all(toBlob(query), k) as VectorHit[];
  }

  /**
   * Two passes: Hamming distance over the 1-bit vectors, held in memory, picks `candidates`
   * chunks, then their float vectors are re-scored exactly.
   */
  nearestFast(query: Float32Array, k: number, candidates: number): VectorHit[] {
    const ids = this.bitIndex().nearest(query, Math.max(candidates, k));
    return this.db
      .prepare(
        `SELECT chunk_id AS chunkId, vec_distance_cosine(embedding, ?) AS distance FROM ${FLOATS}
         WHERE chunk_id IN (SELECT value FROM json_each(?)) ORDER BY distance LIMIT ?`,
      )
      .all(toBlob(query), JSON.stringify(ids), k) as VectorHit[];
  }

  /** Reloaded whenever vectors were added or removed since, by this connection or another. */
  private bitIndex(): BitIndex {
    // Two subqueries: together in one SELECT, COUNT(*) loses its fast path and scans (150 ms at 1M).
    const { n, last } = this.db.prepare(`SELECT (SELECT COUNT(*) FROM ${TABLE}_rowids) AS n, (SELECT MAX(rowid) FROM ${TABLE}_rowids) AS last`).get() as { n: number; last: number | null };
    const stamp = `${n}:${last}`;
    if (this.bits?.stamp !== stamp) this.bits = { index: BitIndex.load(this.db, TABLE, 1, this.dimension()!), stamp };
    return this.bits.index;
  }
}

function toBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}
