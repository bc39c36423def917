import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemble, HAMMING_WAT, moduleSource } from '../../scripts/build-wasm.js';
import { BitIndex } from '../../electron/engine/store/bit-index.js';
import { openDatabase, type Db } from '../../electron/engine/store/db.js';
import { VectorStore } from '../../electron/engine/store/vectors.js';
import { ROOT, tempDir } from '../helpers.js';

/** Deterministic vectors with components in [-1, 1). */
function randomVectors(count: number, dimension: number, seed: number): Float32Array[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
  return Array.from({ length: count }, () => Float32Array.from({ length: dimension }, next));
}

function hamming(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let j = 0; j < a.length; j++) if (a[j]! > 0 !== b[j]! > 0) d++;
  return d;
}

describe('the compiled Hamming kernel', () => {
  it('is what scripts/build-wasm.ts assembles from hamming.wat (edit the .wat, then run the script)', async () => {
    const committed = readFileSync(join(ROOT, 'electron', 'engine', 'store', 'hamming-wasm.ts'), 'utf8');
    expect(committed).toBe(moduleSource(await assemble(HAMMING_WAT)));
  });
});

describe('BitIndex', () => {
  const dimension = 96; // not a multiple of 128: the padding words must not count
  const vectors = randomVectors(500, dimension, 7);
  const ids = vectors.map((_, i) => 1000 + i * 3);

  it('returns exactly the vectors nearest by Hamming distance, ties cut at the requested count', () => {
    const index = BitIndex.empty(dimension);
    index.add(ids, vectors);
    const [query] = randomVectors(1, dimension, 99);
    for (const count of [1, 10, 37, 500, 800]) {
      const found = index.nearest(query!, count);
      expect(found).toHaveLength(Math.min(count, vectors.length));
      expect(new Set(found).size).toBe(found.length);
      const distanceOf = new Map(ids.map((id, i) => [id, hamming(vectors[i]!, query!)]));
      const worstFound = Math.max(...found.map((id) => distanceOf.get(id)!));
      const chosen = new Set(found);
      // Nothing left out is nearer than the farthest one chosen.
      for (const [id, d] of distanceOf) if (!chosen.has(id)) expect(d).toBeGreaterThanOrEqual(worstFound);
    }
  });

  it('finds a stored vector first when queried with itself, and forgets removed ones', () => {
    const index = BitIndex.empty(dimension);
    index.add(ids, vectors);
    expect(index.nearest(vectors[42]!, 1)).toEqual([ids[42]]);
    index.remove(new Set([ids[42]!, ids[0]!, 123456]));
    expect(index.count).toBe(vectors.length - 2);
    expect(index.nearest(vectors[42]!, 1)).not.toEqual([ids[42]]);
    expect(index.nearest(vectors[43]!, 1)).toEqual([ids[43]]);
    expect(index.nearest(vectors[42]!, 1000)).not.toContain(ids[0]);
  });

  it('grows past its first capacity without losing vectors', () => {
    const many = randomVectors(5000, dimension, 3);
    const index = BitIndex.empty(dimension);
    for (let start = 0; start < many.length; start += 700) {
      index.add(many.slice(start, start + 700).map((_, i) => start + i + 1), many.slice(start, start + 700));
    }
    expect(index.count).toBe(5000);
    for (const i of [0, 999, 1024, 4999]) expect(index.nearest(many[i]!, 1)).toEqual([i + 1]);
  });
});

describe('the fast vector path follows changes made through other connections', () => {
  const dimension = 64;
  let tmp: ReturnType<typeof tempDir>;
  let reader: Db;
  let writer: Db;
  let readerStore: VectorStore;
  let writerStore: VectorStore;
  const vectors = randomVectors(3000, dimension, 11);

  beforeAll(() => {
    tmp = tempDir();
    const file = join(tmp.dir, 'library.sqlite');
    writer = openDatabase(file);
    writerStore = new VectorStore(writer);
    writerStore.reset(dimension);
    writer.transaction(() => writerStore.insert(vectors.map((_, i) => i + 1), vectors))();
    reader = openDatabase(file);
    readerStore = new VectorStore(reader);
  });
  afterAll(() => {
    reader.close();
    writer.close();
    tmp.cleanup();
  });

  /** The single nearest by the 1-bit first pass alone: wrong if the in-memory bits are stale. */
  const firstPass = (query: Float32Array): number[] => readerStore.nearestFast(query, 1, 1).map((h) => h.chunkId);

  it('sees added vectors, never returns removed ones, and re-reads a replaced vector', () => {
    expect(firstPass(vectors[10]!)).toEqual([11]);
    const [added, replacement] = randomVectors(2, dimension, 12345);
    writer.transaction(() => writerStore.insert([5000], [added!]))();
    expect(firstPass(added!)).toEqual([5000]);

    writer.prepare('DELETE FROM chunk_vectors WHERE chunk_id = 11').run();
    writer.prepare('DELETE FROM chunk_vector_floats WHERE chunk_id = 11').run();
    expect(readerStore.nearestFast(vectors[10]!, 5, 3000).map((h) => h.chunkId)).not.toContain(11);

    // The same id again with another vector, as when the newest chunk is replaced.
    writer.prepare('DELETE FROM chunk_vectors WHERE chunk_id = 5000').run();
    writer.prepare('DELETE FROM chunk_vector_floats WHERE chunk_id = 5000').run();
    writer.transaction(() => writerStore.insert([5000], [replacement!]))();
    expect(firstPass(replacement!)).toEqual([5000]);
    expect(readerStore.nearestFast(vectors[20]!, 10, 3000)).toEqual(readerStore.nearestExact(vectors[20]!, 10));
  });

  it('starts afresh when the vectors are replaced by another model', () => {
    const other = randomVectors(50, dimension, 777);
    writerStore.reset(dimension);
    writer.transaction(() => writerStore.insert(other.map((_, i) => i + 1), other))();
    expect(firstPass(other[7]!)).toEqual([8]);
    expect(readerStore.nearestFast(other[7]!, 100, 3000)).toHaveLength(50);
  });

  it('keeps the change log bounded', () => {
    const more = randomVectors(60_000, dimension, 5);
    writer.transaction(() => writerStore.insert(more.map((_, i) => 10_000 + i), more))();
    const logged = writer.prepare('SELECT COUNT(*) FROM chunk_vector_changes').pluck().get() as number;
    expect(logged).toBeLessThanOrEqual(50_000);
    expect(readerStore.nearestFast(more[59_999]!, 1, 200)[0]!.distance).toBeCloseTo(0, 5);
  });
});
