import { seededRandom } from '../eval/random.js';

/**
 * A query-side adapter for a library's embedder: a d x d linear map applied to query embeddings
 * (then normalised), learnt from the library's own query/passage pairs. Passages keep their stored
 * vectors, so switching the adapter off restores the previous ranking exactly, and training never
 * re-embeds the library.
 */
export class QueryAdapter {
  constructor(
    readonly dimension: number,
    /** Row-major d x d. */
    readonly matrix: Float32Array,
  ) {
    if (matrix.length !== dimension * dimension) throw new Error(`A query adapter for ${dimension} dimensions needs ${dimension * dimension} weights, got ${matrix.length}`);
  }

  static identity(dimension: number): QueryAdapter {
    const matrix = new Float32Array(dimension * dimension);
    for (let i = 0; i < dimension; i++) matrix[i * dimension + i] = 1;
    return new QueryAdapter(dimension, matrix);
  }

  static fromBlob(blob: Uint8Array, dimension: number): QueryAdapter {
    const copy = new Uint8Array(blob.byteLength);
    copy.set(blob);
    return new QueryAdapter(dimension, new Float32Array(copy.buffer));
  }

  toBlob(): Buffer {
    return Buffer.from(this.matrix.buffer, this.matrix.byteOffset, this.matrix.byteLength);
  }

  /** W q, as a unit vector (a query of another dimension is returned unchanged). */
  apply(query: Float32Array): Float32Array {
    const d = this.dimension;
    if (query.length !== d) return query;
    const out = new Float32Array(d);
    multiply(this.matrix, query, out, d);
    normalise(out);
    return out;
  }
}

export interface TrainingPair {
  query: Float32Array;
  passage: Float32Array;
}

export interface TrainOptions {
  /** Passes over the pairs (the best one on a validation part of the pairs is kept). */
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Softmax temperature over cosine similarities. */
  temperature?: number;
  /** L2 pull of the map towards identity. */
  regularisation?: number;
  /** Share of the pairs kept aside to choose the best epoch. */
  validationShare?: number;
  signal?: AbortSignal;
  /** Called after each epoch; training yields to the event loop there. */
  onEpoch?: (epoch: number, epochs: number) => void;
}

/**
 * Trains the map with in-batch negatives (InfoNCE: each query against its own passage and the other
 * passages of its batch), starting from identity, with Adam. Deterministic for the same pairs.
 */
export async function trainQueryAdapter(pairs: readonly TrainingPair[], dimension: number, options: TrainOptions = {}): Promise<{ adapter: QueryAdapter; epochs: number; validationLoss: number; initialLoss: number }> {
  const batchSize = options.batchSize ?? 64;
  // Small libraries give few batches per pass: at least ~400 steps in all.
  const epochs = options.epochs ?? Math.max(30, Math.ceil(400 / Math.max(1, Math.ceil((pairs.length * 0.8) / batchSize))));
  const lr = options.learningRate ?? 2e-3;
  const tau = options.temperature ?? 0.05;
  const lambda = options.regularisation ?? 1e-3;
  const d = dimension;
  const unit = pairs.map((p) => ({ query: normalised(p.query), passage: normalised(p.passage) }));
  const validationCount = Math.floor(unit.length * (options.validationShare ?? 0.2));
  const validation = unit.filter((_, i) => i % Math.max(2, Math.round(unit.length / Math.max(1, validationCount))) === 0).slice(0, validationCount);
  const validationSet = new Set(validation);
  const training = unit.filter((p) => !validationSet.has(p));

  const W = QueryAdapter.identity(d).matrix;
  const m = new Float32Array(d * d);
  const v = new Float32Array(d * d);
  const grad = new Float32Array(d * d);
  let best = { loss: validation.length ? loss(W, validation, tau, d) : Infinity, matrix: W.slice(), epoch: 0 };
  const initialLoss = best.loss;
  let step = 0;
  const random = seededRandom(0x9e3779b9);
  const order = training.map((_, i) => i);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    if (options.signal?.aborted) break;
    shuffle(order, random);
    for (let start = 0; start + 2 <= order.length; start += batchSize) {
      const batch = order.slice(start, start + batchSize).map((i) => training[i]!);
      grad.fill(0);
      batchGradient(W, batch, tau, d, grad);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) grad[i * d + j]! += 2 * lambda * (W[i * d + j]! - (i === j ? 1 : 0));
      step++;
      const b1 = 0.9;
      const b2 = 0.999;
      const c1 = 1 - b1 ** step;
      const c2 = 1 - b2 ** step;
      for (let i = 0; i < W.length; i++) {
        const g = grad[i]!;
        m[i] = b1 * m[i]! + (1 - b1) * g;
        v[i] = b2 * v[i]! + (1 - b2) * g * g;
        W[i]! -= (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + 1e-8);
      }
    }
    if (validation.length) {
      const l = loss(W, validation, tau, d);
      if (l < best.loss) best = { loss: l, matrix: W.slice(), epoch };
    } else {
      best = { loss: Infinity, matrix: W.slice(), epoch };
    }
    options.onEpoch?.(epoch, epochs);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { adapter: new QueryAdapter(d, best.matrix), epochs: best.epoch, validationLoss: best.loss, initialLoss };
}

