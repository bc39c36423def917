import type { Db } from './db.js';

export interface VectorHit {
  chunkId: number;
  /** Cosine distance (0 = same direction, 2 = opposite). */
  distance: number;
}

const TABLE = 'chunk_vectors';

/**
 * Chunk embeddings in a sqlite-vec `vec0` table: float32 vectors (cosine) for exact search, and
 * the same vectors quantised to one bit per dimension for a fast first pass over large libraries.
 * A trigger removes a chunk's vectors with the chunk, in the same transaction.
 */
export class VectorStore {
  constructor(private readonly db: Db) {}

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
      CREATE VIRTUAL TABLE ${TABLE} USING vec0(
        chunk_id INTEGER PRIMARY KEY,
        embedding float[${dimension}] distance_metric=cosine,
        embedding_bits bit[${dimension}]
      );
      CREATE TRIGGER chunk_vectors_delete AFTER DELETE ON chunks BEGIN
        DELETE FROM ${TABLE} WHERE chunk_id = old.id;
      END;
    `);
  }

  drop(): void {
    this.db.exec(`DROP TRIGGER IF EXISTS chunk_vectors_delete; DROP TABLE IF EXISTS ${TABLE};`);
  }

  insert(chunkIds: readonly number[], vectors: readonly Float32Array[]): void {
    const statement = this.db.prepare(`INSERT INTO ${TABLE} (chunk_id, embedding, embedding_bits) VALUES (?, ?, vec_quantize_binary(?))`);
    chunkIds.forEach((id, i) => {
      const blob = toBlob(vectors[i]!);
      statement.run(BigInt(id), blob, blob);
    });
  }

  count(): number {
    if (this.dimension() === null) return 0;
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM ${TABLE}`).get() as { n: number }).n;
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
   * Two passes: Hamming distance over the 1-bit vectors (32x less to scan) picks `candidates`
   * chunks, then their float vectors are re-scored exactly.
   */
  nearestFast(query: Float32Array, k: number, candidates: number): VectorHit[] {
    const blob = toBlob(query);
    return this.db
      .prepare(
        `WITH first_pass AS (
           SELECT chunk_id FROM ${TABLE} WHERE embedding_bits MATCH vec_quantize_binary(?) AND k = ?
         )
         SELECT v.chunk_id AS chunkId, vec_distance_cosine(v.embedding, ?) AS distance
         FROM ${TABLE} v WHERE v.chunk_id IN (SELECT chunk_id FROM first_pass)
         ORDER BY distance LIMIT ?`,
      )
      .all(blob, Math.max(candidates, k), blob, k) as VectorHit[];
  }
}

function toBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}
