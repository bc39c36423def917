import { HAMMING_WASM } from './hamming-wasm.js';

interface HammingExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  distances(vectors: number, count: number, words64: number, query: number, distances: number, histogram: number): void;
  within(distances: number, count: number, cutoff: number, ties: number, out: number): number;
}

/** Node has WebAssembly, but TypeScript types it only in its DOM library, which the engine does not use. */
const { WebAssembly: wasm } = globalThis as unknown as {
  WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object) => { exports: unknown } };
};
const hammingModule = new wasm.Module(Buffer.from(HAMMING_WASM, 'base64'));
const PAGE = 65_536;

/** 32-bit words per vector, padded with zero bits to a multiple of four. */
const wordsFor = (dimension: number): number => Math.ceil(dimension / 128) * 4;
const align = (bytes: number): number => Math.ceil(bytes / 64) * 64;

/**
 * Every vector's sign bits, in WebAssembly memory (48 bytes per 384-dim vector), for the fast
 * path's first pass. Same layout as vec_quantize_binary: dimension j is bit j % 8 of byte j / 8.
 * Memory: [query | histogram | vectors (capacity) | distances | selected positions].
 */
export class BitIndex {
  private readonly words: number;
  private readonly wasm: HammingExports;
  private readonly histogramAt: number;
  private readonly vectorsAt: number;
  private ids: Float64Array;
  private size = 0;
  private maxId = -Infinity;

  private constructor(private readonly dimension: number, capacity: number) {
    this.words = wordsFor(dimension);
    this.wasm = new wasm.Instance(hammingModule).exports as HammingExports;
    this.histogramAt = align(this.words * 4);
    this.vectorsAt = this.histogramAt + align((dimension + 1) * 4);
    this.ids = new Float64Array(0);
    this.reserve(capacity);
  }

  get count(): number {
    return this.size;
  }

  static empty(dimension: number): BitIndex {
    return new BitIndex(dimension, 1024);
  }

  /** Codes as stored in `chunk_vector_bits` (dimension / 8 bytes each, `vec_quantize_binary` layout). */
  static fromCodes(dimension: number, ids: readonly number[], codes: readonly Uint8Array[]): BitIndex {
    const index = new BitIndex(dimension, ids.length);
    index.addCodes(ids, codes);
    return index;
  }

  /** Adds vectors by their codes packed one after another (`ids.length` × dimension / 8 bytes). */
  addPacked(ids: readonly number[], packed: Uint8Array): void {
    const bytes = this.dimension / 8;
    if (packed.length !== ids.length * bytes) throw new Error(`${packed.length} bytes of codes for ${ids.length} vectors of ${this.dimension} dimensions`);
    this.addCodes(ids, ids.map((_, n) => packed.subarray(n * bytes, (n + 1) * bytes)));
  }

  /** Adds vectors by their stored codes (a code of the wrong length is refused). */
  addCodes(ids: readonly number[], codes: readonly Uint8Array[]): void {
    const bytes = this.dimension / 8;
    this.reserve(this.size + ids.length);
    const stride = this.words * 4;
    const memory = new Uint8Array(this.wasm.memory.buffer);
    ids.forEach((id, n) => {
      const code = codes[n]!;
      if (code.length !== bytes) throw new Error(`Vector code of ${code.length} bytes for ${this.dimension} dimensions`);
      const at = this.vectorsAt + (this.size + n) * stride;
      memory.fill(0, at, at + stride);
      memory.set(code, at);
      this.ids[this.size + n] = id;
      if (id > this.maxId) this.maxId = id;
    });
    this.size += ids.length;
  }

  /** Drops the vectors of `ids` (an id not in the index is ignored). */
  remove(ids: ReadonlySet<number>): void {
    // New ids only (the usual case while indexing): nothing to look for.
    if ([...ids].every((id) => id > this.maxId)) return;
    const stride = this.words * 4;
    const memory = new Uint8Array(this.wasm.memory.buffer);
    let kept = 0;
    for (let i = 0; i < this.size; i++) {
      if (ids.has(this.ids[i]!)) continue;
      if (kept !== i) {
        this.ids[kept] = this.ids[i]!;
        memory.copyWithin(this.vectorsAt + kept * stride, this.vectorsAt + i * stride, this.vectorsAt + (i + 1) * stride);
      }
      kept++;
    }
    this.size = kept;
  }

  /** Adds vectors by the signs of their float components. */
  add(ids: readonly number[], vectors: readonly Float32Array[]): void {
    this.reserve(this.size + ids.length);
    const stride = this.words;
    const words = new Uint32Array(this.wasm.memory.buffer, this.vectorsAt);
    ids.forEach((id, n) => {
      const vector = vectors[n]!;
      const at = (this.size + n) * stride;
      words.fill(0, at, at + stride);
      signBits(vector, this.dimension, words, at);
      this.ids[this.size + n] = id;
      if (id > this.maxId) this.maxId = id;
    });
    this.size += ids.length;
  }

  /** Ids of the `count` vectors nearest to `query` by Hamming distance between sign bits. */
  nearest(query: Float32Array, count: number): number[] {
    const { words, dimension, size, wasm } = this;
    if (size === 0 || count <= 0) return [];
    const distancesAt = this.distancesAt();
    const selectedAt = this.selectedAt();
    const queryWords = new Uint32Array(wasm.memory.buffer, 0, words).fill(0);
    signBits(query, dimension, queryWords, 0);
    const histogram = new Uint32Array(wasm.memory.buffer, this.histogramAt, dimension + 1).fill(0);
    wasm.distances(this.vectorsAt, size, words / 2, 0, distancesAt, this.histogramAt);
    // Distances are small integers, so the histogram gives the cut-off without sorting.
    let cutoff = 0;
    let below = 0;
    while (cutoff < dimension && below + histogram[cutoff]! < count) below += histogram[cutoff++]!;
    const found = wasm.within(distancesAt, size, cutoff, count - below, selectedAt);
    return Array.from(new Uint32Array(wasm.memory.buffer, selectedAt, found), (position) => this.ids[position]!);
  }

  private capacity(): number {
    return this.ids.length;
  }

  private distancesAt(): number {
    return this.vectorsAt + align(this.capacity() * this.words * 4);
  }

  private selectedAt(): number {
    return this.distancesAt() + align(this.capacity() * 2);
  }

  /** Room for `needed` vectors; the scratch areas after the vectors move, the vectors stay. */
  private reserve(needed: number): void {
    if (needed <= this.capacity() && this.ids.length > 0) return;
    const capacity = Math.max(needed, Math.ceil(this.capacity() * 1.5), 1024);
    const bytes = this.vectorsAt + align(capacity * this.words * 4) + align(capacity * 2) + capacity * 4;
    const pages = Math.ceil(bytes / PAGE) - this.wasm.memory.buffer.byteLength / PAGE;
    if (pages > 0) this.wasm.memory.grow(pages);
    const ids = new Float64Array(capacity);
    ids.set(this.ids.subarray(0, this.size));
    this.ids = ids;
  }
}

/** Sets bit j of `out` (from word `at`) where component j is positive, as vec_quantize_binary does. */
function signBits(vector: Float32Array, dimension: number, out: Uint32Array, at: number): void {
  for (let j = 0; j < dimension; j++) if (vector[j]! > 0) out[at + (j >> 5)] = out[at + (j >> 5)]! | (1 << (j & 31));
}
