import { BitIndex } from './bit-index.js';
import { statement, type Db } from './db.js';

export interface VectorHit {
  chunkId: number;
  /** Cosine distance (0 = same direction, 2 = opposite). */
  distance: number;
}

const TABLE = 'chunk_vectors';
/** The 1-bit codes of the fast path, in Quire's own table (migration 007), beside the float vectors. */
const BITS = 'chunk_vector_bits';
/** Set by migration 007 in a library that had vectors before its codes were kept: filled on open. */
const BITS_PENDING = 'vector_bits_pending';
/** The float vectors again, in an ordinary table: vec0 packs 1,024 per blob, so fetching one to re-score costs ~0.3 ms there. */
const FLOATS = 'chunk_vector_floats';
/**
 * Every vector added or removed, in order, so that the in-memory bit index of each connection
 * (this process's or another's) follows changes without reading all vectors again.
 * `op`: 1 added, 0 removed, 2 everything replaced. Only the latest CHANGE_LOG_KEPT entries are kept;
 * a reader further behind loads the index afresh.
 */
const CHANGES = 'chunk_vector_changes';
const CHANGE_LOG_KEPT = 50_000;
const OP_REMOVED = 0;
const OP_ADDED = 1;
const OP_REPLACED = 2;

const FLOATS_TABLE = `
  CREATE TABLE ${FLOATS} (chunk_id INTEGER PRIMARY KEY, embedding BLOB NOT NULL) STRICT;
  CREATE TRIGGER chunk_vectors_delete AFTER DELETE ON chunks BEGIN
    DELETE FROM ${TABLE} WHERE chunk_id = old.id;
    DELETE FROM ${FLOATS} WHERE chunk_id = old.id;
  END;`;
/** A vector's code goes with its float vector, however that is removed. */
const BITS_FOLLOW = `
  CREATE TRIGGER IF NOT EXISTS chunk_vector_bits_follow AFTER DELETE ON ${FLOATS} BEGIN
    DELETE FROM ${BITS} WHERE chunk_id = old.chunk_id;
  END;`;
/** Creates the log if needed and records that every vector was replaced. */
const CHANGE_LOG_RESTARTED = `
  CREATE TABLE IF NOT EXISTS ${CHANGES} (seq INTEGER PRIMARY KEY AUTOINCREMENT, chunk_id INTEGER NOT NULL, op INTEGER NOT NULL) STRICT;
  INSERT INTO ${CHANGES} (chunk_id, op) VALUES (0, ${OP_REPLACED});`;
const CHANGE_LOG = `${CHANGE_LOG_RESTARTED}
  CREATE TRIGGER IF NOT EXISTS chunk_vector_added AFTER INSERT ON ${FLOATS} BEGIN
    INSERT INTO ${CHANGES} (chunk_id, op) VALUES (new.chunk_id, ${OP_ADDED});
  END;
  CREATE TRIGGER IF NOT EXISTS chunk_vector_removed AFTER DELETE ON ${FLOATS} BEGIN
    INSERT INTO ${CHANGES} (chunk_id, op) VALUES (old.chunk_id, ${OP_REMOVED});
  END;`;

/** Beyond this share of the index, applying changes one by one costs more than loading afresh. */
const INCREMENTAL_SHARE = 0.2;

/**
 * Chunk embeddings in a sqlite-vec `vec0` table: float32 vectors (cosine) for exact search, and
 * the same vectors quantised to one bit per dimension for a fast first pass over large libraries.
 * A trigger removes a chunk's vectors with the chunk, in the same transaction.
 */
export class VectorStore {
  private bits: { index: BitIndex; seq: number } | null = null;
  private vec0HasBits: boolean | null = null;

  constructor(private readonly db: Db) {
    // Libraries embedded before the float table, the change log or the codes table existed get them once.
    const pending = statement(db, 'SELECT 1 FROM meta WHERE key = ?').get(BITS_PENDING) !== undefined;
    if (this.dimension() === null) {
      if (pending) statement(db, 'DELETE FROM meta WHERE key = ?').run(BITS_PENDING);
      return;
    }
    const has = (name: string): boolean => statement(db, 'SELECT 1 FROM sqlite_master WHERE name = ?').get(name) !== undefined;
    if (!has(FLOATS) || !has('chunk_vector_removed') || !has('chunk_vector_bits_follow') || pending) {
      db.transaction(() => {
        if (!has(FLOATS)) db.exec(`DROP TRIGGER IF EXISTS chunk_vectors_delete; ${FLOATS_TABLE} INSERT INTO ${FLOATS} (chunk_id, embedding) SELECT chunk_id, embedding FROM ${TABLE};`);
        if (!has('chunk_vector_removed')) db.exec(CHANGE_LOG);
        db.exec(BITS_FOLLOW);
        if (pending) {
          db.exec(`DELETE FROM ${BITS}; INSERT INTO ${BITS} (chunk_id, bits) SELECT chunk_id, vec_quantize_binary(embedding) FROM ${FLOATS};`);
          db.exec(`INSERT INTO ${CHANGES} (chunk_id, op) VALUES (0, ${OP_REPLACED});`);
          statement(db, 'DELETE FROM meta WHERE key = ?').run(BITS_PENDING);
        }
      }).immediate();
    }
  }

