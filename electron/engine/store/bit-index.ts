import type { Db } from './db.js';

/** Set bits per 16-bit value. */
const POPCOUNT16 = new Uint8Array(1 << 16);
for (let i = 1; i < POPCOUNT16.length; i++) POPCOUNT16[i] = (i & 1) + POPCOUNT16[i >> 1]!;

/** 32-bit words per vector, padded with zero bits to a multiple of four. */
const wordsFor = (dimension: number): number => Math.ceil(dimension / 128) * 4;

/**
 * Every vector's sign bits, in memory (48 bytes per 384-dim vector), for the fast path's first
 * pass. Same layout as vec_quantize_binary: dimension j is bit j % 8 of byte j / 8.
 */
export class BitIndex {
  private readonly words: number;
  private readonly distances: Uint16Array;

  private constructor(
    private readonly dimension: number,
    private readonly ids: Float64Array,
    private readonly bits: Uint32Array,
  ) {
    this.words = wordsFor(dimension);
    this.distances = new Uint16Array(ids.length);
  }

  /**
   * Reads the bits from vec0's own storage, 1,024 vectors per row (~15 ms per 100k vectors, against
   * ~900 ms through the virtual table). This is vec0's layout as of sqlite-vec 0.1.9, which package.json pins.
   */
  static load(db: Db, table: string, column: number, dimension: number): BitIndex {
    const bytes = dimension / 8;
    const words = wordsFor(dimension);
    const rows = db
      .prepare(
        `SELECT c.size, c.validity, c.rowids, v.vectors FROM "${table}_chunks" c
         JOIN "${table}_vector_chunks${String(column).padStart(2, '0')}" v ON v.rowid = c.chunk_id ORDER BY c.chunk_id`,
      )
      .raw()
      .all() as [number, Buffer, Buffer, Buffer][];
    const valid = (validity: Buffer, i: number): boolean => (validity[i >> 3]! & (1 << (i & 7))) !== 0;
    let count = 0;
    for (const [size, validity] of rows) for (let i = 0; i < size; i++) if (valid(validity, i)) count++;
    const ids = new Float64Array(count);
    const bits = new Uint32Array(count * words);
    const packed = new Uint8Array(bits.buffer);
    let at = 0;
    for (const [size, validity, rowids, vectors] of rows) {
      for (let i = 0; i < size; i++) {
        if (!valid(validity, i)) continue;
        ids[at] = Number(rowids.readBigInt64LE(i * 8));
        packed.set(vectors.subarray(i * bytes, (i + 1) * bytes), at * words * 4);
        at++;
      }
    }
    return new BitIndex(dimension, ids, bits);
  }

  /** Ids of the `count` vectors nearest to `query` by Hamming distance between sign bits. */
  nearest(query: Float32Array, count: number): number[] {
    const { words, dimension, bits, distances } = this;
    const q = new Uint32Array(words);
    for (let j = 0; j < dimension; j++) if (query[j]! > 0) q[j >> 5] = q[j >> 5]! | (1 << (j & 31));
    // Distances are small integers, so a histogram finds the cut-off without sorting.
    const histogram = new Uint32Array(dimension + 1);
    for (let i = 0, offset = 0; i < distances.length; i++, offset += words) {
      let d = 0;
      // Four words per step: 1.7x faster than one in V8.
      for (let w = 0; w < words; w += 4) {
        const a = bits[offset + w]! ^ q[w]!;
        const b = bits[offset + w + 1]! ^ q[w + 1]!;
        const c = bits[offset + w + 2]! ^ q[w + 2]!;
        const e = bits[offset + w + 3]! ^ q[w + 3]!;
        d += POPCOUNT16[a & 0xffff]! + POPCOUNT16[a >>> 16]! + POPCOUNT16[b & 0xffff]! + POPCOUNT16[b >>> 16]!;
        d += POPCOUNT16[c & 0xffff]! + POPCOUNT16[c >>> 16]! + POPCOUNT16[e & 0xffff]! + POPCOUNT16[e >>> 16]!;
      }
      distances[i] = d;
      histogram[d]!++;
    }
    let cutoff = 0;
    let below = 0;
    while (cutoff < dimension && below + histogram[cutoff]! < count) below += histogram[cutoff++]!;
    let ties = count - below;
    const found: number[] = [];
    for (let i = 0; i < distances.length; i++) {
      const d = distances[i]!;
      if (d < cutoff || (d === cutoff && ties-- > 0)) found.push(this.ids[i]!);
    }
    return found;
  }
}