/** Adds dLoss/dW of one batch to `grad`. */
function batchGradient(W: Float32Array, batch: readonly TrainingPair[], tau: number, d: number, grad: Float32Array): void {
  const b = batch.length;
  const u = batch.map((p) => {
    const out = new Float32Array(d);
    multiply(W, p.query, out, d);
    return out;
  });
  const norms = u.map((x) => Math.sqrt(dot(x, x, d)) || 1);
  const vs = u.map((x, i) => x.map((value) => value / norms[i]!));
  const gv = new Float32Array(d);
  for (let i = 0; i < b; i++) {
    const logits = batch.map((p) => dot(vs[i]!, p.passage, d) / tau);
    const max = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - max));
    const sum = exps.reduce((a, x) => a + x, 0);
    gv.fill(0);
    for (let j = 0; j < b; j++) {
      const coefficient = (exps[j]! / sum - (i === j ? 1 : 0)) / (b * tau);
      if (coefficient === 0) continue;
      const p = batch[j]!.passage;
      for (let c = 0; c < d; c++) gv[c]! += coefficient * p[c]!;
    }
    // Through the normalisation: (g - (g.v) v) / |u|.
    const vi = vs[i]!;
    const along = dot(gv, vi, d);
    const q = batch[i]!.query;
    const n = norms[i]!;
    for (let r = 0; r < d; r++) {
      const gu = (gv[r]! - along * vi[r]!) / n;
      if (gu === 0) continue;
      const row = r * d;
      for (let c = 0; c < d; c++) grad[row + c]! += gu * q[c]!;
    }
  }
}

/** Mean InfoNCE loss of the pairs against each other's passages. */
function loss(W: Float32Array, pairs: readonly TrainingPair[], tau: number, d: number): number {
  let total = 0;
  const out = new Float32Array(d);
  for (let i = 0; i < pairs.length; i++) {
    multiply(W, pairs[i]!.query, out, d);
    normalise(out);
    const logits = pairs.map((p) => dot(out, p.passage, d) / tau);
    const max = Math.max(...logits);
    const sum = logits.reduce((a, l) => a + Math.exp(l - max), 0);
    total += -(logits[i]! - max - Math.log(sum));
  }
  return total / pairs.length;
}

function multiply(W: Float32Array, x: Float32Array, out: Float32Array, d: number): void {
  for (let r = 0; r < d; r++) {
    let sum = 0;
    const row = r * d;
    for (let c = 0; c < d; c++) sum += W[row + c]! * x[c]!;
    out[r] = sum;
  }
}

function dot(a: Float32Array, b: Float32Array, d: number): number {
  let sum = 0;
  for (let i = 0; i < d; i++) sum += a[i]! * b[i]!;
  return sum;
}

function normalise(x: Float32Array): void {
  const n = Math.sqrt(dot(x, x, x.length));
  if (n > 0) for (let i = 0; i < x.length; i++) x[i]! /= n;
}

function normalised(x: Float32Array): Float32Array {
  const copy = Float32Array.from(x);
  normalise(copy);
  return copy;
}

function shuffle(order: number[], random: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
}