  dimension(): number | null {
    const row = statement(this.db, "SELECT sql FROM sqlite_master WHERE name = ?").get(TABLE) as { sql: string } | undefined;
    const match = row && /float\[(\d+)\]/.exec(row.sql);
    return match ? Number(match[1]) : null;
  }

  /** Creates the table for `dimension`, dropping vectors of any other dimension or model first. */
  reset(dimension: number): void {
    if (!Number.isInteger(dimension) || dimension <= 0 || dimension % 8 !== 0) {
      throw new Error(`Embedding dimension must be a positive multiple of 8, got ${dimension}`);
    }
    this.db.transaction(() => {
      this.dropTables();
      this.db.exec(`
        CREATE VIRTUAL TABLE ${TABLE} USING vec0(
          chunk_id INTEGER PRIMARY KEY,
          embedding float[${dimension}] distance_metric=cosine
        );
        ${FLOATS_TABLE}
        ${BITS_FOLLOW}
        ${CHANGE_LOG}`);
    })();
    this.bits = null;
  }

  drop(): void {
    this.db.transaction(() => {
      this.dropTables();
      this.db.exec(CHANGE_LOG_RESTARTED);
    })();
    this.bits = null;
  }

  /** The change log is kept (only emptied), so that its sequence numbers never go back. */
  private dropTables(): void {
    this.db.exec(`DROP TRIGGER IF EXISTS chunk_vectors_delete; DROP TABLE IF EXISTS ${TABLE}; DROP TABLE IF EXISTS ${FLOATS}; DELETE FROM ${BITS};`);
    this.vec0HasBits = null;
    if (statement(this.db, 'SELECT 1 FROM sqlite_master WHERE name = ?').get(CHANGES)) this.db.exec(`DELETE FROM ${CHANGES}`);
  }

  /** Call inside a transaction: the vectors, their floats and their codes are written together. */
  insert(chunkIds: readonly number[], vectors: readonly Float32Array[]): void {
    // Tables made before the codes had their own table also keep a bit column in vec0, which must be given.
    this.vec0HasBits ??= /embedding_bits/.test((statement(this.db, 'SELECT sql FROM sqlite_master WHERE name = ?').get(TABLE) as { sql: string } | undefined)?.sql ?? '');
    const vec0 = this.vec0HasBits
      ? statement(this.db, `INSERT INTO ${TABLE} (chunk_id, embedding, embedding_bits) VALUES (?, ?, vec_quantize_binary(?))`)
      : statement(this.db, `INSERT INTO ${TABLE} (chunk_id, embedding) VALUES (?, ?)`);
    const floats = statement(this.db, `INSERT INTO ${FLOATS} (chunk_id, embedding) VALUES (?, ?)`);
    const bits = statement(this.db, `INSERT INTO ${BITS} (chunk_id, bits) VALUES (?, vec_quantize_binary(?))`);
    chunkIds.forEach((id, i) => {
      const blob = toBlob(vectors[i]!);
      if (this.vec0HasBits) vec0.run(BigInt(id), blob, blob);
      else vec0.run(BigInt(id), blob);
      floats.run(id, blob);
      bits.run(id, blob);
    });
    this.pruneChanges();
  }

  private pruneChanges(): void {
    statement(this.db, `DELETE FROM ${CHANGES} WHERE seq <= (SELECT MAX(seq) FROM ${CHANGES}) - ?`).run(CHANGE_LOG_KEPT);
  }

  count(): number {
    if (this.dimension() === null) return 0;
    // COUNT(*) on the vec0 table reads every vector (37 ms at 100k); the codes table has one small row per vector.
    return (statement(this.db, `SELECT COUNT(*) AS n FROM ${BITS}`).get() as { n: number }).n;
  }

  /** Chunks that have no vector yet (new, or left by an interrupted run), in id order. */
  missing(limit: number, afterId = 0): { id: number; text: string }[] {
    return statement(this.db, `SELECT c.id, c.text FROM chunks c WHERE c.id > ? AND NOT EXISTS (SELECT 1 FROM ${BITS} v WHERE v.chunk_id = c.id) ORDER BY c.id LIMIT ?`)
      .all(afterId, limit) as { id: number; text: string }[];
  }

  /** Exact k-nearest neighbours by cosine distance over every vector. */
  nearestExact(query: Float32Array, k: number): VectorHit[] {
    return statement(this.db, `SELECT chunk_id AS chunkId, distance FROM ${TABLE} WHERE embedding MATCH ? AND k = ? ORDER BY distance`)
      .all(toBlob(query), k) as VectorHit[];
  }

  /**
   * Two passes: Hamming distance over the 1-bit vectors, held in memory, picks `candidates`
   * chunks, then their float vectors are re-scored exactly.
   */
  nearestFast(query: Float32Array, k: number, candidates: number): VectorHit[] {
    const ids = this.bitIndex().nearest(query, Math.max(candidates, k));
    return statement(
      this.db,
      `SELECT chunk_id AS chunkId, vec_distance_cosine(embedding, ?) AS distance FROM ${FLOATS}
       WHERE chunk_id IN (SELECT value FROM json_each(?)) ORDER BY distance LIMIT ?`,
    ).all(toBlob(query), JSON.stringify(ids), k) as VectorHit[];
  }

  /**
   * Follows the change log: vectors added or removed since the index was read (by this connection
   * or another) are applied to it; it is read afresh after a model change, or when it fell behind
   * the log or by more than a fifth of its size.
   */
  private bitIndex(): BitIndex {
    const latest = (statement(this.db, `SELECT MAX(seq) FROM ${CHANGES}`).pluck().get() as number | null) ?? 0;
    if (this.bits && this.bits.seq === latest) return this.bits.index;
    const bits = this.bits;
    const updated = bits && latest > bits.seq ? this.db.transaction(() => this.applyChanges(bits.index, bits.seq))() : null;
    this.bits = updated ?? this.db.transaction(() => this.loadBits())();
    return this.bits.index;
  }

  private loadBits(): { index: BitIndex; seq: number } {
    const seq = (statement(this.db, `SELECT MAX(seq) FROM ${CHANGES}`).pluck().get() as number | null) ?? 0;
    const index = loadCodes(this.db, this.dimension()!);
    return { index, seq };
  }

  /** Null when loading afresh is needed or cheaper. */
  private applyChanges(index: BitIndex, since: number): { index: BitIndex; seq: number } | null {
    const first = statement(this.db, `SELECT MIN(seq) FROM ${CHANGES}`).pluck().get() as number | null;
    if (first === null || first > since + 1) return null;
    const changes = statement(this.db, `SELECT seq, chunk_id, op FROM ${CHANGES} WHERE seq > ? ORDER BY seq LIMIT ?`)
      .raw()
      .all(since, Math.ceil(index.count * INCREMENTAL_SHARE) + 1) as [number, number, number][];
    if (changes.length > index.count * INCREMENTAL_SHARE || changes.some(([, , op]) => op === OP_REPLACED)) return null;
    const touched = new Set<number>(changes.map(([, id]) => id));
    const added = changes.filter(([, , op]) => op === OP_ADDED).map(([, id]) => id);
    index.remove(touched);
    const rows = statement(this.db, `SELECT chunk_id, bits FROM ${BITS} WHERE chunk_id IN (SELECT value FROM json_each(?))`)
      .raw()
      .all(JSON.stringify([...new Set(added)])) as [number, Buffer][];
    index.addCodes(
      rows.map(([id]) => id),
      rows.map(([, code]) => code),
    );
    return { index, seq: changes.at(-1)![0] };
  }
}

/**
 * Every stored 1-bit code, into a new index. Read in pages of ids and hex-joined codes: one
 * JavaScript value per page rather than two per vector (1.2 s against 9 s for a million vectors
 * on a loaded machine).
 */
export function loadCodes(db: Db, dimension: number): BitIndex {
  const index = BitIndex.empty(dimension);
  const page = statement(
    db,
    `SELECT group_concat(chunk_id), group_concat(hex(bits), ''), max(chunk_id) FROM (SELECT chunk_id, bits FROM ${BITS} WHERE chunk_id > ? ORDER BY chunk_id LIMIT 65536)`,
  ).raw();
  for (let after = Number.MIN_SAFE_INTEGER; ; ) {
    const [ids, codes, last] = page.get(after) as [string | null, string | null, number | null];
    if (ids === null || codes === null || last === null) break;
    index.addPacked(ids.split(',').map(Number), Buffer.from(codes, 'hex'));
    after = last;
  }
  return index;
}

function toBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}
